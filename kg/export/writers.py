"""Network views out to graph tools: GEXF 1.3 (Gephi), GraphML (Gephi, yEd), Cytoscape JSON and
CSV for Neo4j's bulk importer.

One entry point, :func:`write_view`, takes a networkx graph (``nx.DiGraph`` or ``nx.Graph``;
multigraphs work too) whose node ids are IRIs, whose nodes carry ``label`` and ``type`` and
whose edges carry ``type`` and ``weight``; any other attribute must be a ``str``, ``int``,
``float`` (finite) or ``bool``. Anything else (``None``, lists, NaN…) raises
:class:`ExportError` before a byte is written. Every format goes through
:mod:`kg.export.atomic`, so a failed export leaves no file behind and an earlier export intact.

Output is deterministic: nodes and edges in graph order, attributes sorted by name, no
timestamps. Each attribute gets one type for the whole file, inferred from its values:
all ``bool`` → boolean, all ``int`` → 32-bit integer (64-bit when a value needs it), ``int``
and ``float`` mixed → double, anything else mixed → string.

Per format:

- ``gexf`` — GEXF 1.3 (``http://gexf.net/1.3``) with declared, typed node and edge attributes,
  ``label`` on nodes, a ``viz:color`` per node type (:data:`NODE_COLOURS`), edge ``weight``,
  and, when nodes or edges have ``first_year``/``year``, ``start`` on them in a
  ``mode="dynamic" timeformat="integer"`` graph so Gephi's timeline can play the years.
- ``graphml`` — GraphML with one typed ``<key>`` per attribute (``label`` first); with
  ``yed=True`` also yFiles ``nodegraphics``/``edgegraphics`` keys, so yEd opens it with
  labelled, coloured nodes (the ordinary keys stay, as yEd "properties").
- ``cyjs`` — Cytoscape.js JSON (``{"data", "directed", "multigraph", "elements": {"nodes",
  "edges"}}``), UTF-8 and unescaped; nodes also get ``name`` (the label) unless they have
  one, which Cytoscape Desktop shows by default. A list attribute (:data:`LIST_ATTRIBUTES`)
  is a JSON list of strings.
- ``csv`` — a directory with ``nodes.csv`` (``id:ID,label,:LABEL,<prop>:<type>…``) and
  ``relationships.csv`` (``:START_ID,:END_ID,:TYPE,weight:double,…``) for
  ``neo4j-admin database import``; ``:LABEL`` is the node type, ``:TYPE`` the edge type in
  upper snake case (``cites`` → ``CITES``, ``issuedBy`` → ``ISSUED_BY``); a list attribute
  (:data:`LIST_ATTRIBUTES`) is a ``string[]`` property, its items split on ``;`` (the
  importer's default ``--array-delimiter``). An undirected edge
  is written once. Line breaks inside values become spaces (the importer needs
  ``--multiline-fields`` otherwise).
"""

from __future__ import annotations

import csv
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from kg import __version__
from kg.errors import KGError
from kg.export.atomic import atomic_dir, atomic_path
from kg.output import xml_text

FORMATS = ("graphml", "gexf", "cyjs", "csv")

#: String attributes that hold a list joined by ``;`` (a ``cites`` edge's ``actions``, e.g.
#: ``implemented;mentioned``): GraphML and GEXF keep the string (Gephi and yEd have no list
#: type they all read), Cytoscape JSON writes a JSON list, Neo4j CSV a ``string[]``.
LIST_ATTRIBUTES = frozenset({"actions"})
LIST_SEPARATOR = ";"  # also neo4j-admin import's default array delimiter

#: Node fill colour per node ``type`` (Okabe–Ito palette: distinct for colour-blind readers,
#: dark enough for white backgrounds). Other types get :data:`DEFAULT_COLOUR`.
NODE_COLOURS: dict[str, str] = {
    "Region": "#0072B2",  # blue
    "Report": "#E69F00",  # orange
    "PolicyDocument": "#009E73",  # bluish green
    "Institution": "#CC79A7",  # reddish purple
    "Program": "#D55E00",  # vermilion
}
DEFAULT_COLOUR = "#999999"

#: yEd node shape per node ``type``; others are rectangles.
YED_SHAPES: dict[str, str] = {
    "Region": "ellipse",
    "Report": "rectangle",
    "PolicyDocument": "roundrectangle",
    "Institution": "hexagon",
    "Program": "diamond",
}

#: Attributes that put a node or edge on Gephi's timeline, first found wins.
TIME_ATTRIBUTES = ("first_year", "year")

