"""Safe, all-or-nothing writes of export files and directories.

An export writes where the user points it, and must never destroy what it did not write.

- :func:`atomic_path` — one file. A new or existing regular file is written under a temporary
  name beside it and renamed over it on success (``os.replace``, atomic), keeping the old file's
  permission bits. A symbolic link is written through (its destination is replaced, the link
  stays). A FIFO or character device (``/dev/null``, ``/dev/stdout``) is written through, never
  replaced; a FIFO nobody reads is refused rather than waited on. A directory, a block device
  or a socket is refused with :class:`OutputError`.
- :func:`atomic_dir` — a directory of files (the Neo4j CSV view). A new directory is written
  whole under a temporary name and renamed in. An existing one is written into, never
  replaced: only when it is empty or an earlier export (it holds our manifest,
  :data:`MANIFEST`, listing the files we wrote), else only with ``force=True``. The new files
  are staged beside the old ones and moved in at the end (the old ones put back if a move
  fails); files an earlier export listed and this one does not write are removed (only
  regular ``*.csv`` files); nothing else in the directory is touched, with or without
  ``force``, and a file of the same name that no earlier export wrote is replaced only with
  ``force``.

Temporaries are named ``.<target name>.kg-export-<pid>-<12 hex>.tmp`` (``.old`` for a file
being replaced). On SIGTERM or SIGHUP (turned into ``SystemExit(128 + signal)`` while an export
is being written) and on any exception they are removed; after a SIGKILL they stay, and the
next export to the same place removes those whose process is gone — only names of that exact
pattern, never anything else.

OS failures (a read-only or full file system, a path under a file, no permission) become
:class:`OutputError` naming the target and what to do.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from kg import __version__
from kg.errors import KGError

__all__ = [
    "MANIFEST",
    "OutputError",
    "atomic_dir",
    "atomic_path",
    "refuse_inside",
    "sweep_leftovers",
]

#: The file that marks a directory as written by ``kg export``: JSON with ``generator`` and
#: ``files`` (the names this tool wrote there).
MANIFEST = ".kg-export.json"
_GENERATOR = "policy-kg"
_MARK = ".kg-export-"
#: Names a stale file of an earlier export may have to be removed: what the writers write.
_STALE = re.compile(r"[\w.-]+\.csv")
_TEMP = re.compile(r"\.(?P<name>.*)\.kg-export-(?P<pid>\d+)-[0-9a-f]{12}\.(?:tmp|old)")


class OutputError(KGError):
    """The export cannot be written where asked: the message names the place and what to do."""


# --------------------------------------------------------------------------------- temporaries


def _temp_name(parent: Path, name: str, suffix: str) -> Path:
    return parent / f".{name}{_MARK}{os.getpid()}-{secrets.token_hex(6)}{suffix}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: someone else's live process
        return True
    return True


def sweep_leftovers(directory: Path, name: str | None = None) -> list[str]:
    """Remove temporaries an export killed outright left in ``directory``; returns their names.

    Only entries named like our temporaries (for target ``name`` when given) whose process is
    gone are removed; a leftover staging directory only when it holds nothing but files.
    """
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.fullmatch(entry.name)
        if m is None or (name is not None and m["name"] != name) or _alive(int(m["pid"])):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                inner = list(os.scandir(entry.path))
                if not all(e.is_file(follow_symlinks=False) for e in inner):
                    continue
                for e in inner:
                    os.unlink(e.path)
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue
        removed.append(entry.name)
    return removed


@contextmanager
def _signals_exit() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise ``SystemExit`` so cleanup code runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


# ------------------------------------------------------------------------------------ messages

_HINTS = {
    errno.EACCES: "no permission to write there; choose another place with -o",
    errno.EPERM: "not permitted to write there; choose another place with -o",
    errno.EROFS: "the file system is read-only; choose another place with -o",
    errno.ENOTDIR: "a part of the path is a file, not a directory; check the path",
    errno.ENOSPC: "the disk is full; free some space or choose another place with -o",
    errno.EDQUOT: "the disk quota is used up; free some space or choose another place with -o",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter one",
    errno.EPIPE: "the reader closed it before the export was written",
    errno.ENXIO: "nothing is reading from it; start the reader first",
    errno.ENOENT: "no file can be created there; choose another place with -o",
}


def _os_error(target: Path, err: OSError) -> OutputError:
    reason = err.strerror or str(err)
    hint = _HINTS.get(err.errno or 0)
    return OutputError(f"cannot write {target}: {reason}" + (f"; {hint}" if hint else ""))


def _stat(path: Path) -> os.stat_result | None:
    """``os.stat`` (following links), None when nothing is there."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise _os_error(path, err) from None


