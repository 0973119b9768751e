"""RDF out of the store: Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML.

One entry point, :func:`export_rdf`. What each format holds:

- ``nq`` and ``trig`` — the dataset: every named graph of the store (one per report, the shared
  entities, the ontology) with its own quads, in graph order (entities, ontology, then the
  reports by name; the store's default graph first if it has anything). The meta graph
  (``…/graph/meta``, the store's private bookkeeping) is never exported.
- ``ttl``, ``nt``, ``xml`` and ``jsonld`` — the union of those graphs as one graph. A triple
  stated in several graphs (a region's label in two reports) is written once.
- ``graph=…`` — just that named graph: its quads (``nq``, ``trig``, still named) or its triples
  (other formats). Give the graph's IRI, a report file name, ``entities`` or ``ontology``.

The statement count :func:`export_rdf` returns is what was written: quads for ``nq``/``trig``,
distinct triples for the others.

Turtle, TriG and RDF/XML use the project prefixes (:data:`EXPORT_PREFIXES`: ``kg:``,
``region:``, ``report:``, ``document:`` … plus one per ID namespace) so that the files read like
the ontology. Everything but JSON-LD is written by Oxigraph's own serialisers and streams:
quads straight from the indexes graph by graph (constant memory), the union from a SPARQL
``CONSTRUCT``, which drops repeated triples as it streams by remembering those it has written
(about 0.6 KiB per distinct triple). A subject stated in several graphs may therefore get more
than one Turtle block. Measured on a 500 k-quad store: 3 s (nq, trig) to 4.5 s (ttl, xml).

JSON-LD is compacted with the shipped context (:data:`CONTEXT_PATH`, ``context.jsonld``),
embedded in the document so that it reads without a network. The whole graph is built in
memory (an rdflib graph, then the JSON tree): about 2 KiB and 50 µs per triple (500 k triples:
1 GiB, 25 s); for a very large store prefer ``nq`` or ``ttl``. In the context:

- every ``kg:`` term has a short key (``partOf``, ``inReport``, ``yearCovered`` …), and so do
  the reused terms the graph uses (``title``, ``prefLabel``, ``altLabel``, ``identifier``,
  ``publisher``, ``issued``, ``beginIndex``, ``endIndex``, ``anchorOf``, ``dataSet``,
  ``notation``, ``inScheme`` …, and the schema terms of the ontology graph);
- object properties are ``"@type": "@id"``, so a link is a plain string;
- language-tagged names are ``"@container": "@language"``: ``"prefLabel": {"zh": "惠安县"}``
  (several in one language: a list);
- ``kg:value`` is coerced to ``xsd:decimal`` (``"value": "28.8"``) and ``dcterms:issued`` to
  ``xsd:date``; integers and booleans (``yearCovered``, offsets, ``approximate``) are JSON
  numbers and booleans, which JSON-LD reads back as ``xsd:integer`` / ``xsd:boolean``;
- data IRIs are relative to ``"@base": "https://policy-kg.org/id/"``: ``"@id":
  "region/350521"``, ``"level": "level/county"``, ``"inReport": "report/000_x.txt"``. (Prefixes
  such as ``region:`` are impossible here: ``region``, ``level``, ``action``, ``indicator`` and
  ``citation`` are already the keys of ``kg:`` properties, and a JSON-LD term cannot be both.)
  JSON-LD honours ``@base`` only in an embedded context, which is why the context is embedded.

Every file export goes through :func:`kg.export.atomic.atomic_path`: a failed export leaves no
file behind and an earlier export intact; a link, FIFO or device is written through, never
replaced. ``target=None`` writes to standard output. RDF/XML literals have the characters XML
1.0 cannot carry (C0 controls but tab and line breaks) replaced (:func:`kg.output.xml_text`);
the other formats keep every character (they escape them).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Final, Generic, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import IdentifiedNode, Identifier

from kg.errors import KGError
from kg.export.atomic import atomic_path
from kg.graph import iris
from kg.output import xml_text
from kg.store import GraphStore, KGStore, rdflib_term
from kg.vocab import ID, PREFIXES

__all__ = [
    "CONTEXT_PATH",
    "EXPORT_PREFIXES",
    "QUAD_FORMATS",
    "RDF_FORMATS",
    "export_rdf",
    "jsonld_document",
    "load_context",
]

RDF_FORMATS: Final = ("ttl", "nt", "nq", "trig", "jsonld", "xml")
#: Formats that keep the named graphs; the others write the union as one graph.
QUAD_FORMATS: Final = frozenset({"nq", "trig"})
#: The JSON-LD context every JSON-LD export embeds.
CONTEXT_PATH: Final = Path(__file__).resolve().with_name("context.jsonld")

_OX_FORMATS: Final = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}
_WITH_PREFIXES: Final = frozenset({"ttl", "trig", "xml"})

#: Prefixes of Turtle, TriG and RDF/XML exports: :data:`kg.vocab.PREFIXES` and one for each
#: namespace of data IRIs that it lacks (Oxigraph picks the longest that fits).
EXPORT_PREFIXES: Final[dict[str, str]] = {
    **PREFIXES,
    "institution": f"{ID}institution/",
    "program": f"{ID}program/",
    "citation": f"{ID}citation/",
    "mention": f"{ID}mention/",
    "outcome": f"{ID}outcome/",
    "dataset": f"{ID}dataset/",
    "structure": f"{ID}structure/",
    "collection": f"{ID}collection/",
    "kggraph": f"{ID}graph/",  # not "graph": GRAPH is a TriG keyword
    "reportgraph": str(iris.report_graph_iri("")),
    "vann": "http://purl.org/vocab/vann/",
}

_T = TypeVar("_T")


class _Counted(Generic[_T]):
    """An iterable that counts what the serialiser took from it."""

    def __init__(self, items: Iterable[_T]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[_T]:
        for item in self._items:
            self.count += 1
            yield item


# --- what to export ----------------------------------------------------------------------------


def _named_graphs(store: KGStore) -> list[Any]:
    """The store's named graphs but the meta graph, by IRI (entities, ontology, reports)."""
    meta = str(iris.META_GRAPH)
    return [ox.NamedNode(g) for g in store.graph_iris() if g != meta]


