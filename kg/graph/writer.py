"""From one tagged report to RDF: the report's own triples and the entities it shares.

:func:`report_graph` turns :class:`~kg.nlp.model.Tags` into a :class:`ReportGraph` of two
parts:

- ``triples`` — what this report says, for its own named graph: the report node, one
  ``kg:Citation`` per cited title, one ``kg:Mention`` per institution or program named, one
  ``kg:Outcome`` per number, each with the sentence and offsets it was read from, and the
  spellings this report uses for shared entities (``skos:altLabel``);
- ``shared`` — entities several reports may name, for the shared graph: regions with their
  hierarchy, policy documents, institutions, programs. These triples depend only on the entity
  itself (its key), never on which report named it first, so adding or replacing a report never
  contradicts what another report contributed.

Every IRI is deterministic (:mod:`kg.graph.iris`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, QB, RDF, SKOS, XSD
from rdflib.term import Node

from kg.graph import iris
from kg.nlp.docnumbers import find_doc_numbers
from kg.nlp.model import DOCUMENT, INSTITUTION, NESTED_DOCUMENT, OUTCOME, PROGRAM, Mention, Tags
from kg.resolve.documents import NATIONAL, DocumentEntity, document_key, resolve_documents
from kg.resolve.institutions import InstitutionEntity, resolve_institutions
from kg.resolve.outcomes import OutcomeContext, link_indicator
from kg.resolve.programs import ProgramEntity, resolve_programs
from kg.resolve.regions import LinkedRegion, link_region
from kg.review.apply import review_triples
from kg.vocab import ACTION, CHINA, DOCTYPE, ID, INDICATOR, KG, LEVEL, NIF, OUTCOMES_DATASET

Triple = tuple[Node, Node, Node]

_YEAR_RANGE = re.compile(r"(?<=\d)-(?=\d)")
_PUBLISHER_SPLIT = re.compile(r"[、,，;；]|\s+")


@dataclass(frozen=True, slots=True)
class ReportGraph:
    """The RDF of one report: its own named graph's triples and the shared entity triples."""

    name: str  # the report's file name
    iri: URIRef  # the kg:Report node
    graph: URIRef  # its named graph
    triples: tuple[Triple, ...]
    shared: tuple[Triple, ...]


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def offset(n: int) -> Literal:
    return Literal(n, datatype=XSD.nonNegativeInteger)


def display_title(key: str) -> str:
    """A document's canonical title, from its key: ``纲要(2021-2025年)`` → ``纲要(2021—2025年)``."""
    return _YEAR_RANGE.sub("—", key)


def region_triples(region: LinkedRegion | None) -> list[Triple]:
    """The region and every region above it: name, level, code, direct parent."""
    triples: list[Triple] = []
    node = region
    while node is not None:
        iri = iris.region_iri(node)
        triples += [
            (iri, RDF.type, KG.Region),
            (iri, SKOS.prefLabel, zh(node.name)),
            (iri, KG.level, LEVEL[node.level]),
        ]
        if node.code:
            triples.append((iri, KG.adminCode, Literal(node.code)))
        if node.parent is not None:
            triples.append((iri, KG.partOf, iris.region_iri(node.parent)))
        node = node.parent
    return triples


def _jurisdiction(where: LinkedRegion | str | None) -> tuple[URIRef | None, list[Triple]]:
    if where == NATIONAL:
        return CHINA, []
    if isinstance(where, LinkedRegion):
        return iris.region_iri(where), region_triples(where)
    return None, []


def doc_number_triples(subject: URIRef, number: str | None) -> list[Triple]:
    """``kg:docNumber`` in canonical form (惠政文〔2023〕8号) with its parts, if it parses."""
    found = [n for n in find_doc_numbers(number or "") if not n.damaged]
    if not found:
        return []
    n = found[0]
    if n.year is None:
        return []  # a decree (国务院令第713号): the shapes know bracketed 文号 only
    return [
        (subject, KG.docNumber, Literal(f"{n.issuer}〔{n.year}〕{n.serial}号")),
        (subject, KG.docNumberIssuer, Literal(n.issuer)),
        (subject, KG.docNumberYear, Literal(n.year)),
        (subject, KG.docNumberSerial, Literal(n.serial)),
    ]