def refuse_inside(target: Path, protected: Path, what: str) -> None:
    """:class:`OutputError` when ``target`` is ``protected`` or inside it (links resolved)."""
    real, guarded = Path(os.path.realpath(target)), Path(os.path.realpath(protected))
    if real == guarded or guarded in real.parents:
        where = f"is {what}" if real == guarded else f"is inside {what} {protected}"
        raise OutputError(
            f"{target} {where}; an export never writes there: choose another place with -o"
        )


# --------------------------------------------------------------------------------- single file


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A path to write ``target`` through: a temporary beside it, renamed over it on success.

    The temporary exists (empty) when the block starts; write to it by name. Missing parent
    directories are created. On any exception in the block the temporary is deleted and
    ``target`` is left as it was. For a FIFO or character device the path yielded is the
    target itself (written through). See the module notes for what is refused.
    """
    target = Path(target)
    st = _stat(target)
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _write_through(target, st) as path:
            yield path
        return
    real = Path(os.path.realpath(target)) if target.is_symlink() else target
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _os_error(target, err) from None
    sweep_leftovers(real.parent, real.name)
    tmp = _temp_name(real.parent, real.name, ".tmp")
    with _signals_exit():
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as err:
            raise _os_error(target, err) from None
        try:
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
            os.close(fd)
            yield tmp
            _fsync_file(tmp)
            os.replace(tmp, real)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise _os_error(target, err) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


@contextmanager
def _write_through(target: Path, st: os.stat_result) -> Iterator[Path]:
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise OutputError(
            f"{target} is a directory; this format writes one file: give a file name "
            f"(such as {target / 'export'}.<format>)"
        )
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        kind = "a block device" if stat.S_ISBLK(mode) else "not a regular file"
        raise OutputError(f"{target} is {kind}; not writing to it: give a file name")
    # Open once without blocking: a FIFO with no reader fails (ENXIO) instead of hanging; the
    # descriptor stays open so the writer's own open by name finds the reader there.
    flags = os.O_WRONLY | (os.O_NONBLOCK if stat.S_ISFIFO(mode) else 0)
    try:
        fd = os.open(target, flags)
    except OSError as err:
        raise _os_error(target, err) from None
    try:
        with _signals_exit():
            yield target
    except OSError as err:
        raise _os_error(target, err) from None
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------- directory


def _manifest(directory: Path) -> list[str] | None:
    """The file names our manifest in ``directory`` lists; None when it has no valid one."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not str(data.get("generator", "")).startswith(_GENERATOR):
        return None
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) and _plain(f) for f in files):
        return None
    return list(files)


def _plain(name: str) -> bool:
    return bool(name) and "/" not in name and "\0" not in name and name not in (".", "..")


def _foreign(directory: Path) -> list[str]:
    """Entries of ``directory`` but our own temporaries."""
    return sorted(n for n in os.listdir(directory) if _TEMP.fullmatch(n) is None)


