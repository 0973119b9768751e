"""Network-view exports (kg.export.writers) read back by independent readers.

Every format is written for a small directed graph (regions, reports, policy documents, an
institution and a program, Chinese labels, years, weights) and an undirected one (documents
cited together), then read back with something that is not our code: networkx for GraphML
and GEXF, ElementTree for the XML details Gephi and yEd rely on, the real ``cytoscape`` npm
package under Node.js for Cytoscape JSON, and the header grammar Neo4j documents for
``neo4j-admin database import`` CSV. Failed writes must leave nothing behind.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.errors import KGError
from kg.export import writers
from kg.export.atomic import MANIFEST, atomic_dir, atomic_path
from kg.export.writers import (
    DEFAULT_COLOUR,
    FORMATS,
    NODE_COLOURS,
    ExportError,
    relationship_type,
    write_view,
)

JS = Path(__file__).resolve().parent / "js"
GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
YED = "{http://www.yworks.com/xml/graphml}"
SUFFIX = {"graphml": ".graphml", "gexf": ".gexf", "cyjs": ".cyjs", "csv": ""}


def iri(kind: str, key: str) -> str:
    return f"https://policy-kg.org/id/{kind}/{hashlib.sha1(key.encode()).hexdigest()[:16]}"


FUJIAN, QUANZHOU, HUIAN = iri("region", "福建省"), iri("region", "泉州市"), iri("region", "惠安县")
R2022, R2023 = iri("report", "惠安县2022"), iri("report", "惠安县2023")
OUTLINE = iri("document", "法治政府建设实施纲要")
PENALTY = iri("document", "行政处罚法")
DECISIONS = iri("document", "重大行政决策程序暂行条例")
PUFA = iri("document", "八五普法规划")
JUSTICE = iri("institution", "惠安县司法局")
DEMO = iri("program", "法治政府建设示范创建")


def policy_graph() -> nx.DiGraph:
    """What a report-citation view looks like: who reports, about where, citing what."""
    g = nx.DiGraph()
    g.add_node(FUJIAN, label="福建省", type="Region", level="province", reports=0)
    g.add_node(QUANZHOU, label="泉州市", type="Region", level="city", reports=0)
    g.add_node(HUIAN, label="惠安县", type="Region", level="county", reports=2)
    g.add_node(R2022, label="惠安县2022年法治政府建设年度报告", type="Report", year=2022)
    g.add_node(R2023, label="惠安县2023年法治政府建设年度报告", type="Report", year=2023)
    g.add_node(
        OUTLINE,
        label="法治政府建设实施纲要（2021—2025年）",
        type="PolicyDocument",
        doc_number="中发〔2021〕",
        first_year=2021,
        citations=2,
        central=True,
        pagerank=0.31,
    )
    g.add_node(
        PENALTY,
        label="中华人民共和国行政处罚法",
        type="PolicyDocument",
        first_year=2022,
        citations=1,
        central=False,
        pagerank=0.12,
    )
    g.add_node(
        DECISIONS,
        label="重大行政决策程序暂行条例",
        type="PolicyDocument",
        doc_number="国务院令第713号",
        first_year=2023,
        citations=1,
        central=False,
        pagerank=0.1,
    )
    # ASCII quotes and a comma, as OCR'd titles have: CSV quoting must survive them.
    g.add_node(
        PUFA,
        label='关于开展"八五"普法, 规划实施的通知',
        type="PolicyDocument",
        first_year=2022,
        citations=1,
        central=False,
        pagerank=0.07,
    )
    g.add_node(JUSTICE, label="惠安县司法局", type="Institution", mentions=5)
    g.add_node(DEMO, label="法治政府建设示范创建", type="Program", mentions=3, first_year=2022)
    g.add_edge(QUANZHOU, FUJIAN, type="partOf", weight=1.0)
    g.add_edge(HUIAN, QUANZHOU, type="partOf", weight=1.0)
    g.add_edge(R2022, HUIAN, type="about", weight=1.0, year=2022)
    g.add_edge(R2023, HUIAN, type="about", weight=1.0, year=2023)
    g.add_edge(R2022, OUTLINE, type="cites", weight=3.0, year=2022, action="贯彻落实")
    g.add_edge(R2022, PENALTY, type="cites", weight=1.0, year=2022, action="学习宣传")
    g.add_edge(R2022, PUFA, type="cites", weight=1, year=2022, action="实施")  # int weight
    g.add_edge(R2023, OUTLINE, type="cites", weight=2.5, year=2023, action="贯彻落实")
    g.add_edge(R2023, DECISIONS, type="cites", weight=1.0, year=2023, action="严格执行")
    g.add_edge(R2023, JUSTICE, type="mentions", weight=4.0, year=2023)
    g.add_edge(R2022, DEMO, type="reportsOn", weight=2.0, year=2022)
    return g


def cocitation_graph() -> nx.Graph:
    """Documents cited in the same report, undirected, weighted by how often."""
    g = nx.Graph()
    for node in (OUTLINE, PENALTY, DECISIONS, PUFA):
        g.add_node(node, **{k: v for k, v in policy_graph().nodes[node].items()})
    g.add_edge(OUTLINE, PENALTY, type="co_cited", weight=1.0, year=2022)
    g.add_edge(OUTLINE, PUFA, type="co_cited", weight=1.0, year=2022)
    g.add_edge(PENALTY, PUFA, type="co_cited", weight=1.0, year=2022)
    g.add_edge(OUTLINE, DECISIONS, type="co_cited", weight=0.5, year=2023)
    return g


GRAPHS = {"directed": policy_graph, "undirected": cocitation_graph}


@pytest.fixture(params=sorted(GRAPHS))
def graph(request: pytest.FixtureRequest) -> nx.Graph:
    return GRAPHS[request.param]()


def labels(g: nx.Graph) -> dict[str, str]:
    return {n: a["label"] for n, a in g.nodes(data=True)}


def edge_set(g: nx.Graph) -> set[tuple[str, str]] | set[frozenset[str]]:
    if g.is_directed():
        return {(u, v) for u, v in g.edges()}
    return {frozenset((u, v)) for u, v in g.edges()}


def leftovers(directory: Path) -> list[str]:
    """Temporaries the atomic helpers might have left: dot-files next to the target."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


