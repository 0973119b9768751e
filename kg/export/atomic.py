"""All-or-nothing writes: an export either replaces its target whole or leaves it as it was.

Both helpers hand the caller a temporary path next to the target (same directory, so same
file system, so the final rename is atomic), and move it over the target only when the
``with`` block finishes without an exception; otherwise the temporary is removed and the
exception goes on. A failed export never leaves half a file, nor a stray temporary.

- :func:`atomic_path` — one file: ``os.replace`` over the target (atomic on POSIX and Windows).
- :func:`atomic_dir` — a directory of files: when the target directory exists it is renamed
  away, the new one renamed in, then the old one deleted. Between the two renames (a moment)
  the target name is absent; readers never see a half-written directory.

Temporaries are dot-files named after the target (``.nodes.csv.3f9a….tmp``), created with
the process umask like any other file, and their data is flushed to disk before the rename.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _temp_name(target: Path, suffix: str) -> Path:
    return target.parent / f".{target.name}.{secrets.token_hex(6)}{suffix}"


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary file path beside ``target``, renamed over it when the block succeeds.

    The temporary exists (empty) when the block starts; write to it by name. The parent
    directory of ``target`` is created if missing. On any exception in the block, or if the
    final rename fails, the temporary is deleted and ``target`` is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = _temp_name(target, ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        os.close(fd)
        break
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """A temporary empty directory beside ``target``, renamed to ``target`` on success.

    An existing ``target`` directory is replaced whole (renamed away, the new one renamed in,
    the old one deleted); if ``target`` exists and is not a directory, ``NotADirectoryError``
    is raised and nothing changes. On any exception the temporary directory is deleted and
    ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = _temp_name(target, ".tmp")
        try:
            tmp.mkdir(mode=0o777)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        break
    try:
        yield tmp
        for child in tmp.rglob("*"):
            if child.is_file() and not child.is_symlink():
                _fsync_file(child)
        _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(new: Path, target: Path) -> None:
    """Move directory ``new`` to ``target``, replacing a directory already there."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise NotADirectoryError(f"{target}: exists and is not a directory; not replacing it")
    if not target.exists():
        os.rename(new, target)
        return
    old = _temp_name(target, ".old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)  # put the previous export back
        raise
    shutil.rmtree(old, ignore_errors=True)
