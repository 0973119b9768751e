"""Which place a report is about and at what level of government (the year it covers is
:mod:`kg.corpus.year`).

The place comes, in this order, from:

1. the names the report gives itself in its header (title, issuer, signature, then 来源/作者):
   the most specific place named there, outside cited titles — "2021年度X市…报告",
   "关于X市2020年度…", "X县人民政府…", "中共X县Y镇…" (Y镇), "X区人民政府Y街道办事处…" (Y街道);
2. the subject of the report's opening sentence, after the year and a "在…领导下," clause:
   "2022年,X县坚持…", "2023年,在市委、市政府的领导下,Y镇…", "X市公安局坚持…";
3. how the report refers to itself (我县, 全区, 我街; 省司法厅, 我局) for the level, and the
   place of that level the text names most often (full names, province short forms, "法治X").

Names are read in the gazetteer (``kg/data/regions.csv``, ``kg/data/towns.csv``): a place is
given by its official name (黔西南州 -> 黔西南布依族苗族自治州, 东乌旗 -> 东乌珠穆沁旗) and
its level from its type (a county-level city is county level; 北京市 is province level).
A report made by a department (…司法局, …厅, 我局) has level ``department`` and the region
of the place the department belongs to. Text in traditional characters is read through its
simplified form.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from kg.corpus.header import Header
from kg.corpus.year import infer_year as infer_year  # re-exported: ingestion calls it here
from kg.levels import LEVEL_BY_SUFFIX, RANK, UNIT_SUFFIX
from kg.text import CJK, script_of, to_simplified

if TYPE_CHECKING:
    from kg.nlp.places import Gazetteer, Region

# One unit at the start of a name, for names the gazetteer does not know: a name of one to
# eight hanzi and a unit suffix; "州" may not be followed by "市", so "泉州市" is one unit.
_UNIT = re.compile(rf"(?P<name>[{CJK}]{{1,8}}?)(?P<suffix>{UNIT_SUFFIX})")
# Names that are words, not places: "市委依法治市办", "全县", "人民政府", "年度", "关于"….
_NOT_A_NAME = re.compile(r"委|依法|政府|人民|关于|法治|建设|工作|年|度|党")
_NOT_A_ONE_CHAR_NAME = frozenset("各全我本该其此每两")
_MUNICIPALITIES = frozenset({"北京", "天津", "上海", "重庆"})
_PREFECTURE_SUFFIXES = ("市", "州", "自治州", "盟", "地区")

# The kinds of division a self-reference can stand for (regions.csv types, township suffixes):
# "我区" is a district or an autonomous region, "我市" a city, a county-level city or a
# municipality.
_SELF_KINDS = {
    "省": frozenset({"省"}),
    "自治区": frozenset({"自治区"}),
    "市": frozenset({"地级市", "县级市", "直辖市"}),
    "州": frozenset({"自治州"}),
    "盟": frozenset({"盟"}),
    "县": frozenset({"县", "自治县"}),
    "旗": frozenset({"旗", "自治旗"}),
    "区": frozenset({"市辖区", "自治区", "林区", "特区"}),
    "街道": frozenset({"街道"}),
    "镇": frozenset({"镇"}),
    "乡": frozenset({"乡", "苏木"}),
}
# How a report refers to its own place: "我县", "全区", "本镇", "我街" (-> 街道).
_SELF = re.compile(r"([我全本])(自治区|省|市|州|盟|县|旗|区|街道|街|镇|乡)")
# The levels a self-reference can stand for: "我区" is a district or an autonomous region,
# "我市" a city, a county-level city or a municipality.
_SELF_LEVELS = {
    "省": ("province",),
    "自治区": ("province",),
    "市": ("city", "county", "province"),
    "州": ("city",),
    "盟": ("city",),
    "县": ("county",),
    "旗": ("county",),
    "区": ("district", "province"),
    "街道": ("town",),
    "街": ("town",),
    "镇": ("town",),
    "乡": ("town",),
}
# A department: a name ending in 局/厅 (司法局, 市场监督管理局, 生态环境厅) that is no
# government, committee or office of one.
_DEPARTMENT = re.compile(rf"[{CJK}]{{1,12}}?[局厅](?=关于|党组|[^{CJK}]|$)")
_NOT_A_DEPARTMENT = re.compile(r"政府|委|办事处|人大|政协|法院|检察院|党")
# The opening of a sentence before its subject: "2022年,", "2025年以来,", "近年来,", and a
# clause "在…领导下,".
_LEAD = re.compile(
    r"(?:(?:19|20)\d{2}\s*年(?:以来|度|初|上半年|全年)?|近年来|今年以来|一年来)?\s*[,，、]?\s*"
    r"(?:在[^。,，;；]{0,60}?下\s*[,，])?\s*"
)
# A subject that is a department named by level only: "省司法厅", "区司法局党组", "县公安局".
_LEVEL_CHAR = re.compile(r"(?:中共)?(自治区|[省市州盟县旗区])")
_OWN_DEPARTMENT = re.compile(r"[我本](?:局|厅)")
# A report that calls itself 我局/我厅 this often is a department's (unless its own names are
# a government's or a party committee's).
_OWN_DEPARTMENT_MIN = 2
_GOVERNMENT = re.compile(r"政府|办事处|党委|党工委|中共|委员会|领导小组")
# A "法治X" / "依法治X" naming a place by its short form: "法治X建设".
_RULE_OF_LAW_SHORT = re.compile(rf"(?:法治|依法治)([{CJK}]{{2,5}})")
# A 街道 named "X街" (黄石街 for 黄石街道) after a break or in a cited title.
_STREET_SHORT = re.compile(
    rf"(?:^|(?<=[^{CJK}])|(?<=中共))([{CJK}]{{2,3}})街(?=[^{CJK}道]|党|办|工委|$)"
)
# What follows a place that owns something: its government, committee, rule-of-law plan.
_OWNER_AFTER = re.compile(r"人民政府|政府|委|法治|依法治|全面依法治")
# What comes before a place the report only visits or works with.
_ELSEWHERE_BEFORE = frozenset("到赴至去与向和同")
_TITLE_SPAN = re.compile(r"《[^《》]*》|〈[^〈〉]*〉")
_OPENING_LINES = 6
_READ = 20_000  # characters of the body searched for self-references and places
_SALUTATION_MAX = 60  # "市委、市政府:", "各县(区)人民政府,…,市政府各部门:"


@dataclass(frozen=True, slots=True)
class _Found:
    """What a name or sentence says about the reporting body."""

    region: str | None = None
    level: str | None = None
    chain: tuple[str, ...] = ()
    department: bool = False
    self_suffix: str | None = None  # the level character of 我县 / 县司法局 …


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
    """The level of the last unit of ``chain``, from the gazetteer where it knows the name,
    else from its suffix (a 市 under a prefecture is county level)."""
    if not chain:
        return None
    unit, suffix = chain[-1]
    known = _known_level(unit)
    if known:
        return known
    if suffix == "市":
        if unit[:-1] in _MUNICIPALITIES:
            return "province"
        if len(chain) > 1 and chain[-2][1] in _PREFECTURE_SUFFIXES:
            return "county"
    return LEVEL_BY_SUFFIX[suffix]


# -- the gazetteer ------------------------------------------------------------------------------


def _gazetteer() -> Gazetteer:
    from kg.nlp.places import gazetteer

    return gazetteer()


def _known_level(name: str) -> str | None:
    """The level of a division the gazetteer knows by ``name``, where all its bearers agree."""
    from kg.nlp.places import region_level

    levels = {region_level(r) for r in _gazetteer().by_name.get(name, [])}
    return levels.pop() if len(levels) == 1 else None


@cache
def _department_heads() -> re.Pattern[str]:
    """Names of government departments (司法局, 生态环境厅, 发改委) from the institutions
    lexicon: the ``department`` entries that end in 局, 厅 or 委(员会)."""
    from kg.nlp.patterns import read_table
    from kg.nlp.places import trie_regex

    names = [
        row[0]
        for row in read_table("institution_departments.txt")
        if len(row) > 1 and row[1] == "department" and re.search(r"[局厅委]$|委员会$", row[0])
    ]
    return re.compile(trie_regex(names))


@cache
def _abbreviations() -> dict[str, Region]:
    """Heads of long names with their suffix (东乌旗 for 东乌珠穆沁旗): the first two or more
    characters of a division's short name, where no other division of that kind has them."""
    gaz = _gazetteer()
    found: dict[str, list[Region]] = {}
    for region in gaz.by_code.values():
        short, last = region.short_name, region.name[-1]
        if last not in "旗县州盟" or len(short) < 3:
            continue
        for k in range(2, len(short)):
            found.setdefault(short[:k] + last, []).append(region)
    return {
        key: regions[0]
        for key, regions in found.items()
        if len(regions) == 1 and key not in gaz.by_name
    }


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    name: str  # official name
    level: str
    kinds: frozenset[str] = frozenset()  # regions.csv types, or 镇/乡/街道/苏木