def _describe_graphs(store: KGStore) -> str:
    graphs = [str(g.value) for g in _named_graphs(store)]
    reports = [g for g in graphs if iris.is_report_graph(g)]
    others = [f"<{g}>" for g in graphs if not iris.is_report_graph(g)]
    parts = list(others)
    if reports:
        shown = ", ".join(f"<{g}>" for g in reports[:3])
        more = f" and {len(reports) - 3} more" if len(reports) > 3 else ""
        parts.append(
            f"{len(reports)} report graph(s) <{iris.report_graph_iri('')}<file>> ({shown}{more})"
        )
    if not parts:
        return "the store has no graphs to export; run 'kg build' first"
    return "available: " + "; ".join(parts)


def _resolve_graph(store: KGStore, graph: str) -> Any:
    """The named graph ``graph`` names: an IRI (``<…>`` or bare), a report file name,
    ``entities`` or ``ontology``. :class:`KGError` for the meta graph or an unknown one."""
    text = graph.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    candidates = [text]
    if text and "://" not in text:
        candidates += [str(iris.report_graph_iri(text)), str(ID[f"graph/{text}"])]
    for iri in candidates:
        if iri == str(iris.META_GRAPH):
            raise KGError(
                f"<{iris.META_GRAPH}> is the store's private bookkeeping and is never exported; "
                "pick another graph, or export the whole store without --graph"
            )
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            continue
        if store.has_graph(iri):
            return node
    raise KGError(f"no graph {graph!r} in the store; {_describe_graphs(store)}")


def _dataset_quads(store: KGStore, only: Any | None) -> Iterator[Any]:
    """Quads of every exported graph, graph by graph (or of ``only``)."""
    if only is not None:
        yield from store.quads(only.value)
        return
    if isinstance(store, GraphStore):  # an embedded store's own default graph, if it has any
        yield from store.inner.quads_for_pattern(None, None, None, ox.DefaultGraph())
    for g in _named_graphs(store):
        yield from store.quads(g.value)


def _union_triples(store: KGStore, only: Any | None) -> Iterator[Any]:
    """Distinct triples of every exported graph (or the triples of ``only``)."""
    if only is not None:
        for quad in store.quads(only.value):
            yield quad.triple
        return
    yield from store.union_triples()


# --- JSON-LD -----------------------------------------------------------------------------------


def load_context() -> dict[str, Any]:
    """The JSON-LD context (the value of ``@context`` in ``context.jsonld``)."""
    with CONTEXT_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)["@context"]
    return data


class _BaseRelativeContext(Context):
    """rdflib's context, writing data IRIs relative to ``@base`` (``region/350521``).

    rdflib itself shortens only by prefix (or against the base's host, giving ``/id/…``); an
    IRI outside the base, or whose remainder could be misread (a colon before the first
    slash, dot segments), is left to rdflib: a CURIE where a prefix fits, else in full.
    """

    def __init__(self, source: dict[str, Any], base: str) -> None:
        super().__init__(source)
        self._relative_to = base

    def shrink_iri(self, iri: str) -> str:
        text = str(iri)
        if text.startswith(self._relative_to):
            rest = text[len(self._relative_to) :]
            if _plain_relative(rest):
                return rest
        short = str(super().shrink_iri(text))
        return text if short.startswith("/") or not short else short


def _plain_relative(rest: str) -> bool:
    if not rest or rest[0] in "/?#@_" or ":" in rest.split("/", 1)[0]:
        return False
    return not any(seg in (".", "..") for seg in rest.split("/"))


