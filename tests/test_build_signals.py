"""``kg build --jobs 2`` under Ctrl-C, SIGTERM and kill -9: a prompt exit, no worker left
running, and a store holding complete reports only."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.graph import iris
from kg.store import GraphStore, open_store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
KG_BIN = Path(sys.executable).parent / "kg"


def children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_for(check: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """60 copies of the corpus reports, and each original's report-graph size."""
    src = tmp_path_factory.mktemp("many")
    originals = sorted(CORPUS.glob("*.txt"))
    for i in range(60):
        f = originals[i % len(originals)]
        shutil.copyfile(f, src / f"{i:03d}_{f.name}")
    sizes = {}
    for f in originals:
        one = GraphStore.memory()
        build([f], one, jobs=1)
        sizes[f.name] = one.triples_in(iris.report_graph_iri(f.name))
    return src, sizes


def start(src: Path, where: Path) -> subprocess.Popen[bytes]:
    """``kg build --jobs 2`` in its own process group (a terminal's Ctrl-C goes to the whole
    group), once both workers run; its output goes to files beside the store (a pipe would be
    held open by workers that outlive it)."""
    with (where.parent / "out").open("wb") as out, (where.parent / "err").open("wb") as err:
        proc = subprocess.Popen(
            [str(KG_BIN), "build", str(src), "--store", str(where), "--jobs", "2"],
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    assert wait_for(lambda: len(children(proc.pid)) >= 2 or proc.poll() is not None, 60)
    assert proc.poll() is None, (where.parent / "err").read_text()
    time.sleep(1.0)  # let the workers get into their reports
    return proc


def check_store(where: Path, sizes: dict[str, int]) -> None:
    with open_store(where, read_only=True) as store:
        for name in store.graph_states():
            assert store.triples_in(iris.report_graph_iri(name)) == sizes[name[4:]], name


@pytest.mark.parametrize(
    ("sig", "group", "code"),
    [
        (signal.SIGINT, True, 130),  # Ctrl-C at a terminal: the parent and its workers
        (signal.SIGINT, False, 130),
        (signal.SIGTERM, False, 143),
    ],
)
def test_an_interrupted_build_exits_at_once_and_leaves_complete_reports(
    tmp_path: Path, many: tuple[Path, dict[str, int]], sig: int, group: bool, code: int
) -> None:
    src, sizes = many
    where = tmp_path / "store"
    proc = start(src, where)
    workers = children(proc.pid)
    if group:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail("the build did not exit within 10 s of the signal")
    finally:
        for w in workers:
            if not wait_for(lambda w=w: not alive(w), 5):
                os.kill(w, signal.SIGKILL)
                pytest.fail(f"worker {w} outlived the build")
    err = (tmp_path / "err").read_text()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Error: interrupted"), err
    check_store(where, sizes)


def test_workers_die_with_a_killed_parent(
    tmp_path: Path, many: tuple[Path, dict[str, int]]
) -> None:
    src, sizes = many
    where = tmp_path / "store"
    proc = start(src, where)
    workers = children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    try:
        assert wait_for(lambda: not any(alive(w) for w in workers), 5), "workers still run"
    finally:
        for w in workers:
            if alive(w):
                os.kill(w, signal.SIGKILL)
    check_store(where, sizes)