@contextmanager
def atomic_dir(target: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary empty directory to write the files of directory ``target`` into.

    On success they appear in ``target`` with a manifest (:data:`MANIFEST`) listing them: a
    new ``target`` is renamed in whole; an existing one (a directory, or a link to one) is
    written into — refused with :class:`OutputError`, before the block runs, when it holds
    anything but an earlier export's files, unless ``force``. On any exception nothing in
    ``target`` has changed and the temporary is gone.
    """
    target = Path(target)
    st = _stat(target)
    if st is None and target.is_symlink():
        raise OutputError(f"{target} is a link to nothing; give a directory name")
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputError(
            f"{target} exists and is not a directory; this format writes a directory of "
            "files: give the name of a new or empty directory"
        )
    if st is None:
        with _new_dir(target) as tmp:
            yield tmp
        return
    previous = _manifest(target)
    foreign = _foreign(target) if previous is None else []
    if foreign and not force:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        shown = ", ".join(foreign[:5]) + more
        raise OutputError(
            f"{target} is not empty and is not an earlier export (it holds {shown}); "
            "kg export writes a directory only when it is new, empty or an earlier export. "
            "Choose another directory with -o, or add --force to write the export's files into "
            "it (files of the same names are replaced; nothing else there is touched)"
        )
    with _into_dir(target, previous or [], force) as tmp:
        yield tmp


@contextmanager
def _new_dir(target: Path) -> Iterator[Path]:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _os_error(target, err) from None
    sweep_leftovers(target.parent, target.name)
    tmp = _temp_name(target.parent, target.name, ".tmp")
    with _signals_exit():
        try:
            tmp.mkdir(mode=0o777)
        except OSError as err:
            raise _os_error(target, err) from None
        try:
            yield tmp
            _write_manifest(tmp, _staged(tmp))
            for child in tmp.iterdir():
                _fsync_file(child)
            os.rename(tmp, target)
        except OSError as err:
            _remove_staging(tmp)
            raise _os_error(target, err) from None
        except BaseException:
            _remove_staging(tmp)
            raise


@contextmanager
def _into_dir(target: Path, previous: list[str], force: bool) -> Iterator[Path]:
    sweep_leftovers(target, target.name)
    staging = _temp_name(target, target.name, ".tmp")
    with _signals_exit():
        try:
            staging.mkdir(mode=0o777)
        except OSError as err:
            raise _os_error(target, err) from None
        try:
            yield staging
            names = _staged(staging)
            _check_clashes(target, names, previous, force)
            _write_manifest(staging, names)
            for name in (*names, MANIFEST):
                _fsync_file(staging / name)
            _move_in(staging, target, [*names, MANIFEST])
            for name in sorted(set(previous) - set(names)):  # an earlier export's, now stale
                path = target / name
                if _STALE.fullmatch(name) and path.is_file() and not path.is_symlink():
                    path.unlink()
        except OSError as err:
            raise _os_error(target, err) from None
        finally:
            _remove_staging(staging)


def _staged(directory: Path) -> list[str]:
    names = sorted(p.name for p in directory.iterdir())
    bad = [n for n in names if n == MANIFEST or not (directory / n).is_file()]
    if bad:
        raise OutputError(f"an export may only write plain files, not {', '.join(bad)}")
    return names


def _check_clashes(target: Path, names: list[str], previous: list[str], force: bool) -> None:
    for name in names:
        path = target / name
        if not os.path.lexists(path):
            continue
        if path.is_symlink() or not path.is_file():
            raise OutputError(
                f"{path} exists and is not a regular file; not replacing it: move it away "
                "or choose another directory with -o"
            )
        if name not in previous and not force:
            raise OutputError(
                f"{path} was not written by kg export; not replacing it: move it away, choose "
                "another directory with -o, or add --force"
            )


def _write_manifest(directory: Path, names: list[str]) -> None:
    data = {"generator": f"{_GENERATOR} {__version__}", "files": names}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    (directory / MANIFEST).write_text(text, encoding="utf-8")


def _move_in(staging: Path, target: Path, names: list[str]) -> None:
    """Rename each staged file over ``target``'s; on a failure put every old file back."""
    done: list[tuple[str, Path | None]] = []
    try:
        for name in names:
            dest, backup = target / name, None
            if os.path.lexists(dest):
                backup = _temp_name(target, name, ".old")
                os.rename(dest, backup)
            done.append((name, backup))
            os.rename(staging / name, dest)
    except BaseException:
        for name, backup in reversed(done):
            dest = target / name
            if os.path.lexists(dest) and not os.path.lexists(staging / name):
                os.rename(dest, staging / name)  # ours: the staging area is removed after
            if backup is not None:
                os.rename(backup, dest)
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink()


def _remove_staging(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)  # our own temporary: nothing else is in it
