"""The vocabulary (ontology/kg.ttl), its concept schemes and shapes, and kg.vocab agree.

These tests need rdflib only; the SHACL validation tests are in test_ontology_shapes.py.
"""

from __future__ import annotations

import csv
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kg.vocab import (
    ACTION,
    CHINA,
    DOCTYPE,
    ID,
    INDICATOR,
    KG,
    KG_TTL,
    LEVEL,
    NIF,
    OUTCOMES_DATASET,
    OUTCOMES_STRUCTURE,
    PREFIXES,
    SCHEME,
    SCHEMES_TTL,
    SHAPES_TTL,
    bind_prefixes,
    terms,
)

if TYPE_CHECKING:
    from rdflib.namespace import DefinedNamespace

# A plain Namespace: rdflib's open XSD class makes pytest's collector warn when it probes it.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"

KG_NS = str(KG)
CLASS_AND_PROPERTY_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)

#: Each concept scheme and the closed namespace that mirrors its members.
SCHEMES: dict[URIRef, type[DefinedNamespace]] = {
    SCHEME.level: LEVEL,
    SCHEME.action: ACTION,
    SCHEME.doctype: DOCTYPE,
    SCHEME.indicator: INDICATOR,
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(KG_TTL)


@pytest.fixture(scope="module")
def schemes() -> Graph:
    return Graph().parse(SCHEMES_TTL)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL)


def _kg_terms_declared(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(KG_NS)}


def _kg_terms_used(graph: Graph) -> set[URIRef]:
    return {
        node
        for triple in graph
        for node in triple
        if isinstance(node, URIRef) and node.startswith(KG_NS)
    }


def _labels(graph: Graph, node: URIRef, predicate: URIRef, lang: str) -> list[str]:
    return [
        str(o)
        for o in graph.objects(node, predicate)
        if isinstance(o, Literal) and o.language == lang and str(o).strip()
    ]


# --- files ----------------------------------------------------------------------------------


def test_ontology_files_ship_in_the_package_and_ontology_links_to_them() -> None:
    assert KG_TTL == ROOT / "kg" / "ontology" / "kg.ttl"
    assert (ROOT / "ontology" / "kg.ttl").resolve() == KG_TTL
    for path in (KG_TTL, SCHEMES_TTL, SHAPES_TTL):
        assert path.is_file(), path