def _rdflib_graph(triples: Iterable[Any]) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


class _Converter(Converter):
    """rdflib's RDF → JSON-LD converter, keeping blank nodes reached through ``@id`` terms.

    rdflib writes such an object as ``"_:b0"`` but never writes the node itself (the
    ontology's ``rdfs:domain [ owl:unionOf (…) ]`` would vanish); here it is written too.
    """

    def add_to_node(
        self,
        graph: Graph,
        s: IdentifiedNode,
        p: IdentifiedNode,
        o: Identifier,
        s_node: dict[str, Any],
        nodemap: dict[str, Any],
    ) -> None:
        super().add_to_node(graph, s, p, o, s_node, nodemap)
        if isinstance(o, BNode):
            ref = o.n3()
            if ref not in nodemap and _refers(s_node, ref):
                self.process_subject(graph, o, nodemap)


def _refers(node: dict[str, Any], ref: str) -> bool:
    """Whether ``ref`` is a bare value of one of ``node``'s keys (an ``@id``-coerced link)."""
    for key, value in node.items():
        if key.startswith("@"):
            continue
        values = value if isinstance(value, list) else [value]
        if ref in (v for v in values if isinstance(v, str)):
            return True
    return False


def jsonld_document(graph: Graph, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """``graph`` as a compacted JSON-LD document: ``{"@context": …, "@graph": [nodes]}``,
    nodes sorted by ``@id`` and their keys by name (``@id``, ``@type`` first)."""
    ctx = load_context() if context is None else context
    base = str(ctx.get("@base") or ID)
    converter = _Converter(_BaseRelativeContext(ctx, base), True, False)
    nodes = [_sort_keys(n) for n in converter.from_graph(graph)]
    nodes.sort(key=lambda n: str(n.get("@id", "")))
    return {"@context": ctx, "@graph": nodes}


def _sort_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _sort_keys(node[k]) for k in sorted(node)}
    if isinstance(node, list):
        return [_sort_keys(v) for v in node]
    return node


def _write_jsonld(triples: Iterable[Any], output: str | IO[bytes]) -> int:
    graph = _rdflib_graph(triples)
    doc = jsonld_document(graph)
    data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if isinstance(output, str):
        Path(output).write_bytes(data)
    else:
        output.write(data)
    return len(graph)


# --- export ------------------------------------------------------------------------------------


def _xml_safe(triples: Iterable[Any]) -> Iterator[Any]:
    """``triples`` with literals RDF/XML can carry: characters XML 1.0 cannot hold at all (a
    form feed in an old store's report text) replaced by :func:`kg.output.xml_text`."""
    for triple in triples:
        obj = triple.object
        if isinstance(obj, ox.Literal):
            value = xml_text(obj.value)
            if value != obj.value:
                obj = (
                    ox.Literal(value, language=obj.language)
                    if obj.language
                    else ox.Literal(value, datatype=obj.datatype)
                )
                triple = ox.Triple(triple.subject, triple.predicate, obj)
        yield triple


def _write(store: KGStore, fmt: str, only: Any | None, output: str | IO[bytes]) -> int:
    if fmt == "jsonld":
        return _write_jsonld(_union_triples(store, only), output)
    if fmt == "xml":
        items: _Counted[Any] = _Counted(_xml_safe(_union_triples(store, only)))
    else:
        items = _Counted(
            _dataset_quads(store, only) if fmt in QUAD_FORMATS else _union_triples(store, only)
        )
    prefixes = EXPORT_PREFIXES if fmt in _WITH_PREFIXES else None
    try:
        ox.serialize(items, output, _OX_FORMATS[fmt], prefixes=prefixes)
    except ValueError as err:  # e.g. a predicate RDF/XML cannot name
        raise KGError(f"cannot write the graph as {fmt}: {err}") from None
    return items.count


def export_rdf(store: KGStore, fmt: str, target: Path | None, graph: str | None = None) -> int:
    """Write the store (or one named ``graph``) to ``target`` as ``fmt``, one of
    :data:`RDF_FORMATS`; ``target`` None writes to standard output (binary).

    Returns the number of statements written (quads for ``nq``/``trig``, distinct triples
    otherwise). Raises :class:`KGError` for an unknown format, an unknown graph or the meta
    graph. The file appears whole or not at all; an existing one is replaced only on success.
    """
    if fmt not in RDF_FORMATS:
        raise KGError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    only = _resolve_graph(store, graph) if graph is not None else None
    if target is None:
        out = sys.stdout.buffer
        count = _write(store, fmt, only, out)
        out.flush()
        return count
    # Opened here, not by Oxigraph: its own file writer fails (EINVAL) on /dev/null or a FIFO.
    with atomic_path(Path(target)) as tmp, tmp.open("wb") as fh:
        return _write(store, fmt, only, fh)