# ----------------------------------------------------------------------------------- GraphML


def test_graphml_reads_back_with_networkx(graph: nx.Graph, tmp_path: Path) -> None:
    path = write_view(graph, "graphml", tmp_path / "view.graphml")
    back = nx.read_graphml(path)
    assert back.is_directed() == graph.is_directed()
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert labels(back) == labels(graph)
    assert edge_set(back) == edge_set(graph)
    # Typed keys give the values back as the types they were.
    for node, attrs in graph.nodes(data=True):
        for key, value in attrs.items():
            assert back.nodes[node][key] == value and type(back.nodes[node][key]) is type(value)
    for u, v, attrs in graph.edges(data=True):
        assert back.edges[u, v]["type"] == attrs["type"]
        assert back.edges[u, v]["weight"] == float(attrs["weight"])
        assert isinstance(back.edges[u, v]["weight"], float)


def test_graphml_declares_one_typed_key_per_attribute(graph: nx.Graph, tmp_path: Path) -> None:
    root = ET.parse(write_view(graph, "graphml", tmp_path / "view.graphml")).getroot()
    keys = root.findall(f"{GRAPHML}key")
    declared = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in keys}
    assert len(declared) == len(keys)  # no attribute declared twice (networkx does that)
    assert declared[("node", "label")] == "string"
    assert declared[("node", "type")] == "string"
    assert declared[("edge", "type")] == "string"
    assert declared[("edge", "weight")] == "double"  # int and float weights mixed
    assert declared[("edge", "year")] == "int"
    assert set(declared.values()) <= {"boolean", "int", "long", "double", "string"}
    assert all(k.get("yfiles.type") is None for k in keys)
    key_ids = {k.get("id") for k in keys}
    assert all(d.get("key") in key_ids for d in root.iter(f"{GRAPHML}data"))