_TOWN_SUFFIX = re.compile(r"街道|苏木|镇|乡")
_TOWN_NAME_MAX = 6  # characters before the suffix


def _gazetteer_towns(text: str) -> list[_Unit]:
    """Township-level names of ``kg/data/towns.csv`` in ``text`` (longest at each suffix;
    names of one character before the suffix are left out: too often words)."""
    from kg.nlp.places import is_township

    found: list[_Unit] = []
    for m in _TOWN_SUFFIX.finditer(text):
        for k in range(max(0, m.start() - _TOWN_NAME_MAX), m.start() - 1):
            name = text[k : m.end()]
            if is_township(name):
                found.append(_Unit(k, m.end(), name, "town", frozenset({m.group()})))
                break
    return found


def _units(text: str, *, abbreviations: bool = False) -> list[_Unit]:
    """Places named in ``text`` (simplified), in text order: divisions from the gazetteer,
    townships by pattern, and (for a report's own names) abbreviated long names."""
    from kg.nlp.places import region_level

    gaz = _gazetteer()
    full = gaz.full_names(text)
    units: list[_Unit] = []
    for place in full:
        name = text[place.start : place.end]
        regions = [gaz.by_code[place.code]] if place.code else gaz.by_name.get(name, [])
        names = {r.name for r in regions}
        levels = {region_level(r) for r in regions}
        level = levels.pop() if len(levels) == 1 else place.kind
        official = names.pop() if len(names) == 1 else name
        kinds = frozenset(r.type for r in regions)
        units.append(_Unit(place.start, place.end, official, level, kinds))
    listed = [
        t
        for t in _gazetteer_towns(text)
        if not any(u.start < t.end and t.start < u.end for u in units)
    ]
    taken = {(u.start, u.end) for u in units} | {(u.start, u.end) for u in listed}
    units += listed
    for place in gaz.towns(text, full):
        if place.kind in ("village", "community") or any(
            u.start < place.end and place.start < u.end for u in listed
        ):
            continue
        name = text[place.start : place.end]
        kind = _TOWN_SUFFIX.search(name)
        kinds = frozenset({kind.group()}) if kind else frozenset()
        units.append(_Unit(place.start, place.end, name, "town", kinds))
    if abbreviations:
        table = _abbreviations()
        for m in re.finditer(rf"[{CJK}]{{2,4}}[旗县州盟]", text):
            for k in range(m.start(), m.end() - 2):
                region = table.get(text[k : m.end()])
                if region is not None and (k, m.end()) not in taken:
                    units.append(
                        _Unit(
                            k, m.end(), region.name, region_level(region), frozenset({region.type})
                        )
                    )
                    break
    units.sort(key=lambda u: (u.start, -u.end))
    return units


