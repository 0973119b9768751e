"""N-Quads text for the store's transactional loads, written without rdflib's serializers.

rdflib's ``Node.n3()`` abbreviates numbers and booleans Turtle-style (``2022``, ``true``),
which N-Quads and SPARQL ``INSERT DATA`` blocks inside ``GRAPH`` do not all accept; every
literal here is written in full: ``"2022"^^<…#integer>``.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def term(node: Node) -> str:
    """One term in N-Triples syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        text = f'"{str(node).translate(_ESCAPES)}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype and node.datatype != XSD.string:
            return f"{text}^^<{node.datatype}>"
        return text
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")


def triple_lines(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """``s p o .`` lines (N-Triples; also valid inside a SPARQL ``GRAPH <g> { … }`` block)."""
    return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples)


def quad_lines(triples: Iterable[tuple[Node, Node, Node]], graph: URIRef) -> str:
    """``s p o g .`` lines: N-Quads with every triple in ``graph``."""
    g = term(graph)
    return "".join(f"{term(s)} {term(p)} {term(o)} {g} .\n" for s, p, o in triples)
