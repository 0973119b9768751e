"""Which place a report is about, at what level of government, and which year it covers.

The place comes from the names the report gives itself (issuer, title, signature, 来源/作者),
read as a chain of administrative units from the start of each name: "太原市迎泽区人民政府" is
(太原市, 迎泽区), "中共蓬溪县天福镇2023年度…" is (蓬溪县, 天福镇). The longest chain wins and its
last unit is the region. Linking a region to its province or code is not done here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from kg.corpus.header import Header

# One unit: a name of one to eight hanzi and a unit suffix; "州" may not be followed by "市",
# so "泉州市" is one unit. Real strings: "惠安县", "保定市", "太原市迎泽区", "漯河市源汇区",
# "蓬溪县天福镇", "XX街道办事处" (-> XX街道), "甘孜藏族自治州", "浦东新区".
_UNIT = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{1,8}?)"
    r"(?P<suffix>特别行政区|自治区|自治州|自治县|自治旗|省|市|州(?![市县区])|盟|地区|县|旗|新区|区"
    r"|镇|乡|街道|苏木)"
)
# Names that are words, not places: "市委依法治市办", "全县", "人民政府", "年度", "关于"….
_NOT_A_NAME = re.compile(r"委|依法|政府|人民|关于|法治|建设|工作|年|度|党")
_NOT_A_ONE_CHAR_NAME = frozenset("各全我本该其此每两")
_MUNICIPALITIES = frozenset({"北京", "天津", "上海", "重庆"})
_LEVELS = {
    "特别行政区": "province", "自治区": "province", "省": "province",
    "市": "city", "州": "city", "自治州": "city", "盟": "city", "地区": "city",
    "县": "county", "自治县": "county", "旗": "county", "自治旗": "county",
    "区": "district", "新区": "district",
    "镇": "town", "乡": "town", "街道": "town", "苏木": "town",
}
_PREFECTURE_SUFFIXES = ("市", "州", "自治州", "盟", "地区")
# How a report refers to its own region: "我县", "全区", "我镇".
_SELF = re.compile(r"[我全本](省|市|州|县|区|镇|乡|街道)")
_SELF_LEVELS = {"省": "province", "市": "city", "州": "city", "县": "county", "区": "district",
                "镇": "town", "乡": "town", "街道": "town"}

# Years: "2022年度" (covered), "(2021-2025年)" (a range, ignored), "2023年" (single).
_YEAR_OF = re.compile(r"((?:19|20)\d{2})\s*年度")
_YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[-—–~～至到]\s*(?:19|20)?\d{2}\s*年?")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# A plan rather than a report on a year: "…示范创建工作 实施方案", "…工作要点".
_PLAN = re.compile(r"(?:方案|计划|规划|要点|意见|办法|通知|纲要|细则)(?:[(（][^()（）]*[)）])?$")
# A body paragraph that opens with the year it reports on: "2022年,我县坚持…", "2022年以来,…".
_OPENING_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:以来|度)?\s*[,，]")


def region_chain(name: str) -> tuple[tuple[str, str], ...]:
    """The administrative units ``name`` starts with, as ``(unit, suffix)`` pairs."""
    text = name.strip()
    if text.startswith("中共"):
        text = text[2:]
    units: list[tuple[str, str]] = []
    pos = 0
    while True:
        match = _UNIT.match(text, pos)
        if not match:
            break
        unit_name, suffix = match.group("name"), match.group("suffix")
        if _NOT_A_NAME.search(unit_name) or (
            len(unit_name) == 1 and (suffix != "县" or unit_name in _NOT_A_ONE_CHAR_NAME)
        ):
            break
        units.append((match.group(), suffix))
        pos = match.end()
    return tuple(units)


def level_of(chain: tuple[tuple[str, str], ...]) -> str | None:
    """The level of the last unit of ``chain``; a 市 under a prefecture is county level."""
    if not chain:
        return None
    unit, suffix = chain[-1]
    if suffix == "市":
        if unit[:-1] in _MUNICIPALITIES:
            return "province"
        if len(chain) > 1 and chain[-2][1] in _PREFECTURE_SUFFIXES:
            return "county"
    return _LEVELS[suffix]


def _names(header: Header) -> Iterable[str]:
    meta = header.metadata
    yield from header.issuers
    if meta.title:
        yield meta.title
    yield from header.signatories
    for value in (meta.publisher, meta.author, meta.source, meta.issuing_body):
        if value:
            yield from re.split(r"[、,，\s]+", value)


def infer_region(header: Header, body: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """``(region, level, chain)``: the most specific place the report names itself after."""
    best: tuple[tuple[str, str], ...] = ()
    for name in _names(header):
        chain = region_chain(name)
        if len(chain) > len(best):
            best = chain
    if best:
        return best[-1][0], level_of(best), tuple(unit for unit, _ in best)
    counts = Counter(m.group(1) for m in _SELF.finditer(body[:20000]))
    if counts:
        return None, _SELF_LEVELS[counts.most_common(1)[0][0]], ()
    return None, None, ()


def infer_year(header: Header, body_lines: list[str]) -> int | None:
    """The year a report covers: "YYYY年度" in its title; else a single year its title names;
    else, for a plan, the year it was published; else the year its body opens with; else the
    year before it was published (an annual report comes out early the next year)."""
    meta = header.metadata
    title = meta.title or ""
    found = _YEAR_OF.search(title)
    if found:
        return int(found.group(1))
    years = {int(y) for y in _YEAR.findall(_YEAR_RANGE.sub("", title))}
    if len(years) == 1:
        return years.pop()
    date = meta.generated or meta.published or meta.signed
    if _PLAN.search(title) and date:
        return int(date[:4])
    for line in body_lines[:5]:
        opening = _OPENING_YEAR.match(line)
        if opening:
            return int(opening.group(1))
    if date:
        year, month = int(date[:4]), int(date[5:7])
        return year - 1 if month <= 6 else year
    return None
