"""SHACL shapes (ontology/shapes.ttl) against the fixtures in tests/fixtures/shapes/.

For every shape there is a conforming fixture (``<name>-ok.ttl``) and a violating one
(``<name>-bad.ttl``, one fault per node). Each is validated together with ontology/schemes.ttl
and the shared context ``base.ttl``, the way ``kg validate`` validates a built graph: pySHACL
with ``inference="none"`` and ``advanced=True`` (the SPARQL rules use SHACL-AF targets).
A bad fixture must give exactly the expected (focus node, path) results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from kg.vocab import KG, KG_TTL, KGSH, SCHEMES_TTL, SHAPES_TTL, terms

pyshacl = pytest.importorskip("pyshacl")

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
BASE = FIXTURES / "base.ttl"

#: Short names for the IRIs in results: (prefix, namespace), longest namespaces first.
SHORT = sorted(
    [
        ("kg", str(KG)),
        ("nif", "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("dcterms", "http://purl.org/dc/terms/"),
        ("org", "http://www.w3.org/ns/org#"),
        ("prov", "http://www.w3.org/ns/prov#"),
        ("qb", "http://purl.org/linked-data/cube#"),
        ("id", "https://policy-kg.org/id/"),
    ],
    key=lambda pair: -len(pair[1]),
)

#: fixture -> the (focus node, result path) of every result it must give, nothing more.
EXPECTED: dict[str, set[tuple[str, str | None]]] = {
    "region": {
        ("id:region/bad-no-level", "kg:level"),
        ("id:region/bad-code", "kg:adminCode"),
        ("id:region/330200", "kg:partOf"),  # a city with no parent
        ("id:region/bad-parent-rank", "kg:partOf"),  # a county inside a town
        ("id:region/bad-two-names", "skos:prefLabel"),
        ("id:region/350521", "kg:adminCode"),  # code from another province
        ("id:region/bad-level-string", "kg:level"),
        ("id:region/bad-untagged", "skos:prefLabel"),
    },
    "report": {
        ("id:report/bad-no-title", "dcterms:title"),
        ("id:report/bad-gyear", "kg:yearCovered"),
        ("id:report/bad-region-class", "kg:region"),
        ("id:report/bad-cites-shortcut", "kg:citation/kg:citedDocument"),
        ("id:report/bad-publisher", "dcterms:publisher"),
        ("id:report/bad-docnumber-damaged", "kg:docNumber"),
        ("id:report/bad-docnumber-parts", "kg:docNumber"),
        ("id:report/bad-parts-only", "kg:docNumber"),
        ("id:report/bad-issued", "dcterms:issued"),
        ("id:report/bad-title-lang", "dcterms:title"),
        ("id:report/bad-no-identifier", "dcterms:identifier"),
        ("id:report/bad-two-regions", "kg:region"),
        ("id:report/bad-mentions-shortcut", "^kg:inReport/kg:refersTo"),
    },
    "document": {
        ("id:document/bad-no-type", "kg:documentType"),
        ("id:document/bad-type", "kg:documentType"),
        ("id:document/bad-self-implementing", "kg:implements"),
        ("id:document/bad-jurisdiction", "kg:jurisdiction"),
        ("id:document/bad-two-titles", "dcterms:title"),
        ("id:document/bad-docnumber-year", "kg:docNumberYear"),
        ("id:document/bad-transmits", "kg:transmits"),
        ("id:document/bad-altlabel", "skos:altLabel"),
        ("id:document/bad-serial", "kg:docNumberSerial"),
        ("id:document/bad-serial", "kg:docNumber"),
    },
    "citation": {
        ("id:citation/bad-no-sentence", "kg:sentence"),
        ("id:citation/bad-action", "kg:action"),
        ("id:citation/bad-begin-datatype", "nif:beginIndex"),
        ("id:citation/bad-length", "nif:anchorOf"),
        ("id:citation/bad-anchor", "nif:anchorOf"),
        ("id:citation/bad-empty-span", "nif:beginIndex"),
        ("id:citation/bad-empty-span", "nif:anchorOf"),
        ("id:citation/bad-no-document", "kg:citedDocument"),
        ("id:citation/bad-unlisted", "^kg:citation"),
        # the report lacks the kg:cites shortcut for citation:bad-shortcut's document
        ("id:report/fixture_001.txt", "kg:citation/kg:citedDocument"),
    },
    "mention": {
        ("id:mention/bad-refers-to", "kg:refersTo"),
        ("id:report/fixture_001.txt", "^kg:inReport/kg:refersTo"),  # ... and its shortcut
        ("id:mention/bad-no-report", "kg:inReport"),
        ("id:mention/bad-no-end", "nif:endIndex"),
        ("id:mention/bad-report-class", "kg:inReport"),
        ("id:mention/bad-begin-datatype", "nif:beginIndex"),
    },
    "institution": {
        ("id:institution/bad-no-name", "skos:prefLabel"),
        ("id:institution/bad-english-only", "skos:prefLabel"),
        ("id:institution/bad-parent", "org:subOrganizationOf"),
        ("id:institution/bad-two-jurisdictions", "kg:jurisdiction"),
        ("_:", None),  # a blank-node institution
    },
    "program": {
        ("id:program/bad-untagged", "skos:prefLabel"),
        ("id:program/bad-scheme", "skos:inScheme"),
        ("id:program/bad-two-names", "skos:prefLabel"),
    },
    "outcome": {
        ("id:outcome/bad-double", "kg:value"),
        ("id:outcome/bad-integer", "kg:value"),
        ("id:outcome/bad-no-raw-indicator", "kg:rawIndicator"),
        ("id:outcome/bad-dataset", "qb:dataSet"),
        ("id:outcome/bad-indicator-class", "kg:indicator"),
        ("id:outcome/bad-no-approximate", "kg:approximate"),
        ("id:outcome/bad-no-year", "kg:yearCovered"),
        ("id:outcome/bad-empty-unit", "kg:unit"),
        ("id:outcome/bad-no-region", "kg:region"),
        ("id:outcome/bad-no-sentence", "kg:sentence"),
    },
    "indicator": {
        ("id:indicator/bad-no-scheme", "skos:inScheme"),
        ("id:indicator/bad-broader", "skos:broader"),
        ("id:indicator/bad-english-only", "skos:prefLabel"),
        ("id:indicator/bad-notations", "skos:notation"),
        ("id:indicator/bad-scheme-class", "skos:inScheme"),
    },
}

#: The fixture name of each class shape.
FIXTURE_OF_CLASS = {
    KG.Region: "region",
    KG.Report: "report",
    KG.PolicyDocument: "document",
    KG.Citation: "citation",
    KG.Mention: "mention",
    KG.Institution: "institution",
    KG.Program: "program",
    KG.Outcome: "outcome",
    KG.Indicator: "indicator",
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL)


def _data(*paths: Path) -> Graph:
    graph = Graph().parse(SCHEMES_TTL)
    for path in paths:
        graph.parse(path)
    return graph


def _validate(data: Graph, shapes: Graph, **options: Any) -> tuple[bool, Graph]:
    options = {"inference": "none", "advanced": True, **options}
    conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes, **options)
    assert isinstance(results, Graph)
    return bool(conforms), results


def _short(node: object) -> str:
    if isinstance(node, BNode):
        return "_:"
    text = str(node)
    for prefix, namespace in SHORT:
        if text.startswith(namespace):
            return f"{prefix}:{text.removeprefix(namespace)}"
    return f"<{text}>"


def _path(graph: Graph, path: object) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _short(path)
    inverse = graph.value(path, SH.inversePath)  # type: ignore[arg-type]
    if inverse is not None:
        return "^" + str(_path(graph, inverse))
    if graph.value(path, RDF.first) is not None:  # type: ignore[arg-type]
        return "/".join(str(_path(graph, step)) for step in Collection(graph, path))  # type: ignore[arg-type]
    raise AssertionError(f"unexpected path {path!r}")


def _results(results: Graph) -> list[tuple[str, str | None, str]]:
    return [
        (
            _short(results.value(r, SH.focusNode)),
            _path(results, results.value(r, SH.resultPath)),
            str(results.value(r, SH.resultMessage) or ""),
        )
        for r in results.subjects(RDF.type, SH.ValidationResult)
    ]


def test_every_class_shape_has_fixtures(shapes: Graph) -> None:
    classes = set(shapes.objects(None, SH.targetClass))
    assert classes == set(FIXTURE_OF_CLASS) <= terms(KG)
    for name in FIXTURE_OF_CLASS.values():
        assert (FIXTURES / f"{name}-ok.ttl").is_file()
        assert (FIXTURES / f"{name}-bad.ttl").is_file()
        assert name in EXPECTED


def test_base_context_conforms(shapes: Graph) -> None:
    conforms, results = _validate(_data(BASE), shapes)
    assert conforms, _results(results)


def test_schemes_conform(shapes: Graph) -> None:
    """The starter indicators and the national region satisfy the shapes too."""
    conforms, results = _validate(_data(), shapes)
    assert conforms, _results(results)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_ok_fixture_conforms(shapes: Graph, name: str) -> None:
    conforms, results = _validate(_data(BASE, FIXTURES / f"{name}-ok.ttl"), shapes)
    assert conforms, _results(results)


def test_ok_fixtures_together_conform_with_rdfs_inference(shapes: Graph) -> None:
    """All good fixtures in one graph, with kg.ttl as ontology graph and RDFS inference."""
    data = _data(BASE, *(FIXTURES / f"{name}-ok.ttl" for name in sorted(EXPECTED)))
    ontology = Graph().parse(KG_TTL)
    conforms, results = _validate(data, shapes, ont_graph=ontology, inference="rdfs")
    assert conforms, _results(results)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture_gives_expected_results(shapes: Graph, name: str) -> None:
    conforms, results = _validate(_data(BASE, FIXTURES / f"{name}-bad.ttl"), shapes)
    assert not conforms
    found = _results(results)
    assert {(focus, path) for focus, path, _message in found} == EXPECTED[name]
    messages = {str(m) for m in shapes.objects(None, SH.message) if isinstance(m, Literal)}
    for focus, path, message in found:
        assert message in messages, f"no sh:message of the shapes for {focus} {path}"


def test_sparql_rules_need_advanced_mode_and_stay_silent_without_it(shapes: Graph) -> None:
    """Without SHACL-AF the SPARQL rules are skipped: core results only, none misreported."""
    data = _data(BASE, FIXTURES / "citation-bad.ttl")
    _conforms, results = _validate(data, shapes, advanced=False)
    found = {(focus, path) for focus, path, _message in _results(results)}
    assert found < EXPECTED["citation"]
    assert ("id:citation/bad-length", "nif:anchorOf") not in found


def test_rules_report_through_kgsh_shapes(shapes: Graph) -> None:
    _conforms, results = _validate(_data(BASE, FIXTURES / "citation-bad.ttl"), shapes)
    sources = {
        results.value(r, SH.sourceShape) for r in results.subjects(RDF.type, SH.ValidationResult)
    }
    named = {s for s in sources if isinstance(s, URIRef)}
    assert KGSH.SpanOrder in named
    assert all(s.startswith(str(KGSH)) for s in named)
