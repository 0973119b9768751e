"""``kg stats``: what the graph holds, by class and by region.

Counts are distinct nodes, read with SPARQL over the union of the report and entity graphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.graph import iris
from kg.store import KGStore
from kg.vocab import KG

#: The classes counted, with their display names.
COUNTED_CLASSES = (
    ("reports", KG.Report),
    ("documents", KG.PolicyDocument),
    ("citations", KG.Citation),
    ("institutions", KG.Institution),
    ("programs", KG.Program),
    ("mentions", KG.Mention),
    ("outcomes", KG.Outcome),
    ("regions", KG.Region),
)

#: Per region: what each column counts, as a SPARQL pattern binding ?report and ?x.
_REGION_MEASURES = {
    "reports": "BIND(?report AS ?x)",
    "citations": "?x kg:inReport ?report ; a kg:Citation .",
    "documents": "?report kg:cites ?x .",
    "institutions": "?report kg:mentions ?x . ?x a kg:Institution .",
    "programs": "?report kg:mentions ?x . ?x a kg:Program .",
    "outcomes": "?x kg:inReport ?report ; a kg:Outcome .",
}


@dataclass(frozen=True, slots=True)
class RegionStats:
    region: str  # the region's name
    path: str  # province / city / … / region
    level: str
    code: str | None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stats:
    triples: int
    reports: int
    classes: dict[str, int]
    regions: tuple[RegionStats, ...]


def _rows(store: KGStore, query: str) -> list[ox.QuerySolution]:
    return store.select(query, union=True)


def class_counts(store: KGStore) -> dict[str, int]:
    """Distinct nodes of each counted class in the report and entity graphs."""
    values = " ".join(f"<{cls}>" for _, cls in COUNTED_CLASSES)
    query = f"""
        SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
            VALUES ?c {{ {values} }}
            GRAPH ?g {{ ?s a ?c }} FILTER(?g != <{iris.ONTOLOGY_GRAPH}>)
        }} GROUP BY ?c"""
    found = {row[0].value: int(row[1].value) for row in store.select(query)}
    return {name: found.get(str(cls), 0) for name, cls in COUNTED_CLASSES}


def _region_path(store: KGStore, region: str) -> tuple[str, str, str | None]:
    rows = _rows(
        store,
        f"""SELECT ?name ?level ?code (COUNT(?mid) AS ?depth) WHERE {{
            <{region}> kg:partOf* ?up . ?up skos:prefLabel ?name ; kg:level ?level .
            OPTIONAL {{ <{region}> kg:adminCode ?code }}
            ?up kg:partOf* ?mid .
        }} GROUP BY ?name ?level ?code ORDER BY ?depth""",
    )
    names = [row["name"].value for row in rows]
    level = rows[-1]["level"].value.rsplit("/", 1)[-1] if rows else ""
    code = rows[-1]["code"] if rows else None
    return " / ".join(names), level, code.value if code is not None else None


def region_stats(store: KGStore) -> tuple[RegionStats, ...]:
    counts: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for measure, pattern in _REGION_MEASURES.items():
        query = f"""SELECT ?region ?name (COUNT(DISTINCT ?x) AS ?n) WHERE {{
                ?report a kg:Report ; kg:region ?region . ?region skos:prefLabel ?name .
                {pattern}
            }} GROUP BY ?region ?name"""
        for row in _rows(store, query):
            region = row["region"].value
            names[region] = row["name"].value
            counts.setdefault(region, {})[measure] = int(row["n"].value)
    out = []
    for region, name in names.items():
        path, level, code = _region_path(store, region)
        by_measure = {m: counts[region].get(m, 0) for m in _REGION_MEASURES}
        out.append(RegionStats(name, path, level, code, by_measure))
    out.sort(key=lambda r: (r.path, r.region))
    return tuple(out)


def stats(store: KGStore) -> Stats:
    classes = class_counts(store)
    return Stats(len(store), classes["reports"], classes, region_stats(store))
