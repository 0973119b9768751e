"""``kg build --executor dask``: tagging on Dask workers gives the same graph as one process
(also through a scheduler and workers started as separate processes), writes deterministic
shards with done-markers, reuses them after a crash and removes stale ones after a successful
build, survives a worker killed mid-run, and fails fast and cleanly on a scheduler that does not
answer."""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from distributed import Client, LocalCluster
from rdflib.compare import isomorphic

import kg.distributed as kd
from kg.build import BuildSummary, SourceFile, Tagged, _meta, build, collect_sources
from kg.graph import iris
from kg.store import GraphStore, open_store

pytestmark = pytest.mark.slow  # see CONTRIBUTING.md: make check leaves these out

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BIN = Path(sys.executable).parent  # the environment the tests run in: kg and dask are there


@pytest.fixture(scope="module")
def reference() -> GraphStore:
    store = GraphStore.memory()
    build([CORPUS], store, jobs=1)
    return store


@pytest.fixture(scope="module")
def sources() -> list[SourceFile]:
    return collect_sources([CORPUS], BuildSummary())


@pytest.fixture
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def load(store: GraphStore, results: Iterable[Tagged]) -> list[Tagged]:
    """What build() does with each result: one transactional put per report."""
    out = list(results)
    for tagged in out:
        graph = tagged.graph
        assert graph is not None, tagged.error
        store.put(
            {graph.graph: graph.triples, iris.ENTITIES_GRAPH: graph.shared},
            meta=_meta(graph, tagged.source),
        )
    return out


def assert_same_graphs(reference: GraphStore, store: GraphStore) -> None:
    names = set(reference.graph_states())
    assert set(store.graph_states()) == names
    for name in (*names, None):
        graph = iris.report_graph_iri(name) if name else iris.ENTITIES_GRAPH
        assert reference.triples_in(graph) == store.triples_in(graph), graph
        assert isomorphic(reference.graph(graph), store.graph(graph)), graph


def shard_files(where: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(where.iterdir())}


def test_dask_build_is_isomorphic_and_shards_are_deterministic(
    reference: GraphStore, sources: list[SourceFile], tmp_path: Path
) -> None:
    runs = []
    for run in ("a", "b"):
        store = GraphStore.memory()
        results = load(store, kd.tag_with_dask(sources, tmp_path / run, workers=2))
        assert sorted(t.source.name for t in results) == sorted(s.name for s in sources)
        assert_same_graphs(reference, store)
        runs.append(shard_files(tmp_path / run))
    first, second = runs
    assert first == second  # byte-identical across runs
    for source in sources:
        nq, done = kd.shard_paths(source, tmp_path / "a")
        assert nq.name in first and done.name in first
        lines = first[nq.name].decode().splitlines()
        assert lines == sorted(lines) and lines
    assert not [n for n in first if n.endswith(".tmp")]


