"""``kg validate``: check a graph against ``ontology/shapes.ttl`` with pySHACL.

The data graph is the union of the store's report, entity and ontology graphs (the ontology
graph brings the concept schemes the data points to). pySHACL runs with ``inference="none"``
(RDFS inference would hide the ``sh:class`` violations it infers away) and ``advanced=True``
(the consistency rules of shapes.ttl are SHACL-AF SPARQL targets, skipped silently without it).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.graph import iris
from kg.store import GraphStore
from kg.vocab import SHAPES_TTL, bind_prefixes


@dataclass(frozen=True, slots=True)
class Violation:
    focus: str  # the node that breaks a shape, shortened with the graph's prefixes
    path: str  # the property path checked ("" for a node-level check)
    message: str
    severity: str  # Violation | Warning | Info
    value: str = ""


@dataclass(frozen=True, slots=True)
class ValidationReport:
    conforms: bool
    triples: int  # size of the data graph checked
    violations: tuple[Violation, ...]


def data_graph(store: GraphStore) -> Graph:
    """The store's report, entity and ontology graphs as one in-memory rdflib graph."""
    graph = bind_prefixes(Graph())
    for name in store.inner.named_graphs():
        if isinstance(name, ox.NamedNode) and name.value != str(iris.META_GRAPH):
            data = store.inner.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
            graph.parse(data=data or b"", format="nt")
    return graph


def _short(graph: Graph, node: object) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # rdflib cannot shorten every IRI
            return f"<{node}>"
    if isinstance(node, Literal):
        return str(node)
    return "" if node is None else str(node)


def _path(graph: Graph, results: Graph, node: Node) -> str:
    path = results.value(node, SH.resultPath)
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return _short(graph, path)
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_short(graph, inverse)}"
    return "(complex path)"


def validate_graph(graph: Graph) -> ValidationReport:
    shapes = Graph().parse(SHAPES_TTL, format="turtle")
    conforms, results, _text = shacl_validate(
        graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(results, Graph)
    violations = []
    for result in results.subjects(SH.resultSeverity, None):
        severity = results.value(result, SH.resultSeverity)
        violations.append(
            Violation(
                focus=_short(graph, results.value(result, SH.focusNode)),
                path=_path(graph, results, result),
                message=str(results.value(result, SH.resultMessage) or ""),
                severity=str(severity).rsplit("#", 1)[-1],
                value=_short(graph, results.value(result, SH.value)),
            )
        )
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(bool(conforms), len(graph), tuple(violations))


def validate_store(store: GraphStore) -> ValidationReport:
    return validate_graph(data_graph(store))
