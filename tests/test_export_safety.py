"""``kg export -o`` never destroys what it did not write, and fails with a clear ``Error:``.

- a directory format (Neo4j csv) goes only into a new or empty directory or an earlier export
  (marked by its manifest); anything else is refused unless --force, and even then only the
  export's own files are written;
- a symbolic link, FIFO or device is written through or refused, never replaced;
- unwritable places (a read-only or permission-less directory, a path under a file, a full
  device, a directory where a file is wanted and the reverse) give ``Error: …`` and exit 1;
- temporaries are named as ours, removed on SIGTERM, and swept by the next export after a
  SIGKILL — and nothing else is ever swept.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.export.atomic import MANIFEST, OutputError, atomic_dir, atomic_path, sweep_leftovers
from kg.store import open_store
from tests.control_store import build_control_store

ROOT = Path(__file__).resolve().parent.parent
CSV = ["--view", "citations", "--format", "csv"]
OURS = r"\..*\.kg-export-\d+-[0-9a-f]{12}\.(tmp|old)"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_control_store(tmp_path_factory.mktemp("safety")))


def kg(store: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["export", "--store", store, *args])
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def tree(path: Path) -> dict[str, bytes | str]:
    """Every entry under ``path``: file bytes, or the kind of anything else."""
    out: dict[str, bytes | str] = {}
    for p in sorted(path.rglob("*")):
        key = str(p.relative_to(path))
        if p.is_symlink():
            out[key] = f"-> {os.readlink(p)}"
        elif p.is_file():
            out[key] = p.read_bytes()
        else:
            out[key] = stat.filemode(p.lstat().st_mode)
    return out


def temporaries(*dirs: Path) -> list[str]:
    found = (p.name for d in dirs if d.is_dir() for p in d.iterdir())
    return sorted(n for n in found if re.fullmatch(OURS, n))


# ------------------------------------------------------------------------- directories (csv)


def test_another_store_is_refused(store: str, tmp_path: Path) -> None:
    other = tmp_path / "other-store"
    shutil.copytree(store, other)
    before = tree(other)
    code, out = kg(store, *CSV, "-o", str(other))
    assert code == 1 and out.startswith("Error: ") and "not an earlier export" in out
    assert tree(other) == before


def test_a_directory_of_the_users_is_refused_and_kept(store: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "notes.txt").write_text("mine", encoding="utf-8")
    (home / "docs" / "thesis.tex").write_text("mine too", encoding="utf-8")
    before = tree(home)
    code, out = kg(store, "--view", "citations", "--format", "csv", "-o", str(home))
    assert code == 1 and out.startswith("Error: ") and "--force" in out and "notes.txt" in out
    assert tree(home) == before


def test_the_store_itself_is_refused_and_still_opens(store: str, tmp_path: Path) -> None:
    with open_store(store, read_only=True) as s:
        size = len(s)
    before = sorted(p.name for p in Path(store).iterdir())
    code, out = kg(store, "--view", "citations", "--format", "csv", "-o", store)
    assert code == 1 and out.startswith("Error: ") and "is the store" in out
    assert sorted(p.name for p in Path(store).iterdir()) == before
    with open_store(store, read_only=True) as s:
        assert len(s) == size


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "ttl", "-o", "{store}/CURRENT"],
        ["--format", "nt", "-o", "{store}/new.nt"],
        ["--view", "regions", "-o", "{store}/OPTIONS-000007"],
        [*CSV, "-o", "{store}/neo4j"],
        [*CSV, "-o", "{store}", "--force"],
    ],
)
def test_nothing_is_written_into_the_store(store: str, args: list[str]) -> None:
    files = {p.name: p.stat().st_mtime_ns for p in Path(store).iterdir()}
    code, out = kg(store, *(a.format(store=store) for a in args))
    assert code == 1 and out.startswith("Error: ") and "the store" in out, out
    assert {p.name: p.stat().st_mtime_ns for p in Path(store).iterdir()} == files


def test_the_working_directory_is_refused(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "report.txt").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = kg(store, "--view", "citations", "--format", "csv", "-o", ".")
    assert code == 1 and out.startswith("Error: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_force_writes_only_the_exports_own_files(store: str, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    (mixed / "sub").mkdir(parents=True)
    (mixed / "notes.txt").write_text("mine", encoding="utf-8")
    (mixed / "sub" / "data.csv").write_text("mine", encoding="utf-8")
    before = tree(mixed)
    code, out = kg(store, "--view", "citations", "--format", "csv", "-o", str(mixed), "--force")
    assert code == 0, out
    after = tree(mixed)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing of theirs touched
    assert sorted(set(after) - set(before)) == [MANIFEST, "nodes.csv", "relationships.csv"]
    manifest = json.loads((mixed / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"] == ["nodes.csv", "relationships.csv"]
    # now an earlier export: a second run needs no --force, and still leaves their files
    code, out = kg(store, "--view", "citations", "--format", "csv", "-o", str(mixed))
    assert code == 0, out
    assert {k: v for k, v in tree(mixed).items() if k in before} == before


def test_an_empty_directory_is_written_into_not_replaced(store: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o750)
    inode = empty.stat().st_ino
    code, out = kg(store, "--view", "citations", "--format", "csv", "-o", str(empty))
    assert code == 0, out
    assert empty.stat().st_ino == inode and stat.S_IMODE(empty.stat().st_mode) == 0o750
    assert (empty / "nodes.csv").is_file() and (empty / MANIFEST).is_file()


def test_an_earlier_export_is_updated_and_a_file_added_to_it_kept(
    store: str, tmp_path: Path
) -> None:
    out_dir = tmp_path / "neo4j"
    assert kg(store, "--view", "citations", "--format", "csv", "-o", str(out_dir))[0] == 0
    (out_dir / "README").write_text("how I import this", encoding="utf-8")
    (out_dir / "nodes.csv").write_text("stale", encoding="utf-8")
    code, out = kg(store, "--view", "citations", "--format", "csv", "-o", str(out_dir))
    assert code == 0, out
    assert (out_dir / "README").read_text(encoding="utf-8") == "how I import this"
    assert (out_dir / "nodes.csv").read_text(encoding="utf-8").startswith("id:ID,")
    assert temporaries(tmp_path, out_dir) == []


def test_only_files_the_manifest_lists_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_dir(target) as tmp:
        (tmp / "a.csv").write_text("1", encoding="utf-8")
        (tmp / "b.csv").write_text("1", encoding="utf-8")
    (target / "c.csv").write_text("theirs", encoding="utf-8")
    with atomic_dir(target) as tmp:
        (tmp / "a.csv").write_text("2", encoding="utf-8")
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST, "a.csv", "c.csv"]


@pytest.mark.parametrize(
    "manifest",
    [
        '{"generator": "someone else", "files": ["notes.txt"]}',
        '{"generator": "policy-kg 0.1.0", "files": ["../outside.txt"]}',
        "not json",
    ],
)
def test_a_manifest_not_ours_gives_no_licence(manifest: str, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / MANIFEST).write_text(manifest, encoding="utf-8")
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("mine", encoding="utf-8")
    before = tree(tmp_path)
    with pytest.raises(OutputError, match="not an earlier export"), atomic_dir(target) as tmp:
        (tmp / "notes.txt").write_text("x", encoding="utf-8")
    assert tree(tmp_path) == before


def test_a_file_of_theirs_with_our_name_is_not_replaced_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_dir(target) as tmp:
        (tmp / "relationships.csv").write_text("ours", encoding="utf-8")
    (target / "nodes.csv").write_text("theirs", encoding="utf-8")
    with pytest.raises(OutputError, match="not written by kg export"), atomic_dir(target) as tmp:
        (tmp / "nodes.csv").write_text("new", encoding="utf-8")
    assert (target / "nodes.csv").read_text(encoding="utf-8") == "theirs"
    (target / "nodes.csv").unlink()
    (target / "nodes.csv").mkdir()  # not a file: refused even with force
    with (
        pytest.raises(OutputError, match="not a regular file"),
        atomic_dir(target, force=True) as tmp,
    ):
        (tmp / "nodes.csv").write_text("new", encoding="utf-8")
    assert (target / "nodes.csv").is_dir()
    assert temporaries(tmp_path, target) == []


def test_a_link_to_a_directory_is_written_through(store: str, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    code, out = kg(store, "--view", "citations", "--format", "csv", "-o", str(link))
    assert code == 0, out
    assert link.is_symlink() and (real / "nodes.csv").is_file()


# ----------------------------------------------------------------- links, FIFOs and devices


def _char_device(tmp_path: Path) -> Path:
    """A character device to write to: our own null device node where we may make one (as
    root, so that a regression replaces a node in tmp_path, not /dev/null); else /dev/null,
    which a user without root cannot replace anyway."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError:
        return Path("/dev/null")
    return node


