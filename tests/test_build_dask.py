"""``kg build --executor dask``: tagging on Dask workers gives the same graph as one process,
writes deterministic shards with done-markers, reuses them after a crash, and survives a worker
killed mid-run."""

from __future__ import annotations

import inspect
import os
import signal
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
from kg.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


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


def test_cli_build_with_the_dask_executor() -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    args = ["build", str(ROOT / "corpus"), "--memory", "--executor", "dask", "--jobs", "2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("5 files: 5 built, 0 replaced, 0 unchanged")


def test_cli_scheduler_needs_the_dask_executor() -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    args = ["build", str(ROOT / "corpus"), "--memory", "--scheduler", "tcp://127.0.0.1:8786"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output == "Error: --scheduler is for --executor dask\n"