@pytest.mark.parametrize("path", [KG_TTL, SCHEMES_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_turtle_parses(path: Path) -> None:
    graph = Graph().parse(path)
    assert len(graph) > 50


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.ttl")), ids=lambda p: p.name)
def test_fixture_parses(path: Path) -> None:
    assert len(Graph().parse(path)) > 0


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef("https://policy-kg.org/ns")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert _labels(ontology, header, URIRef("http://purl.org/dc/terms/title"), "zh")
    assert _labels(ontology, header, URIRef("http://purl.org/dc/terms/title"), "en")


# --- kg.ttl <-> kg.vocab.KG -----------------------------------------------------------------


def test_every_declared_term_is_in_vocab_and_back(ontology: Graph) -> None:
    declared = _kg_terms_declared(ontology)
    in_vocab = terms(KG)
    assert declared - in_vocab == set(), "declared in kg.ttl, missing from kg.vocab.KG"
    assert in_vocab - declared == set(), "in kg.vocab.KG, not declared in kg.ttl"


def test_vocab_namespace_is_closed() -> None:
    assert KG.Citation == URIRef("https://policy-kg.org/ns#Citation")
    with pytest.raises(AttributeError):
        _ = KG.yearcovered  # a typo must fail, not mint a new IRI


def test_every_term_has_one_declared_kind(ontology: Graph) -> None:
    for term in terms(KG):
        kinds = {t for t in ontology.objects(term, RDF.type) if t in CLASS_AND_PROPERTY_TYPES}
        assert len(kinds) == 1, (term, kinds)


def test_required_terms_exist() -> None:
    required = {
        "Region", "Report", "PolicyDocument", "Citation", "Institution", "Program", "Outcome",
        "Indicator", "partOf", "level", "adminCode", "region", "yearCovered", "cites", "citation",
        "citedDocument", "inReport", "action", "sentence", "docNumber", "docNumberIssuer",
        "docNumberYear", "docNumberSerial", "documentType", "jurisdiction", "implements",
        "transmits", "mentions", "indicator", "value", "unit", "approximate", "rawIndicator",
    }  # fmt: skip
    assert {KG[name] for name in required} <= terms(KG)


@pytest.mark.parametrize("term", sorted(terms(KG)), ids=lambda t: t.removeprefix(KG_NS))
def test_term_has_zh_and_en_label_and_comment(ontology: Graph, term: URIRef) -> None:
    assert len(_labels(ontology, term, RDFS.label, "zh")) == 1
    assert len(_labels(ontology, term, RDFS.label, "en")) == 1
    assert _labels(ontology, term, RDFS.comment, "en")


def test_reused_superclasses(ontology: Graph) -> None:
    org = "http://www.w3.org/ns/org#"
    assert (KG.Institution, RDFS.subClassOf, URIRef(org + "Organization")) in ontology
    assert (KG.Indicator, RDFS.subClassOf, SKOS.Concept) in ontology
    assert (KG.Program, RDFS.subClassOf, SKOS.Concept) in ontology
    qb_observation = URIRef("http://purl.org/linked-data/cube#Observation")
    assert (KG.Outcome, RDFS.subClassOf, qb_observation) in ontology
    prov = "http://www.w3.org/ns/prov#"
    assert (KG.inReport, RDFS.subPropertyOf, URIRef(prov + "wasQuotedFrom")) in ontology


def test_datatype_ranges(ontology: Graph) -> None:
    expected = {
        KG.yearCovered: XSD.integer,
        KG.docNumberYear: XSD.integer,
        KG.docNumberSerial: XSD.integer,
        KG.value: XSD.decimal,
        KG.approximate: XSD.boolean,
        KG.adminCode: XSD.string,
        KG.docNumber: XSD.string,
        KG.sentence: XSD.string,
        KG.unit: XSD.string,
        KG.rawIndicator: XSD.string,
    }
    for prop, datatype in expected.items():
        assert ontology.value(prop, RDFS.range) == datatype, prop


def test_python_literals_get_the_datatypes_the_shapes_require() -> None:
    """How a graph builder writes years, values and offsets (see kg.vocab's docstring)."""
    assert Literal(2022).datatype == XSD.integer
    assert Literal(Decimal("28.8")).datatype == XSD.decimal
    assert Literal(Decimal(79)).datatype == XSD.decimal
    assert Literal(28.8).datatype == XSD.double  # not what kg:value wants
    assert Literal(True).datatype == XSD.boolean
    assert Literal(5, datatype=XSD.nonNegativeInteger).toPython() == 5


@pytest.mark.parametrize("path", [SCHEMES_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_other_files_use_only_declared_kg_terms(path: Path) -> None:
    assert _kg_terms_used(Graph().parse(path)) - terms(KG) == set()


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.ttl")), ids=lambda p: p.name)
def test_fixtures_use_only_declared_terms(path: Path) -> None:
    graph = Graph().parse(path)
    assert _kg_terms_used(graph) - terms(KG) == set()
    nif = {n for t in graph for n in t if isinstance(n, URIRef) and n.startswith(str(NIF))}
    assert nif <= terms(NIF)


# --- concept schemes --------------------------------------------------------------------------


def test_schemes_file_declares_exactly_the_vocab_schemes(schemes: Graph) -> None:
    declared = set(schemes.subjects(RDF.type, SKOS.ConceptScheme))
    assert declared == terms(SCHEME) == set(SCHEMES)


@pytest.mark.parametrize("scheme", list(SCHEMES), ids=lambda s: s.rsplit("/", 1)[-1])
def test_scheme_has_labels_and_members(schemes: Graph, scheme: URIRef) -> None:
    assert len(_labels(schemes, scheme, SKOS.prefLabel, "zh")) == 1
    assert len(_labels(schemes, scheme, SKOS.prefLabel, "en")) == 1
    members = set(schemes.subjects(SKOS.inScheme, scheme))
    assert len(members) >= 3
    for concept in members:
        assert (concept, RDF.type, SKOS.Concept) in schemes, concept
        assert len(_labels(schemes, concept, SKOS.prefLabel, "zh")) == 1, concept
        assert len(_labels(schemes, concept, SKOS.prefLabel, "en")) == 1, concept
        assert _labels(schemes, concept, SKOS.definition, "en"), concept
        # The notation is the pipeline's code and the IRI's last segment.
        assert [str(n) for n in schemes.objects(concept, SKOS.notation)] == [
            concept.rsplit("/", 1)[-1]
        ]
        for alt in schemes.objects(concept, SKOS.altLabel):
            assert isinstance(alt, Literal) and alt.language == "zh", (concept, alt)


@pytest.mark.parametrize("scheme", list(SCHEMES), ids=lambda s: s.rsplit("/", 1)[-1])
def test_scheme_members_match_vocab_namespace(schemes: Graph, scheme: URIRef) -> None:
    assert set(schemes.subjects(SKOS.inScheme, scheme)) == terms(SCHEMES[scheme])


@pytest.mark.parametrize("scheme", list(SCHEMES), ids=lambda s: s.rsplit("/", 1)[-1])
def test_scheme_top_concepts_are_consistent(schemes: Graph, scheme: URIRef) -> None:
    tops = set(schemes.objects(scheme, SKOS.hasTopConcept))
    assert tops == set(schemes.subjects(SKOS.topConceptOf, scheme))
    members = set(schemes.subjects(SKOS.inScheme, scheme))
    for concept in members:
        broader = set(schemes.objects(concept, SKOS.broader))
        assert broader <= members, concept
        assert (concept in tops) != bool(broader), f"{concept}: top concept xor broader"


@pytest.mark.parametrize("scheme", list(SCHEMES), ids=lambda s: s.rsplit("/", 1)[-1])
def test_no_label_names_two_concepts_of_a_scheme(schemes: Graph, scheme: URIRef) -> None:
    """A phrase maps to one concept at most (labels compared after NFKC, as the scorer does)."""
    owner: dict[str, URIRef] = {}
    for concept in schemes.subjects(SKOS.inScheme, scheme):
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            for label in _labels(schemes, concept, predicate, "zh"):
                key = unicodedata.normalize("NFKC", label)
                assert owner.setdefault(key, concept) == concept, (label, owner[key], concept)


def test_indicators_are_typed_and_grouped(schemes: Graph) -> None:
    indicators = set(schemes.subjects(SKOS.inScheme, SCHEME.indicator))
    assert len(indicators) >= 30
    for concept in indicators:
        assert (concept, RDF.type, KG.Indicator) in schemes, concept
    grouped: list[URIRef] = []
    for collection in schemes.subjects(RDF.type, SKOS.Collection):
        members = [m for m in schemes.objects(collection, SKOS.member) if isinstance(m, URIRef)]
        assert _labels(schemes, collection, SKOS.prefLabel, "zh")
        assert _labels(schemes, collection, SKOS.prefLabel, "en")
        grouped += [m for m in members if m in indicators]
    assert sorted(grouped) == sorted(indicators), "each indicator in exactly one collection"


def test_starter_indicators_cover_the_common_outcomes(schemes: Graph) -> None:
    names = {
        label
        for concept in schemes.subjects(SKOS.inScheme, SCHEME.indicator)
        for label in _labels(schemes, concept, SKOS.prefLabel, "zh")
    }
    for expected in (
        "行政复议案件数",
        "行政复议纠错率",
        "行政诉讼案件数",
        "行政机关负责人出庭应诉率",
        "行政诉讼败诉率",
        "调解成功率",
        "矛盾纠纷化解数",
        "法律顾问数",
        "规范性文件审查数",
        "行政执法人员数",
        "普法活动数",
        "公共法律服务数",
    ):
        assert expected in names


def test_document_types_cover_the_issue_list(schemes: Graph) -> None:
    labels = {
        label
        for concept in schemes.subjects(SKOS.inScheme, SCHEME.doctype)
        for predicate in (SKOS.prefLabel, SKOS.altLabel)
        for label in _labels(schemes, concept, predicate, "zh")
    }
    expected = {
        "法律", "行政法规", "地方性法规", "规章", "规范性文件", "党内法规", "规划", "纲要", "方案",
        "意见", "通知", "办法", "制度", "机制", "清单", "目录", "条例", "规定", "决定", "细则",
        "报告",
    }  # fmt: skip
    assert expected <= labels
    assert DOCTYPE.other in set(schemes.subjects(SKOS.inScheme, SCHEME.doctype))


def test_pipeline_codes_are_concepts() -> None:
    """Report.level and the tagger's actions name concepts directly (LEVEL[level])."""
    for level in ("province", "city", "county", "district", "town"):
        assert LEVEL[level] in terms(LEVEL)
    for action in ("issued", "implemented", "mentioned"):
        assert ACTION[action] in terms(ACTION)
    with (ROOT / "kg" / "data" / "regions.csv").open(encoding="utf-8", newline="") as fh:
        levels = {row["level"] for row in csv.DictReader(fh)}
    assert {LEVEL[level] for level in levels} <= terms(LEVEL)


def test_reference_individuals(schemes: Graph) -> None:
    assert (CHINA, RDF.type, KG.Region) in schemes
    assert (CHINA, KG.level, LEVEL.national) in schemes
    qb = "http://purl.org/linked-data/cube#"
    assert (OUTCOMES_DATASET, URIRef(qb + "structure"), OUTCOMES_STRUCTURE) in schemes
    components = {
        o
        for c in schemes.objects(OUTCOMES_STRUCTURE, URIRef(qb + "component"))
        for p, o in schemes.predicate_objects(c)
        if p in (URIRef(qb + "dimension"), URIRef(qb + "measure"), URIRef(qb + "attribute"))
    }
    assert components == {
        KG.region, KG.yearCovered, KG.inReport, KG.rawIndicator, KG.value, KG.unit,
        KG.approximate, KG.indicator,
    }  # fmt: skip


# --- shapes (structure only; validation in test_ontology_shapes.py) ---------------------------


def test_shapes_cover_every_class(ontology: Graph, shapes: Graph) -> None:
    classes = {t for t in terms(KG) if (t, RDF.type, OWL.Class) in ontology}
    targeted = {
        c
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        for c in shapes.objects(s, SH.targetClass)
    }
    assert classes - targeted == set()
    for cls in classes:
        shape = URIRef(f"https://policy-kg.org/shapes#{cls.removeprefix(KG_NS)}Shape")
        assert (shape, SH.targetClass, cls) in shapes


def test_every_constraint_has_an_english_message(shapes: Graph) -> None:
    property_shapes = set(shapes.subjects(SH.path, None))
    sparql = set(shapes.objects(None, SH.sparql))
    class_shapes = {s for s in shapes.subjects(SH.targetClass, None)}
    assert property_shapes and sparql and class_shapes
    for shape in property_shapes - {s for s in property_shapes if (s, SH.sparql, None) in shapes}:
        assert _labels(shapes, shape, SH.message, "en"), shapes.value(shape, SH.path)
    for shape in sparql | class_shapes:
        assert _labels(shapes, shape, SH.message, "en"), shape


def test_sparql_rules_target_what_they_check(shapes: Graph) -> None:
    """Each rule's SPARQL target is its constraint (one query; see shapes.ttl)."""
    rules = [s for s in shapes.subjects(SH.target, None)]
    assert len(rules) >= 8
    for rule in rules:
        query = shapes.value(rule, SH.target)
        assert (query, RDF.type, SH.SPARQLTarget) in shapes
        assert (query, RDF.type, SH.SPARQLConstraint) in shapes
        assert (shapes.value(rule, SH.property), SH.sparql, query) in shapes
        assert "$this" in str(shapes.value(query, SH.select))


def _in_list(shapes: Graph, path: URIRef) -> set[URIRef]:
    found: set[URIRef] = set()
    for shape in shapes.subjects(SH.path, path):
        head = shapes.value(shape, SH["in"])
        if isinstance(head, BNode):
            found |= {n for n in Collection(shapes, head) if isinstance(n, URIRef)}
    return found


@pytest.mark.parametrize(
    ("path", "scheme"),
    [(KG.level, SCHEME.level), (KG.action, SCHEME.action), (KG.documentType, SCHEME.doctype)],
    ids=["level", "action", "documentType"],
)
def test_sh_in_lists_match_schemes(
    shapes: Graph, schemes: Graph, path: URIRef, scheme: URIRef
) -> None:
    assert _in_list(shapes, path) == set(schemes.subjects(SKOS.inScheme, scheme))


def test_prefixes() -> None:
    assert PREFIXES["kg"] == "https://policy-kg.org/ns#"
    assert PREFIXES["kgid"] == str(ID)
    assert all(ns.endswith(("/", "#")) for ns in PREFIXES.values())
    graph = bind_prefixes(Graph())
    assert graph.namespace_manager.normalizeUri(KG.Citation) == "kg:Citation"
    assert graph.namespace_manager.normalizeUri(ACTION.issued) == "action:issued"