def test_yed_graphml_carries_yfiles_labels(graph: nx.Graph, tmp_path: Path) -> None:
    path = write_view(graph, "graphml", tmp_path / "view.graphml", yed=True)
    root = ET.parse(path).getroot()
    assert "ygraphml.xsd" in root.get(
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", ""
    )
    keys = root.findall(f"{GRAPHML}key")
    yfiles = {k.get("yfiles.type"): k for k in keys if k.get("yfiles.type")}
    assert yfiles["nodegraphics"].get("for") == "node"
    assert yfiles["edgegraphics"].get("for") == "edge"
    typed = {(k.get("for"), k.get("attr.name")) for k in keys if k.get("attr.type")}
    assert {("node", "label"), ("node", "type"), ("edge", "weight")} <= typed
    node_gfx = yfiles["nodegraphics"].get("id")
    edge_gfx = yfiles["edgegraphics"].get("id")
    nodes = root.findall(f"{GRAPHML}graph/{GRAPHML}node")
    assert len(nodes) == graph.number_of_nodes()
    for node in nodes:
        shape = node.find(f"{GRAPHML}data[@key='{node_gfx}']/{YED}ShapeNode")
        assert shape is not None, node.get("id")
        attrs = graph.nodes[node.get("id")]
        assert shape.findtext(f"{YED}NodeLabel") == attrs["label"]
        fill = shape.find(f"{YED}Fill")
        assert fill is not None and fill.get("color") == NODE_COLOURS[attrs["type"]]
        geometry = shape.find(f"{YED}Geometry")
        assert geometry is not None and float(geometry.get("width", "0")) >= 60
    edges = root.findall(f"{GRAPHML}graph/{GRAPHML}edge")
    assert len(edges) == graph.number_of_edges()
    arrow = "standard" if graph.is_directed() else "none"
    for edge in edges:
        arrows = edge.find(f"{GRAPHML}data[@key='{edge_gfx}']/{YED}PolyLineEdge/{YED}Arrows")
        assert arrows is not None and arrows.get("target") == arrow
    # The yEd flavour is still GraphML for everyone else.
    back = nx.read_graphml(path)
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        graph.number_of_nodes(),
        graph.number_of_edges(),
    )
    assert labels(back) == labels(graph)


# -------------------------------------------------------------------------------------- GEXF


