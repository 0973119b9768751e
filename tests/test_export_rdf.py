"""RDF exports (:mod:`kg.export.rdf`): every format parses back to the store's data, minus
the private meta graph; quads keep their graphs, triples are the union without repeats."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from kg.errors import KGError
from kg.export import rdf
from kg.export.rdf import RDF_FORMATS, export_rdf, load_context
from kg.graph import iris
from kg.store import BUILD, GraphStore, open_store
from kg.vocab import KG, terms

ROOT = Path(__file__).resolve().parent.parent
FIRST = "000_b93acead5cfcaaf2.txt"  # 惠安县 2022
TRIPLE_FORMATS = {"ttl": "turtle", "nt": "nt", "xml": "xml", "jsonld": "json-ld"}
QUAD_FORMATS = {"nq": "nquads", "trig": "trig"}
META = str(iris.META_GRAPH)

Triple = tuple[Node, Node, Node]


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> Iterator[GraphStore]:
    """The corpus store (built once per session), opened read-only."""
    with open_store(corpus_store_path, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def dup_store(store: GraphStore) -> GraphStore:
    """The corpus plus triples stated in more than one graph (as two reports naming the same
    region's short name would), so that the union must drop repeats."""
    mem = GraphStore.memory()
    mem.inner.load(store.inner.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    first = ox.NamedNode(str(iris.report_graph_iri(FIRST)))
    second = ox.NamedNode(str(iris.report_graph_iri("001_d2cba6cb4c440230.txt")))
    entities = ox.NamedNode(str(iris.ENTITIES_GRAPH))
    taken = 0
    for quad in store.inner.quads_for_pattern(None, None, None, first):
        if isinstance(quad.object, ox.Literal) and taken < 3:
            mem.inner.add(ox.Quad(quad.subject, quad.predicate, quad.object, second))
            taken += 1
    for quad in list(store.inner.quads_for_pattern(None, None, None, entities))[:2]:
        mem.inner.add(ox.Quad(quad.subject, quad.predicate, quad.object, first))
    assert len(mem) == len(store) + 5
    return mem


def dataset_of(store: GraphStore) -> Dataset:
    """The store's quads as an rdflib dataset, read independently of the exporter."""
    ds = Dataset()
    ds.parse(data=store.inner.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return ds


@functools.cache
def graphs_of(store: GraphStore) -> dict[str, set[Triple]]:
    """Named graph IRI → its triples, the meta graph left out (cached per store: read only)."""
    out: dict[str, set[Triple]] = {}
    for s, p, o, g in dataset_of(store).quads():
        name = str(g.identifier if isinstance(g, Graph) else g)
        if name != META:
            out.setdefault(name, set()).add((s, p, o))
    return out


def union_of(store: GraphStore) -> Graph:
    union = Graph()
    for triples in graphs_of(store).values():
        for t in triples:
            union.add(t)
    return union


def parse_quads(path: Path, fmt: str) -> dict[str, Graph]:
    ds = Dataset()
    ds.parse(path, format=QUAD_FORMATS[fmt])
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


def as_graph(triples: set[Triple]) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


# --- every format --------------------------------------------------------------------------


def test_formats() -> None:
    assert RDF_FORMATS == ("ttl", "nt", "nq", "trig", "jsonld", "xml")
    assert set(TRIPLE_FORMATS) | set(QUAD_FORMATS) == set(RDF_FORMATS)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(TRIPLE_FORMATS))
def test_triple_formats_write_the_union(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"kg.{fmt}"
    written = export_rdf(store, fmt, target)
    expected = union_of(store)
    got = Graph().parse(target, format=TRIPLE_FORMATS[fmt])
    assert written == len(expected) == len(got)
    assert isomorphic(got, expected)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(TRIPLE_FORMATS))
def test_triple_formats_drop_repeated_triples(
    store: GraphStore, dup_store: GraphStore, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"kg.{fmt}"
    written = export_rdf(dup_store, fmt, target)
    expected = union_of(dup_store)
    quads = sum(len(ts) for ts in graphs_of(dup_store).values())
    # the corpus's own repeats: the dcterms:publisher of a document two reports cite is in the
    # graph of each (kg/graph/writer.py publisher_triples)
    own = sum(len(ts) for ts in graphs_of(store).values()) - len(union_of(store))
    assert len(expected) == quads - 5 - own  # and the five repeats added here
    got = Graph().parse(target, format=TRIPLE_FORMATS[fmt])
    assert written == len(expected) == len(got)
    assert isomorphic(got, expected)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(QUAD_FORMATS))
def test_quad_formats_keep_the_named_graphs(
    dup_store: GraphStore, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"kg.{fmt}"
    written = export_rdf(dup_store, fmt, target)
    expected = graphs_of(dup_store)
    got = parse_quads(target, fmt)
    assert set(got) == set(expected)
    assert META not in got
    assert str(iris.ENTITIES_GRAPH) in got and str(iris.ONTOLOGY_GRAPH) in got
    assert sum(iris.is_report_graph(g) for g in got) == 5
    assert written == sum(len(ts) for ts in expected.values())
    for name, triples in expected.items():
        assert len(got[name]) == len(triples), name
        assert isomorphic(got[name], as_graph(triples)), name


@pytest.mark.slow
@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_no_format_leaks_the_meta_graph(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"kg.{fmt}"
    export_rdf(store, fmt, target)
    text = target.read_text(encoding="utf-8")
    assert str(BUILD) not in text
    assert "graph/meta" not in text


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["ttl", "trig", "nq", "jsonld"])
def test_exports_are_deterministic(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    export_rdf(store, fmt, tmp_path / f"a.{fmt}")
    export_rdf(store, fmt, tmp_path / f"b.{fmt}")
    assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()


def test_turtle_and_trig_use_the_project_prefixes(store: GraphStore, tmp_path: Path) -> None:
    export_rdf(store, "ttl", tmp_path / "kg.ttl")
    export_rdf(store, "trig", tmp_path / "kg.trig")
    ttl = (tmp_path / "kg.ttl").read_text(encoding="utf-8")
    trig = (tmp_path / "kg.trig").read_text(encoding="utf-8")
    assert "@prefix kg: <https://policy-kg.org/ns#> ." in ttl
    assert "a kg:Region" in ttl and "kg:partOf region:" in ttl
    assert f"report:{FIRST}" in ttl
    assert f"reportgraph:{FIRST} {{" in trig and "kggraph:entities {" in trig


def test_stdout(store: GraphStore, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    written = export_rdf(store, "nt", None)
    out = capfdbinary.readouterr().out
    assert out.count(b"\n") == written == len(union_of(store))


def test_empty_store(tmp_path: Path) -> None:
    for fmt in RDF_FORMATS:
        assert export_rdf(GraphStore.memory(), fmt, tmp_path / f"empty.{fmt}") == 0
    doc = json.loads((tmp_path / "empty.jsonld").read_text(encoding="utf-8"))
    assert doc["@graph"] == []


def test_unknown_format(store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(KGError, match="ttl, nt, nq, trig, jsonld, xml"):
        export_rdf(store, "n3", tmp_path / "kg.n3")
    assert not (tmp_path / "kg.n3").exists()


# --- JSON-LD -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jsonld(store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    target = tmp_path_factory.mktemp("jsonld") / "kg.jsonld"
    export_rdf(store, "jsonld", target)
    doc: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return doc


def nodes_of(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    def types(n: dict[str, Any]) -> list[str]:
        t = n.get("@type", [])
        return t if isinstance(t, list) else [t]

    return [n for n in doc["@graph"] if type_ in types(n)]


def test_context_has_a_short_key_for_every_kg_term() -> None:
    ctx = load_context()
    for term in terms(KG):
        name = term.removeprefix(str(KG))
        entry = ctx[name]
        iri = entry if isinstance(entry, str) else entry["@id"]
        assert iri == f"kg:{name}", name
    assert ctx["kg"] == str(KG)
    assert ctx["@base"] == "https://policy-kg.org/id/"


def test_jsonld_embeds_the_shipped_context(jsonld: dict[str, Any]) -> None:
    assert set(jsonld) == {"@context", "@graph"}
    assert jsonld["@context"] == load_context()


def test_jsonld_reads_with_short_keys(jsonld: dict[str, Any]) -> None:
    regions = {n["@id"]: n for n in nodes_of(jsonld, "Region")}
    huian = regions["region/350521"]
    assert huian["prefLabel"] == {"zh": "惠安县"}
    assert huian["adminCode"] == "350521"
    assert huian["level"] == "level/county"
    assert huian["partOf"] == "region/350500"

    report = next(n for n in nodes_of(jsonld, "Report") if n["identifier"] == FIRST)
    assert report["@id"] == f"report/{FIRST}"
    assert report["yearCovered"] == 2022
    assert report["region"] == "region/350521"
    assert isinstance(report["title"]["zh"], str)
    assert all(c.startswith("citation/") for c in report["citation"])

    outcome = nodes_of(jsonld, "Outcome")[0]
    assert isinstance(outcome["value"], str)  # xsd:decimal, coerced by the context
    assert isinstance(outcome["approximate"], bool)
    assert isinstance(outcome["beginIndex"], int) and isinstance(outcome["endIndex"], int)
    assert outcome["dataSet"] == "dataset/outcomes"
    assert outcome["inReport"].startswith("report/")
    citation = nodes_of(jsonld, "Citation")[0]
    assert citation["action"].startswith("action/")
    assert citation["citedDocument"].startswith("document/")
    assert isinstance(citation["anchorOf"], str) and isinstance(citation["sentence"], str)

    concept = next(n for n in jsonld["@graph"] if n["@id"] == "level/county")
    assert set(concept["prefLabel"]) == {"zh", "en"}


def test_jsonld_uses_no_long_keys(jsonld: dict[str, Any]) -> None:
    keys: set[str] = set()
    for node in jsonld["@graph"]:
        keys |= set(node)
    assert not [k for k in keys if "://" in k]
    assert not [k for k in keys if k.startswith(("kg:", "skos:", "dcterms:", "nif:"))]


def test_jsonld_round_trips_with_pyoxigraph(store: GraphStore, tmp_path: Path) -> None:
    """A second, independent JSON-LD 1.1 reader agrees (@base, @language maps, @list)."""
    export_rdf(store, "jsonld", tmp_path / "kg.jsonld")
    export_rdf(store, "nt", tmp_path / "kg.nt")
    a = set(ox.parse(path=str(tmp_path / "kg.jsonld"), format=ox.RdfFormat.JSON_LD))
    b = set(ox.parse(path=str(tmp_path / "kg.nt"), format=ox.RdfFormat.N_TRIPLES))
    assert len(a) == len(b)

    def ground(ts: set[Any]) -> set[Any]:
        return {
            t
            for t in ts
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
        }

    assert ground(a) == ground(b)


# --- one graph -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(TRIPLE_FORMATS))
def test_one_report_graph(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    name = str(iris.report_graph_iri(FIRST))
    target = tmp_path / f"one.{fmt}"
    written = export_rdf(store, fmt, target, graph=name)
    expected = as_graph(graphs_of(store)[name])
    got = Graph().parse(target, format=TRIPLE_FORMATS[fmt])
    assert written == len(expected) == len(got)
    assert isomorphic(got, expected)


@pytest.mark.parametrize("fmt", list(QUAD_FORMATS))
def test_one_graph_as_quads_keeps_its_name(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    name = str(iris.ENTITIES_GRAPH)
    target = tmp_path / f"one.{fmt}"
    written = export_rdf(store, fmt, target, graph=f"<{name}>")
    got = parse_quads(target, fmt)
    assert list(got) == [name]
    assert written == len(got[name]) == len(graphs_of(store)[name])


@pytest.mark.parametrize(
    ("spelling", "graph"),
    [
        (FIRST, iris.report_graph_iri(FIRST)),
        ("entities", iris.ENTITIES_GRAPH),
        ("ontology", iris.ONTOLOGY_GRAPH),
        (f" <{iris.ONTOLOGY_GRAPH}> ", iris.ONTOLOGY_GRAPH),
    ],
)
def test_graph_shorthands(store: GraphStore, tmp_path: Path, spelling: str, graph: URIRef) -> None:
    written = export_rdf(store, "nt", tmp_path / "one.nt", graph=spelling)
    assert written == store.triples_in(graph)


@pytest.mark.parametrize(
    "graph", ["https://policy-kg.org/id/graph/report/nope.txt", "nope.txt", "not an IRI", ""]
)
def test_unknown_graph(store: GraphStore, tmp_path: Path, graph: str) -> None:
    with pytest.raises(KGError) as err:
        export_rdf(store, "ttl", tmp_path / "one.ttl", graph=graph)
    message = str(err.value)
    assert "available" in message
    assert f"<{iris.ENTITIES_GRAPH}>" in message and f"<{iris.ONTOLOGY_GRAPH}>" in message
    assert "5 report graph(s)" in message
    assert not (tmp_path / "one.ttl").exists()


@pytest.mark.parametrize("graph", [META, f"<{META}>", "meta"])
def test_meta_graph_is_refused(store: GraphStore, tmp_path: Path, graph: str) -> None:
    with pytest.raises(KGError, match="bookkeeping"):
        export_rdf(store, "nq", tmp_path / "meta.nq", graph=graph)
    assert not (tmp_path / "meta.nq").exists()


# --- failures ------------------------------------------------------------------------------


def _failing(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``rdf.<name>`` yield a few statements, then fail."""
    real = getattr(rdf, name)

    def broken(*args: Any) -> Iterator[Any]:
        for i, item in enumerate(real(*args)):
            if i == 100:
                raise RuntimeError("disk on fire")
            yield item

    monkeypatch.setattr(rdf, name, broken)


@pytest.mark.parametrize(
    ("fmt", "source"),
    [
        ("ttl", "_union_triples"),
        ("xml", "_union_triples"),
        ("jsonld", "_union_triples"),
        ("nq", "_dataset_quads"),
        ("trig", "_dataset_quads"),
    ],
)
def test_failed_export_leaves_no_file(
    store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, source: str
) -> None:
    _failing(source, monkeypatch)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk on fire"):
        export_rdf(store, fmt, out / f"kg.{fmt}")
    assert list(out.iterdir()) == []  # neither the target nor a temporary


@pytest.mark.parametrize("fmt", ["nt", "jsonld", "trig"])
def test_failed_export_keeps_the_previous_file(
    store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    target = tmp_path / f"kg.{fmt}"
    target.write_bytes(b"previous export\n")
    _failing("_dataset_quads" if fmt in QUAD_FORMATS else "_union_triples", monkeypatch)
    with pytest.raises(RuntimeError):
        export_rdf(store, fmt, target)
    assert target.read_bytes() == b"previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
