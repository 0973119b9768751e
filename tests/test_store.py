"""The graph store: transactional replace, bookkeeping, locking, refusing what is not a store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.errors import StoreError
from kg.graph import iris
from kg.store import GraphStore, Triple, bookkeeping, open_store
from kg.vocab import KG

G1 = iris.report_graph_iri("a.txt")
G2 = iris.report_graph_iri("b.txt")
DOC = URIRef("https://policy-kg.org/id/document/0000000000000001")
REPORT = iris.report_iri("a.txt")


def _meta(graph: URIRef, name: str, digest: str) -> list[Triple]:
    return bookkeeping(graph, name, digest)


def _put(store: GraphStore, graph: URIRef, name: str, digest: str, cites: bool = True) -> None:
    own = [(iris.report_iri(name), RDF.type, KG.Report)]
    if cites:
        own.append((iris.report_iri(name), KG.cites, DOC))
    shared = [(DOC, RDF.type, KG.PolicyDocument), (DOC, DCTERMS.title, Literal("文件", lang="zh"))]
    store.put({graph: own, iris.ENTITIES_GRAPH: shared}, meta=_meta(graph, name, digest))


def test_put_then_replace_keeps_one_version() -> None:
    store = GraphStore.memory()
    _put(store, G1, "a.txt", "v1")
    _put(store, G1, "a.txt", "v2")
    assert store.triples_in(G1) == 2
    assert {s.digest for s in store.graph_states().values()} == {"v2"}


def test_remove_drops_graph_and_bookkeeping() -> None:
    store = GraphStore.memory()
    _put(store, G1, "a.txt", "v1")
    _put(store, G2, "b.txt", "v1")
    store.remove([G1])
    assert set(store.graph_states()) == {"b.txt"}
    assert store.triples_in(G1) == 0


def test_orphans_are_collected_only_when_no_report_names_them() -> None:
    store = GraphStore.memory()
    _put(store, G1, "a.txt", "v1")
    assert store.collect_orphans() == 0
    _put(store, G1, "a.txt", "v2", cites=False)
    assert store.collect_orphans() == 1
    assert store.triples_in(iris.ENTITIES_GRAPH) == 0


def test_failed_update_leaves_the_old_graph() -> None:
    store = GraphStore.memory()
    _put(store, G1, "a.txt", "v1")
    bad = [(REPORT, SKOS.prefLabel, Literal("x", datatype=URIRef("not an iri")))]
    with pytest.raises((SyntaxError, ValueError, OSError)):
        store.put({G1: bad}, meta=_meta(G1, "a.txt", "v2"))
    assert store.triples_in(G1) == 2
    assert store.graph_states()["a.txt"].digest == "v1"


def test_ontology_loaded_once() -> None:
    store = GraphStore.memory()
    assert store.ensure_ontology() is True
    size = len(store)
    assert store.ensure_ontology() is False
    assert len(store) == size > 1000


def test_store_persists_and_reopens(tmp_path: Path) -> None:
    where = tmp_path / "store"
    with open_store(where) as store:
        _put(store, G1, "a.txt", "v1")
    with open_store(where, read_only=True) as store:
        assert set(store.graph_states()) == {"a.txt"}


def test_second_writer_is_told_the_store_is_in_use(tmp_path: Path) -> None:
    where = tmp_path / "store"
    with open_store(where):
        code = (
            "from kg.store import open_store\n"
            f"with open_store({str(where)!r}): pass\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
    assert run.returncode != 0
    assert "in use by another process" in run.stderr
    with open_store(where):  # released
        pass


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("x"), "is a file, not a graph store"),
        (lambda p: (p.mkdir(), (p / "notes.txt").write_text("x")), "is not a graph store"),
    ],
)
def test_not_a_store_is_refused(tmp_path: Path, make: object, message: str) -> None:
    where = tmp_path / "thing"
    make(where)  # type: ignore[operator]
    with pytest.raises(StoreError, match=message), open_store(where):
        pass


def test_reading_a_missing_store_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run 'kg build"), open_store(
        tmp_path / "none", read_only=True
    ):
        pass


def test_reports_without_a_recorded_contribution_keep_what_they_lead_to() -> None:
    """A report graph written by an older policy-kg (no contribution in the meta graph) keeps
    each shared entity it names and everything that leads on from it (a region's partOf
    chain); entities no report reaches go, regions too."""
    store = GraphStore.memory()
    county, city, province, other = (URIRef(f"https://policy-kg.org/id/region/{c}") for c in (
        "350521", "350500", "350000", "510000"))
    shared = [
        (county, RDF.type, KG.Region), (county, KG.partOf, city),
        (city, RDF.type, KG.Region), (city, KG.partOf, province),
        (province, RDF.type, KG.Region),
        (other, RDF.type, KG.Region),
        (DOC, RDF.type, KG.PolicyDocument), (DOC, KG.jurisdiction, other),
    ]
    own = [(REPORT, RDF.type, KG.Report), (REPORT, KG.region, county)]
    store.put({G1: own, iris.ENTITIES_GRAPH: shared}, meta=_meta(G1, "a.txt", "v1"))
    assert store.collect_orphans() == 2  # DOC and the region only DOC led to
    kept = {(s, p, o) for s, p, o in store.graph(iris.ENTITIES_GRAPH)}
    assert kept == set(shared[:5])


def test_recorded_contributions_decide_what_stays() -> None:
    """With contributions recorded, a triple stays only while a kept report contributes it:
    a jurisdiction only a replaced report gave goes, though the document stays."""
    store = GraphStore.memory()
    zj, sc = (URIRef(f"https://policy-kg.org/id/region/{c}") for c in ("330000", "510000"))
    doc = [(DOC, RDF.type, KG.PolicyDocument)]

    def put(graph: URIRef, name: str, where: URIRef) -> None:
        shared = [*doc, (DOC, KG.jurisdiction, where), (where, RDF.type, KG.Region)]
        own = [(iris.report_iri(name), KG.cites, DOC)]
        meta = bookkeeping(graph, name, "v", shared=shared)
        store.put({graph: own, iris.ENTITIES_GRAPH: shared}, meta=meta)

    put(G1, "a.txt", zj)
    put(G2, "b.txt", sc)
    store.remove([G2])
    assert store.collection_pending()
    assert store.collect_orphans() == 1  # the region only b.txt named
    assert not store.collection_pending()
    assert set(store.graph(iris.ENTITIES_GRAPH)) == {
        *doc, (DOC, KG.jurisdiction, zj), (zj, RDF.type, KG.Region)
    }