def _department_after(text: str, end: int, *, strict: bool = False) -> bool:
    """Whether a department's name follows position ``end`` (…X县|公安局 关于…): one of the
    lexicon's, or (``strict`` off, in a report's own names) any name ending in 局/厅 before
    a break."""
    if _department_heads().match(text, end):
        return True
    if strict:
        return False
    match = _DEPARTMENT.match(text, end)
    return match is not None and not _NOT_A_DEPARTMENT.search(match.group())


def _blank_titles(text: str) -> str:
    return _TITLE_SPAN.sub(lambda m: "，" * len(m.group()), text)


def _with_parent(unit: _Unit, units: Sequence[_Unit]) -> tuple[str, ...]:
    """The chain down to ``unit``: the places above it named before it, then it."""
    above = []
    for other in units:
        if other.start >= unit.start:
            break
        if RANK[other.level] > RANK[unit.level] and other.name not in above:
            above.append(other.name)
    return (*above, unit.name)


def _from_name(name: str) -> _Found | None:
    """What one of the report's own names (title, issuer, signature) says."""
    text = _blank_titles(name).replace("人民政府", "，，，，")
    units = _units(text, abbreviations=True)
    if not units:
        chain = region_chain(name)
        if not chain:
            return None
        return _Found(chain[-1][0], level_of(chain), tuple(u for u, _ in chain))
    best = min(units, key=lambda u: (RANK[u.level], u.start))
    department = _department_after(text, best.end)
    return _Found(best.name, best.level, _with_parent(best, units), department)