@pytest.mark.parametrize(
    "args", [["--format", "ttl"], ["--format", "xml"], ["--view", "citations", "--format", "gexf"]]
)
def test_a_character_device_is_written_through(store: str, tmp_path: Path, args: list[str]) -> None:
    device = _char_device(tmp_path)
    code, out = kg(store, *args, "-o", str(device))
    assert code == 0, out
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert temporaries(tmp_path, device.parent) == []


@pytest.mark.parametrize(
    "args", [["--format", "nt"], ["--format", "jsonld"], ["--view", "regions", "--format", "cyjs"]]
)
def test_a_symlink_is_written_through_and_kept(store: str, tmp_path: Path, args: list[str]) -> None:
    real = tmp_path / "real.out"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "link.out"
    link.symlink_to(real.name)
    dangling = tmp_path / "dangling.out"
    dangling.symlink_to("elsewhere.out")
    for target in (link, dangling):
        code, out = kg(store, *args, "-o", str(target))
        assert code == 0, out
    assert link.is_symlink() and os.readlink(link) == "real.out"
    assert real.read_text(encoding="utf-8") != "old"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600  # the file's permissions are kept
    assert dangling.is_symlink() and (tmp_path / "elsewhere.out").stat().st_size > 0


def test_a_fifo_is_written_through_to_its_reader(store: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        # the reader opens the FIFO soon; until then the export is told nobody reads
        for _ in range(200):
            code, out = kg(store, "--format", "nt", "-o", str(fifo))
            if code == 0:
                break
            assert "nothing is reading" in out
            threading.Event().wait(0.01)
    finally:
        if not got:
            with open(fifo, "wb"):  # release a reader still waiting
                pass
        reader.join(5)
    assert code == 0, out
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].count(b"\n") > 1000