def test_gexf_is_version_1_3_with_labels_colours_and_typed_attributes(
    graph: nx.Graph, tmp_path: Path
) -> None:
    path = write_view(graph, "gexf", tmp_path / "view.gexf")
    text = path.read_text(encoding="utf-8")
    assert 'xmlns="http://gexf.net/1.3"' in text and 'xmlns:viz="http://gexf.net/1.3/viz"' in text
    root = ET.parse(path).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    g = root.find(f"{GEXF}graph")
    assert g is not None
    assert g.get("defaultedgetype") == ("directed" if graph.is_directed() else "undirected")

    declared: dict[str, dict[str, str]] = {}
    for block in g.findall(f"{GEXF}attributes"):
        cls = block.get("class")
        assert cls in ("node", "edge") and block.get("mode") is None  # 1.3 dropped it
        for attr in block.findall(f"{GEXF}attribute"):
            assert attr.get("type") in {"integer", "long", "double", "string", "boolean"}
            declared.setdefault(cls, {})[attr.get("id", "")] = attr.get("type", "")
    assert declared["node"]["type"] == "string"
    assert declared["node"]["first_year"] == "integer"
    assert declared["node"]["pagerank"] == "double"
    assert declared["node"]["central"] == "boolean"
    assert declared["edge"]["type"] == "string"
    assert "label" not in declared["node"] and "weight" not in declared.get("edge", {})

    nodes = g.findall(f"{GEXF}nodes/{GEXF}node")
    assert len(nodes) == graph.number_of_nodes()
    for node in nodes:
        attrs = graph.nodes[node.get("id")]
        assert node.get("label") == attrs["label"]
        colour = node.find(f"{VIZ}color")
        assert colour is not None, node.get("id")
        rgb = "#{:02X}{:02X}{:02X}".format(*(int(colour.get(c, "-1")) for c in "rgb"))
        assert rgb == NODE_COLOURS[attrs["type"]]
        start = attrs.get("first_year", attrs.get("year"))
        assert node.get("start") == (None if start is None else str(start))
        for value in node.iter(f"{GEXF}attvalue"):
            assert value.get("for") in declared["node"]

    edges = g.findall(f"{GEXF}edges/{GEXF}edge")
    assert len(edges) == graph.number_of_edges()
    for edge in edges:
        attrs = graph.edges[edge.get("source"), edge.get("target")]
        assert float(edge.get("weight", "nan")) == attrs["weight"]
        year = attrs.get("year")
        assert edge.get("start") == (None if year is None else str(year))
        for value in edge.iter(f"{GEXF}attvalue"):
            assert value.get("for") in declared["edge"]
    # Years put the graph on Gephi's timeline.
    assert g.get("mode") == "dynamic" and g.get("timeformat") == "integer"


def test_gexf_reads_back_with_networkx(graph: nx.Graph, tmp_path: Path) -> None:
    back = nx.read_gexf(write_view(graph, "gexf", tmp_path / "view.gexf"), version="1.3")
    assert back.is_directed() == graph.is_directed()
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert labels(back) == labels(graph)
    assert edge_set(back) == edge_set(graph)
    assert back.nodes[OUTLINE]["citations"] == 2 and back.nodes[OUTLINE]["central"] is True


def test_gexf_without_years_is_static(tmp_path: Path) -> None:
    g = nx.Graph()
    g.add_node(HUIAN, label="惠安县", type="Region")
    g.add_node(JUSTICE, label="惠安县司法局", type="Institution")
    g.add_node("https://policy-kg.org/id/other/x", label="其他", type="Other")
    g.add_edge(HUIAN, JUSTICE, type="located", weight=1.0)
    root = ET.parse(write_view(g, "gexf", tmp_path / "v.gexf")).getroot()
    graph_el = root.find(f"{GEXF}graph")
    assert graph_el is not None
    assert graph_el.get("mode") == "static" and graph_el.get("timeformat") is None
    colours = [c.get("r") for c in root.iter(f"{VIZ}color")]
    assert colours[-1] == str(int(DEFAULT_COLOUR[1:3], 16))  # unknown type: grey


# ----------------------------------------------------------------------------- Cytoscape JSON


