"""The comparison queries (indicator-compare, document-diffusion, program-spread,
region-profile) on the shipped corpus: real rows of the five reports, cross-checked against
``kg stats`` where both count the same thing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli

Row = dict[str, Any]


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> Path:
    return corpus_store_path


def run(store: Path, query: str, **params: str) -> tuple[list[Row], str]:
    """The rows a saved query prints on stdout, and what it says on stderr."""
    args = ["query", query, "--store", str(store), "--format", "jsonl"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()], result.stderr


def rows(store: Path, query: str, **params: str) -> list[Row]:
    return run(store, query, **params)[0]


def pick(answer: list[Row], *columns: str) -> list[tuple[Any, ...]]:
    return [tuple(r[c] for c in columns) for r in answer]


def test_indicator_compare_by_notation(store: Path) -> None:
    answer = rows(store, "indicator-compare", indicator="mediation_success_rate")
    assert sorted(pick(answer, "region", "level", "province", "year", "value", "unit")) == [
        ("保定市", "city", "河北省", "2022", "99", "%"),
        ("惠安县", "county", "福建省", "2022", "100", "%"),
        ("惠安县", "county", "福建省", "2022", "100", "%"),
    ]
    assert {r["concept"] for r in answer} == {"调解成功率"}
    assert {r["area"] for r in answer} == {"社会矛盾纠纷依法有效化解"}
    assert all(r["report"] and "调解成功率" in r["sentence"] for r in answer)
    assert [r["approximate"] for r in answer if r["region"] == "保定市"] == ["true"]  # 99%以上


def test_indicator_compare_by_label_across_levels(store: Path) -> None:
    answer = rows(store, "indicator-compare", indicator="行政复议案件数")
    assert sorted(pick(answer, "year", "province", "region", "level", "value", "raw")) == [
        ("2020", "山西省", "迎泽区", "district", "15", "办理行政复议案件"),
        ("2022", "河北省", "保定市", "city", "316", "受理行政复议案件"),
        ("2022", "福建省", "惠安县", "county", "79", "受理行政复议案件"),
    ]
    # rows come by year, then province
    assert [r["year"] for r in answer] == sorted(r["year"] for r in answer)
    # no rows on stdout; the note that nothing matched (and what is closest) goes to stderr
    empty, note = run(store, "indicator-compare", indicator="no_such_indicator")
    assert empty == [] and "no_such_indicator" in note and "matches no indicator" in note


def test_document_diffusion(store: Path) -> None:
    answer = rows(store, "document-diffusion", title="法治政府建设实施纲要")
    got = pick(answer, "region", "level", "province", "firstYear", "citations", "reports")
    assert sorted(got) == [
        ("保定市", "city", "河北省", "2022", "1", "1"),
        ("迎泽区", "district", "山西省", "2020", "1", "1"),
    ]
    assert {r["document"][:10] for r in answer} == {"法治政府建设实施纲要"}
    # the lag needs the document's date; these carry none in the corpus graph
    assert all(r["lag"] is None for r in answer if r["issuedYear"] is None)


@pytest.mark.parametrize(
    ("query", "params", "column", "expected"),
    [
        # title words that --param reads as a number still match as text
        ("document-diffusion", {"title": "2021"}, "region", {"保定市", "天福镇", "惠安县"}),
        ("cited-where", {"title": "2015"}, "region", {"迎泽区"}),
        ("program-spread", {"name": "枫桥经验"}, "program",
         {"“枫桥经验”", "“枫桥经验”保定模式", "“‘枫桥经验’在福建深化常态化矛盾纠纷排查化解”"}),
    ],
)
def test_text_parameters_match_words_and_numbers(
    store: Path, query: str, params: dict[str, str], column: str, expected: set[str]
) -> None:
    assert {r[column] for r in rows(store, query, **params)} == expected


def test_document_diffusion_lag_from_the_document_number(store: Path) -> None:
    answer = rows(store, "document-diffusion", title="漯河市创建全国法治政府建设示范市工作实施方案")
    assert pick(answer, "region", "level", "province", "issuedYear", "firstYear", "lag") == [
        ("源汇区", "district", "河南省", "2021", "2021", "0"),
    ]


def test_program_spread(store: Path) -> None:
    answer = rows(store, "program-spread", name="三项制度")
    spread = [
        (r["year"], r["regions"], r["newRegionCount"])
        for r in answer
        if r["program"] == "“三项制度”"
    ]
    assert [(year, set(regions.split(", ")), new) for year, regions, new in spread] == [
        ("2020", {"迎泽区"}, "1"),
        ("2022", {"保定市", "惠安县"}, "2"),
        ("2023", {"天福镇"}, "1"),
    ]
    # 行政执法“三项制度” is the same program as “三项制度” (one node, its mentions counted there);
    # 源汇区's 行政执法“三项制度”推进协调机制 is a mechanism of its own
    merged = {r["program"] for r in answer}
    assert merged == {"“三项制度”", "行政执法“三项制度”推进协调机制"}
    assert sum(int(r["mentions"]) for r in answer if r["program"] == "“三项制度”") == 11


def test_region_profile(store: Path) -> None:
    answer = rows(store, "region-profile", region="保定市")
    cites = [r for r in answer if r["part"] == "cites"]
    outcomes = [r for r in answer if r["part"] == "outcomes"]
    assert cites and outcomes and len(cites) + len(outcomes) == len(answer)
    law = [r for r in cites if (r["category"], r["subcategory"]) == ("national", "行政法规")]
    # 《政府信息公开条例》 and 《优化营商环境条例》 (国务院令第722号, national in the authority)
    assert pick(law, "items", "citations", "example") == [
        ("2", "2", "中华人民共和国政府信息公开条例")
    ]
    assert {r["category"] for r in cites} >= {"national", "province", "city"}
    cases = [r for r in outcomes if r["subcategory"] == "行政复议案件数"]
    assert pick(cases, "category", "items", "example") == [
        ("社会矛盾纠纷依法有效化解", "1", "316件")
    ]
    # every outcome of the region once: the same total as kg stats
    result = CliRunner().invoke(cli, ["stats", "--store", str(store), "--format", "json"])
    stats = {r["region"]: r for r in json.loads(result.output)["regions"]}
    assert sum(int(r["items"]) for r in outcomes) == stats["保定市"]["outcomes"]
    assert rows(store, "region-profile", region="无此地") == []