def document_triples(entity: DocumentEntity) -> list[Triple]:
    doc = iris.document_iri(entity.key)
    triples: list[Triple] = [
        (doc, RDF.type, KG.PolicyDocument),
        (doc, DCTERMS.title, zh(display_title(entity.key))),
    ]
    triples += authority_triples(doc, entity)
    triples += [(doc, KG.documentType, DOCTYPE[t]) for t in entity.doc_types]
    where, regions = _jurisdiction(entity.jurisdiction)
    if where is not None:
        triples.append((doc, KG.jurisdiction, where))
    triples += regions
    triples += doc_number_triples(doc, entity.doc_number)
    for prop, keys in ((KG.implements, entity.implements), (KG.transmits, entity.transmits)):
        triples += [(doc, prop, iris.document_iri(k)) for k in keys if k != entity.key]
    return triples


def authority_triples(doc: URIRef, entity: DocumentEntity) -> list[Triple]:
    """What the document authority checked: the date (dcterms:issued, when the source gives the
    day) and where it was checked (dcterms:source); or, for a document
    whose jurisdiction stays unknown, why (skos:editorialNote)."""
    entry = entity.authority
    if entry is None:
        return [(doc, SKOS.editorialNote, Literal(entity.note, lang="en"))] if entity.note else []
    triples: list[Triple] = [(doc, DCTERMS.source, URIRef(entry.source))]
    day = _date(entry.date)
    if day is not None:
        triples.append((doc, DCTERMS.issued, Literal(day)))
    return triples


def publisher_triples(entity: DocumentEntity) -> tuple[list[Triple], list[Triple]]:
    """The authority's issuers of ``entity``: the institutions (for the shared graph) and the
    dcterms:publisher links (for the citing report's graph, so that an issuer stays while a
    report that cites the document does)."""
    shared: list[Triple] = []
    own: list[Triple] = []
    doc = iris.document_iri(entity.key)
    for name in entity.authority.issuers if entity.authority else ():
        for inst in resolve_institutions([], None, publisher=name):
            shared += institution_triples(inst)
            own.append((doc, DCTERMS.publisher, iris.institution_iri(inst.key)))
    return shared, own


def link_triples(report: URIRef, graph_name: str, entity: DocumentEntity) -> list[Triple]:
    """Each link of ``entity`` with its evidence, as an rdf:Statement in the report's graph:
    rdf:subject/predicate/object the link, kg:sentence what states it, kg:inReport the report."""
    triples: list[Triple] = []
    for link in entity.evidence:
        if link.target == link.source:
            continue
        prop = KG.implements if link.relation == "implements" else KG.transmits
        node = ID[f"link/{iris.digest(graph_name, link.source, link.relation, link.target)}"]
        triples += [
            (node, RDF.type, RDF.Statement),
            (node, RDF.subject, iris.document_iri(link.source)),
            (node, RDF.predicate, prop),
            (node, RDF.object, iris.document_iri(link.target)),
            (node, KG.sentence, Literal(link.evidence)),
            (node, KG.inReport, report),
        ]
    return triples


def institution_triples(entity: InstitutionEntity) -> list[Triple]:
    inst = iris.institution_iri(entity.key)
    triples: list[Triple] = [
        (inst, RDF.type, KG.Institution),
        (inst, SKOS.prefLabel, zh(entity.name)),
    ]
    where, regions = _jurisdiction(entity.jurisdiction)
    if where is not None:
        triples.append((inst, KG.jurisdiction, where))
    return triples + regions


def program_triples(entity: ProgramEntity) -> list[Triple]:
    prog = iris.program_iri(entity.key)
    return [(prog, RDF.type, KG.Program), (prog, SKOS.prefLabel, zh(entity.name))]


