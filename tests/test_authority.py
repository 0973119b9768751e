"""The document authority (kg/data/document_authority.csv): well-formed rows, each with the
address it was checked at, and resolution of real title variants to one entry; 文号 issuer codes."""

from __future__ import annotations

import csv
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.nlp.docnumbers import find_doc_numbers
from kg.resolve import link_region
from kg.resolve.authority import (
    AUTHORITY_CSV,
    COLUMNS,
    ISSUERS_CSV,
    LEVELS,
    PROVINCES_CSV,
    RANKS,
    doc_number_issuer,
    is_date,
    lookup,
    read_authority,
    title_key,
)

ENTRIES = read_authority()
_ORDER = re.compile(r"国务院令第\d+号")


def test_the_table_has_its_columns_and_at_least_150_rows() -> None:
    with AUTHORITY_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        assert len(list(reader)) >= 150
    assert len(ENTRIES) >= 150


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.title)
def test_every_row_is_well_formed_and_has_a_source(entry: object) -> None:
    from kg.resolve.authority import AuthorityEntry

    assert isinstance(entry, AuthorityEntry)
    assert entry.title and entry.title == entry.title.strip()
    source = urlsplit(entry.source)
    assert source.scheme in ("http", "https") and source.netloc, entry.source
    assert entry.type in RANKS
    assert entry.level in LEVELS
    assert entry.date == "" or is_date(entry.date), entry.date
    if entry.doc_number:
        parsed = [n for n in find_doc_numbers(entry.doc_number) if not n.damaged]
        assert parsed or _ORDER.fullmatch(entry.doc_number), entry.doc_number
    if entry.type == "行政法规":
        assert entry.issuers == ("国务院",)
    if entry.type == "法律":
        assert entry.title.startswith("中华人民共和国")


def test_no_two_rows_share_a_spelling() -> None:
    seen: dict[str, str] = {}
    for entry in ENTRIES:
        for spelling in (entry.title, *entry.variants):
            key = title_key(spelling)
            assert seen.setdefault(key, entry.title) == entry.title, spelling


@pytest.mark.parametrize(
    "title",
    [
        "法治政府建设实施纲要(2015—2020年)",
        "法治政府建设实施纲要(2021—2025年)",
        "法治中国建设规划(2020—2025年)",
        "法治社会建设实施纲要(2020—2025年)",
        "优化营商环境条例",
        "重大行政决策程序暂行条例",
        "中华人民共和国政府信息公开条例",
        "中华人民共和国行政复议法",
        "中华人民共和国行政处罚法",
        "中华人民共和国行政许可法",
        "中华人民共和国行政强制法",
        "中华人民共和国行政诉讼法",
        "党政主要负责人履行推进法治建设第一责任人职责规定",
        "法治政府建设与责任落实督察工作规定",
        "地方各级人民政府机构设置和编制管理条例",
    ],
)
def test_the_core_documents_are_in_the_table(title: str) -> None:
    entry = lookup(title)
    assert entry is not None and entry.title == title


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("法治政府建设实施纲要(2021-2025年)", "法治政府建设实施纲要(2021—2025年)"),
        ("法治政府建设实施纲要（2021—2025年）", "法治政府建设实施纲要(2021—2025年)"),
        ("法治政府建设实施纲要（2021–2025年）", "法治政府建设实施纲要(2021—2025年)"),
        ("法治政府建设实施纲要(2021―2025年)", "法治政府建设实施纲要(2021—2025年)"),
        ("法治政府建设实施纲要(2021～2025年)", "法治政府建设实施纲要(2021—2025年)"),
        ("法治政府建设实施纲要 (2015-2020年)", "法治政府建设实施纲要(2015—2020年)"),
        ("《法治中国建设规划（2020-2025年）》", "法治中国建设规划(2020—2025年)"),
        ("〈优化营商环境条例〉", "优化营商环境条例"),
        ("行政处罚法", "中华人民共和国行政处罚法"),
        ("中華人民共和國行政處罰法", "中华人民共和国行政处罚法"),
        ("法治政府建設實施綱要（2021—2025年）", "法治政府建设实施纲要(2021—2025年)"),
        ("優化營商環境條例", "优化营商环境条例"),
        ("《中华人民共和国行政许可法》", "中华人民共和国行政许可法"),
        ("政府信息公开条例", "中华人民共和国政府信息公开条例"),
        ("行政复议法实施条例", "中华人民共和国行政复议法实施条例"),
        (
            "关于加强行政规范性文件制定和监督管理工作的通知",
            "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知",
        ),
        (
            "关于实行国家机关谁执法谁普法普法责任制的意见",
            "关于实行国家机关“谁执法谁普法”普法责任制的意见",
        ),
        (
            '关于实行国家机关"谁执法谁普法"普法责任制的意见',
            "关于实行国家机关“谁执法谁普法”普法责任制的意见",
        ),
    ],
)
def test_variants_resolve_to_one_entry(written: str, canonical: str) -> None:
    entry = lookup(written)
    assert entry is not None and entry.title == canonical


