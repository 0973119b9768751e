"""Run a file reader under a time and memory budget, in a forked child process.

Parsing libraries (pdfminer, lxml, python-docx, charset-normalizer) are not written for
hostile input: a PDF whose object refers to itself loops for ever, a Flate bomb inflates to
gigabytes. :func:`run_bounded` runs the reader in a child made with :func:`os.fork` (so it
costs a few milliseconds and no imports), with its address space capped by
``RLIMIT_AS``; the parent waits at most the time budget, kills the child when it is over,
and turns every way the child can end (an answer, an :class:`IngestError`, a library
exception, :exc:`MemoryError`, a signal, silence) into a result or one
:class:`IngestError`. The budget is ``KG_READ_TIMEOUT`` seconds (default 120) and
``KG_READ_MEMORY`` MiB (default 2048) of memory beyond what the process already uses.

Where ``os.fork`` does not exist (Windows) the reader runs in this process, unbounded.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from kg.errors import IngestError, KGError

T = TypeVar("T")

READ_TIMEOUT_S = 120.0
READ_MEMORY_MIB = 2048

#: How the message of an exception no reader handled starts (the fuzz tests look for it).
UNEXPECTED = "the reader failed on this file"

_IN_CHILD = False  # set in the child: a nested call runs in place
_EXIT_MEMORY = 71  # the child ran out of memory even to say so
_EXIT_BROKEN = 70  # the child could not send its answer


@dataclass(frozen=True, slots=True)
class Budget:
    """What reading one file may take: wall-clock seconds, and MiB of memory."""

    seconds: float = READ_TIMEOUT_S
    memory_mib: int = READ_MEMORY_MIB


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise KGError(f"${name} must be a positive number, not {raw!r}")
    return value


def default_budget() -> Budget:
    """The budget from ``$KG_READ_TIMEOUT`` (seconds) and ``$KG_READ_MEMORY`` (MiB)."""
    return Budget(
        seconds=_env_number("KG_READ_TIMEOUT", READ_TIMEOUT_S),
        memory_mib=int(_env_number("KG_READ_MEMORY", READ_MEMORY_MIB)),
    )


def _address_space() -> int | None:
    """This process's virtual size in bytes (Linux), or None when it cannot be told."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(mib: int) -> None:
    """Cap the address space at what it is now plus ``mib`` MiB."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    now = _address_space()
    if now is None:
        return
    limit = now + mib * 2**20
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _answer(fn: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except IngestError as err:
        return "error", err.reason
    except MemoryError:
        return "memory", None
    except RecursionError:
        return "error", "the file is nested too deeply to read; it is not a normal report"
    except Exception as err:  # an exception no reader expected: still one file's error
        what = " ".join(f"{type(err).__name__}: {err}".split())[:300]
        return "error", f"{UNEXPECTED} ({what}); it may be damaged"


def _child(fn: Callable[[], Any], out_fd: int, budget: Budget) -> int:
    """The child's whole life: returns its exit status."""
    global _IN_CHILD
    _IN_CHILD = True
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent cleans up
    # Should the parent be killed outright, the child still ends when the budget is spent.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(math.ceil(budget.seconds) + 2)
    _limit_memory(budget.memory_mib)
    answer = _answer(fn)
    try:
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = b""
    except Exception as err:  # an answer that does not pickle is a bug, but say so
        payload = pickle.dumps(("error", f"cannot pass the result on ({err})"))
    if not payload:
        return _EXIT_MEMORY
    view = memoryview(payload)
    try:
        while view:
            view = view[os.write(out_fd, view) :]
    except OSError:
        return _EXIT_BROKEN
    return 0


def _collect(fd: int, pid: int, deadline: float) -> tuple[bytes, int | None]:
    """What the child writes to ``fd`` until it closes it, and its wait status; None for
    the status when the deadline passed first."""
    chunks: list[bytes] = []
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", None
        if not poller.poll(min(left, 1.0) * 1000):
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    while time.monotonic() < deadline:  # the pipe is closed: the child is exiting
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return b"".join(chunks), status
        time.sleep(0.001)
    return b"", None


def _memory_message(budget: Budget) -> str:
    return (
        f"reading the file needed over {budget.memory_mib} MiB of memory and was stopped "
        "(a decompression bomb, or a damaged file?); set KG_READ_MEMORY (MiB) higher if it is "
        "a genuine report"
    )


def _failure(status: int, budget: Budget) -> str:
    memory = _memory_message(budget)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGKILL:  # the kernel's OOM killer, as a rule
            return memory
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"the reader crashed on this file (signal {name}); it may be damaged"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _EXIT_MEMORY:
        return memory
    return "the reader ended without an answer; the file may be damaged"


def run_bounded(fn: Callable[[], T], path: str, budget: Budget | None = None) -> T:
    """``fn()`` run in a child process under ``budget``; raises :class:`IngestError` for
    ``path`` when it fails or goes over the budget."""
    if _IN_CHILD or not hasattr(os, "fork"):
        return fn()
    budget = budget or default_budget()
    read_fd, write_fd = os.pipe()
    # The child's garbage collector must not walk the objects it inherits: a collection
    # touches every one of them and so copies every page (41 ms a file against 15 ms).
    gc.freeze()
    try:
        pid = os.fork()
    except BaseException:
        gc.unfreeze()
        raise
    if pid != 0:
        gc.unfreeze()
    if pid == 0:  # pragma: no cover - the child; its outcome is what the parent sees
        code = _EXIT_BROKEN
        try:
            os.close(read_fd)
            code = _child(fn, write_fd, budget)
        finally:
            os._exit(code)
    os.close(write_fd)
    status: int | None = None
    try:
        payload, status = _collect(read_fd, pid, time.monotonic() + budget.seconds)
    finally:
        os.close(read_fd)
        if status is None:  # over time, or interrupted: the child must not outlive us
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    if status is None:
        raise IngestError(
            path,
            f"reading the file took over {budget.seconds:g} s and was stopped (a damaged or "
            "hostile file?); set KG_READ_TIMEOUT (seconds) higher if it is a genuine report",
        )
    if not payload:
        raise IngestError(path, _failure(status, budget))
    kind, value = pickle.loads(payload)
    if kind == "ok":
        return value  # type: ignore[no-any-return]
    if kind == "memory":
        raise IngestError(path, _memory_message(budget))
    raise IngestError(path, str(value))
