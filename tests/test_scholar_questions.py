"""The scholars' questions of issue 14, asked of the shipped corpus graph, with exact answers.

Each test is one question a new user asked and got wrong, split or silently empty before
(citation semantics, document authority, implementation chains, merged programs, forgiving
parameters, no silent drop-outs). The graph is the session's corpus store (tests/conftest.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.export.views import build_view
from kg.export.writers import write_view
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
BAODING = "001_d2cba6cb4c440230.txt"
HUIAN = "000_b93acead5cfcaaf2.txt"
INSPECTION = "法治政府建设与责任落实督察工作规定"
Row = dict[str, Any]


def ask(store: Path, query: str, *params: str) -> list[Row]:
    args = ["query", query, "--store", str(store), "--format", "jsonl"]
    for p in params:
        args += ["--param", p]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def cited(store: Path, title: str) -> list[tuple[str, str, str]]:
    """(region, report, action) of each citation of ``title``, sorted."""
    return sorted(
        (r["region"], r["report"], r["action"])
        for r in ask(store, "cited-where", f"title={title}")
    )


# --- citation semantics ----------------------------------------------------------------------


def test_baoding_did_not_issue_the_inspection_rules(corpus_store_path: Path) -> None:
    """中央依法治国办制定了《…督察工作规定》 is the centre's act; 没有根据《…》制定实施细则
    says the rules were *not* implemented. Neither is 保定市 issuing or implementing them."""
    answer = ask(corpus_store_path, "cited-where", f"title={INSPECTION}")
    assert sorted((r["region"], r["action"]) for r in answer) == [
        ("保定市", "mentioned"),
        ("保定市", "mentioned"),
    ]
    negated = [r for r in answer if "没有根据" in r["sentence"]]
    assert len(negated) == 1 and negated[0]["action"] != "implemented"
    agent = [r for r in answer if "中央依法治国办制定了" in r["sentence"]]
    assert len(agent) == 1 and agent[0]["action"] != "issued"


def test_forwarding_is_transmitted(corpus_store_path: Path) -> None:
    """2022年6月,转发了《河北省政府部门权责清单管理办法(试行)》 → transmitted."""
    assert cited(corpus_store_path, "河北省政府部门权责清单管理办法") == [
        ("保定市", BAODING, "transmitted")
    ]


def test_a_document_cited_with_two_actions_keeps_both_on_the_exported_edge(
    corpus_store_path: Path, tmp_path: Path
) -> None:
    assert cited(corpus_store_path, "法治惠安建设规划") == [
        ("惠安县", HUIAN, "implemented"),
        ("惠安县", HUIAN, "issued"),
    ]
    with open_store(corpus_store_path, read_only=True) as store:
        graph = build_view(store, "citations")
    (edge,) = [
        d for u, v, d in graph.edges(data=True)
        if u.endswith(HUIAN) and graph.nodes[v]["label"].startswith("法治惠安建设规划")
    ]  # fmt: skip
    assert edge["actions"] == "issued;implemented" and edge["weight"] == 2.0
    data = json.loads(write_view(graph, "cyjs", tmp_path / "c.cyjs").read_text("utf-8"))
    listed = [e["data"]["actions"] for e in data["elements"]["edges"] if "actions" in e["data"]]
    assert ["issued", "implemented"] in listed


# --- document authority ----------------------------------------------------------------------

CORE = """
SELECT ?title ?level WHERE {
  ?d a kg:PolicyDocument ; dcterms:title ?t ; kg:jurisdiction/kg:level/skos:notation ?l .
  FILTER(CONTAINS(STR(?t), "法治政府建设实施纲要") || CONTAINS(STR(?t), "法治中国建设规划")
         || CONTAINS(STR(?t), "法治社会建设实施纲要") || CONTAINS(STR(?t), "优化营商环境条例"))
  BIND(STR(?t) AS ?title) BIND(STR(?l) AS ?level)
} ORDER BY ?title
"""


def test_the_national_core_documents_are_national(corpus_store_path: Path) -> None:
    answer = ask(corpus_store_path, CORE)
    assert {r["level"] for r in answer} == {"national"}
    titles = {r["title"] for r in answer}
    assert "法治政府建设实施纲要(2021—2025年)" in titles
    assert "优化营商环境条例" in titles


def test_vertical_flow_unknown_is_at_most_five_percent(corpus_store_path: Path) -> None:
    answer = ask(corpus_store_path, "vertical-flow")
    total = sum(int(r["citations"]) for r in answer)
    unknown = sum(int(r["citations"]) for r in answer if r["citedLevel"] == "unknown")
    assert (unknown, total) == (3, 65)
    assert unknown / total <= 0.05


def test_implements_chains_rows(corpus_store_path: Path) -> None:
    answer = ask(corpus_store_path, "implements-chains", "title=四川省法治政府建设实施方案")
    assert [(r["relation"], r["to"], r["toRegion"], r["toLevel"], r["depth"]) for r in answer] == [
        ("implements", "四川省法治政府建设实施方案(2021—2025年)", "四川省", "province", "1")
    ]
    assert answer[0]["from"] == "贯彻落实〈四川省法治政府建设实施方案(2021—2025年)〉责任分工方案"
    assert "认真落实《贯彻落实〈四川省" in answer[0]["sentence"]
    assert len(ask(corpus_store_path, "implements-chains")) >= 4


# --- one program, however written --------------------------------------------------------------

PROGRAMS = """
SELECT DISTINCT ?p WHERE {
  ?p a kg:Program .
  { ?p skos:prefLabel ?l } UNION { ?p skos:altLabel ?l }
  FILTER(REPLACE(STR(?l), "[“”\\"‘’,,\\\\s]", "") IN (?a, ?b))
}
"""


@pytest.mark.parametrize(
    ("core", "modified"),
    [("谁执法谁普法", "谁执法谁普法普法责任制"), ("三项制度", "行政执法三项制度")],
)
def test_a_program_is_one_node(corpus_store_path: Path, core: str, modified: str) -> None:
    query = PROGRAMS.replace("?a, ?b", f'"{core}", "{modified}"')
    assert len(ask(corpus_store_path, query)) == 1
    spread = [
        r for r in ask(corpus_store_path, "programs-by-region")
        if r["program"].strip("“”\"") == core
    ]  # fmt: skip
    assert len(spread) == 1 and int(spread[0]["regionCount"]) >= 3


# --- forgiving parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "法治政府建设实施纲要(2021-2025年)",  # ASCII hyphen, as 保定市's own text writes it
        "法治政府建设实施纲要（2021—2025年）",  # full-width brackets
        "《法治政府建设实施纲要（2021－2025年）》",  # full-width hyphen and title marks
    ],
)
def test_cited_where_forgives_dashes_and_brackets(corpus_store_path: Path, title: str) -> None:
    plain = cited(corpus_store_path, "法治政府建设实施纲要(2021—2025年)")
    assert plain and cited(corpus_store_path, title) == plain


@pytest.mark.parametrize("region", ["保定", "保定市", "河北省", "河北"])
def test_a_short_name_or_an_enclosing_region_finds_the_reports(
    corpus_store_path: Path, region: str
) -> None:
    answer = ask(corpus_store_path, "region-cites", f"region={region}")
    assert answer == ask(corpus_store_path, "region-cites", "region=保定市")
    assert len(answer) >= 10


# --- no silent drop-outs ---------------------------------------------------------------------


def test_a_report_of_unknown_region_is_warned_about(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(ROOT / "corpus" / HUIAN, folder / HUIAN)
    (folder / "anon.txt").write_text(
        "关于法治政府建设工作情况的报告\n\n一年来,我们推行“谁执法谁普法”普法责任制,"
        "全面落实行政执法“三项制度”。\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["build", str(folder), "--memory"])
    assert result.exit_code == 0, result.output
    warned = [ln for ln in result.stderr.splitlines() if ln.startswith("Warning:")]
    assert len(warned) == 1 and "anon.txt" in warned[0] and "region" in warned[0]
    assert "1 report built without a region" in result.stdout
