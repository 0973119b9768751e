"""Deterministic IRIs: the same report, entity or span always gets the same IRI.

Entities are named by a hash of their key (the normalised title or full name), spans by a hash
of the report's name and their offsets, regions by their GB/T 2260 code. Building the same
corpus twice therefore gives the same graph, and a rebuilt report replaces its own nodes
instead of adding new ones. See ``ontology/kg.ttl`` for the IRI pattern of each class.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from urllib.parse import quote

from rdflib import URIRef

from kg.vocab import CHINA, ID

if TYPE_CHECKING:  # only a type here: importing kg.resolve would load spaCy for kg query
    from kg.resolve.regions import LinkedRegion

#: Named graphs: one per report, one for the entities reports share, the ontology, bookkeeping.
ENTITIES_GRAPH = ID["graph/entities"]
ONTOLOGY_GRAPH = ID["graph/ontology"]
META_GRAPH = ID["graph/meta"]
_REPORT_GRAPH_PREFIX = f"{ID}graph/report/"


def digest(*parts: object) -> str:
    """16 hex digits of SHA-1 over ``parts`` joined by U+001F (not a cryptographic use)."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def _safe(name: str) -> str:
    return quote(name, safe="._-~")


def report_iri(name: str) -> URIRef:
    return ID[f"report/{_safe(name)}"]


def report_graph_iri(name: str) -> URIRef:
    return URIRef(_REPORT_GRAPH_PREFIX + _safe(name))


def is_report_graph(iri: str) -> bool:
    return iri.startswith(_REPORT_GRAPH_PREFIX)


def region_iri(region: LinkedRegion | None) -> URIRef:
    """By code; a town or village (no code) by its county's code and a hash of its path."""
    if region is None:
        return CHINA
    if region.code:
        return ID[f"region/{region.code}"]
    return ID[f"region/{region.county_code or 'x'}-{digest(*region.path)[:8]}"]


def document_iri(key: str) -> URIRef:
    return ID[f"document/{digest(key)}"]


def institution_iri(key: str) -> URIRef:
    return ID[f"institution/{digest(key)}"]


def program_iri(key: str) -> URIRef:
    return ID[f"program/{digest(key)}"]


def citation_iri(report: str, document_key: str, start: int, end: int) -> URIRef:
    return ID[f"citation/{digest(report, document_key, start, end)}"]


def mention_iri(report: str, label: str, start: int, end: int) -> URIRef:
    return ID[f"mention/{digest(report, label, start, end)}"]


def outcome_iri(report: str, start: int, end: int, value: object) -> URIRef:
    return ID[f"outcome/{digest(report, start, end, value)}"]
