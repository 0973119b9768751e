"""The second wall: the process that evaluates user SPARQL has no network.

:func:`enter` is called first thing in each evaluation child (``kg query``, ``kg serve``'s
queries and updates, the syntax check before a remote query). On Linux it moves the process into
a new, empty network namespace (``unshare(CLONE_NEWNET)``): only a loopback interface that is
down, so a connection to any address, 127.0.0.1 included, fails with "Network is unreachable"
and a ``SERVICE`` or ``LOAD`` that got past :mod:`kg.query.guard` fetches nothing. Files are
untouched, so the store opens as before. As root (or with ``CAP_SYS_ADMIN``) the namespace is
made directly; otherwise together with a new user namespace that maps the caller's own uid and
gid (unprivileged user namespaces), so the child keeps its access to the store.

pyoxigraph has no switch to turn its HTTP client off (no service handler option in Python), so
this wall is made around the engine, not in it.

When neither works (not Linux, or namespaces forbidden, e.g. by a container's seccomp policy)
the guard alone stands: :func:`enter` returns why, and the caller says so once. With
``KG_SANDBOX=require`` in the environment such a query is refused instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from multiprocessing.connection import Connection

from kg.errors import KGError

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
REQUIRE_ENV = "KG_SANDBOX"


class SandboxUnavailable(KGError):
    """The evaluation process could not be cut off the network, and that is required."""


def _unshare(flags: int) -> int:
    """0, or the errno of ``unshare(flags)``."""
    if hasattr(os, "unshare"):  # Python 3.12+
        try:
            os.unshare(flags)
            return 0
        except OSError as err:
            return err.errno or -1
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) == 0:
        return 0
    return ctypes.get_errno() or -1


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def cut_network() -> str | None:
    """Move this process into a new network namespace: None when done, else why not."""
    if not sys.platform.startswith("linux"):
        return f"network namespaces are Linux only (this is {sys.platform})"
    err = _unshare(CLONE_NEWNET)
    if err == 0:
        return None
    uid, gid = os.getuid(), os.getgid()
    err2 = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    if err2 != 0:
        return (
            f"unshare(CLONE_NEWNET) failed ({os.strerror(err)}) and so did it with a user "
            f"namespace ({os.strerror(err2)})"
        )
    try:  # map our own ids, so that files keep their owner and the store stays writable
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError as exc:  # the namespace holds (no network) but ids are unmapped
        return f"the user namespace's id maps could not be written ({exc}); files may be unreadable"
    return None


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() == "require"


def enter() -> str | None:
    """Cut this (child) process off the network before it evaluates anything. Returns None, or
    a note saying why it could not be done; raises :class:`SandboxUnavailable` instead when
    ``KG_SANDBOX=require``."""
    why = cut_network()
    if why is not None and required():
        raise SandboxUnavailable(
            f"the query process could not be cut off the network ({why}), and "
            f"{REQUIRE_ENV}=require; nothing was run"
        )
    return why


def _probe_child(conn: Connection) -> None:
    try:
        conn.send(cut_network())
    except BaseException as err:  # any failure is a reason
        conn.send(f"{type(err).__name__}: {err}")


def probe() -> str | None:
    """Whether an evaluation child can be cut off the network here: None, or why not."""
    import multiprocessing as mp

    if not sys.platform.startswith("linux"):
        return cut_network()
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_probe_child, args=(sender,), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(10):
            return "the check did not answer"
        answer = receiver.recv()
        return None if answer is None else str(answer)
    except EOFError:
        return "the check died"
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


_warned = False


def warn_once(note: str | None) -> None:
    """Say on stderr, once per process, that queries run without the network wall."""
    global _warned
    if note and not _warned:
        _warned = True
        print(
            f"warning: queries run with network access ({note}); SERVICE, LOAD and remote FROM "
            f"are still refused by the query check (set {REQUIRE_ENV}=require to refuse instead)",
            file=sys.stderr,
        )
