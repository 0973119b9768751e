"""On the shipped corpus: how many citations have a known jurisdiction (vertical-flow), every
implementation chain the corpus text states (implements-chains), and what the authority adds.

The chains below were found by reading corpus/*.txt for titles that embed another title
(〈…〉) and for sentences of the forms 根据/按照/为贯彻《A》…制定/印发《B》 and
为贯彻《A》…现制定如下实施方案; a chain no sentence or title states is not listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli

Row = dict[str, Any]

CHAINS = [
    # (from, relation, to, fromRegion, fromLevel, toRegion, toLevel, reports)
    (
        "关于落实河北省全面推进依法行政工作领导小组办公室〈关于进一步规范乡镇和街道行政执法工作的通知〉的通知",
        "implements",
        "关于进一步规范乡镇和街道行政执法工作的通知",
        "保定市", "city", "河北省", "province",
        "001_d2cba6cb4c440230.txt",
    ),
    (
        "漯河市源汇区法治政府建设示范创建工作实施方案",
        "implements",
        "漯河市创建全国法治政府建设示范市工作实施方案",
        "源汇区", "district", "漯河市", "city",
        "004_31ab376823ec5560.txt",
    ),
    (
        "蓬溪县法治政府建设工作领导小组办公室关于印发〈蓬溪县2023年度法治政府建设重点工作安排〉的通知",
        "transmits",
        "蓬溪县2023年度法治政府建设重点工作安排",
        "蓬溪县", "county", "蓬溪县", "county",
        "003_93de1b03becaf1ca.txt",
    ),
    (
        "贯彻落实〈四川省法治政府建设实施方案(2021—2025年)〉责任分工方案",
        "implements",
        "四川省法治政府建设实施方案(2021—2025年)",
        None, None, "四川省", "province",
        "003_93de1b03becaf1ca.txt",
    ),
]  # fmt: skip


def rows(store: Path, query: str, *params: str) -> list[Row]:
    args = ["query", query, "--store", str(store), "--format", "jsonl"]
    for p in params:
        args += ["--param", p]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def chains(corpus_store_path: Path) -> list[Row]:
    return rows(corpus_store_path, "implements-chains")


@pytest.mark.slow
def test_implements_chains_finds_every_chain_the_corpus_states(chains: list[Row]) -> None:
    got = [
        (
            r["from"], r["relation"], r["to"], r["fromRegion"], r["fromLevel"],
            r["toRegion"], r["toLevel"], r["reports"],
        )
        for r in chains
    ]  # fmt: skip
    assert got == CHAINS
    assert all(r["depth"] == "1" for r in chains)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("关于落实河北省", "制发《关于落实河北省全面推进依法行政工作领导小组办公室"),
        ("漯河市源汇区", "现制定如下实施方案。"),
        ("蓬溪县法治政府建设工作领导小组办公室", "认真落实《贯彻落实〈四川省"),
        ("贯彻落实〈四川省", "认真落实《贯彻落实〈四川省"),
    ],
)
def test_every_chain_carries_its_sentence(chains: list[Row], source: str, words: str) -> None:
    (row,) = [r for r in chains if r["from"].startswith(source)]
    assert words in row["sentence"]


def test_vertical_flow_unknown_share(corpus_store_path: Path) -> None:
    answer = rows(corpus_store_path, "vertical-flow")
    total = sum(int(r["citations"]) for r in answer)
    unknown = [
        (r["citingLevel"], int(r["citations"]), int(r["documents"]))
        for r in answer
        if r["citedLevel"] == "unknown"
    ]
    assert unknown == [("town", 3, 3)]
    assert total == 65
    assert sum(c for _, c, _ in unknown) / total <= 0.05  # 3 of 65 (4.6 %); 4, then 25 before
    national = [r for r in answer if r["citedLevel"] == "national"]
    assert sum(int(r["citations"]) for r in national) == 13


UNKNOWN = """
SELECT ?title ?note WHERE {
  ?d a kg:PolicyDocument ; dcterms:title ?t .
  FILTER NOT EXISTS { ?d kg:jurisdiction ?j }
  OPTIONAL { ?d skos:editorialNote ?n }
  BIND(STR(?t) AS ?title) BIND(STR(?n) AS ?note)
} ORDER BY ?title
"""


def test_documents_without_jurisdiction_say_why(corpus_store_path: Path) -> None:
    answer = rows(corpus_store_path, UNKNOWN)
    assert [r["title"] for r in answer] == [
        "全面推行行政执法公示制度执法全过程记录制度重大行政执法决定法制审核制度实施方案",
        "贯彻落实〈四川省法治政府建设实施方案(2021—2025年)〉责任分工方案",
        "重大行政执法决定法制审核制度",
    ]
    assert all(str(r["note"]).startswith("Jurisdiction unknown:") for r in answer)


def test_task_division_table_is_the_district_s(corpus_store_path: Path) -> None:
    """区直各部门对照《…任务分解表》: the 任务分解表 the district's departments work through."""
    answer = rows(
        corpus_store_path,
        """SELECT ?name WHERE { ?d dcterms:title ?t ; kg:jurisdiction/skos:prefLabel ?n .
             FILTER(STR(?t) = "法治政府建设示范创建指标体系任务分解表") BIND(STR(?n) AS ?name) }""",
    )
    assert [r["name"] for r in answer] == ["源汇区"]


AUTHORITY = """
SELECT ?title ?source ?issued (GROUP_CONCAT(?name; separator="|") AS ?publishers) WHERE {
  ?d a kg:PolicyDocument ; dcterms:title ?t ; dcterms:source ?s .
  OPTIONAL { ?d dcterms:issued ?i }
  OPTIONAL { ?d dcterms:publisher/skos:prefLabel ?p }
  BIND(STR(?t) AS ?title) BIND(STR(?s) AS ?source) BIND(STR(?i) AS ?issued)
  BIND(STR(?p) AS ?name)
} GROUP BY ?title ?source ?issued ORDER BY ?title
"""


def test_authority_entries_in_the_graph(corpus_store_path: Path) -> None:
    answer = {r["title"]: r for r in rows(corpus_store_path, AUTHORITY)}
    assert set(answer) == {
        "中华人民共和国土地管理法",
        "中华人民共和国政府信息公开条例",
        "中华人民共和国监察法",
        "中华人民共和国行政处罚法",
        "优化营商环境条例",
        "党政主要负责人履行推进法治建设第一责任人职责规定",
        "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知",
        "地方各级人民政府机构设置和编制管理条例",
        "法治政府建设与责任落实督察工作规定",
        "法治政府建设实施纲要(2015—2020年)",
        "法治政府建设实施纲要(2021—2025年)",
    }
    assert all(r["source"].startswith("http") for r in answer.values())
    outline = answer["法治政府建设实施纲要(2015—2020年)"]
    assert outline["issued"] == "2015-12-27"
    assert set(outline["publishers"].split("|")) == {"中共中央", "国务院"}
    assert answer["优化营商环境条例"]["issued"] == "2019-10-22"