@pytest.fixture(scope="session")
def cytoscape_count() -> Iterator[Callable[[Path], dict[str, int]]]:
    """Counts of what the real ``cytoscape`` package builds from a file (headless, Node.js)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not on PATH: cannot load the JSON with the cytoscape package")
    install = subprocess.run(
        [npm, "install", "--prefix", str(JS), "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert install.returncode == 0, f"npm install --prefix tests/js failed:\n{install.stderr}"

    def count(path: Path) -> dict[str, int]:
        run = subprocess.run(
            [node, str(JS / "count.js"), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        result: dict[str, int] = json.loads(run.stdout)
        return result

    yield count


@pytest.mark.slow
def test_cytoscape_json_loads_in_cytoscape(
    graph: nx.Graph, tmp_path: Path, cytoscape_count: Callable[[Path], dict[str, int]]
) -> None:
    path = write_view(graph, "cyjs", tmp_path / "view.cyjs")
    assert cytoscape_count(path) == {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
    }


def test_cytoscape_json_shape(graph: nx.Graph, tmp_path: Path) -> None:
    path = write_view(graph, "cyjs", tmp_path / "view.cyjs")
    raw = path.read_bytes()
    assert "惠安县".encode() in raw or "纲要".encode() in raw  # UTF-8, not \\u escapes
    assert b"\\u" not in raw
    doc = json.loads(raw.decode("utf-8"))
    assert doc["data"] == {} and doc["directed"] is graph.is_directed()
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    assert [n["data"]["id"] for n in nodes] == list(graph.nodes)
    assert {n["data"]["id"]: n["data"]["label"] for n in nodes} == labels(graph)
    assert all(list(n["data"])[:2] == ["id", "label"] for n in nodes)
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert len({e["data"]["id"] for e in edges} | ids) == len(edges) + len(nodes)


# ---------------------------------------------------------------------------- Neo4j CSV

# The header grammar of neo4j-admin database import ("CSV header format" in the Operations
# Manual): <name>:<field_type>; property types as listed there, [] for arrays.
_PROPERTY_TYPES = (
    "int|long|float|double|boolean|byte|short|char|string|point|date|localtime|time"
    "|localdatetime|datetime|duration"
)
_PROPERTY = rf"[^:\s][^:]*(?::(?:{_PROPERTY_TYPES})(?:\[\])?)?"
NODE_FIELD = re.compile(rf"^(?:[^:]*:ID(?:\([^)]+\))?|:LABEL|:IGNORE|{_PROPERTY})$")
REL_FIELD = re.compile(
    rf"^(?::START_ID(?:\([^)]+\))?|:END_ID(?:\([^)]+\))?|:TYPE|:IGNORE|{_PROPERTY})$"
)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def check_typed_cell(field: str, cell: str) -> None:
    kind = field.rsplit(":", 1)[1] if ":" in field and not field.startswith(":") else "string"
    if kind.endswith("[]"):  # an array: items split on the importer's default delimiter, ";"
        for item in cell.split(";") if cell else []:
            check_typed_cell(field[:-2], item)
        return
    if cell == "" or kind in ("string", "ID", "LABEL"):
        return
    if kind in ("int", "long"):
        int(cell)
    elif kind in ("float", "double"):
        float(cell)
    elif kind == "boolean":
        assert cell in ("true", "false"), cell
    else:  # pragma: no cover
        pytest.fail(f"unexpected type in {field}")


def test_neo4j_csv_follows_the_import_header_format(graph: nx.Graph, tmp_path: Path) -> None:
    out = write_view(graph, "csv", tmp_path / "neo4j")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "nodes.csv", "relationships.csv"]

    header, rows = read_csv(out / "nodes.csv")
    assert all(NODE_FIELD.match(f) for f in header), header
    assert [f for f in header if re.search(r":ID\b", f)] == ["id:ID"]
    assert header[:3] == ["id:ID", "label", ":LABEL"]
    assert len(rows) == graph.number_of_nodes()
    for row in rows:
        assert len(row) == len(header)
        attrs = graph.nodes[row[0]]
        assert row[1] == attrs["label"] and row[2] == attrs["type"]
        for field, cell in zip(header, row, strict=True):
            check_typed_cell(field, cell)
    node_ids = [row[0] for row in rows]
    assert len(set(node_ids)) == len(node_ids)

    header, rels = read_csv(out / "relationships.csv")
    assert all(REL_FIELD.match(f) for f in header), header
    assert header[:4] == [":START_ID", ":END_ID", ":TYPE", "weight:double"]
    assert len(rels) == graph.number_of_edges()  # an undirected edge once, not twice
    for row in rels:
        assert row[0] in node_ids and row[1] in node_ids
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", row[2]), row[2]
        assert row[2] == relationship_type(graph.edges[row[0], row[1]]["type"])
        for field, cell in zip(header, row, strict=True):
            check_typed_cell(field, cell)
    assert {frozenset(r[:2]) for r in rels} == {frozenset(e) for e in graph.edges()}


def test_neo4j_csv_exact_headers(tmp_path: Path) -> None:
    out = write_view(policy_graph(), "csv", tmp_path / "neo4j")
    assert read_csv(out / "nodes.csv")[0] == [
        "id:ID",
        "label",
        ":LABEL",
        "central:boolean",
        "citations:int",
        "doc_number:string",
        "first_year:int",
        "level:string",
        "mentions:int",
        "pagerank:double",
        "reports:int",
        "year:int",
    ]
    assert read_csv(out / "relationships.csv")[0] == [
        ":START_ID",
        ":END_ID",
        ":TYPE",
        "weight:double",
        "action:string",
        "year:int",
    ]
    types = {row[2] for row in read_csv(out / "relationships.csv")[1]}
    assert types == {"PART_OF", "ABOUT", "CITES", "MENTIONS", "REPORTS_ON"}


def actions_graph() -> nx.DiGraph:
    """:func:`policy_graph` with ``actions`` on its ``cites`` edges, one with two actions."""
    g = policy_graph()
    for _, _, attrs in g.edges(data=True):
        if attrs["type"] == "cites":
            attrs["actions"] = "implemented"
    g.edges[R2022, OUTLINE]["actions"] = "implemented;mentioned"
    return g


def test_every_action_of_an_edge_reaches_every_format(tmp_path: Path) -> None:
    """A document cited with two actions keeps both: a ";"-joined string in GraphML and GEXF,
    a JSON list in Cytoscape JSON, a ``string[]`` property in Neo4j CSV."""
    g = actions_graph()
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        back = reader(write_view(g, fmt, tmp_path / f"view.{fmt}"))
        assert back.edges[R2022, OUTLINE]["actions"] == "implemented;mentioned"
        assert back.edges[R2023, OUTLINE]["actions"] == "implemented"
    doc = json.loads(write_view(g, "cyjs", tmp_path / "view.cyjs").read_text(encoding="utf-8"))
    by_pair = {(e["data"]["source"], e["data"]["target"]): e["data"]
               for e in doc["elements"]["edges"]}  # fmt: skip
    assert by_pair[R2022, OUTLINE]["actions"] == ["implemented", "mentioned"]
    assert by_pair[R2023, OUTLINE]["actions"] == ["implemented"]
    assert "actions" not in by_pair[HUIAN, QUANZHOU]
    header, rows = read_csv(write_view(g, "csv", tmp_path / "neo4j") / "relationships.csv")
    assert "actions:string[]" in header and all(REL_FIELD.match(f) for f in header)
    column = header.index("actions:string[]")
    cells = {(r[0], r[1]): r[column] for r in rows}
    assert cells[R2022, OUTLINE] == "implemented;mentioned"
    assert cells[HUIAN, QUANZHOU] == ""
    for row in rows:
        for field, cell in zip(header, row, strict=True):
            check_typed_cell(field, cell)


def test_actions_graph_loads_in_cytoscape(
    tmp_path: Path, cytoscape_count: Callable[[Path], dict[str, int]]
) -> None:
    g = actions_graph()
    path = write_view(g, "cyjs", tmp_path / "view.cyjs")
    assert cytoscape_count(path) == {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}


def test_relationship_type_is_upper_snake_case() -> None:
    assert relationship_type("cites") == "CITES"
    assert relationship_type("partOf") == "PART_OF"
    assert relationship_type("co_cited") == "CO_CITED"
    assert relationship_type("implemented-by") == "IMPLEMENTED_BY"
    assert relationship_type("引用") == "引用"


def test_csv_values_keep_to_one_line(tmp_path: Path) -> None:
    g = nx.DiGraph()
    g.add_node(OUTLINE, label="法治政府建设\n实施纲要", type="PolicyDocument")
    out = write_view(g, "csv", tmp_path / "neo4j")
    lines = (out / "nodes.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "法治政府建设 实施纲要" in lines[1]


# ------------------------------------------------------------------------- types and values


def test_attribute_types_are_inferred_once_per_file(tmp_path: Path) -> None:
    g = nx.DiGraph()
    g.add_node("https://policy-kg.org/id/a", label="甲", type="Region", n=1, mixed=1, big=2**40)
    g.add_node("https://policy-kg.org/id/b", label="乙", type="Region", n=2, mixed=0.5, big=1)
    g.add_node("https://policy-kg.org/id/c", label="丙", type="Region", n=3, mixed="三")
    root = ET.parse(write_view(g, "graphml", tmp_path / "v.graphml")).getroot()
    declared = {k.get("attr.name"): k.get("attr.type") for k in root.findall(f"{GRAPHML}key")}
    assert declared == {
        "label": "string",
        "type": "string",
        "n": "int",
        "mixed": "string",
        "big": "long",
    }
    header = read_csv(write_view(g, "csv", tmp_path / "neo4j") / "nodes.csv")[0]
    assert "big:long" in header and "n:int" in header and "mixed:string" in header


def test_characters_xml_cannot_carry_are_replaced(tmp_path: Path) -> None:
    g = nx.DiGraph()
    g.add_node(OUTLINE, label="纲要\x0c第二页", type="PolicyDocument")  # a PDF form feed
    for fmt in ("graphml", "gexf"):
        back = ET.parse(write_view(g, fmt, tmp_path / f"v.{fmt}")).getroot()
        assert "纲要 第二页" in ET.tostring(back, encoding="unicode")


def test_output_is_deterministic(graph: nx.Graph, tmp_path: Path) -> None:
    for fmt in FORMATS:
        first = write_view(graph, fmt, tmp_path / f"a{SUFFIX[fmt]}")
        second = write_view(graph, fmt, tmp_path / f"b{SUFFIX[fmt]}")
        if fmt == "csv":
            for name in ("nodes.csv", "relationships.csv"):
                assert (first / name).read_bytes() == (second / name).read_bytes()
        else:
            assert first.read_bytes() == second.read_bytes()
    assert (
        write_view(graph, "graphml", tmp_path / "y1", yed=True).read_bytes()
        == write_view(graph, "graphml", tmp_path / "y2", yed=True).read_bytes()
    )


def test_bad_format_and_flag_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format"):
        write_view(policy_graph(), "dot", tmp_path / "v.dot")
    with pytest.raises(ExportError, match="yed"):
        write_view(policy_graph(), "gexf", tmp_path / "v.gexf", yed=True)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- failed writes


def previous_export(fmt: str, target: Path) -> dict[str, bytes]:
    """An earlier, good export at ``target``; returns its bytes by file name."""
    old = nx.DiGraph()
    old.add_node(HUIAN, label="旧的导出", type="Region")
    write_view(old, fmt, target)
    return snapshot(target)


def snapshot(target: Path) -> dict[str, bytes]:
    if target.is_dir():
        return {p.name: p.read_bytes() for p in sorted(target.iterdir())}
    return {target.name: target.read_bytes()}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad", [None, ["列表"], float("nan")], ids=["None", "list", "nan"])
def test_unserialisable_attribute_writes_nothing(fmt: str, bad: Any, tmp_path: Path) -> None:
    g = policy_graph()
    g.nodes[PENALTY]["amended"] = bad
    fresh = tmp_path / f"fresh{SUFFIX[fmt]}"
    with pytest.raises(ExportError, match="amended"):
        write_view(g, fmt, fresh)
    assert not fresh.exists()
    kept = tmp_path / f"kept{SUFFIX[fmt]}"
    before = previous_export(fmt, kept)
    with pytest.raises(ExportError):
        write_view(g, fmt, kept)
    assert snapshot(kept) == before
    assert leftovers(tmp_path) == []


def fail_mid_write(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next export of ``fmt`` die after part of its output is on disk."""

    class Boom(RuntimeError):
        pass

    if fmt == "csv":
        real_cell, calls = writers._csv_cell, [0]

        def cell(value: Any, kind: str) -> str:
            calls[0] += 1
            if calls[0] > 25:  # nodes.csv partly written
                raise Boom("disk full")
            return real_cell(value, kind)

        monkeypatch.setattr(writers, "_csv_cell", cell)
    elif fmt == "cyjs":

        def dump(obj: Any, fh: Any, **kwargs: Any) -> None:
            fh.write(json.dumps(obj, **kwargs)[:200])
            raise Boom("disk full")

        monkeypatch.setattr(writers.json, "dump", dump)
    else:

        def write_xml(root: ET.Element, path: Path) -> None:
            path.write_bytes(ET.tostring(root)[:200])
            raise Boom("disk full")

        monkeypatch.setattr(writers, "_write_xml", write_xml)