def test_rerun_reuses_finished_shards_without_tagging(
    reference: GraphStore,
    sources: list[SourceFile],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shards = tmp_path / "shards"
    for source in sources:  # finished shards, as a crashed earlier run would leave them
        tagged = kd.shard_task(source, str(shards))
        assert tagged.graph is not None

    # the run after the crash: no tagging, no cluster
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("tagged or started a cluster although every shard is done")

    monkeypatch.setattr(kd, "tag_file", refuse)
    monkeypatch.setattr(kd, "_client", refuse)
    store = GraphStore.memory()
    load(store, kd.tag_with_dask(sources, shards))
    assert_same_graphs(reference, store)


def test_only_unfinished_shards_are_tagged_again(
    reference: GraphStore, sources: list[SourceFile], tmp_path: Path, cluster: LocalCluster
) -> None:
    shards = tmp_path / "shards"
    for source in sources:
        kd.shard_task(source, str(shards))
    before = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    _, done = kd.shard_paths(sources[0], shards)
    done.unlink()  # killed between the shard and its marker
    _, other_done = kd.shard_paths(sources[1], shards)
    other_done.write_text('{"name": "x"}\n')  # a marker that does not match: tagged again
    time.sleep(0.01)
    store = GraphStore.memory()
    load(store, kd.tag_with_dask(sources, shards, scheduler=cluster.scheduler_address))
    assert_same_graphs(reference, store)
    after = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    rewritten = {name for name in after if after[name] != before.get(name)}
    keys = {kd.shard_key(sources[0]), kd.shard_key(sources[1])}
    assert {name.split(".")[0] for name in rewritten} == keys


def test_workers_are_processes_loading_the_pipeline_once(
    sources: list[SourceFile], tmp_path: Path, cluster: LocalCluster
) -> None:
    list(kd.tag_with_dask(sources, tmp_path / "s", scheduler=cluster.scheduler_address))
    with Client(cluster) as client:  # type: ignore[no-untyped-call]
        pids = client.run(os.getpid)
        loads = client.run(kd.pipeline_loads)
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    assert all(n <= 1 for n in loads.values()) and sum(loads.values()) >= 1


def test_a_worker_killed_mid_run_is_retried(
    reference: GraphStore, sources: list[SourceFile], tmp_path: Path, cluster: LocalCluster
) -> None:
    killed: list[str] = []
    killed_pids: list[int] = []

    def killer() -> None:
        """Kill (SIGKILL) the first worker seen running a task; its nanny restarts it."""
        with Client(cluster) as client:  # type: ignore[no-untyped-call]
            pids = client.run(os.getpid)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not killed:
                for worker, keys in client.processing().items():
                    if keys:
                        os.kill(pids[worker], signal.SIGKILL)
                        killed_pids.append(pids[worker])
                        killed.append(worker)
                        return
                time.sleep(0.005)

    thread = threading.Thread(target=killer)
    thread.start()
    store = GraphStore.memory()
    results = load(
        store, kd.tag_with_dask(sources, tmp_path / "s", scheduler=cluster.scheduler_address)
    )
    thread.join()
    assert killed, "no worker was seen running a task"
    with Client(cluster) as client:  # type: ignore[no-untyped-call]
        assert killed_pids[0] not in client.run(os.getpid).values()  # it really died
    assert all(t.error is None for t in results)
    assert_same_graphs(reference, store)


def test_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from kg.errors import KGError

    real = builtins.__import__

    def no_dask(name: str, *args: object, **kwargs: object) -> object:
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(KGError, match=r"pip install 'policy-kg\[dask\]'"):
        kd._client(None, 1)


@pytest.mark.skipif(
    "executor" not in inspect.signature(build).parameters,
    reason="build() has no executor= parameter yet",
)
def test_build_with_the_dask_executor(reference: GraphStore, tmp_path: Path) -> None:
    store = GraphStore.memory()
    summary = build(  # type: ignore[call-arg,unused-ignore]
        [CORPUS], store, jobs=2, executor="dask", shard_dir=tmp_path / "shards"
    )
    assert (summary.built, summary.failures) == (5, [])
    assert_same_graphs(reference, store)


def test_cli_build_with_the_dask_executor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    args = ["build", str(ROOT / "corpus"), "--memory", "--executor", "dask", "--jobs", "2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("5 files: 5 built, 0 replaced, 0 unchanged")
    # an in-memory store cannot be resumed: no shard folder, temporary or not, is left
    assert not list(tmp_path.glob("kg-shards-*"))


def test_cli_scheduler_needs_the_dask_executor() -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    args = ["build", str(ROOT / "corpus"), "--memory", "--scheduler", "tcp://127.0.0.1:8786"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output == "Error: --scheduler is for --executor dask\n"


def shard_keys(where: Path) -> set[str]:
    """The shard keys with a shard and a done-marker in ``where`` (which holds nothing else)."""
    names = {p.name for p in where.iterdir()}
    keys = {name.split(".")[0] for name in names}
    assert names == {f"{k}.nq" for k in keys} | {f"{k}.done" for k in keys}, names
    return keys


def stale_shard(source: SourceFile, where: Path) -> str:
    """A finished shard of an earlier version of ``source``, as an older build leaves it."""
    old = SourceFile(source.path, source.name, "0" * 64 + ";policy-kg/0.0.0")
    kd.write_shard(old, kd.read_shard(source, where) or pytest.fail("no shard"), where)
    return kd.shard_key(old)


def test_a_successful_build_removes_the_shards_it_did_not_use(
    sources: list[SourceFile], tmp_path: Path, cluster: LocalCluster
) -> None:
    corpus = tmp_path / "reports"
    shutil.copytree(CORPUS, corpus)
    store_path = tmp_path / "store"
    shards = tmp_path / "store.shards"  # kd.default_shard_dir: next to the on-disk store
    address = cluster.scheduler_address
    with open_store(store_path) as store:
        summary = build([corpus], store, executor="dask", scheduler=address)
    assert (summary.built, summary.failures) == (5, [])
    first = collect_sources([corpus], BuildSummary())
    assert shard_keys(shards) == {kd.shard_key(s) for s in first}

    # left by earlier builds: a shard of an older version, a killed write, an unrelated file
    stale = stale_shard(first[1], shards)
    (shards / f".{kd.shard_key(first[2])}.nq.abc123.tmp").write_bytes(b"half a shard")
    (shards / "notes.txt").write_text("mine\n")
    changed = corpus / first[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n县政府印发了《通知》。\n")
    (corpus / first[4].name).unlink()

    with open_store(store_path) as store:
        summary = build([corpus], store, executor="dask", scheduler=address, prune=True)
    assert (summary.replaced, summary.removed, summary.failures) == (1, 1, [])
    (new,) = [s for s in collect_sources([corpus], BuildSummary()) if s.name == first[0].name]
    (shards / "notes.txt").unlink()  # not a shard: left alone
    assert stale not in shard_keys(shards)
    # the changed file's new shard stays; the unchanged files were not tagged by this build, so
    # their shards went too (the store holds them), as did the deleted file's and the old one's
    assert shard_keys(shards) == {kd.shard_key(new)}

    # nothing to tag and nothing left to keep: the folder goes
    with open_store(store_path) as store:
        summary = build([corpus], store, executor="dask", scheduler="tcp://127.0.0.1:1")
    assert (summary.unchanged, summary.failures) == (4, [])  # no scheduler was needed
    assert not shards.exists()


def test_a_build_that_stops_early_keeps_its_shards_for_the_next(
    reference: GraphStore,
    sources: list[SourceFile],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shards = tmp_path / "shards"
    for source in sources:
        assert kd.shard_task(source, str(shards)).graph is not None
    stale = stale_shard(sources[0], shards)
    tmp = shards / f".{kd.shard_key(sources[1])}.done.xyz.tmp"
    tmp.write_bytes(b"")
    before = shard_files(shards)

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("tagged or started a cluster although every shard is done")

    monkeypatch.setattr(kd, "tag_file", refuse)
    monkeypatch.setattr(kd, "_client", refuse)

    # killed while loading (a store write failed, ^C): nothing is removed
    results = kd.tag_with_dask(sources, shards)
    next(results)
    results.close()
    assert shard_files(shards) == before

    # the next build reuses every shard, then tidies up
    store = GraphStore.memory()
    load(store, kd.tag_with_dask(sources, shards))
    assert_same_graphs(reference, store)
    assert shard_keys(shards) == {kd.shard_key(s) for s in sources}
    assert stale not in shard_keys(shards) and not tmp.exists()


def test_a_build_with_a_failed_file_keeps_the_shards(
    sources: list[SourceFile], tmp_path: Path, cluster: LocalCluster
) -> None:
    shards = tmp_path / "shards"
    for source in sources:
        kd.shard_task(source, str(shards))
    stale = stale_shard(sources[0], shards)
    before = shard_files(shards)
    gone = SourceFile(tmp_path / "gone.txt", "gone.txt", "1" * 64)  # deleted before tagging
    out = list(kd.tag_with_dask([gone], shards, scheduler=cluster.scheduler_address))
    assert [(t.source, t.graph) for t in out] == [(gone, None)]
    assert out[0].error and "cannot read the file" in out[0].error
    assert shard_files(shards) == before and stale in shard_keys(shards)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we started (the worker's nannies and workers too), then
    SIGKILL whatever is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=15)


@pytest.fixture
def dask_processes(tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and ``dask worker --nworkers 2`` as separate processes on loopback,
    as a research group starts them; the scheduler's address once both workers are in."""
    if not (BIN / "dask").exists():
        pytest.skip(f"no dask command in {BIN}")
    address = f"tcp://127.0.0.1:{free_port()}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        with (logs / f"{name}.log").open("wb") as log:
            procs.append(
                subprocess.Popen(
                    [str(BIN / "dask"), *args],
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, for stop()
                )
            )

    try:
        port = address.rsplit(":", 1)[1]
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
        start(
            "worker",
            *("worker", address, "--host", "127.0.0.1", "--nworkers", "2", "--nthreads", "1"),
            *("--no-dashboard", "--local-directory", str(tmp_path / "dask-scratch")),
        )
        try:
            with Client(address, timeout=30) as client:  # type: ignore[no-untyped-call]
                client.wait_for_workers(2, timeout=60)
        except Exception as err:
            text = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(logs.iterdir()))
            pytest.fail(f"the Dask processes did not come up ({err}):\n{text}")
        yield address
    finally:
        for proc in reversed(procs):  # the workers first, then the scheduler
            stop(proc)


def test_cli_build_on_a_separately_started_scheduler(
    reference: GraphStore, tmp_path: Path, dask_processes: str
) -> None:
    shutil.copytree(CORPUS, tmp_path / "reports")
    # relative paths, from a working directory other than the workers' (the repository root)
    args = ["build", "reports", "--store", "store", "--executor", "dask"]
    done = subprocess.run(
        [str(BIN / "kg"), *args, "--scheduler", dask_processes],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("5 files: 5 built, 0 replaced, 0 unchanged"), done.stdout
    with open_store(tmp_path / "store", read_only=True) as store:
        assert_same_graphs(reference, store)
        sources = collect_sources([tmp_path / "reports"], BuildSummary())
    assert shard_keys(tmp_path / "store.shards") == {kd.shard_key(s) for s in sources}
    with Client(dask_processes, timeout=10) as client:  # type: ignore[no-untyped-call]
        loads = client.run(kd.pipeline_loads)  # the tagging ran on those workers
    assert len(loads) == 2 and all(n <= 1 for n in loads.values()) and sum(loads.values()) >= 1


def store_quads(path: Path) -> list[str]:
    with open_store(path, read_only=True) as store:
        return sorted(str(quad) for quad in store.inner)


@pytest.mark.parametrize("answer", ["closed port", "silent port", "no port"])
def test_cli_scheduler_that_does_not_answer(
    answer: str, sources: list[SourceFile], tmp_path: Path
) -> None:
    store_path = tmp_path / "store"
    with open_store(store_path) as store:  # an existing store, with nothing built yet
        store.ensure_ontology()
    shards = tmp_path / "store.shards"  # and one finished shard from a killed build
    assert kd.shard_task(sources[0], str(shards)).graph is not None
    before, before_shards = store_quads(store_path), shard_files(shards)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # held, so nothing else takes the port meanwhile
        if answer == "silent port":
            sock.listen()  # the kernel accepts connections; nothing ever answers them
        port = sock.getsockname()[1]
        address = "127.0.0.1" if answer == "no port" else f"tcp://127.0.0.1:{port}"
        args = ["--executor", "dask", "--scheduler"]
        started = time.monotonic()
        done = subprocess.run(
            [str(BIN / "kg"), "build", str(CORPUS), "--store", str(store_path), *args, address],
            capture_output=True,
            text=True,
            timeout=60,
        )
        took = time.monotonic() - started
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    if answer == "no port":
        assert "is not a Dask scheduler address" in done.stderr and "tcp://HOST:PORT" in done.stderr
    else:
        assert f"no Dask scheduler answered at {address} within {kd.CONNECT_TIMEOUT} s" in (
            done.stderr
        )
        assert "dask scheduler" in done.stderr and "leave out --scheduler" in done.stderr
    assert took < kd.CONNECT_TIMEOUT + 15, took
    assert store_quads(store_path) == before  # the finished shard was not loaded either
    assert shard_files(shards) == before_shards