#: Neo4j property type of a Python float. Neo4j's ``float`` is 32-bit (0.1 comes back as
#: 0.10000000149011612), so doubles are written as ``double``.
NEO4J_FLOAT = "double"

GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
GEXF_SCHEMA = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_SCHEMA = f"{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
YED_NS = "http://www.yworks.com/xml/graphml"
YED_SCHEMA = f"{GRAPHML_NS} http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_INT32 = range(-(2**31), 2**31)
_NUMERIC = ("int", "long", "double")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")


class ExportError(KGError):
    """A view cannot be written in the asked format: the message names the element."""


# --------------------------------------------------------------------------- the graph, typed


@dataclass(frozen=True)
class _Column:
    """One attribute as every format declares it: its name and one type for the file."""

    name: str
    kind: str  # "boolean" | "int" | "long" | "double" | "string"


@dataclass(frozen=True)
class _Node:
    id: str
    label: str
    type: str
    attrs: Mapping[str, Any]


@dataclass(frozen=True)
class _Edge:
    id: str
    source: str
    target: str
    attrs: Mapping[str, Any]


@dataclass(frozen=True)
class _View:
    directed: bool
    multigraph: bool
    graph_attrs: Mapping[str, Any]
    nodes: list[_Node]
    edges: list[_Edge]
    node_columns: list[_Column]  # every node attribute, ``label`` and ``type`` included
    edge_columns: list[_Column]  # every edge attribute, ``type`` and ``weight`` included


def _kind(value: object, where: str, key: str) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int" if value in _INT32 else "long"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExportError(
                f"{where}: attribute {key!r} is {value!r}; exports take finite numbers"
            )
        return "double"
    if isinstance(value, str):
        return "string"
    raise ExportError(
        f"{where}: attribute {key!r} is a {type(value).__name__} ({value!r}); "
        "exports take str, int, float or bool"
    )


def _merge(a: str, b: str) -> str:
    if a == b:
        return a
    if a in _NUMERIC and b in _NUMERIC:
        return "double" if "double" in (a, b) else "long"
    return "string"


def _columns(items: Iterable[tuple[str, Mapping[str, Any]]]) -> list[_Column]:
    kinds: dict[str, str] = {}
    for where, attrs in items:
        for key, value in attrs.items():
            if not isinstance(key, str):
                raise ExportError(f"{where}: attribute name {key!r} is not a string")
            kind = _kind(value, where, key)
            kinds[key] = _merge(kinds[key], kind) if key in kinds else kind
    return [_Column(name, kinds[name]) for name in sorted(kinds)]


def _view(graph: nx.Graph) -> _View:
    """The graph with its attribute types settled; raises :class:`ExportError` on bad values."""
    nodes = []
    for node, attrs in graph.nodes(data=True):
        label, ntype = attrs.get("label"), attrs.get("type")
        nodes.append(
            _Node(
                id=str(node),
                label=label if isinstance(label, str) and label else str(node),
                type=ntype if isinstance(ntype, str) else "",
                attrs=attrs,
            )
        )
    if len({n.id for n in nodes}) != len(nodes):
        raise ExportError("two nodes have the same id once written as text")
    edges = [
        _Edge(id=f"e{i}", source=str(u), target=str(v), attrs=attrs)
        for i, (u, v, attrs) in enumerate(graph.edges(data=True))
    ]
    for edge in edges:
        weight = edge.attrs.get("weight")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int | float)):
            raise ExportError(
                f"edge {edge.source} → {edge.target}: weight {weight!r} is not a number"
            )
    graph_attrs = {
        k: v
        for k, v in sorted(graph.graph.items())
        if isinstance(k, str) and isinstance(v, str | int | float) and _finite(v)
    }
    return _View(
        directed=bool(graph.is_directed()),
        multigraph=bool(graph.is_multigraph()),
        graph_attrs=graph_attrs,
        nodes=nodes,
        edges=edges,
        node_columns=_columns((f"node {n.id}", n.attrs) for n in nodes),
        edge_columns=_columns((f"edge {e.source} → {e.target}", e.attrs) for e in edges),
    )


