"""Worker processes that never outlive the build, and signals that stop it promptly.

- :func:`tagging_pool` runs a function over items in ``jobs`` processes and gives back the
  results in order. Not :class:`~concurrent.futures.ProcessPoolExecutor`: a worker killed
  while it sends a result leaves that pool's manager thread blocked, and the interpreter joins
  the thread at exit (the hang after Ctrl-C). Each worker ignores SIGINT (a terminal's Ctrl-C
  reaches the whole process group; stopping is the parent's business), asks the kernel to kill
  it when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux) and watches its
  parent besides (elsewhere, or if the parent died before the ``prctl``). When the caller
  stops early (an error, an interrupt, a generator closed) the workers are killed at once.
- :func:`stop_on_signals` turns SIGINT and SIGTERM into :class:`Interrupted` in the main
  thread; inside :func:`uninterrupted` (a write to the store) the signal waits until the write
  is done, so a store is left with whole reports only.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any, TypeVar

from kg.errors import KGError

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_WATCH_EVERY = 0.5  # seconds between a worker's checks that its parent lives
_NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


class Interrupted(KGError):
    """The build was stopped by a signal; ``exit_code`` is 128 + the signal's number."""

    def __init__(self, signum: int, what: str) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        name = _NAMES.get(signal.Signals(signum), f"signal {signum}")
        super().__init__(f"interrupted by {name}; {what}")


# --- workers ---------------------------------------------------------------------------------


def _parent_alive(parent: int, direct: bool) -> bool:
    if direct:  # a forked worker is re-parented when its parent dies
        return os.getppid() == parent
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(parent: int, direct: bool) -> None:
    while _parent_alive(parent, direct):
        time.sleep(_WATCH_EVERY)
    os._exit(1)


def _init_worker(parent: int, direct: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux") and direct:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc to ask: the watcher alone does it
            pass
    if not _parent_alive(parent, direct):  # it died before the prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent, direct), daemon=True).start()


def _serve(function: Callable[[Any], Any], conn: Connection, parent: int, direct: bool) -> None:
    """A worker's life: one item at a time from ``conn``, its result back; None ends it."""
    _init_worker(parent, direct)
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):  # the parent is gone or closed the pipe
            return
        if item is None:
            return
        try:
            conn.send((True, function(item)))
        except Exception as err:  # the parent says which item; the worker goes on
            conn.send((False, f"{type(err).__name__}: {err}"))


class _Worker:
    def __init__(self, context: Any, function: Callable[[Any], Any], direct: bool) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(function, child, os.getpid(), direct), daemon=True
        )
        self.process.start()
        child.close()  # the worker holds the only other end: its death is EOF here
        self.item: int | None = None  # the index of the item it works on

    def stop(self, *, now: bool) -> None:
        with suppress(OSError, ValueError):
            if now:
                self.process.kill()
            else:
                self.conn.send(None)
        self.process.join(timeout=None if now else 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=1)
        self.conn.close()


def _died(worker: _Worker) -> KGError:
    code = worker.process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
    return KGError(
        f"a tagging process died ({how}); the reports stored so far are complete; "
        "run kg build again (with fewer --jobs if memory is short)"
    )


def tagging_pool(function: Callable[[T], R], items: Iterable[T], jobs: int) -> Iterator[R]:
    """``map(function, items)`` over ``jobs`` worker processes, results in order.

    Each worker has its own pipe and is handed one item at a time; this thread alone waits on
    the pipes and the workers' exits (no helper threads, so nothing can be left joining a
    killed worker at exit). A worker that dies is an error (:class:`~kg.errors.KGError`);
    stopping early kills the workers."""
    todo = list(items)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    workers: list[_Worker] = []
    finished = False
    try:
        for _ in range(min(jobs, len(todo))):
            workers.append(_Worker(context, function, method == "fork"))
        results: dict[int, R] = {}
        given = done = 0
        for worker in workers:
            if given < len(todo):
                worker.conn.send(todo[given])
                worker.item, given = given, given + 1
        while done < len(todo):
            busy = [w for w in workers if w.item is not None]
            waited = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            ready = set(wait(waited))
            for worker in busy:
                if worker.conn not in ready:
                    if worker.process.sentinel in ready:
                        raise _died(worker)
                    continue
                try:
                    ok, value = worker.conn.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=1)
                    raise _died(worker) from None
                if not ok:
                    raise KGError(f"a tagging process failed: {value}")
                assert worker.item is not None
                results[worker.item] = value
                worker.item = None
                if given < len(todo):
                    worker.conn.send(todo[given])
                    worker.item, given = given, given + 1
            while done in results:
                yield results.pop(done)
                done += 1
        finished = True
    finally:
        for worker in workers:
            worker.stop(now=not finished)


# --- signals ---------------------------------------------------------------------------------


class _State:
    installed = 0
    writing = 0
    pending: int | None = None
    what = "nothing was lost"


_state = _State()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _state.writing:
        _state.pending = signum
        return
    raise Interrupted(signum, _state.what)


@contextmanager
def stop_on_signals(what: str) -> Iterator[None]:
    """Within: SIGINT and SIGTERM raise :class:`Interrupted` (``what``: what the stop leaves,
    for the message). Only in the main thread; elsewhere the signals are left as they are."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    _state.installed += 1
    _state.what = what
    try:
        yield
    finally:
        _state.installed -= 1
        _state.pending = None
        for sig, handler in old.items():
            signal.signal(sig, handler)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """A signal that comes within waits for the end (then raises :class:`Interrupted`)."""
    _state.writing += 1
    try:
        yield
    finally:
        _state.writing -= 1
    if not _state.writing and _state.pending is not None:
        signum, _state.pending = _state.pending, None
        raise Interrupted(signum, _state.what)
