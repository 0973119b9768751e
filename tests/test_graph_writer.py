"""The RDF one report turns into: a golden Turtle file, and the resolution examples.

The golden file ``tests/fixtures/graph/excerpt.ttl`` is the graph of
``tests/fixtures/graph/excerpt.txt`` (lines of the 惠安县 2022 report). When the tagger or the
writer changes on purpose, regenerate it and read the diff before committing::

    .venv/bin/python tests/test_graph_writer.py > tests/fixtures/graph/excerpt.ttl
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.corpus import read_report
from kg.graph import iris
from kg.graph.writer import ReportGraph, display_title, report_graph
from kg.nlp import tag_report
from kg.vocab import KG, NIF, bind_prefixes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "graph"
EXCERPT = FIXTURES / "excerpt.txt"


def excerpt_graph() -> ReportGraph:
    return report_graph(tag_report(read_report(EXCERPT)))


def as_graph(rg: ReportGraph) -> Graph:
    graph = bind_prefixes(Graph())
    for triple in (*rg.triples, *rg.shared):
        graph.add(triple)
    return graph


@pytest.fixture(scope="module")
def excerpt() -> Graph:
    return as_graph(excerpt_graph())


def test_excerpt_matches_the_golden_turtle(excerpt: Graph) -> None:
    golden = Graph().parse(FIXTURES / "excerpt.ttl", format="turtle")
    if not isomorphic(excerpt, golden):
        _both, only_new, only_golden = graph_diff(to_isomorphic(excerpt), to_isomorphic(golden))
        pytest.fail(
            "graph differs from the golden file\n--- only in the new graph:\n"
            + only_new.serialize(format="nt")
            + "--- only in the golden file:\n"
            + only_golden.serialize(format="nt")
        )


def test_writing_twice_gives_the_same_triples() -> None:
    first, second = excerpt_graph(), excerpt_graph()
    assert first.triples == second.triples and first.shared == second.shared


def _institution(graph: Graph, written: str) -> tuple[str, URIRef]:
    node = next(graph.subjects(SKOS.altLabel, Literal(written, lang="zh")))
    assert isinstance(node, URIRef)
    return str(graph.value(node, SKOS.prefLabel)), node


@pytest.mark.parametrize(
    ("written", "full", "region_code"),
    [
        ("县司法局", "惠安县司法局", "350521"),
        ("市司法局", "泉州市司法局", "350500"),
        ("市委依法治市办", "中共泉州市委全面依法治市委员会办公室", "350500"),
    ],
)
def test_short_institution_names_are_completed_from_the_region(
    excerpt: Graph, written: str, full: str, region_code: str
) -> None:
    name, node = _institution(excerpt, written)
    assert name == full
    assert node == iris.institution_iri(full)
    assert excerpt.value(node, KG.jurisdiction) == iris.ID[f"region/{region_code}"]


def test_every_fact_points_to_its_sentence(excerpt: Graph) -> None:
    for cls in (KG.Citation, KG.Mention, KG.Outcome):
        nodes = set(excerpt.subjects(RDF.type, cls))
        assert nodes
        for node in nodes:
            sentence = str(excerpt.value(node, KG.sentence))
            anchor = str(excerpt.value(node, NIF.anchorOf))
            assert anchor and anchor in sentence


def test_report_node_carries_region_year_publisher_and_number(excerpt: Graph) -> None:
    report = iris.report_iri("excerpt.txt")
    assert excerpt.value(report, KG.region) == iris.ID["region/350521"]
    assert excerpt.value(report, KG.yearCovered) == Literal(2022)
    assert excerpt.value(report, KG.docNumber) == Literal("惠政文〔2023〕8号")
    publisher = excerpt.value(report, DCTERMS.publisher)
    assert excerpt.value(publisher, SKOS.prefLabel) == Literal("惠安县人民政府", lang="zh")


@pytest.mark.parametrize(
    ("key", "title"),
    [
        ("法治政府建设实施纲要(2021-2025年)", "法治政府建设实施纲要(2021—2025年)"),
        ("中华人民共和国行政复议法", "中华人民共和国行政复议法"),
    ],
)
def test_display_title(key: str, title: str) -> None:
    assert display_title(key) == title


if __name__ == "__main__":
    print(as_graph(excerpt_graph()).serialize(format="turtle"), end="")
