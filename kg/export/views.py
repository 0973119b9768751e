"""Network views of the graph: networkx graphs read with SPARQL, ready for GraphML, GEXF …

:func:`build_view` turns the store into one of :data:`VIEWS`:

- ``citations`` (directed) — region → report (``reports``) and report → document (``cites``,
  weight = the report's citations of the document, ``action`` its most common action,
  ``actions`` every action of those citations (in :data:`ACTIONS` order, joined by
  :data:`ACTION_SEPARATOR`, e.g. ``implemented;mentioned``), ``year`` the report's year);
- ``co-citation`` (undirected) — document — document (``co-cited``) when one report cites
  both, weight = the number of such reports, ``reports`` their file names;
- ``implements`` (directed) — document → document it implements (``implements``) or forwards
  (``transmits``), for the documents that the kept reports cite, ``reports`` those reports;
- ``institutions`` / ``programs`` (directed) — region → institution / program its reports name
  (``mentions``), weight = the number of mentions, ``year`` the earliest report year;
- ``regions`` (directed) — child region → enclosing region (``partOf``), every region in the
  graph; a region filter keeps that region, the regions below it and those above it; the year
  filter does not apply.

Node IDs are IRIs. Every node has ``label`` (its Chinese name or title) and ``type`` (Region,
Report, PolicyDocument, Institution, Program) and:

- Region: ``level`` (notation of its kg:level), ``code`` (GB/T 2260, or "");
- Report: ``file``, ``year``, ``level`` and ``region`` (its region's level and name);
- PolicyDocument: ``doctype`` (notations, sorted, joined by ";"), ``jurisdiction`` (name),
  ``citations`` (citations by the kept reports), ``first_year`` (earliest year of one of them);
- Institution: ``jurisdiction`` (name), ``mentions`` (by the kept reports);
- Program: ``regions`` (regions whose kept reports name it), ``first_year``, ``mentions``.

Every edge has ``type`` and ``weight`` (a float). No attribute is ever None (GraphML and GEXF
writers reject it): a missing text is "", a missing number 0.

:class:`ViewFilter` selects the reports a view is built from — those of a region or any region
below it, those covering a year — and, with ``min_weight``, drops lighter edges and the nodes
that dropping leaves without an edge (in ``regions`` the nodes stay). Nodes and edges are
inserted in sorted order, so the same store always gives the same file.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.errors import KGError
from kg.store import KGStore
from kg.vocab import PREFIXES

VIEWS = ("citations", "co-citation", "implements", "institutions", "programs", "regions")
#: Ties between a report's actions on one document go to the first of these.
ACTIONS = ("issued", "transmitted", "implemented", "mentioned")
#: Joins a ``cites`` edge's ``actions``; Neo4j's importer splits ``string[]`` cells on it too.
ACTION_SEPARATOR = ";"

Attrs = dict[str, Any]


class ViewError(KGError):
    """An unknown view, or a region filter that names no region of the graph."""


@dataclass(frozen=True, slots=True)
class ViewFilter:
    """Which reports a view is built from, and which edges it keeps."""

    region: str | None = None  # a region's name (e.g. 保定市), code or IRI: it and below it
    year: int | None = None  # reports covering this year
    min_weight: float = 0  # drop edges lighter than this, then nodes left without edges


NO_FILTER = ViewFilter()

# --- SPARQL (over the union of all graphs; the union repeats triples, hence DISTINCT) --------

REGIONS_QUERY = """
SELECT ?region (MIN(?zhName) AS ?label) (MIN(?anyName) AS ?otherLabel)
       (MIN(?notation) AS ?level) (MIN(?adminCode) AS ?code) (MIN(STR(?up)) AS ?parent)
