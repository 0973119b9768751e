"""Network views (:mod:`kg.export.views`) of the shipped corpus, checked against SPARQL.

The corpus graph is built once for the module. Each view's nodes and edges are counted
independently with SPARQL over the same store (DISTINCT: the union of the report graphs repeats
triples) and, for reports, against the corpus manifest.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.export.views import (
    ACTIONS,
    VIEWS,
    ViewError,
    ViewFilter,
    _main_action,
    build_view,
)
from kg.store import GraphStore, open_store
from kg.vocab import PREFIXES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
CJK = re.compile(r"[\u4e00-\u9fff]")
REGION = "https://policy-kg.org/id/region/"
HUIAN, QUANZHOU, FUJIAN = (REGION + c for c in ("350521", "350500", "350000"))
BAODING, YINGZE = REGION + "130600", REGION + "140106"
NODE_ATTRS = {
    "Region": {"label", "type", "level", "code"},
    "Report": {"label", "type", "file", "year", "level", "region"},
    "PolicyDocument": {"label", "type", "doctype", "jurisdiction", "citations", "first_year"},
    "Institution": {"label", "type", "jurisdiction", "mentions"},
    "Program": {"label", "type", "regions", "first_year", "mentions"},
}
EDGE_ATTRS = {
    "reports": {"type", "weight"},
    "cites": {"type", "weight", "action", "actions", "year"},
    "co-cited": {"type", "weight", "reports"},
    "implements": {"type", "weight", "reports"},
    "transmits": {"type", "weight", "reports"},
    "mentions": {"type", "weight", "year"},
    "partOf": {"type", "weight"},
}


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> Iterator[GraphStore]:
    with open_store(corpus_store_path, read_only=True) as graph:
        yield graph


@pytest.fixture(scope="module")
def views(store: GraphStore) -> dict[str, Any]:
    return {view: build_view(store, view) for view in VIEWS}


def select(store: GraphStore, query: str) -> list[ox.QuerySolution]:
    result = store.inner.query(query, use_default_graph_as_union=True, prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def count(store: GraphStore, where: str, what: str = "*") -> int:
    rows = select(store, f"SELECT (COUNT({what}) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"].value)


def pairs(store: GraphStore, where: str) -> set[tuple[str, ...]]:
    """Distinct rows of a SELECT, as tuples of term values."""
    return {tuple(t.value for t in row) for row in select(store, where)}


def of_type(graph: Any, kind: str) -> list[str]:
    return [n for n, t in graph.nodes(data="type") if t == kind]


def edges_of(graph: Any, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(u, v, d) for u, v, d in graph.edges(data=True) if d["type"] == kind]


def labels(graph: Any, nodes: list[str]) -> set[str]:
    return {graph.nodes[n]["label"] for n in nodes}


# --- every view ------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_attributes_are_complete_and_never_none(views: dict[str, Any], view: str) -> None:
    graph = views[view]
    assert graph.number_of_nodes() > 0
    for node, attrs in graph.nodes(data=True):
        assert node.startswith("https://policy-kg.org/id/")
        assert set(attrs) == NODE_ATTRS[attrs["type"]], (node, attrs)
        assert None not in attrs.values()
        assert CJK.search(attrs["label"]), f"{node}: label {attrs['label']!r} is not Chinese"
    for u, v, attrs in graph.edges(data=True):
        assert set(attrs) == EDGE_ATTRS[attrs["type"]], (u, v, attrs)
        assert None not in attrs.values()
        assert isinstance(attrs["weight"], float) and attrs["weight"] >= 1


@pytest.mark.parametrize("view", VIEWS)
def test_views_write_graphml_and_gexf(views: dict[str, Any], view: str, tmp_path: Path) -> None:
    nx.write_graphml(views[view], tmp_path / "view.graphml")
    nx.write_gexf(views[view], tmp_path / "view.gexf")
    again = nx.read_graphml(tmp_path / "view.graphml")
    assert again.number_of_nodes() == views[view].number_of_nodes()
    assert again.number_of_edges() == views[view].number_of_edges()


@pytest.mark.parametrize("view", VIEWS)
def test_views_are_deterministic(store: GraphStore, views: dict[str, Any], view: str) -> None:
    again = build_view(store, view)
    assert list(again.nodes(data=True)) == list(views[view].nodes(data=True))
    assert list(again.edges(data=True)) == list(views[view].edges(data=True))


def test_insertion_order_is_sorted(views: dict[str, Any]) -> None:
    regions = views["regions"]
    assert list(regions.nodes) == sorted(regions.nodes)
    assert list(regions.edges) == sorted(regions.edges)
    assert list(views["citations"].edges) == sorted(views["citations"].edges)
    docs = of_type(views["co-citation"], "PolicyDocument")
    assert list(views["co-citation"].nodes) == sorted(docs)


def test_directedness(views: dict[str, Any]) -> None:
    assert not views["co-citation"].is_directed()
    assert all(views[v].is_directed() for v in VIEWS if v != "co-citation")


def test_unknown_view_and_region_are_errors(store: GraphStore) -> None:
    with pytest.raises(ViewError, match="unknown view"):
        build_view(store, "citation")
    with pytest.raises(ViewError, match="no region named"):
        build_view(store, "citations", ViewFilter(region="不存在市"))


def test_main_action_prefers_issued_then_implemented() -> None:
    from collections import Counter

    assert _main_action(Counter(mentioned=1, implemented=1, issued=1)) == "issued"
    assert _main_action(Counter(mentioned=1, implemented=1)) == "implemented"
    assert _main_action(Counter(mentioned=2, issued=1)) == "mentioned"


# --- citations -------------------------------------------------------------------------------


def test_citations_view_counts(store: GraphStore, views: dict[str, Any]) -> None:
    graph = views["citations"]
    cites = edges_of(graph, "cites")
    expected = pairs(store, "SELECT DISTINCT ?r ?d WHERE { ?r a kg:Report ; kg:cites ?d }")
    assert {(u, v) for u, v, _ in cites} == expected
    assert len(cites) == 62
    citations = count(store, "?c a kg:Citation", "DISTINCT ?c")
    assert sum(d["weight"] for *_, d in cites) == citations == 65
    docs = count(store, "?r a kg:Report ; kg:cites ?d", "DISTINCT ?d")
    assert len(of_type(graph, "PolicyDocument")) == docs == 61
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (71, 67)


def test_citations_view_has_reports_and_their_regions(
    store: GraphStore, views: dict[str, Any]
) -> None:
    graph = views["citations"]
    with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        manifest = {row["file"]: row for row in csv.DictReader(fh)}
    reports = {graph.nodes[n]["file"]: graph.nodes[n] for n in of_type(graph, "Report")}
    assert set(reports) == set(manifest)
    for name, attrs in reports.items():
        row = manifest[name]
        assert attrs["label"] == row["title"]
        assert (attrs["region"], attrs["level"]) == (row["region"], row["level"])
        assert attrs["year"] == int(row["year_covered"])
    regions = of_type(graph, "Region")
    assert labels(graph, regions) == {row["region"] for row in manifest.values()}
    links = edges_of(graph, "reports")
    expected = pairs(store, "SELECT DISTINCT ?g ?r WHERE { ?r a kg:Report ; kg:region ?g }")
    assert {(u, v) for u, v, _ in links} == expected and len(links) == 5
    assert graph.nodes[HUIAN] == {"label": "惠安县", "type": "Region", "level": "county",
                                  "code": "350521"}  # fmt: skip


def test_citations_edges_carry_action_and_year(store: GraphStore, views: dict[str, Any]) -> None:
    graph = views["citations"]
    for report, doc, attrs in edges_of(graph, "cites"):
        action = f"<https://policy-kg.org/id/action/{attrs['action']}>"
        ask = f"ASK {{ ?c kg:inReport <{report}> ; kg:citedDocument <{doc}> ; kg:action {action} }}"
        assert store.inner.query(ask, use_default_graph_as_union=True, prefixes=PREFIXES)
        assert attrs["year"] == graph.nodes[report]["year"]
    heavy = pairs(
        store,
        """SELECT ?r ?d WHERE { ?c kg:inReport ?r ; kg:citedDocument ?d }
           GROUP BY ?r ?d HAVING (COUNT(DISTINCT ?c) > 1)""",
    )
    assert {(u, v) for u, v, d in edges_of(graph, "cites") if d["weight"] > 1} == heavy
    assert len(heavy) == 3


def test_citations_edges_carry_every_action(store: GraphStore, views: dict[str, Any]) -> None:
    """``actions`` lists every action of the report's citations of the document, in
    :data:`ACTIONS` order, joined by ";"; ``action`` is one of them."""
    stated: dict[tuple[str, str], set[str]] = {}
    for row in select(
        store,
        """SELECT DISTINCT ?r ?d ?n WHERE { ?c kg:inReport ?r ; kg:citedDocument ?d ;
                                              kg:action/skos:notation ?n }""",
    ):
        key = (row["r"].value, row["d"].value)  # type: ignore[union-attr]
        stated.setdefault(key, set()).add(row["n"].value)  # type: ignore[union-attr]
    edges = {(u, v): d for u, v, d in edges_of(views["citations"], "cites")}
    assert {k: set(d["actions"].split(";")) for k, d in edges.items()} == stated
    for attrs in edges.values():
        listed = attrs["actions"].split(";")
        assert listed == [a for a in ACTIONS if a in listed]
        assert attrs["action"] in listed
    assert any(";" in d["actions"] for d in edges.values())  # a document cited with two actions


def test_document_attributes(store: GraphStore, views: dict[str, Any]) -> None:
    graph = views["citations"]
    rows = select(
        store,
        """SELECT ?d (COUNT(DISTINCT ?c) AS ?n) (MIN(?y) AS ?first) WHERE {
             ?c kg:citedDocument ?d ; kg:inReport ?r . ?r kg:yearCovered ?y
           } GROUP BY ?d""",
    )
    assert len(rows) == 61
    for row in rows:
        attrs = graph.nodes[row["d"].value]
        assert attrs["citations"] == int(row["n"].value)
        assert attrs["first_year"] == int(row["first"].value)
    law = graph.nodes["https://policy-kg.org/id/document/a493ac26b0320327"]
    assert law["label"] == "中华人民共和国政府信息公开条例"
    assert law["jurisdiction"] == "中华人民共和国"  # region:china, its @zh name
    assert law["doctype"] == "administrative_regulation;regulations"
    assert (law["citations"], law["first_year"]) == (2, 2021)


# --- co-citation -----------------------------------------------------------------------------


def test_co_citation_view_counts(store: GraphStore, views: dict[str, Any]) -> None:
    graph = views["co-citation"]
    expected = pairs(
        store,
        """SELECT DISTINCT ?a ?b WHERE {
             ?r a kg:Report ; kg:cites ?a, ?b . FILTER(STR(?a) < STR(?b)) }""",
    )
    assert {tuple(sorted(e)) for e in graph.edges} == expected
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (61, 630)
    weights = pairs(
        store,
        """SELECT ?a ?b (COUNT(DISTINCT ?r) AS ?n) WHERE {
             ?r a kg:Report ; kg:cites ?a, ?b . FILTER(STR(?a) < STR(?b)) } GROUP BY ?a ?b""",
    )
    assert {(*sorted((u, v)), str(int(d["weight"]))) for u, v, d in graph.edges(data=True)} == {
        (a, b, n) for a, b, n in weights
    }
    *_, attrs = next(iter(graph.edges(data=True)))
    assert attrs["reports"] == "001_d2cba6cb4c440230.txt"  # the 保定市 report cites both


def test_co_citation_min_weight_drops_every_edge(store: GraphStore) -> None:
    # no two documents are cited together by more than one of the five reports
    graph = build_view(store, "co-citation", ViewFilter(min_weight=2))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (0, 0)
    same = build_view(store, "co-citation", ViewFilter(min_weight=1))
    assert (same.number_of_nodes(), same.number_of_edges()) == (61, 630)


# --- implements ------------------------------------------------------------------------------


def test_implements_view(store: GraphStore, views: dict[str, Any]) -> None:
    graph = views["implements"]
    expected = pairs(
        store,
        """SELECT DISTINCT ?a ?b WHERE {
             ?a ?p ?b . VALUES ?p { kg:implements kg:transmits } }""",
    )
    assert set(graph.edges) == expected
    # the four chains the corpus states (tests/test_authority_corpus.py), one of them from the
    # 源汇区 report's own plan, which no report cites
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (8, 4)
    by_label = {graph.nodes[n]["label"]: n for n in graph}
    plan = by_label["贯彻落实〈四川省法治政府建设实施方案(2021—2025年)〉责任分工方案"]
    target = by_label["四川省法治政府建设实施方案(2021—2025年)"]
    assert graph.edges[plan, target]["type"] == "implements"
    assert graph.edges[plan, target]["reports"] == "003_93de1b03becaf1ca.txt"
    assert graph.nodes[target]["jurisdiction"] == "四川省"
    kinds = sorted(d["type"] for *_, d in graph.edges(data=True))
    assert kinds == ["implements", "implements", "implements", "transmits"]
    assert build_view(store, "implements", ViewFilter(region="保定市")).number_of_nodes() == 2
    assert build_view(store, "implements", ViewFilter(region="四川省")).number_of_edges() == 2


# --- institutions and programs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "cls", "edges", "weight", "entities"),
    [("institutions", "Institution", 82, 142, 79), ("programs", "Program", 191, 223, 168)],
)
def test_mention_views(
    store: GraphStore,
    views: dict[str, Any],
    view: str,
    cls: str,
    edges: int,
    weight: int,
    entities: int,
) -> None:
    graph = views[view]
    expected = pairs(
        store,
        f"""SELECT DISTINCT ?g ?x WHERE {{
              ?r a kg:Report ; kg:region ?g ; kg:mentions ?x . ?x a kg:{cls} }}""",
    )
    assert {(u, v) for u, v in graph.edges} == expected
    assert len(expected) == edges
    mentions = count(
        store, f"?m a kg:Mention ; kg:inReport ?r ; kg:refersTo ?x . ?x a kg:{cls}", "DISTINCT ?m"
    )
    assert sum(d["weight"] for *_, d in graph.edges(data=True)) == mentions == weight
    assert len(of_type(graph, cls)) == entities
    assert len(of_type(graph, "Region")) == 5
    assert graph.number_of_nodes() == entities + 5
    assert all(d["type"] == "mentions" and d["year"] >= 2020 for *_, d in graph.edges(data=True))


def test_program_attributes(store: GraphStore, views: dict[str, Any]) -> None:
    graph = views["programs"]
    rows = select(
        store,
        """SELECT ?p (COUNT(DISTINCT ?g) AS ?regions) (MIN(?y) AS ?first)
                  (COUNT(DISTINCT ?m) AS ?mentions) WHERE {
             ?m kg:refersTo ?p ; kg:inReport ?r . ?p a kg:Program .
             ?r kg:region ?g ; kg:yearCovered ?y
           } GROUP BY ?p""",
    )
    assert len(rows) == 168
    for row in rows:
        attrs = graph.nodes[row["p"].value]
        assert attrs["regions"] == int(row["regions"].value)
        assert attrs["first_year"] == int(row["first"].value)
        assert attrs["mentions"] == int(row["mentions"].value)
    by_label = {graph.nodes[n]["label"]: graph.nodes[n] for n in of_type(graph, "Program")}
    assert by_label["行政审批制度改革"]["regions"] == 3


def test_institution_jurisdictions(store: GraphStore, views: dict[str, Any]) -> None:
    graph = views["institutions"]
    served = pairs(
        store,
        """SELECT DISTINCT ?i ?name WHERE {
             ?i a kg:Institution ; kg:jurisdiction/skos:prefLabel ?n .
             FILTER(LANG(?n) = "zh") BIND(STR(?n) AS ?name) }""",
    )
    known = {row[0]: row[1] for row in served}
    for node in of_type(graph, "Institution"):
        assert graph.nodes[node]["jurisdiction"] == known.get(node, "")
    assert any(graph.nodes[n]["jurisdiction"] for n in of_type(graph, "Institution"))


# --- regions ---------------------------------------------------------------------------------


def test_regions_view(store: GraphStore, views: dict[str, Any]) -> None:
    graph = views["regions"]
    regions = count(store, "?g a kg:Region", "DISTINCT ?g")
    links = pairs(store, "SELECT DISTINCT ?a ?b WHERE { ?a kg:partOf ?b }")
    assert graph.number_of_nodes() == regions == 17
    assert set(graph.edges) == links and len(links) == 11
    assert graph.has_edge(HUIAN, QUANZHOU) and graph.has_edge(QUANZHOU, FUJIAN)
    assert graph.nodes[REGION + "china"]["label"] == "中华人民共和国"
    town = next(n for n in graph if graph.nodes[n]["label"] == "天福镇")
    assert graph.nodes[town]["code"] == "" and graph.nodes[town]["level"] == "town"


def test_regions_view_filtered_by_region(store: GraphStore) -> None:
    graph = build_view(store, "regions", ViewFilter(region="泉州市"))
    assert set(graph) == {HUIAN, QUANZHOU, FUJIAN}
    assert set(graph.edges) == {(HUIAN, QUANZHOU), (QUANZHOU, FUJIAN)}
    light = build_view(store, "regions", ViewFilter(min_weight=2))
    assert (light.number_of_nodes(), light.number_of_edges()) == (17, 0)  # regions stay


# --- filters ---------------------------------------------------------------------------------


def test_region_filter_keeps_that_regions_reports(store: GraphStore) -> None:
    graph = build_view(store, "citations", ViewFilter(region="保定市"))
    cited = pairs(
        store,
        f"SELECT DISTINCT ?d WHERE {{ ?r kg:region <{BAODING}> ; kg:cites ?d }}",
    )
    assert {(d,) for d in of_type(graph, "PolicyDocument")} == cited
    assert len(cited) == 33
    assert of_type(graph, "Region") == [BAODING]
    assert [graph.nodes[r]["file"] for r in of_type(graph, "Report")] == [
        "001_d2cba6cb4c440230.txt"
    ]
    by_iri = build_view(store, "citations", ViewFilter(region=BAODING))
    by_code = build_view(store, "citations", ViewFilter(region="130600"))
    by_prefix = build_view(store, "citations", ViewFilter(region="region:130600"))
    assert list(by_iri.edges) == list(by_code.edges) == list(by_prefix.edges) == list(graph.edges)


def test_region_filter_takes_regions_below(store: GraphStore) -> None:
    province = build_view(store, "citations", ViewFilter(region="福建省"))
    county = build_view(store, "citations", ViewFilter(region="惠安县"))
    assert list(province.edges) == list(county.edges)
    assert of_type(province, "Region") == [HUIAN]
    assert labels(province, of_type(province, "Report")) == {
        "惠安县人民政府关于2022年度法治政府建设工作情况的报告"
    }
    programs = build_view(store, "programs", ViewFilter(region="河北省"))
    assert of_type(programs, "Region") == [BAODING]


def test_year_filter(store: GraphStore) -> None:
    graph = build_view(store, "citations", ViewFilter(year=2020))
    assert [graph.nodes[r]["region"] for r in of_type(graph, "Report")] == ["迎泽区"]
    assert of_type(graph, "Region") == [YINGZE]
    cited = count(store, "?r kg:yearCovered 2020 ; kg:cites ?d", "DISTINCT ?d")
    assert len(of_type(graph, "PolicyDocument")) == cited == 4
    institutions = build_view(store, "institutions", ViewFilter(year=2020))
    assert of_type(institutions, "Region") == [YINGZE]
    assert all(d["year"] == 2020 for *_, d in institutions.edges(data=True))
    assert build_view(store, "citations", ViewFilter(year=2019)).number_of_nodes() == 0
    both = build_view(store, "citations", ViewFilter(region="保定市", year=2020))
    assert both.number_of_nodes() == 0


def test_min_weight_drops_light_edges_and_bare_nodes(store: GraphStore) -> None:
    graph = build_view(store, "citations", ViewFilter(min_weight=2))
    assert all(d["weight"] >= 2 for *_, d in graph.edges(data=True))
    assert graph.number_of_edges() == 3
    assert all(graph.degree(n) > 0 for n in graph)
    assert of_type(graph, "Region") == []  # region → report edges weigh 1
    programs = build_view(store, "programs", ViewFilter(min_weight=2))
    assert all(d["weight"] >= 2 for *_, d in programs.edges(data=True))
    assert all(programs.degree(n) > 0 for n in programs)
    # the documents keep the counts of the reports the filter kept, not of the edges left
    regulation = graph.nodes["https://policy-kg.org/id/document/fbbf820f8745d636"]
    assert (regulation["label"], regulation["citations"]) == ("保定市接诉即办工作条例", 2)
    national = "https://policy-kg.org/id/document/a493ac26b0320327"
    assert national not in graph  # cited once in each of two reports
