"""Forgiving parameters (issue 14): a saved query's value is read as the resolver reads names —
dash, bracket, quote, width and white-space variants, short names, a region with everything
under it — and an empty answer says on stderr what was looked for and what is near."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from kg.cli import cli
from kg.query.forgiving import closest, match_key, surface

BAODING = "001_d2cba6cb4c440230.txt"
OUTLINE_2021 = "法治政府建设实施纲要(2021—2025年)"  # as the graph writes the title


def run(store: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["query", *args, "--store", str(store)])
    assert result.exit_code == 0, result.output
    return result


def rows(store: Path, name: str, **params: str) -> list[dict[str, Any]]:
    args = [name, "--format", "jsonl"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    return [json.loads(line) for line in run(store, *args).stdout.splitlines() if line.strip()]


# --- keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "法治政府建设实施纲要(2021-2025年)",  # ASCII hyphen, as 保定市's own text writes it
        "法治政府建设实施纲要（2021—2025年）",  # full-width brackets, em dash
        "法治政府建设实施纲要（2021–2025年）",  # en dash
        "《法治政府建设实施纲要(2021－2025年)》",  # book-title marks, full-width hyphen
        "法治政府建设实施纲要 【2021—2025年】",  # white space, other brackets
        "法治政府建设实施纲要〔2021-2025年〕",
    ],
)
def test_spellings_of_a_title_share_a_key(spelling: str) -> None:
    assert match_key(spelling) == match_key(OUTLINE_2021)
    assert surface(spelling, f"贯彻落实〈{OUTLINE_2021}〉的通知") == OUTLINE_2021


@given(
    st.lists(st.sampled_from([" ", "\u3000", "《", "》", "“", "”", "\t"]), min_size=0, max_size=6),
    st.sampled_from(["-", "—", "–", "－", "‐", "−"]),
    st.sampled_from([("(", ")"), ("（", "）"), ("[", "]"), ("【", "】"), ("〔", "〕")]),
)
def test_key_ignores_marks_spaces_dashes_and_bracket_kinds(
    noise: list[str], dash: str, brackets: tuple[str, str]
) -> None:
    title = f"法治政府建设实施纲要{brackets[0]}2021{dash}2025年{brackets[1]}"
    noisy = "".join(n + c for n, c in zip([*noise, *[""] * len(title)], title, strict=False))
    assert match_key(noisy) == match_key(OUTLINE_2021)


def test_closest_labels_share_words_first() -> None:
    labels = [OUTLINE_2021, "优化营商环境条例", "法治社会建设实施纲要(2020—2025年)"]
    assert closest("法制政府建设纲要", labels)[0] == OUTLINE_2021
    assert closest("火星", labels) == []


# --- cited-where: the title however written --------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "法治政府建设实施纲要(2021-2025年)",
        "法治政府建设实施纲要（2021—2025年）",
        "法治政府建设实施纲要（2021-2025年）",
        "《法治政府建设实施纲要（2021－2025年）》",
        " 法治政府建设实施纲要 (2021—2025年) ",
    ],
)
def test_cited_where_finds_the_outline_however_written(corpus_store_path: Path, title: str) -> None:
    answer = rows(corpus_store_path, "cited-where", title=title)
    got = {(r["region"], r["level"], r["year"], r["report"], r["document"]) for r in answer}
    assert got == {("保定市", "city", "2022", BAODING, OUTLINE_2021)}
    assert all("2021-2025年" in r["sentence"] or "2021—2025年" in r["sentence"] for r in answer)


def test_no_match_says_what_was_looked_for_and_what_is_near(corpus_store_path: Path) -> None:
    result = run(
        corpus_store_path, "cited-where", "--param", "title=法制政府建设纲要", "--format", "jsonl"
    )
    assert result.stdout.strip() == ""
    assert "title='法制政府建设纲要' matches no title in the store" in result.stderr
    assert OUTLINE_2021 in result.stderr


def test_a_non_empty_answer_says_nothing_on_stderr(corpus_store_path: Path) -> None:
    result = run(corpus_store_path, "cited-where", "--param", "title=优化营商环境条例")
    assert result.stdout.strip()
    assert result.stderr == ""


# --- regions: short names, and everything under a region -------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("given_as", "same_as"),
    [
        ("保定", "保定市"),  # a short name
        ("河北省", "保定市"),  # the province covers its city (the corpus has no other 河北 report)
        ("河北", "保定市"),
        ("泉州市", "惠安县"),  # a city covers its county
        ("福建省", "惠安县"),
        ("太原市", "迎泽区"),
        ("遂宁市", "天福镇"),  # a city covers a town two levels down
        ("四川省", "天福镇"),
        ("漯河", "源汇区"),
    ],
)
def test_region_covers_what_lies_under_it(
    corpus_store_path: Path, given_as: str, same_as: str
) -> None:
    expected = rows(corpus_store_path, "region-cites", region=same_as)
    assert expected
    assert rows(corpus_store_path, "region-cites", region=given_as) == expected
    institutions = rows(corpus_store_path, "institutions-by-region", region=given_as)
    assert institutions == rows(corpus_store_path, "institutions-by-region", region=same_as)
    assert {r["region"] for r in institutions} == {same_as}
    programs = rows(corpus_store_path, "programs-by-region", region=given_as)
    assert programs == rows(corpus_store_path, "programs-by-region", region=same_as)


@pytest.mark.slow
def test_programs_of_a_region_list_each_program_once(corpus_store_path: Path) -> None:
    """A region that stands for several names (itself and those under it) gives one row per
    program, not one per name."""
    answer = rows(corpus_store_path, "programs-by-region", region="福建省")
    assert len(answer) == len({r["program"] for r in answer}) > 0


def test_unknown_region_is_empty_and_says_so(corpus_store_path: Path) -> None:
    result = run(corpus_store_path, "region-cites", "--param", "region=火星市")
    assert result.stdout.strip().splitlines()[1:] == []
    assert "region='火星市' matches no region in the store" in result.stderr


def test_indicator_with_white_space_and_full_width(corpus_store_path: Path) -> None:
    plain = rows(corpus_store_path, "indicator-outcomes", indicator="行政复议")
    assert plain
    assert rows(corpus_store_path, "indicator-outcomes", indicator=" 行政 复议 ") == plain


# --- a user's own query: literals without @zh ------------------------------------------------


def test_untagged_literal_gets_a_hint(corpus_store_path: Path) -> None:
    query = 'SELECT ?r WHERE { ?r skos:prefLabel "保定市" }'
    result = run(corpus_store_path, query, "--format", "csv")
    assert result.stdout.split() == ["r"]
    assert '"保定市"@zh' in result.stderr
    tagged = run(corpus_store_path, query.replace('"保定市"', '"保定市"@zh'), "--format", "csv")
    assert tagged.stdout.split() == ["r", "https://policy-kg.org/id/region/130600"]
    assert tagged.stderr == ""


def test_no_hint_for_a_literal_the_store_does_not_hold(corpus_store_path: Path) -> None:
    result = run(
        corpus_store_path, 'SELECT ?r WHERE { ?r skos:prefLabel "火星" }', "--format", "json"
    )
    assert json.loads(result.stdout)["results"]["bindings"] == []
    assert result.stderr == ""