@pytest.mark.parametrize(
    "title",
    ["保定市法治政府建设实施方案(2021-2025年)", "清单管理办法", "中华人民共和国", "纲要"],
)
def test_local_and_generic_titles_are_not_entries(title: str) -> None:
    assert lookup(title) is None


_DASH = st.sampled_from(["-", "—", "–", "―", "－", "～", "‐"])
_OPEN = st.sampled_from(["(", "（"])
_CLOSE = st.sampled_from([")", "）"])


@given(_DASH, _OPEN, _CLOSE, st.booleans(), st.sampled_from(["", " ", "\u3000"]))
def test_any_dash_bracket_and_mark_spelling_finds_the_outline(
    dash: str, opening: str, closing: str, marked: bool, space: str
) -> None:
    title = f"法治政府建设实施纲要{space}{opening}2021{dash}2025年{closing}"
    title = f"《{title}》" if marked else title
    entry = lookup(title)
    assert entry is not None and entry.title == "法治政府建设实施纲要(2021—2025年)"


@pytest.mark.parametrize(
    ("number", "report_region", "issuer", "region"),
    [
        ("国办发〔2018〕118号", None, "国务院办公厅", None),
        ("国发〔2010〕33号", None, "国务院", None),
        ("国发[2008]17号", None, "国务院", None),
        ("国发明电〔2020〕5号", None, "国务院", None),
        ("司发通〔2021〕3号", "惠安县", "司法部", None),
        ("冀政发〔2021〕1号", None, None, "河北省"),
        ("冀政办字[2022]15号", "保定市", None, "河北省"),
        ("川办发〔2020〕1号", "蓬溪县", None, "四川省"),
        ("豫政〔2020〕12号", None, None, "河南省"),
        ("石政发〔2021〕3号", "保定市", None, "石家庄市"),
        ("保政发〔2022〕5号", "保定市", None, "保定市"),
        ("惠委办明电〔2021〕13号", "惠安县", None, "惠安县"),
        ("惠政文〔2023〕8号", "惠安县", None, "惠安县"),
        ("漯法〔2021〕2号", "源汇区", None, "漯河市"),
    ],
)
def test_doc_number_issuer(
    number: str, report_region: str | None, issuer: str | None, region: str | None
) -> None:
    chain = {"源汇区": ("漯河市", "源汇区")}.get(report_region or "", ())
    linked = link_region(report_region, chain=chain) if report_region else None
    found = doc_number_issuer(number, linked)
    assert found is not None
    assert found.issuer == issuer
    assert (found.region.name if found.region else None) == region


@pytest.mark.parametrize("number", ["", "第3号", "惠政文20238", "某某〔2021〕1号"])
def test_doc_number_that_says_nothing(number: str) -> None:
    assert doc_number_issuer(number, None) is None


def test_small_tables_have_sources() -> None:
    for path, key in ((PROVINCES_CSV, "abbreviations"), (ISSUERS_CSV, "prefix")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows
        for row in rows:
            assert row[key] and urlsplit(row["source"]).scheme in ("http", "https")
    with PROVINCES_CSV.open(encoding="utf-8", newline="") as fh:
        provinces = list(csv.DictReader(fh))
    assert len(provinces) == 34
    for row in provinces:
        region = link_region(row["name"])
        assert region is not None and region.code == row["code"], row["name"]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        # a PDF extraction that dropped the dash of a year range
        ("法治政府建设实施纲要(20212025年)", "法治政府建设实施纲要(2021—2025年)"),
        ("法治政府建设实施纲要（20152020年）", "法治政府建设实施纲要(2015—2020年)"),
        ("法治社会建设实施纲要(20202025年)", "法治社会建设实施纲要(2020—2025年)"),
    ],
)
def test_a_year_range_without_its_dash_finds_the_entry(written: str, canonical: str) -> None:
    entry = lookup(written)
    assert entry is not None and entry.title == canonical


@given(st.integers(1949, 2060), st.integers(0, 15))
def test_a_dashless_year_range_keys_as_the_dashed_one(start: int, span: int) -> None:
    end = start + span
    assert title_key(f"某规划({start}{end}年)") == title_key(f"某规划({start}—{end}年)")


@pytest.mark.parametrize("title", ["某规划(20252021年)", "某规划(12345678年)", "某办法(2021年)"])
def test_other_digit_runs_are_left_alone(title: str) -> None:
    assert "-" not in title_key(title)
