"""Corrections applied to a tagged report, and their provenance in the graph.

``kg build`` calls :func:`apply_corrections` after tagging and before resolution, so that
resolution (documents, institutions, programs) and the graph see the reviewed spans only; the
writer adds :func:`review_triples` to every citation, mention and outcome node whose span was
reviewed, and :meth:`Applied.annotate` adds what the writer cannot see: a record of each
rejected span and who reviewed the report's metadata.

In the graph (PROV-O), a reviewed fact node carries

- ``prov:wasAttributedTo`` the reviewer (a ``prov:Agent`` with an ``rdfs:label``),
- ``prov:generatedAtTime`` the time of the review (``xsd:dateTime``),
- ``kg:reviewStatus`` ``"accepted"``, ``"added"``, ``"relabelled"`` or ``"edited"``;

a rejected span is a ``prov:Entity`` (never a ``kg:Citation``, ``kg:Mention`` or
``kg:Outcome``, so it counts nowhere) with ``kg:reviewStatus "rejected"``,
``prov:invalidatedAtTime``, the tagger's label as ``dcterms:type``, its span and sentence,
and ``prov:wasQuotedFrom`` the report. A report whose metadata a reviewer corrected carries
``prov:wasAttributedTo`` that reviewer and ``kg:reviewStatus "edited"``.

A span correction applies only where the report's text at its offsets is still the text the
reviewer saw; one that no longer fits is set aside (:attr:`Applied.set_aside`), and the build
says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from kg.corpus.metadata import ReportFacts
from kg.corpus.model import Report
from kg.graph.iris import digest
from kg.nlp.model import DOCUMENT, OUTCOME, Mention, Tags
from kg.review.corrections import Correction
from kg.vocab import ID, KG, NIF

Triple = tuple[Node, Node, Node]

#: The ``kg:reviewStatus`` of each kind of correction.
STATUS = {
    "accept": "accepted",
    "add": "added",
    "relabel": "relabelled",
    "edit": "edited",
    "reject": "rejected",
    "metadata": "edited",
}
#: The mention attribute that carries a span's review to the writer.
REVIEW = "review"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def agent_iri(name: str) -> URIRef:
    return ID[f"agent/{digest(name)}"]


def _agent(name: str) -> list[Triple]:
    agent = agent_iri(name)
    return [(agent, RDF.type, PROV.Agent), (agent, RDFS.label, Literal(name))]


def _time(at: str) -> Literal:
    return Literal(at, datatype=XSD.dateTime)


def review_triples(node: URIRef, m: Mention) -> list[Triple]:
    """PROV of a reviewed span's node (none for a span no reviewer looked at)."""
    review = m.attributes.get(REVIEW)
    if not isinstance(review, Mapping):
        return []
    by, at = str(review["by"]), str(review["at"])
    return [
        (node, PROV.wasAttributedTo, agent_iri(by)),
        (node, PROV.generatedAtTime, _time(at)),
        (node, KG.reviewStatus, Literal(str(review["status"]))),
        *_agent(by),
    ]


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _attributes(c: Correction, base: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with the reviewed attributes and the review itself."""
    out = dict(base)
    for name, value in c.attributes:
        out[name] = _number(value) if name == "value" else value
    if c.label == DOCUMENT:
        out.setdefault("title", c.text.strip("《》"))
        out.setdefault("action", "mentioned")
    if c.label == OUTCOME and "value" not in out:
        number = _NUMBER.search(c.text)  # an added outcome without a value: its first number
        if number:
            out["value"] = _number(number.group())
        out.setdefault("indicator", c.text)
    out[REVIEW] = {"status": STATUS[c.op], "by": c.by, "at": c.at}
    return out


def sentence_at(report: Report, start: int, end: int) -> str:
    """The sentence that holds ``start``, stretched to ``end`` if the span runs past it."""
    for s in report.sentences:
        if s.start <= start < s.end:
            return report.text[s.start : max(s.end, end)]
    return report.text[start:end]


def _facts(metadata: Iterable[Correction]) -> ReportFacts:
    values = {c.field: c.value for c in metadata}
    region = values.get("region")
    chain = tuple(p.strip() for p in region.split("/") if p.strip()) if region else ()
    year = values.get("year")
    return ReportFacts(
        region=chain[-1] if chain else None,
        region_chain=chain if len(chain) > 1 else (),
        level=values.get("level"),
        year_covered=int(year) if year else None,
        title=values.get("title"),
        publisher=values.get("publisher"),
        published=values.get("published"),
        doc_number=values.get("doc_number"),
    )


@dataclass(slots=True)
class Applied:
    """What applying a report's corrections did."""

    tags: Tags
    applied: list[Correction] = field(default_factory=list)
    set_aside: list[Correction] = field(default_factory=list)
    rejected: list[tuple[Correction, str]] = field(default_factory=list)  # (c, sentence)
    metadata: list[Correction] = field(default_factory=list)

    def annotate(self, triples: tuple[Triple, ...], report: URIRef) -> tuple[Triple, ...]:
        """``triples`` (a report graph's own) with the records of rejected spans and of the
        reviewed metadata."""
        extra: list[Triple] = []
        for c, sentence in self.rejected:
            node = ID[f"rejection/{digest(c.file, c.label, c.start, c.end)}"]
            extra += [
                (node, RDF.type, PROV.Entity),
                (node, PROV.wasQuotedFrom, report),
                (node, DCTERMS.type, Literal(c.label)),
                (node, KG.sentence, Literal(sentence)),
                (node, NIF.beginIndex, Literal(c.start, datatype=XSD.nonNegativeInteger)),
                (node, NIF.endIndex, Literal(c.end, datatype=XSD.nonNegativeInteger)),
                (node, NIF.anchorOf, Literal(c.text)),
                (node, KG.reviewStatus, Literal("rejected")),
                (node, PROV.wasAttributedTo, agent_iri(c.by)),
                (node, PROV.invalidatedAtTime, _time(c.at)),
                *_agent(c.by),
            ]
        if self.metadata:
            extra.append((report, KG.reviewStatus, Literal("edited")))
            extra.append((report, PROV.generatedAtTime, _time(max(c.at for c in self.metadata))))
            for c in self.metadata:
                extra += [(report, PROV.wasAttributedTo, agent_iri(c.by)), *_agent(c.by)]
        return tuple(dict.fromkeys((*triples, *extra)))


def apply_corrections(tags: Tags, corrections: Iterable[Correction]) -> Applied:
    """``tags`` with ``corrections`` applied: metadata replaced, rejected spans removed,
    added and relabelled spans put in, reviewed attributes set, every reviewed span marked
    with its review (:data:`REVIEW`)."""
    report = tags.report
    text = report.text
    corrections = list(corrections)
    metadata = [c for c in corrections if not c.is_span]
    if metadata:
        report = _facts(metadata).apply(report)
    result = Applied(tags, metadata=metadata, applied=list(metadata))
    mentions: dict[tuple[int, int, str], Mention] = {}
    for m in tags.mentions:
        mentions.setdefault((m.start, m.end, m.label), m)
    tagged = list(mentions)
    for c in corrections:
        if not c.is_span:
            continue
        if text[c.start : c.end] != c.text:
            result.set_aside.append(c)
            continue
        result.applied.append(c)
        key = (c.start, c.end, c.label)
        if c.op == "reject":
            removed = mentions.pop(key, None)
            sentence = removed.sentence if removed else sentence_at(report, c.start, c.end)
            result.rejected.append((c, sentence))
            continue
        if c.op == "relabel":
            mentions.pop((c.start, c.end, c.was), None)
        prior = mentions.get(key)
        base = prior.attributes if prior is not None else {}
        sentence = prior.sentence if prior is not None else sentence_at(report, c.start, c.end)
        mentions[key] = Mention(c.label, c.text, c.start, c.end, sentence, _attributes(c, base))
    # The tagger's spans keep their order; a new one goes before the first that starts later.
    kept = [mentions[k] for k in tagged if k in mentions]
    for key in sorted(mentions.keys() - set(tagged)):
        at = next((i for i, m in enumerate(kept) if m.start > key[0]), len(kept))
        kept.insert(at, mentions[key])
    result.tags = replace(tags, report=report, mentions=tuple(kept))
    return result