WHERE {
  ?region a kg:Region .
  OPTIONAL { ?region skos:prefLabel ?zh . FILTER(LANG(?zh) = "zh") BIND(STR(?zh) AS ?zhName) }
  OPTIONAL { ?region skos:prefLabel ?name . BIND(STR(?name) AS ?anyName) }
  OPTIONAL { ?region kg:level/skos:notation ?n . BIND(STR(?n) AS ?notation) }
  OPTIONAL { ?region kg:adminCode ?c . BIND(STR(?c) AS ?adminCode) }
  OPTIONAL { ?region kg:partOf ?up }
}
GROUP BY ?region
"""

REGION_NAMES_QUERY = """
SELECT DISTINCT ?region ?name ?preferred WHERE {
  ?region a kg:Region .
  { ?region skos:prefLabel ?label . BIND(true AS ?preferred) }
  UNION
  { ?region skos:altLabel ?label . BIND(false AS ?preferred) }
  BIND(STR(?label) AS ?name)
}
"""

REPORTS_QUERY = """
SELECT ?report (MIN(STR(?id)) AS ?file) (MIN(STR(?zhTitle)) AS ?title) (MIN(?y) AS ?year)
       (MIN(STR(?r)) AS ?region)
WHERE {
  ?report a kg:Report .
  OPTIONAL { ?report dcterms:identifier ?id }
  OPTIONAL { ?report dcterms:title ?zhTitle . FILTER(LANG(?zhTitle) = "zh") }
  OPTIONAL { ?report kg:yearCovered ?y }
  OPTIONAL { ?report kg:region ?r }
}
GROUP BY ?report
"""

DOCUMENTS_QUERY = """
SELECT ?doc (MIN(STR(?zhTitle)) AS ?title)
       (GROUP_CONCAT(DISTINCT STR(?type); separator=";") AS ?doctype)
       (MIN(STR(?where)) AS ?jurisdiction)
WHERE {
  ?doc a kg:PolicyDocument .
  OPTIONAL { ?doc dcterms:title ?zhTitle . FILTER(LANG(?zhTitle) = "zh") }
  OPTIONAL { ?doc kg:documentType/skos:notation ?type }
  OPTIONAL { ?doc kg:jurisdiction ?where }
}
GROUP BY ?doc
"""

CITATIONS_QUERY = """
SELECT ?report ?doc ?action (COUNT(DISTINCT ?citation) AS ?n) WHERE {
  ?citation a kg:Citation ; kg:inReport ?report ; kg:citedDocument ?doc .
  OPTIONAL { ?citation kg:action/skos:notation ?notation }
  BIND(COALESCE(STR(?notation), "mentioned") AS ?action)
}
GROUP BY ?report ?doc ?action
"""

# A link a report states about a document it does not cite (为贯彻《A》…现制定如下实施方案:
# the report's own document implements A): the report counts as the document's citing report.
STATED_QUERY = """
SELECT DISTINCT ?report ?doc WHERE { ?st rdf:subject ?doc ; kg:inReport ?report }
"""

LINKS_QUERY = """
SELECT DISTINCT ?from ?link ?to WHERE {
  ?from ?p ?to .
  VALUES ?p { kg:implements kg:transmits }
  BIND(STRAFTER(STR(?p), "#") AS ?link)
}
"""

_MENTIONS = """
SELECT ?report ?x (COUNT(DISTINCT ?mention) AS ?n) WHERE {
  ?mention a kg:Mention ; kg:inReport ?report ; kg:refersTo ?x .
  ?x a kg:%(cls)s .
}
GROUP BY ?report ?x
"""

_ENTITIES = """
SELECT ?x (MIN(STR(?zhName)) AS ?label) (MIN(STR(?where)) AS ?jurisdiction) WHERE {
  ?x a kg:%(cls)s .
  OPTIONAL { ?x skos:prefLabel ?zhName . FILTER(LANG(?zhName) = "zh") }
  OPTIONAL { ?x kg:jurisdiction ?where }
}
GROUP BY ?x
"""

INSTITUTION_MENTIONS_QUERY = _MENTIONS % {"cls": "Institution"}
PROGRAM_MENTIONS_QUERY = _MENTIONS % {"cls": "Program"}
INSTITUTIONS_QUERY = _ENTITIES % {"cls": "Institution"}
PROGRAMS_QUERY = _ENTITIES % {"cls": "Program"}


def _select(store: KGStore, query: str) -> list[ox.QuerySolution]:
    return store.select(query, union=True)


def _text(row: ox.QuerySolution, var: str) -> str:
    term = row[var]
    return str(term.value) if term is not None else ""


def _int(row: ox.QuerySolution, var: str) -> int:
    try:
        return int(_text(row, var))
    except ValueError:
        return 0


# --- what every view shares: regions, reports, the filter ------------------------------------


@dataclass(frozen=True, slots=True)
class _Region:
    label: str
    level: str
    code: str
    parent: str  # IRI, or ""


@dataclass(frozen=True, slots=True)
class _Report:
    file: str
    title: str
    year: int
    region: str  # IRI, or ""


class _Scope:
    """The graph's regions and reports, and the reports the filter keeps."""

    def __init__(self, store: KGStore, filters: ViewFilter) -> None:
        self.store = store
        self.regions = _regions(store)
        reports = _reports(store)
        self.focus = _resolve_region(store, self.regions, filters.region)
        below = _subtree(self.regions, self.focus) if self.focus is not None else None
        self.reports = {
            iri: r
            for iri, r in reports.items()
            if (below is None or r.region in below)
            and (filters.year is None or r.year == filters.year)
        }

    def region_attrs(self, iri: str) -> Attrs:
        r = self.regions.get(iri) or _Region(iri.rsplit("/", 1)[-1], "", "", "")
        return {"label": r.label, "type": "Region", "level": r.level, "code": r.code}

    def region_name(self, iri: str) -> str:
        return self.regions[iri].label if iri in self.regions else ""

    def report_attrs(self, iri: str) -> Attrs:
        r = self.reports[iri]
        region = self.regions.get(r.region)
        return {
            "label": r.title or r.file,
            "type": "Report",
            "file": r.file,
            "year": r.year,
            "level": region.level if region else "",
            "region": region.label if region else "",
        }