@pytest.mark.parametrize("fmt", FORMATS)
def test_exception_mid_write_leaves_no_half_file(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / f"kept{SUFFIX[fmt]}"
    before = previous_export(fmt, kept)
    fail_mid_write(fmt, monkeypatch)
    fresh = tmp_path / f"fresh{SUFFIX[fmt]}"
    for target in (fresh, kept):
        with pytest.raises(RuntimeError, match="disk full"):
            write_view(policy_graph(), fmt, target)
    assert not fresh.exists()
    assert snapshot(kept) == before
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------------ atomic helpers


def test_atomic_path_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out" / "view.txt"  # the parent is created
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.exists() and not target.exists()
        tmp.write_text("一", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "一"
    with pytest.raises(KeyError), atomic_path(target) as tmp:
        tmp.write_text("二", encoding="utf-8")
        raise KeyError("boom")
    assert target.read_text(encoding="utf-8") == "一"
    assert leftovers(target.parent) == []


def test_atomic_dir_replaces_a_whole_directory(tmp_path: Path) -> None:
    target = tmp_path / "neo4j"
    with atomic_dir(target) as tmp:
        (tmp / "nodes.csv").write_text("old", encoding="utf-8")
        (tmp / "stale.csv").write_text("old", encoding="utf-8")
    with atomic_dir(target) as tmp:
        (tmp / "nodes.csv").write_text("new", encoding="utf-8")
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST, "nodes.csv"]
    assert (target / "nodes.csv").read_text(encoding="utf-8") == "new"
    with pytest.raises(ValueError), atomic_dir(target) as tmp:
        (tmp / "nodes.csv").write_text("half", encoding="utf-8")
        raise ValueError("boom")
    assert (target / "nodes.csv").read_text(encoding="utf-8") == "new"
    assert leftovers(tmp_path) == []


def test_atomic_dir_will_not_replace_a_file(tmp_path: Path) -> None:
    target = tmp_path / "neo4j"
    target.write_text("not a directory", encoding="utf-8")
    with pytest.raises(KGError, match="not a directory"), atomic_dir(target) as tmp:
        (tmp / "nodes.csv").write_text("x", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "not a directory"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", range(1, 7))
def test_atomic_dir_puts_the_old_files_back_when_a_move_fails(
    failing: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "neo4j"
    with atomic_dir(target) as tmp:
        (tmp / "nodes.csv").write_text("old", encoding="utf-8")
        (tmp / "relationships.csv").write_text("old", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    import kg.export.atomic as atomic

    real_rename, calls = atomic.os.rename, [0]

    def rename(src: Any, dst: Any) -> None:
        calls[0] += 1
        if calls[0] == failing:  # a file moving in (or an old one moving aside)
            raise OSError(5, "rename failed")
        real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(KGError, match="rename failed"), atomic_dir(target) as tmp:
        (tmp / "nodes.csv").write_text("new", encoding="utf-8")
        (tmp / "relationships.csv").write_text("new", encoding="utf-8")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert leftovers(tmp_path) == []