def _finite(value: object) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def _text(value: Any, kind: str) -> str:
    """``value`` written as a column of type ``kind``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _start(attrs: Mapping[str, Any]) -> int | None:
    for name in TIME_ATTRIBUTES:
        value = attrs.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _xml(text: str) -> str:
    return xml_text(text)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _colour(node_type: str) -> str:
    return NODE_COLOURS.get(node_type, DEFAULT_COLOUR)


def _write_xml(root: ET.Element, path: Path) -> None:
    """Write ``root``; its tags carry fixed prefixes declared on it (no ``ns0:`` renaming)."""
    ET.indent(root)
    with path.open("wb") as fh:
        ET.ElementTree(root).write(fh, encoding="UTF-8", xml_declaration=True)
        fh.write(b"\n")


# --------------------------------------------------------------------------------------- GEXF

_GEXF_TYPES = {"boolean": "boolean", "int": "integer", "long": "long", "double": "double"}


def _gexf(view: _View) -> ET.Element:
    root = ET.Element("gexf")
    root.set("xmlns", GEXF_NS)
    root.set("xmlns:viz", GEXF_VIZ_NS)
    root.set("xmlns:xsi", XSI_NS)
    root.set("xsi:schemaLocation", GEXF_SCHEMA)
    root.set("version", "1.3")
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = f"policy-kg {__version__}"

    node_starts = [_start(n.attrs) for n in view.nodes]
    edge_starts = [_start(e.attrs) for e in view.edges]
    graph = ET.SubElement(root, "graph")
    graph.set("defaultedgetype", "directed" if view.directed else "undirected")
    dynamic = any(s is not None for s in (*node_starts, *edge_starts))
    graph.set("mode", "dynamic" if dynamic else "static")
    if dynamic:
        graph.set("timeformat", "integer")

    # ``label`` and edge ``weight`` have their own XML attributes; the rest are declared.
    node_cols = [c for c in view.node_columns if c.name != "label"]
    edge_cols = [c for c in view.edge_columns if c.name not in ("label", "weight")]
    for cls, cols in (("node", node_cols), ("edge", edge_cols)):
        declared = ET.SubElement(graph, "attributes", {"class": cls})
        for col in cols:
            ET.SubElement(
                declared,
                "attribute",
                id=_xml(col.name),
                title=_xml(col.name),
                type=_GEXF_TYPES.get(col.kind, "string"),
            )

    def attvalues(parent: ET.Element, attrs: Mapping[str, Any], cols: list[_Column]) -> None:
        present = [c for c in cols if c.name in attrs]
        if present:
            values = ET.SubElement(parent, "attvalues")
            for col in present:
                ET.SubElement(
                    values,
                    "attvalue",
                    {"for": _xml(col.name), "value": _xml(_text(attrs[col.name], col.kind))},
                )

    nodes = ET.SubElement(graph, "nodes", count=str(len(view.nodes)))
    for node, start in zip(view.nodes, node_starts, strict=True):
        el = ET.SubElement(nodes, "node", id=_xml(node.id), label=_xml(node.label))
        if start is not None:
            el.set("start", str(start))
        attvalues(el, node.attrs, node_cols)
        r, g, b = _rgb(_colour(node.type))
        ET.SubElement(el, "viz:color", r=str(r), g=str(g), b=str(b), a="1.0")

    edges = ET.SubElement(graph, "edges", count=str(len(view.edges)))
    for edge, start in zip(view.edges, edge_starts, strict=True):
        el = ET.SubElement(
            edges, "edge", id=edge.id, source=_xml(edge.source), target=_xml(edge.target)
        )
        label = edge.attrs.get("label")
        if label is not None:
            el.set("label", _xml(str(label)))
        weight = edge.attrs.get("weight")
        if weight is not None:
            el.set("weight", repr(float(weight)))
        if start is not None:
            el.set("start", str(start))
        attvalues(el, edge.attrs, edge_cols)
    return root


# ------------------------------------------------------------------------------------ GraphML

_GRAPHML_TYPES = {"boolean": "boolean", "int": "int", "long": "long", "double": "double"}


def _yed_width(label: str) -> float:
    """Room for ``label`` in yEd's default 12-point font: wide (CJK) characters ~12 px."""
    wide = sum(1 for ch in label if ord(ch) >= 0x1100)
    return float(max(60, 16 + 13 * wide + 7 * (len(label) - wide)))