def _regions(store: KGStore) -> dict[str, _Region]:
    out = {}
    for row in _select(store, REGIONS_QUERY):
        iri = _text(row, "region")
        label = _text(row, "label") or _text(row, "otherLabel") or iri.rsplit("/", 1)[-1]
        out[iri] = _Region(label, _text(row, "level"), _text(row, "code"), _text(row, "parent"))
    return out


def _reports(store: KGStore) -> dict[str, _Report]:
    out = {}
    for row in _select(store, REPORTS_QUERY):
        iri = _text(row, "report")
        file = _text(row, "file") or iri.rsplit("/", 1)[-1]
        out[iri] = _Report(file, _text(row, "title"), _int(row, "year"), _text(row, "region"))
    return out


def _resolve_region(
    store: KGStore, regions: dict[str, _Region], wanted: str | None
) -> set[str] | None:
    """The regions a filter names: by IRI (``region:130600`` too), by GB/T code, else by name
    (skos:prefLabel, else skos:altLabel).
    A name several regions share (城关区) names them all."""
    if wanted is None:
        return None
    wanted = wanted.strip().strip("<>")
    if wanted.startswith("region:"):
        wanted = PREFIXES["region"] + wanted.removeprefix("region:")
    if wanted in regions:
        return {wanted}
    by_code = {iri for iri, r in regions.items() if r.code and r.code == wanted}
    if by_code:
        return by_code
    names = [row for row in _select(store, REGION_NAMES_QUERY) if _text(row, "name") == wanted]
    for preferred in ("true", "false"):
        found = {_text(row, "region") for row in names if _text(row, "preferred") == preferred}
        if found:
            return found
    raise ViewError(f"no region named {wanted!r} in the graph; give a region's name as in kg stats")