def test_a_fifo_nobody_reads_is_refused_at_once(store: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, out = kg(store, "--format", "ttl", "-o", str(fifo))
    assert code == 1 and out.startswith("Error: ") and "nothing is reading" in out
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# ------------------------------------------------------------------------- clear errors


def _under_a_file(tmp: Path) -> str:
    (tmp / "plain").write_text("x", encoding="utf-8")
    return str(tmp / "plain" / "out.ttl")


def _directory(tmp: Path) -> str:
    (tmp / "adir").mkdir()
    (tmp / "adir" / "keep").write_text("x", encoding="utf-8")
    return str(tmp / "adir")


def _file(tmp: Path) -> str:
    (tmp / "afile.csv").write_text("mine", encoding="utf-8")
    return str(tmp / "afile.csv")


def _fifo(tmp: Path) -> str:
    os.mkfifo(tmp / "fifo")
    return str(tmp / "fifo")


def _dangling(tmp: Path) -> str:
    (tmp / "nowhere").symlink_to("missing-dir")
    return str(tmp / "nowhere")


ERRORS: list[tuple[str, list[str], Callable[[Path], str], str]] = [
    ("path under a file", ["--format", "ttl"], _under_a_file, "not a directory"),
    ("a view under a file", ["--view", "regions"], _under_a_file, "not a directory"),
    ("directory for a file format", ["--format", "ttl"], _directory, "is a directory"),
    ("directory for a view file", ["--view", "regions"], _directory, "is a directory"),
    ("the working directory", ["--format", "nt"], lambda tmp: ".", "is a directory"),
    ("csv to a file", CSV, _file, "not a directory"),
    ("csv to a FIFO", CSV, _fifo, "not a directory"),
    ("csv to a dangling link", CSV, _dangling, "link to nothing"),
    ("a full device", ["--format", "ttl"], lambda tmp: "/dev/full", "No space left"),
]


@pytest.mark.parametrize(
    ("args", "make", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_unwritable_targets_give_a_clear_error(
    store: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    make: Callable[[Path], str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    target = make(tmp_path)
    if target == "/dev/full" and not os.path.exists(target):
        pytest.skip("no /dev/full here")
    before = tree(tmp_path)
    code, out = kg(store, *args, "-o", target)
    assert code == 1 and out.startswith("Error: ") and message in out, out
    assert tree(tmp_path) == before


def test_a_directory_without_write_permission(store: str, tmp_path: Path) -> None:
    """Root writes anywhere in a plain directory, so as root the place is /sys (sysfs refuses
    new files even to root); otherwise a directory with its write bit off."""
    if os.geteuid() == 0:
        if not os.path.isdir("/sys/kernel"):
            pytest.skip("no /sys here")
        place = Path("/sys/kernel")
    else:
        place = tmp_path / "ro"
        place.mkdir()
        place.chmod(0o500)
    for args in (["--format", "ttl", "-o", str(place / "x.ttl")], [*CSV, "-o", str(place / "n")]):
        code, out = kg(store, *args)
        assert code == 1 and out.startswith("Error: cannot write") and "-o" in out, out
    assert not (place / "x.ttl").exists() and not (place / "n").exists()


@pytest.mark.parametrize("directory", [False, True])
def test_a_full_disk_mid_write_is_a_clear_error_and_leaves_nothing(
    tmp_path: Path, directory: bool
) -> None:
    target = tmp_path / ("neo4j" if directory else "out.ttl")
    helper = atomic_dir if directory else atomic_path
    with pytest.raises(OutputError, match="disk is full"), helper(target) as tmp:
        (tmp / "nodes.csv" if directory else tmp).write_text("half", encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------- temporaries and signals


def test_temporaries_are_named_as_ours(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "out.ttl") as tmp:
        assert re.fullmatch(OURS, tmp.name) and f"-{os.getpid()}-" in tmp.name
    with atomic_dir(tmp_path / "neo4j") as tmp:
        assert re.fullmatch(OURS, tmp.name)
    with atomic_dir(tmp_path / "neo4j") as tmp:
        assert re.fullmatch(OURS, tmp.name) and tmp.parent == tmp_path / "neo4j"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_our_dead_leftovers_are_swept(tmp_path: Path) -> None:
    dead, live = _dead_pid(), os.getpid()
    names = {
        f".out.ttl.kg-export-{dead}-0123456789ab.tmp": True,  # a killed export's
        f".out.ttl.kg-export-{dead}-0123456789ab.old": True,
        f".out.ttl.kg-export-{live}-0123456789ab.tmp": False,  # a running export's
        f".other.ttl.kg-export-{dead}-0123456789ab.tmp": False,  # another target's
        ".out.ttl.tmp": False,  # not our pattern
        f".out.ttl.kg-export-{dead}-0123456789ab.tmp.bak": False,
        f"out.ttl.kg-export-{dead}-0123456789ab.tmp": False,
        "out.ttl": False,
    }
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    staged = tmp_path / f".out.ttl.kg-export-{dead}-fedcba987654.tmp"
    (staged / "deeper").mkdir(parents=True)  # a directory with a directory in it: not ours
    swept = sweep_leftovers(tmp_path, "out.ttl")
    assert sorted(swept) == sorted(n for n, go in names.items() if go)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {n for n, go in names.items() if not go} | {staged.name}


# The export, slowed down: it writes part of its output, says "ready", then waits to be killed.
SLOW_EXPORT = """
import sys, time
import kg.export.rdf as rdf, kg.export.writers as writers

def slow_rdf(store, fmt, only, out):
    out.write(b"@prefix partial: <x> .")
    out.flush()
    print("ready", flush=True)
    time.sleep(60)

def slow_csv(view, directory, bom=False):
    (directory / "nodes.csv").write_text("partial")
    print("ready", flush=True)
    time.sleep(60)

rdf._write = slow_rdf
writers._write_csv = slow_csv
from kg.cli import main
sys.argv = ["kg", *sys.argv[1:]]
main()
"""


def _killed_export(store: str, args: list[str], sig: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, "export", "--store", store, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == b"ready\n", (line, child.stderr.read() if child.stderr else b"")
        child.send_signal(sig)
        return child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


KILLS = [
    ("file, new", ["--format", "ttl"], "out.ttl", None),
    ("file, replacing", ["--format", "ttl"], "out.ttl", "file"),
    ("csv, new directory", CSV, "neo4j", None),
    ("csv, earlier export", CSV, "neo4j", "export"),
]


def _previous(kind: str | None, store: str, target: Path) -> None:
    if kind == "file":
        target.write_text("previous export", encoding="utf-8")
    elif kind == "export":
        assert kg(store, *CSV, "-o", str(target))[0] == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "name", "previous"), [k[1:] for k in KILLS], ids=[k[0] for k in KILLS]
)
def test_sigterm_removes_the_temporaries(
    store: str, tmp_path: Path, args: list[str], name: str, previous: str | None
) -> None:
    target = tmp_path / name
    _previous(previous, store, target)
    before = tree(tmp_path)
    code = _killed_export(store, [*args, "-o", str(target)], signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    assert tree(tmp_path) == before  # the earlier export intact, no temporary anywhere


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "name", "previous"), [k[1:] for k in KILLS], ids=[k[0] for k in KILLS]
)
def test_sigkill_leftovers_are_swept_by_the_next_export(
    store: str, tmp_path: Path, args: list[str], name: str, previous: str | None
) -> None:
    target = tmp_path / name
    _previous(previous, store, target)
    code = _killed_export(store, [*args, "-o", str(target)], signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert temporaries(tmp_path, target) != []  # what SIGKILL leaves (nothing can catch it)
    (tmp_path / ".out.ttl.tmp").write_text("not ours", encoding="utf-8")
    code, out = kg(store, *args, "-o", str(target))
    assert code == 0, out
    assert temporaries(tmp_path, target) == []
    assert (tmp_path / ".out.ttl.tmp").read_text(encoding="utf-8") == "not ours"