def _from_opening(line: str) -> _Found | None:
    """What the subject of an opening sentence says: a place, a department, 我县 …"""
    lead = _LEAD.match(line)
    pos = lead.end() if lead else 0
    rest = line[pos:]
    units = [u for u in _units(rest, abbreviations=True) if u.start == 0]
    if units:
        unit = max(units, key=lambda u: u.end)
        department = _department_after(rest, unit.end, strict=True)
        return _Found(unit.name, unit.level, (unit.name,), department)
    level = _LEVEL_CHAR.match(rest)
    if level and _department_after(rest, level.end(), strict=True):
        return _Found(department=True, self_suffix=level.group(1))
    if _OWN_DEPARTMENT.match(rest):
        return _Found(department=True)
    own = _SELF.match(rest)
    if own:
        return _Found(self_suffix="街道" if own.group(2) == "街" else own.group(2))
    return None


def _names(header: Header) -> tuple[list[str], list[str]]:
    """The report's own names: (title, issuers and signatories; page fields)."""
    meta = header.metadata
    first = [*header.issuers, *([meta.title] if meta.title else []), *header.signatories]
    second = [
        part
        for value in (meta.publisher, meta.author, meta.source, meta.issuing_body)
        if value
        for part in re.split(r"[、,，\s]+", value)
        if part
    ]
    return [to_simplified(n) for n in first], [to_simplified(n) for n in second]


def _best(found: Iterable[_Found | None]) -> _Found | None:
    """The most specific place among ``found``; a department wherever one says so."""
    named = [f for f in found if f is not None and f.region]
    if not named:
        return None
    best = min(named, key=lambda f: RANK.get(f.level or "", 9))
    if any(f.department and f.region == best.region for f in named):
        best = replace(best, department=True)
    return best


def _self_suffix(body: str) -> str | None:
    """The level character the report uses most for itself: 我X counts three, 全X/本X one."""
    counts: Counter[str] = Counter()
    for m in _SELF.finditer(body):
        suffix = "街道" if m.group(2) == "街" else m.group(2)
        counts[suffix] += 3 if m.group(1) == "我" else 1
    return counts.most_common(1)[0][0] if counts else None


def _place_in_text(body: str, kinds: frozenset[str] | None) -> tuple[str, tuple[str, ...]] | None:
    """The place of one of ``kinds`` (any, for None) the text names most often (ties: the
    first named): full names, province short forms, "法治X", and 街道 as "X街"."""
    gaz = _gazetteer()
    counts: dict[str, float] = {}
    first: dict[str, int] = {}
    chains: dict[str, tuple[str, ...]] = {}

    def fits(region_kinds: Iterable[str]) -> bool:
        return kinds is None or bool(kinds & set(region_kinds))

    def add(name: str, at: int, weight: float = 1.0) -> None:
        counts[name] = counts.get(name, 0.0) + weight
        first.setdefault(name, at)

    units = _units(body)
    for unit in units:
        if fits(unit.kinds):
            add(unit.name, unit.start, _weight(body, unit.start, unit.end))
            chains.setdefault(unit.name, _with_parent(unit, units))
    if kinds is None:
        return _most_named(counts, first, chains)
    for place in gaz.short_forms(body, []):
        region = gaz.by_code.get(place.code or "")
        if region is not None and fits([region.type]):
            add(region.name, place.start)
    for m in _RULE_OF_LAW_SHORT.finditer(body):
        for k in range(len(m.group(1)), 1, -1):
            regions = [r for r in gaz.by_short.get(m.group(1)[:k], []) if fits([r.type])]
            if len(regions) == 1:
                add(regions[0].name, m.start(1))
                break
    if "街道" in kinds:
        for m in _STREET_SHORT.finditer(body):
            add(m.group(1) + "街道", m.start())
    return _most_named(counts, first, chains)