def _subtree(regions: dict[str, _Region], tops: set[str]) -> set[str]:
    """``tops`` and every region below them (kg:partOf*)."""
    children: dict[str, list[str]] = defaultdict(list)
    for iri, r in regions.items():
        if r.parent:
            children[r.parent].append(iri)
    found, todo = set(tops), list(tops)
    while todo:
        for child in children[todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _ancestors(regions: dict[str, _Region], starts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for start in starts:
        node = regions[start].parent if start in regions else ""
        while node and node not in found:
            found.add(node)
            node = regions[node].parent if node in regions else ""
    return found


# --- documents and their citations -----------------------------------------------------------


def _citations(scope: _Scope) -> dict[tuple[str, str], Counter[str]]:
    """(report, document) → citations by action, for the kept reports."""
    cited: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in _select(scope.store, CITATIONS_QUERY):
        report = _text(row, "report")
        if report in scope.reports:
            cited[report, _text(row, "doc")][_text(row, "action")] += _int(row, "n")
    return dict(cited)


def _all_actions(actions: Counter[str]) -> str:
    rank = {a: i for i, a in enumerate(ACTIONS)}
    ordered = sorted((a for a in actions if actions[a]), key=lambda a: (rank.get(a, len(rank)), a))
    return ACTION_SEPARATOR.join(ordered)


def _main_action(actions: Counter[str]) -> str:
    rank = {a: i for i, a in enumerate(ACTIONS)}
    return min(actions, key=lambda a: (-actions[a], rank.get(a, len(ACTIONS)), a))


def _document_nodes(
    scope: _Scope, docs: Iterable[str], cited: dict[tuple[str, str], Counter[str]]
) -> list[tuple[str, Attrs]]:
    info = {_text(row, "doc"): row for row in _select(scope.store, DOCUMENTS_QUERY)}
    counts: Counter[str] = Counter()
    years: dict[str, list[int]] = defaultdict(list)
    for (report, doc), actions in cited.items():
        counts[doc] += actions.total()
        if scope.reports[report].year:
            years[doc].append(scope.reports[report].year)
    nodes = []
    for doc in sorted(set(docs)):
        row = info.get(doc)
        label = _text(row, "title") if row is not None else ""
        types = _text(row, "doctype") if row is not None else ""
        where = _text(row, "jurisdiction") if row is not None else ""
        attrs = {
            "label": label or doc.rsplit("/", 1)[-1],
            "type": "PolicyDocument",
            "doctype": ";".join(sorted(t for t in types.split(";") if t)),
            "jurisdiction": scope.region_name(where),
            "citations": counts[doc],
            "first_year": min(years[doc], default=0),
        }
        nodes.append((doc, attrs))
    return nodes


# --- the views -------------------------------------------------------------------------------


def citations_view(scope: _Scope) -> nx.DiGraph:
    graph = nx.DiGraph()
    cited = _citations(scope)
    reports = sorted(scope.reports)
    regions = sorted({scope.reports[r].region for r in reports} - {""})
    graph.add_nodes_from((r, scope.region_attrs(r)) for r in regions)
    graph.add_nodes_from((r, scope.report_attrs(r)) for r in reports)
    graph.add_nodes_from(_document_nodes(scope, (d for _, d in cited), cited))
    edges = [(scope.reports[r].region, r, {"type": "reports", "weight": 1.0}) for r in reports]
    for (report, doc), actions in cited.items():
        attrs = {
            "type": "cites",
            "weight": float(actions.total()),
            "action": _main_action(actions),
            "actions": _all_actions(actions),
            "year": scope.reports[report].year,
        }
        edges.append((report, doc, attrs))
    graph.add_edges_from(sorted((e for e in edges if e[0]), key=lambda e: (e[0], e[1])))
    return graph


def cocitation_view(scope: _Scope) -> nx.Graph:
    graph = nx.Graph()
    cited = _citations(scope)
    by_report: dict[str, set[str]] = defaultdict(set)
    for report, doc in cited:
        by_report[report].add(doc)
    together: dict[tuple[str, str], list[str]] = defaultdict(list)
    for report, docs in by_report.items():
        ordered = sorted(docs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                together[a, b].append(scope.reports[report].file)
    graph.add_nodes_from(_document_nodes(scope, (d for _, d in cited), cited))
    for (a, b), files in sorted(together.items()):
        attrs = {
            "type": "co-cited",
            "weight": float(len(files)),
            "reports": "; ".join(sorted(files)),
        }
        graph.add_edge(a, b, **attrs)
    return graph


def implements_view(scope: _Scope) -> nx.DiGraph:
    graph = nx.DiGraph()
    cited = _citations(scope)
    citing: dict[str, set[str]] = defaultdict(set)
    for report, doc in cited:
        citing[doc].add(scope.reports[report].file)
    for row in _select(scope.store, STATED_QUERY):
        if (report := _text(row, "report")) in scope.reports:
            citing[_text(row, "doc")].add(scope.reports[report].file)
    links: dict[tuple[str, str], str] = {}
    for row in _select(scope.store, LINKS_QUERY):
        a, b, link = _text(row, "from"), _text(row, "to"), _text(row, "link")
        if a in citing and (links.get((a, b)) != "implements"):
            links[a, b] = link  # both links between one pair: the edge says implements
    graph.add_nodes_from(_document_nodes(scope, (d for pair in links for d in pair), cited))
    for (a, b), link in sorted(links.items()):
        graph.add_edge(a, b, type=link, weight=1.0, reports="; ".join(sorted(citing[a])))
    return graph


def _mentions_view(
    scope: _Scope, mentions_query: str, entities_query: str, kind: str
) -> nx.DiGraph:
    graph = nx.DiGraph()
    weights: Counter[tuple[str, str]] = Counter()  # (region, entity) → mentions
    years: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in _select(scope.store, mentions_query):
        report = scope.reports.get(_text(row, "report"))
        if report is None or not report.region:
            continue
        key = (report.region, _text(row, "x"))
        weights[key] += _int(row, "n")
        if report.year:
            years[key].append(report.year)
    by_entity: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in sorted(weights):
        by_entity[key[1]].append(key)
    info = {_text(row, "x"): row for row in _select(scope.store, entities_query)}
    graph.add_nodes_from((r, scope.region_attrs(r)) for r in sorted({r for r, _ in weights}))
    for x, keys in sorted(by_entity.items()):
        found = info.get(x)
        attrs: Attrs = {
            "label": (_text(found, "label") if found is not None else "") or x.rsplit("/", 1)[-1],
            "type": kind,
            "mentions": sum(weights[k] for k in keys),
        }
        if kind == "Institution":
            where = _text(found, "jurisdiction") if found is not None else ""
            attrs["jurisdiction"] = scope.region_name(where)
        else:
            attrs["regions"] = len(keys)
            attrs["first_year"] = min((y for k in keys for y in years[k]), default=0)
        graph.add_node(x, **attrs)
    for key in sorted(weights):
        year = min(years[key], default=0)
        graph.add_edge(*key, type="mentions", weight=float(weights[key]), year=year)
    return graph


def institutions_view(scope: _Scope) -> nx.DiGraph:
    return _mentions_view(scope, INSTITUTION_MENTIONS_QUERY, INSTITUTIONS_QUERY, "Institution")


def programs_view(scope: _Scope) -> nx.DiGraph:
    return _mentions_view(scope, PROGRAM_MENTIONS_QUERY, PROGRAMS_QUERY, "Program")


def regions_view(scope: _Scope) -> nx.DiGraph:
    graph = nx.DiGraph()
    keep = set(scope.regions)
    if scope.focus is not None:
        keep = _subtree(scope.regions, scope.focus) | _ancestors(scope.regions, scope.focus)
    graph.add_nodes_from((r, scope.region_attrs(r)) for r in sorted(keep))
    for child in sorted(keep):
        parent = scope.regions[child].parent
        if parent in keep:
            graph.add_edge(child, parent, type="partOf", weight=1.0)
    return graph


_BUILDERS: dict[str, Callable[[_Scope], Any]] = {
    "citations": citations_view,
    "co-citation": cocitation_view,
    "implements": implements_view,
    "institutions": institutions_view,
    "programs": programs_view,
    "regions": regions_view,
}


def _prune(graph: Any, min_weight: float, *, keep_nodes: bool) -> None:
    """Drop edges lighter than ``min_weight``, then the nodes that leaves without an edge."""
    linked = [n for n in graph if graph.degree(n) > 0]
    light = [(u, v) for u, v, w in graph.edges(data="weight") if w < min_weight]
    graph.remove_edges_from(light)
    if not keep_nodes:
        graph.remove_nodes_from([n for n in linked if graph.degree(n) == 0])


def build_view(
    store: KGStore, view: str, filters: ViewFilter = NO_FILTER
) -> nx.DiGraph | nx.Graph:
    """One of :data:`VIEWS` of the graph in ``store``, built from the reports ``filters``
    keeps (see the module docstring for the nodes, edges and attributes of each)."""
    builder = _BUILDERS.get(view)
    if builder is None:
        raise ViewError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    graph = builder(_Scope(store, filters))
    _prune(graph, filters.min_weight, keep_nodes=view == "regions")
    return graph
