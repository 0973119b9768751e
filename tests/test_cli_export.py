"""``kg export`` on the corpus store: every format through the command line, and its errors."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> str:
    return str(corpus_store_path)


def kg(store: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["export", "--store", store, *args])
    return result.exit_code, result.output


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("nt", "nt"), ("xml", "xml")])
def test_rdf_to_a_file(store: str, tmp_path: Path, fmt: str, parser: str) -> None:
    out = tmp_path / f"all.{fmt}"
    code, text = kg(store, "--format", fmt, "-o", str(out))
    assert code == 0, text
    assert text.startswith(f"wrote {out}: ") and f"statements ({fmt})" in text
    assert len(Graph().parse(out, format=parser)) > 8000


def test_trig_keeps_the_report_graphs(store: str, tmp_path: Path) -> None:
    out = tmp_path / "all.trig"
    assert kg(store, "--format", "trig", "-o", str(out))[0] == 0
    ds = Dataset().parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs()}
    assert sum("/graph/report/" in n for n in names) == 5


def test_rdf_to_stdout(store: str) -> None:
    code, text = kg(store, "--format", "nt")
    assert code == 0 and text.count("\n") > 8000


@pytest.mark.parametrize("view", ["citations", "co-citation", "implements", "regions"])
def test_views_as_graphml_read_back(store: str, tmp_path: Path, view: str) -> None:
    out = tmp_path / f"{view}.graphml"
    code, text = kg(store, "--view", view, "-o", str(out))
    assert code == 0, text
    graph = nx.read_graphml(out)
    assert text == (
        f"wrote {out}: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges "
        f"({view}, graphml)\n"
    )
    assert all(data.get("label") for _, data in graph.nodes(data=True))


def test_view_formats(store: str, tmp_path: Path) -> None:
    for fmt, name in (("gexf", "c.gexf"), ("cyjs", "c.cyjs"), ("csv", "neo4j")):
        code, text = kg(store, "--view", "citations", "--format", fmt, "-o", str(tmp_path / name))
        assert code == 0, text
    assert (tmp_path / "neo4j" / "nodes.csv").is_file()
    assert (tmp_path / "neo4j" / "relationships.csv").is_file()
    code, text = kg(store, "--view", "citations", "--yed", "-o", str(tmp_path / "y.graphml"))
    assert code == 0 and "yEd" in text


def test_filters(store: str, tmp_path: Path) -> None:
    out = tmp_path / "bd.graphml"
    assert kg(store, "--view", "citations", "--region", "保定市", "-o", str(out))[0] == 0
    labels = {d["label"] for _, d in nx.read_graphml(out).nodes(data=True)}
    assert "保定市" in labels and "惠安县" not in labels


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "gexf"], "--format gexf is for network views"),
        (["--view", "citations", "--format", "ttl"], "--format ttl is an RDF format"),
        (["--view", "citations", "--graph", "x"], "--graph selects RDF"),
        (["--view", "citations", "--region", "没有这个地方"], "没有这个地方"),
    ],
)
def test_errors(store: str, args: list[str], message: str) -> None:
    code, text = kg(store, *args)
    assert code == 1
    assert text.startswith("Error: ") and message in text
