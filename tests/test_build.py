"""``kg build``: the corpus graph, idempotent rebuilds, incremental and atomic behaviour."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from kg.build import build
from kg.cli import cli
from kg.graph import iris
from kg.store import BUILD, GraphStore, open_store
from kg.validate import validate_store
from kg.vocab import KG

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
KG_BIN = Path(sys.executable).parent / "kg"
FIRST = "000_b93acead5cfcaaf2.txt"  # 惠安县 2022


def copy_corpus(into: Path) -> Path:
    into.mkdir()
    for f in CORPUS.glob("*.txt"):
        shutil.copyfile(f, into / f.name)
    return into


@pytest.fixture(scope="module")
def corpus_store() -> GraphStore:
    store = GraphStore.memory()
    build([CORPUS], store, jobs=1)
    return store


def count(store: GraphStore, cls: URIRef) -> int:
    query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} }}"
    return int(next(iter(store.inner.query(query)))[0].value)  # type: ignore[arg-type,index]


@pytest.mark.slow
def test_corpus_graph_conforms_to_the_shapes(corpus_store: GraphStore) -> None:
    report = validate_store(corpus_store)
    assert report.conforms, report.violations[:5]
    assert count(corpus_store, KG.Report) == 5


@pytest.mark.parametrize(
    ("cls", "at_least"),
    [
        (KG.PolicyDocument, 50),
        (KG.Citation, 60),
        (KG.Institution, 60),
        (KG.Program, 100),
        (KG.Outcome, 150),
        (KG.Region, 15),
    ],
)
def test_corpus_graph_has_every_kind_of_node(
    corpus_store: GraphStore, cls: URIRef, at_least: int
) -> None:
    assert count(corpus_store, cls) >= at_least


def test_each_report_has_its_own_named_graph(corpus_store: GraphStore) -> None:
    states = corpus_store.graph_states()
    assert sorted(states) == sorted(f.name for f in CORPUS.glob("*.txt"))
    for name in states:
        assert corpus_store.triples_in(iris.report_graph_iri(name)) > 100


@pytest.mark.slow
def test_two_builds_give_isomorphic_graphs_of_the_same_size(corpus_store: GraphStore) -> None:
    again = GraphStore.memory()
    build([CORPUS], again, jobs=2)
    assert len(again) == len(corpus_store)
    for name in (*corpus_store.graph_states(), None):
        graph = iris.report_graph_iri(name) if name else iris.ENTITIES_GRAPH
        assert isomorphic(corpus_store.graph(graph), again.graph(graph)), graph


def test_rebuild_skips_unchanged_files(tmp_path: Path) -> None:
    where = tmp_path / "store"
    with open_store(where) as store:
        first = build([CORPUS], store, jobs=1)
    with open_store(where) as store:
        second = build([CORPUS], store, jobs=1)
    assert (first.built, first.unchanged) == (5, 0)
    assert (second.built, second.replaced, second.unchanged) == (0, 0, 5)
    assert second.triples == first.triples


def test_changed_file_replaces_only_its_graph(tmp_path: Path) -> None:
    src = copy_corpus(tmp_path / "corpus")
    store = GraphStore.memory()
    build([src], store, jobs=1)
    before = {n: store.triples_in(iris.report_graph_iri(n)) for n in store.graph_states()}
    with (src / FIRST).open("a", encoding="utf-8") as fh:
        fh.write("\n    我县严格落实《惠安县行政执法公示办法》,全面推行行政执法公示制度。\n")
    summary = build([src], store, jobs=1)
    assert (summary.replaced, summary.unchanged, summary.built) == (1, 4, 0)
    after = {n: store.triples_in(iris.report_graph_iri(n)) for n in store.graph_states()}
    assert after[FIRST] > before[FIRST]
    assert {n: c for n, c in after.items() if n != FIRST} == {
        n: c for n, c in before.items() if n != FIRST
    }
    assert count(store, KG.Report) == 5
    doc = iris.document_iri("惠安县行政执法公示办法")
    assert (doc, RDF.type, KG.PolicyDocument) in store.graph(iris.ENTITIES_GRAPH)


@pytest.mark.slow
def test_prune_drops_gone_files_and_entities_only_they_named(tmp_path: Path) -> None:
    src = copy_corpus(tmp_path / "corpus")
    store = GraphStore.memory()
    build([src], store, jobs=1)
    gone = iris.report_iri(FIRST)
    cited = set(store.dataset().objects(gone, KG.cites))
    (src / FIRST).unlink()
    kept = build([src], store, jobs=1)
    assert kept.removed == 0 and FIRST in store.graph_states()
    summary = build([src], store, jobs=1, prune=True)
    assert summary.removed == 1 and summary.orphans > 0
    assert FIRST not in store.graph_states()
    assert store.triples_in(iris.report_graph_iri(FIRST)) == 0
    entities = store.graph(iris.ENTITIES_GRAPH)
    still_cited = set(store.dataset().subjects(KG.cites, None))
    assert gone not in still_cited
    orphans = [d for d in cited if (d, RDF.type, KG.PolicyDocument) not in entities]
    assert orphans, "documents only the pruned report cited are gone"
    assert validate_store(store).conforms


def test_a_file_that_cannot_be_read_leaves_its_old_graph(tmp_path: Path) -> None:
    src = copy_corpus(tmp_path / "corpus")
    store = GraphStore.memory()
    build([src], store, jobs=1)
    graph = store.graph(iris.report_graph_iri(FIRST))
    (src / FIRST).write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 100)
    summary = build([src], store, jobs=1)
    assert [Path(p).name for p, _ in summary.failures] == [FIRST]
    assert summary.unchanged == 4
    assert isomorphic(store.graph(iris.report_graph_iri(FIRST)), graph)


def test_cli_build_reports_failures_and_exits_1(tmp_path: Path) -> None:
    src = copy_corpus(tmp_path / "corpus")
    (src / "broken.txt").write_bytes(b"")
    result = CliRunner().invoke(cli, ["build", str(src), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "5 built" in result.output
    assert "broken.txt" in result.output and "Error:" in result.output
    assert "Traceback" not in result.output


def test_cli_build_memory_and_summary() -> None:
    result = CliRunner().invoke(cli, ["build", str(CORPUS), "--memory", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("5 files: 5 built, 0 replaced, 0 unchanged, 0 removed, 0 failed")
    assert lines[1].startswith("store: (in memory), ")
    assert "5 reports" in lines[2] and "documents" in lines[2]


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    where = tmp_path / "store"
    with open_store(where):
        result = CliRunner().invoke(cli, ["build", str(CORPUS), "--store", str(where)])
    assert result.exit_code == 1
    assert "in use by another process" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "no/such/dir", "--memory"], "no such file or directory: no/such/dir"),
        (["build", "tests/fixtures/shapes", "--memory"], "no report files found"),
        (["stats", "--store", "no/such/store"], "no graph store at"),
        (["validate", "--store", "no/such/store"], "run 'kg build"),
    ],
)
def test_cli_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output


@pytest.fixture(scope="module")
def disk_store(corpus_store_path: Path) -> Path:
    return corpus_store_path


def test_cli_validate_conforms(disk_store: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--store", str(disk_store)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("conforms")


@pytest.mark.slow
def test_cli_validate_lists_violations_and_exits_1(tmp_path: Path, disk_store: Path) -> None:
    where = tmp_path / "store"
    shutil.copytree(disk_store, where)
    bad = iris.report_iri("bad.txt")
    with open_store(where) as store:
        store.put({iris.report_graph_iri("bad.txt"): [(bad, RDF.type, KG.Report)]})
    result = CliRunner().invoke(cli, ["validate", "--store", str(where)])
    assert result.exit_code == 1
    assert "report:bad.txt" in result.output
    assert "dcterms:title" in result.output and "kg:region" in result.output
    assert "does not conform" in result.output
    data = json.loads(
        CliRunner().invoke(cli, ["validate", "--store", str(where), "--format", "json"]).output
    )
    assert data["conforms"] is False
    assert {v["path"] for v in data["violations"]} >= {"dcterms:title", "kg:region"}


def test_cli_stats(disk_store: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--store", str(disk_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["classes"]["reports"] == 5
    by_region = {r["region"]: r for r in data["regions"]}
    assert by_region["惠安县"]["path"] == "福建省 / 泉州市 / 惠安县"
    assert by_region["惠安县"]["code"] == "350521"
    assert by_region["天福镇"]["level"] == "town"
    assert all(r["reports"] == 1 and r["citations"] > 0 for r in data["regions"])


def test_the_same_body_in_two_reports_is_one_entity(corpus_store: GraphStore) -> None:
    ds = corpus_store.dataset()
    inst = iris.institution_iri("国务院")
    reports = set(ds.subjects(KG.mentions, inst))
    if len(reports) < 2:
        pytest.skip("国务院 is named by fewer than two reports")
    assert len(set(ds.objects(inst, SKOS.prefLabel))) == 1


def _states(where: Path) -> dict[str, int]:
    try:
        with open_store(where, read_only=True) as store:
            return {n: store.triples_in(iris.report_graph_iri(n)) for n in store.graph_states()}
    except Exception:
        return {}


@pytest.mark.slow
def test_a_build_killed_part_way_leaves_complete_reports(tmp_path: Path) -> None:
    src = tmp_path / "many"
    src.mkdir()
    originals = sorted(CORPUS.glob("*.txt"))
    for i in range(40):
        f = originals[i % len(originals)]
        shutil.copyfile(f, src / f"{i:03d}_{f.name}")
    expected = {}
    for f in originals:  # a copy's graph has as many triples as the original's
        one = GraphStore.memory()
        build([f], one, jobs=1)
        expected[f.name] = one.triples_in(iris.report_graph_iri(f.name))
    where = tmp_path / "store"
    proc = subprocess.Popen(
        [str(KG_BIN), "build", str(src), "--store", str(where), "--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_states(where)) >= 3:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(where) as store:  # opens for writing: the lock died with the process
        states = store.graph_states()
        assert states, "the build was killed before it wrote anything"
        for name in states:
            assert store.triples_in(iris.report_graph_iri(name)) == expected[name[4:]], name
        done = build([src], store, jobs=1)
    assert done.unchanged == len(states)
    assert done.built == 40 - len(states)


def test_store_data_stays_when_ontology_is_loaded_again(corpus_store: GraphStore) -> None:
    size = len(corpus_store)
    corpus_store.ensure_ontology()
    assert len(corpus_store) == size
    assert (iris.ONTOLOGY_GRAPH, BUILD.digest, None) in corpus_store.graph(iris.META_GRAPH)