def _alt_labels(subject: URIRef, canonical: str, forms: tuple[str, ...]) -> list[Triple]:
    return [(subject, SKOS.altLabel, zh(f)) for f in dict.fromkeys(forms) if f != canonical]


def _span(node: URIRef, report: URIRef, m: Mention) -> list[Triple]:
    return [
        (node, KG.inReport, report),
        (node, KG.sentence, Literal(m.sentence)),
        (node, NIF.beginIndex, offset(m.start)),
        (node, NIF.endIndex, offset(m.end)),
        (node, NIF.anchorOf, Literal(m.text)),
        *review_triples(node, m),  # PROV of a span a reviewer checked (kg review)
    ]


def decimal(value: object) -> Literal | None:
    """An xsd:decimal in canonical form (``79`` → ``"79.0"``), or None if not a number."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    text = format(number, "f")
    return Literal(text if "." in text else f"{text}.0", datatype=XSD.decimal)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


class _Writer:
    """Collects the triples of one report; one method per kind of fact."""

    def __init__(self, tags: Tags) -> None:
        self.tags = tags
        self.report = tags.report
        self.name = self.report.name
        self.node = iris.report_iri(self.name)
        self.own: list[Triple] = []
        self.shared: list[Triple] = []
        r = self.report
        self.region = link_region(r.region, chain=r.region_chain, text=r.text) if r.region else None

    def write(self) -> ReportGraph:
        self.report_node()
        self.citations()
        self.mentions()
        self.outcomes()
        return ReportGraph(
            name=self.name,
            iri=self.node,
            graph=iris.report_graph_iri(self.name),
            triples=tuple(dict.fromkeys(self.own)),
            shared=tuple(dict.fromkeys(self.shared)),
        )

    def report_node(self) -> None:
        r, meta, node = self.report, self.report.metadata, self.node
        self.own += [
            (node, RDF.type, KG.Report),
            (node, DCTERMS.title, zh(meta.title or self.name)),
            (node, DCTERMS.identifier, Literal(self.name)),
        ]
        if self.region is not None:
            self.own.append((node, KG.region, iris.region_iri(self.region)))
            self.shared += region_triples(self.region)
        if r.year_covered is not None:
            self.own.append((node, KG.yearCovered, Literal(r.year_covered)))
        issued = _date(meta.generated or meta.published)
        if issued is not None:
            self.own.append((node, DCTERMS.issued, Literal(issued)))
        self.own += doc_number_triples(node, meta.doc_number)

    def citations(self) -> None:
        mentions = self.tags.of(DOCUMENT) + self.tags.of(NESTED_DOCUMENT)
        entities = resolve_documents(
            self.tags.mentions,
            self.region,
            text=self.report.text,
            report_title=self.report.metadata.title,
        )
        keys = {}
        for entity in entities:
            self.shared += document_triples(entity)
            self.own += link_triples(self.node, self.name, entity)
            institutions, publishers = publisher_triples(entity)
            self.shared += institutions
            self.own += publishers
            keys.update(dict.fromkeys((entity.title, *entity.variants), entity.key))
            doc = iris.document_iri(entity.key)
            spellings = (entity.title, *entity.variants)
            self.own += _alt_labels(doc, display_title(entity.key), spellings)
        for m in sorted(mentions, key=lambda m: (m.start, m.end)):
            title = str(m.attributes.get("alias_of") or m.attributes.get("title") or m.text)
            key = keys.get(title) or document_key(title)
            doc = iris.document_iri(key)
            action = "mentioned"
            if m.label == DOCUMENT:
                action = str(m.attributes.get("action", "mentioned"))
            citation = iris.citation_iri(self.name, key, m.start, m.end)
            self.own += [
                (citation, RDF.type, KG.Citation),
                (citation, KG.citedDocument, doc),
                (citation, KG.action, ACTION[action]),
                (self.node, KG.citation, citation),
                (self.node, KG.cites, doc),
                *_span(citation, self.node, m),
            ]

    def mentions(self) -> None:
        r = self.report
        publishers = [p for p in _PUBLISHER_SPLIT.split(r.metadata.publisher or "") if p]
        institutions = resolve_institutions(self.tags.mentions, self.region)
        by_form: dict[str, URIRef] = {}
        for inst in institutions:
            self.shared += institution_triples(inst)
            iri = iris.institution_iri(inst.key)
            self.own += _alt_labels(iri, inst.name, inst.surface_forms)
            by_form.update(dict.fromkeys(inst.surface_forms, iri))
        for pub in publishers:
            for inst in resolve_institutions([], self.region, publisher=pub):
                self.shared += institution_triples(inst)
                self.own.append((self.node, DCTERMS.publisher, iris.institution_iri(inst.key)))
        programs = resolve_programs(self.tags.of(PROGRAM))
        for prog in programs:
            self.shared += program_triples(prog)
            iri = iris.program_iri(prog.key)
            self.own += _alt_labels(iri, prog.name, prog.surface_forms)
            by_form.update(dict.fromkeys(prog.surface_forms, iri))
            if prog.broader_key and prog.broader_name:  # “枫桥经验”保定模式 → “枫桥经验”
                broader = ProgramEntity(prog.broader_key, prog.broader_name, ())
                self.shared += program_triples(broader)
                self.own.append((iri, SKOS.broader, iris.program_iri(broader.key)))
        for m in self.tags.mentions:
            if m.label not in (INSTITUTION, PROGRAM) or m.text not in by_form:
                continue
            target = by_form[m.text]
            node = iris.mention_iri(self.name, m.label, m.start, m.end)
            self.own += [
                (node, RDF.type, KG.Mention),
                (node, KG.refersTo, target),
                (self.node, KG.mentions, target),
                *_span(node, self.node, m),
            ]

    def outcomes(self) -> None:
        # Per sentence: where the last span ended, and the outcomes linked so far (for
        # link_indicator's rules that read the sentence).
        cursor: dict[str, int] = {}
        linked: dict[str, list[tuple[int, str]]] = {}
        for m in self.tags.of(OUTCOME):
            at = m.sentence.find(m.text, cursor.get(m.sentence, 0))
            if at < 0:
                at = max(m.sentence.find(m.text), 0)
            cursor[m.sentence] = at + len(m.text)
            previous = linked.setdefault(m.sentence, [])
            phrase = str(m.attributes.get("indicator") or "")
            begin = at + max(m.text.find(phrase), 0) if phrase else at
            context = OutcomeContext(
                before=m.sentence[:begin],
                after=m.sentence[begin + len(phrase) :],
                previous=tuple(previous),
            )
            value = decimal(m.attributes.get("value"))
            if value is None:
                continue
            unit = m.attributes.get("unit")
            raw = str(m.attributes.get("indicator") or m.text)
            node = iris.outcome_iri(self.name, m.start, m.end, value)
            self.own += [
                (node, RDF.type, KG.Outcome),
                (node, QB.dataSet, OUTCOMES_DATASET),
                (node, KG.value, value),
                (node, KG.approximate, Literal(bool(m.attributes.get("approximate", False)))),
                (node, KG.rawIndicator, Literal(raw)),
                *_span(node, self.node, m),
            ]
            if unit:
                self.own.append((node, KG.unit, Literal(str(unit))))
            if self.region is not None:
                self.own.append((node, KG.region, iris.region_iri(self.region)))
            if self.report.year_covered is not None:
                self.own.append((node, KG.yearCovered, Literal(self.report.year_covered)))
            notation = link_indicator(raw, str(unit) if unit else None, context)
            if notation is not None:
                previous.append((at + len(m.text), notation))
                self.own.append((node, KG.indicator, INDICATOR[notation]))


def report_graph(tags: Tags) -> ReportGraph:
    """The RDF of one tagged report (see the module docstring for what goes where)."""
    return _Writer(tags).write()