def _graphml(view: _View, yed: bool) -> ET.Element:
    root = ET.Element("graphml")
    root.set("xmlns", GRAPHML_NS)
    root.set("xmlns:xsi", XSI_NS)
    if yed:
        root.set("xmlns:y", YED_NS)
    root.set("xsi:schemaLocation", YED_SCHEMA if yed else GRAPHML_SCHEMA)

    # ``label`` first among node keys: tools that take the first string key as the name do.
    # Every node gets a label (its id when it has none), always a string.
    node_cols = [_Column("label", "string"), *(c for c in view.node_columns if c.name != "label")]
    keys: dict[tuple[str, str], str] = {}
    for domain, cols in (("node", node_cols), ("edge", view.edge_columns)):
        for col in cols:
            key_id = f"d{len(keys)}"
            keys[(domain, col.name)] = key_id
            ET.SubElement(
                root,
                "key",
                {
                    "id": key_id,
                    "for": domain,
                    "attr.name": _xml(col.name),
                    "attr.type": _GRAPHML_TYPES.get(col.kind, "string"),
                },
            )
    node_gfx = edge_gfx = ""
    if yed:
        node_gfx, edge_gfx = f"d{len(keys)}", f"d{len(keys) + 1}"
        ET.SubElement(root, "key", {"id": node_gfx, "for": "node", "yfiles.type": "nodegraphics"})
        ET.SubElement(root, "key", {"id": edge_gfx, "for": "edge", "yfiles.type": "edgegraphics"})

    graph = ET.SubElement(
        root, "graph", id="G", edgedefault="directed" if view.directed else "undirected"
    )
    columns = max(1, math.ceil(math.sqrt(len(view.nodes))))
    cell = max((_yed_width(n.label) for n in view.nodes), default=60.0) + 40
    for i, node in enumerate(view.nodes):
        el = ET.SubElement(graph, "node", id=_xml(node.id))
        for col in node_cols:
            value = node.label if col.name == "label" else node.attrs.get(col.name)
            if value is not None:
                data = ET.SubElement(el, "data", key=keys[("node", col.name)])
                data.text = _xml(_text(value, col.kind))
        if yed:
            shape = ET.SubElement(ET.SubElement(el, "data", key=node_gfx), "y:ShapeNode")
            ET.SubElement(
                shape,
                "y:Geometry",
                x=repr(float(i % columns * cell)),
                y=repr(float(i // columns * 80)),
                width=repr(_yed_width(node.label)),
                height="30.0",
            )
            ET.SubElement(shape, "y:Fill", color=_colour(node.type), transparent="false")
            ET.SubElement(shape, "y:BorderStyle", color="#000000", type="line", width="1.0")
            ET.SubElement(
                shape,
                "y:NodeLabel",
                alignment="center",
                autoSizePolicy="content",
                fontFamily="Dialog",
                fontSize="12",
                fontStyle="plain",
                modelName="internal",
                modelPosition="c",
                textColor="#000000",
                visible="true",
            ).text = _xml(node.label)
            ET.SubElement(shape, "y:Shape", type=YED_SHAPES.get(node.type, "rectangle"))
    for edge in view.edges:
        el = ET.SubElement(
            graph, "edge", id=edge.id, source=_xml(edge.source), target=_xml(edge.target)
        )
        for col in view.edge_columns:
            if col.name in edge.attrs:
                data = ET.SubElement(el, "data", key=keys[("edge", col.name)])
                data.text = _xml(_text(edge.attrs[col.name], col.kind))
        if yed:
            line = ET.SubElement(ET.SubElement(el, "data", key=edge_gfx), "y:PolyLineEdge")
            ET.SubElement(line, "y:LineStyle", color="#808080", type="line", width="1.0")
            ET.SubElement(
                line, "y:Arrows", source="none", target="standard" if view.directed else "none"
            )
            ET.SubElement(line, "y:BendStyle", smoothed="false")
    return root


# ------------------------------------------------------------------------------ Cytoscape JSON

_CYJS_RESERVED = ("id", "source", "target")


def _cyjs(view: _View) -> dict[str, Any]:
    def data(head: dict[str, Any], attrs: Mapping[str, Any], where: str) -> dict[str, Any]:
        for key in sorted(attrs):
            if key in _CYJS_RESERVED:
                raise ExportError(f"{where}: attribute {key!r} is reserved in Cytoscape JSON")
            if key not in head:
                value = attrs[key]
                if key in LIST_ATTRIBUTES and isinstance(value, str):
                    value = value.split(LIST_SEPARATOR) if value else []
                head[key] = value
        return head

    nodes = []
    for node in view.nodes:
        head: dict[str, Any] = {"id": node.id, "label": node.label}
        if "name" not in node.attrs:
            head["name"] = node.label
        nodes.append({"data": data(head, node.attrs, f"node {node.id}")})
    edges = [
        {
            "data": data(
                {"id": edge.id, "source": edge.source, "target": edge.target},
                edge.attrs,
                f"edge {edge.source} → {edge.target}",
            )
        }
        for edge in view.edges
    ]
    return {
        "data": dict(view.graph_attrs),
        "directed": view.directed,
        "multigraph": view.multigraph,
        "elements": {"nodes": nodes, "edges": edges},
    }


# ---------------------------------------------------------------------------- Neo4j CSV

_NEO4J_TYPES = {"boolean": "boolean", "int": "int", "long": "long", "double": NEO4J_FLOAT}


def relationship_type(edge_type: str) -> str:
    """Neo4j relationship type for an edge type: upper snake case (``issuedBy`` → ``ISSUED_BY``)."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", edge_type)
    return re.sub(r"\W+", "_", snake).strip("_").upper()


def _neo4j_field(col: _Column, where: str) -> str:
    if ":" in col.name or not col.name.strip():
        raise ExportError(f"{where} attribute {col.name!r} cannot be a Neo4j CSV header field")
    if col.name in LIST_ATTRIBUTES and col.kind == "string":
        return f"{col.name}:string[]"
    return f"{col.name}:{_NEO4J_TYPES.get(col.kind, 'string')}"


def _csv_cell(value: Any, kind: str) -> str:
    return "" if value is None else _LINE_BREAKS.sub(" ", _text(value, kind))


def _csv_rows(view: _View) -> Iterator[tuple[str, list[str]]]:
    """(file name, row) for ``nodes.csv`` then ``relationships.csv``, headers first."""
    node_props = [c for c in view.node_columns if c.name not in ("label", "type")]
    if any(c.name == "id" for c in node_props):
        raise ExportError("node attribute 'id' clashes with the Neo4j id column")
    yield "nodes.csv", ["id:ID", "label", ":LABEL", *(_neo4j_field(c, "node") for c in node_props)]
    for node in view.nodes:
        yield (
            "nodes.csv",
            [
                node.id,
                _csv_cell(node.label, "string"),
                node.type,
                *(_csv_cell(node.attrs.get(c.name), c.kind) for c in node_props),
            ],
        )
    weight = [c for c in view.edge_columns if c.name == "weight"]
    edge_props = weight + [c for c in view.edge_columns if c.name not in ("type", "weight")]
    yield (
        "relationships.csv",
        [
            ":START_ID",
            ":END_ID",
            ":TYPE",
            *(_neo4j_field(c, "edge") for c in edge_props),
        ],
    )
    for edge in view.edges:
        rel = relationship_type(str(edge.attrs.get("type", "")))
        if not rel:
            raise ExportError(
                f"edge {edge.source} → {edge.target}: type {edge.attrs.get('type')!r} "
                "gives no Neo4j relationship type"
            )
        yield (
            "relationships.csv",
            [
                edge.source,
                edge.target,
                rel,
                *(_csv_cell(edge.attrs.get(c.name), c.kind) for c in edge_props),
            ],
        )


def _write_csv(view: _View, directory: Path, bom: bool = False) -> None:
    handles: dict[str, Any] = {}
    try:
        writers: dict[str, Any] = {}
        for name, row in _csv_rows(view):
            if name not in writers:
                encoding = "utf-8-sig" if bom else "utf-8"  # utf-8-sig: a byte order mark first
                handles[name] = (directory / name).open("w", encoding=encoding, newline="")
                writers[name] = csv.writer(handles[name], lineterminator="\n")
            writers[name].writerow(row)
    finally:
        for fh in handles.values():
            fh.close()


# ------------------------------------------------------------------------------- entry point


def write_view(
    graph: nx.Graph,
    fmt: str,
    target: Path,
    *,
    yed: bool = False,
    force: bool = False,
    bom: bool = False,
) -> Path:
    """Write ``graph`` to ``target`` in ``fmt`` (one of :data:`FORMATS`); returns ``target``.

    ``target`` is a file, except for ``csv`` where it is a directory (``nodes.csv`` and
    ``relationships.csv``, with the manifest :data:`kg.export.atomic.MANIFEST`): new, empty or
    an earlier export, or anything with ``force=True``; only the export's own files in it are
    replaced (:func:`kg.export.atomic.atomic_dir`). ``yed=True`` asks for the yEd flavour of
    GraphML; ``bom=True`` starts each csv file with a UTF-8 byte order mark (for Excel). The
    target changes only once the whole export is written.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if yed and fmt != "graphml":
        raise ExportError(f"yed=True is a GraphML flavour; it does not apply to {fmt!r}")
    if bom and fmt != "csv":
        raise ExportError(f"bom=True is for csv; it does not apply to {fmt!r}")
    target = Path(target)
    view = _view(graph)
    if fmt == "csv":
        with atomic_dir(target, force=force) as tmp_dir:
            _write_csv(view, tmp_dir, bom)
        return target
    with atomic_path(target) as tmp:
        if fmt == "gexf":
            _write_xml(_gexf(view), tmp)
        elif fmt == "graphml":
            _write_xml(_graphml(view, yed), tmp)
        else:
            with tmp.open("w", encoding="utf-8") as fh:
                json.dump(_cyjs(view), fh, ensure_ascii=False, indent=2)
                fh.write("\n")
    return target