def _weight(body: str, start: int, end: int) -> float:
    """How much a mention of a place says that the report is about it: more where the place
    heads a document or a body of its own (《X…》, X人民政府, X法治…), less where it is a
    destination or a partner (到X, 与X)."""
    before = body[start - 1 : start]
    if before == "《" or _OWNER_AFTER.match(body, end):
        return 2.0
    if before and before in _ELSEWHERE_BEFORE:
        return 0.5
    return 1.0


def _most_named(
    counts: dict[str, float], first: dict[str, int], chains: dict[str, tuple[str, ...]]
) -> tuple[str, tuple[str, ...]] | None:
    if not counts:
        return None
    best = max(counts, key=lambda n: (counts[n], -first[n]))
    return best, chains.get(best, (best,))


def _town_chain(chain: tuple[str, ...], body: str) -> tuple[str, ...]:
    """A township's chain with its county, from the township gazetteer, where the chain has
    none: the county of the township of that name whose county the text names (or the only
    township of that name)."""
    if len(chain) > 1:
        return chain
    from kg.nlp.places import townships

    towns = townships(chain[-1])
    gaz = _gazetteer()
    named = [t for t in towns if gaz.by_code[t.parent_code].name in body]
    pick = named if len(named) == 1 else list(towns) if len(towns) == 1 else []
    return (gaz.by_code[pick[0].parent_code].name, *chain) if pick else chain


def infer_region(header: Header, body: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """``(region, level, chain)``: the place the report is about, its level (or
    ``department``) and the units named down to it."""
    text = to_simplified(body) if script_of(body) == "traditional" else body
    first, second = _names(header)
    found = _best(_from_name(n) for n in first) or _best(_from_name(n) for n in second)
    subject = next((f for line in _opening_lines(text) if (f := _from_opening(line))), None)
    if found is None and subject is not None and subject.region:
        found = subject
    department = (
        bool(found and found.department)
        or bool(
            subject is not None
            and subject.department
            and (found is None or subject.self_suffix is None or _fits(subject.self_suffix, found))
        )
        or (
            len(_OWN_DEPARTMENT.findall(text[:_READ])) >= _OWN_DEPARTMENT_MIN
            and not any(_GOVERNMENT.search(name) for name in first)
        )
    )
    if found is not None and found.region:
        level = "department" if department else found.level
        chain = _town_chain(found.chain, text) if found.level == "town" else found.chain
        return found.region, level, chain
    suffix = (subject.self_suffix if subject else None) or _self_suffix(text[:_READ])
    place = _place_in_text(text[:_READ], _SELF_KINDS[suffix] if suffix else None)
    if place is None:
        level = _SELF_LEVELS[suffix][0] if suffix else None
        return None, "department" if department else level, ()
    region, chain = place
    level = _known_level(region) or (_SELF_LEVELS[suffix][0] if suffix else "town")
    if level == "town":
        chain = _town_chain(chain, text)
    return region, "department" if department else level, chain


def _fits(suffix: str, found: _Found) -> bool:
    """Whether a self-reference by ``suffix`` (县 of 县司法局) fits the place ``found``."""
    return found.level in _SELF_LEVELS.get(suffix, ())


def _opening_lines(text: str) -> list[str]:
    """The first sentences of the body: lines with a comma or full stop, not a salutation."""
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        salutation = len(line) <= _SALUTATION_MAX and line.endswith((":", "："))
        if not line or salutation or not re.search(r"[,，。]", line):
            continue
        lines.append(line)
        if len(lines) == _OPENING_LINES:
            break
    return lines
