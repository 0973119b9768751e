"""Institutions as entities: one per body, its name completed from the report's region.

Reports name their own region's bodies by level alone. A name is completed against the report's
region chain (the region and its ancestors via ``parent``), nearest unit first:

- A level character opens the name: the unit of that level nearest the report's region whose
  name ends in it. In a 惠安县 report (福建省/泉州市/惠安县) 县司法局 → 惠安县司法局, 市司法局 →
  泉州市司法局, 省人大常委会法工委 → 福建省人大常委会法工委; 区… is a district, 州… an autonomous
  prefecture, 镇…/乡…/街道… the town, 自治区… the region. A county-level city (晋江市) is its own
  nearest 市, and so is a municipality for its districts (北京市 for 朝阳区).
- Party organs take 中共 in front, when what follows the level is the committee (委): 省委 →
  中共福建省委, 县委办 → 中共惠安县委办, 市委依法治市办 → 中共泉州市委依法治市办; so do the
  committee's discipline commission (县纪委 → 中共惠安县纪委) and its working departments, which
  are named after 委 in full (县组织部 and 县委组织部 → 中共惠安县委组织部, 县政法委 →
  中共惠安县委政法委, 县党校 → 中共惠安县委党校). 团县委 is the Youth League's: 共青团惠安县委.
- A unit's full name carries the unit above it where official names do, for districts, towns
  and villages (names many divisions share): 区政府 in a 迎泽区 report → 太原市迎泽区政府, 镇党委
  in a 天福镇 report → 蓬溪县天福镇党委. A name that opens with such a unit written alone is
  brought to the same form (迎泽区委 → 中共太原市迎泽区委), so both spellings are one body.
- Names that already open with a place (惠安县司法局, 泉州市中级人民法院, 泉州中院) keep their
  wording (but for 中共 on a committee: 保定市委 → 中共保定市委); their jurisdiction is the
  innermost place, settled by the report's chain where names are shared. Names with 中共 stay
  as they are. National bodies (国务院, 最高人民法院, 全国人大常委会, 司法部, 中央依法治国办 …)
  stay as they are, with the jurisdiction ``NATIONAL``. A province's department named alone
  (司法厅) is that of the report's province: 福建省司法厅.
- Words that open with a level character without being one stay as they are: 市场监管局,
  县级…, 区域…, 省级…, and two levels in a row (市县政府, 乡镇党委: many bodies); but 市市场监管局
  → 泉州市市场监管局. So do generic plurals (各乡镇, 有关单位) and names whose level the chain
  lacks or that come with no region: their jurisdiction is None; nothing is guessed.

Common short forms of a body's own words are written in full after completion, so that 县政府
and 县人民政府 are one body: …政府 → …人民政府, …政府办 → …人民政府办公室, …中院 →
…中级人民法院, …法院 / …检察院 → …人民法院 / …人民检察院, 县委办 → 县委办公室, 县委中心组 →
县委理论学习中心组, 县委政法委 → 县委政法委员会. The committee for law-based governance and its
office take their official names: 县委依法治县办, 县委依法治县办公室, 县依法治县办 →
中共惠安县委全面依法治县委员会办公室 (no body is called 依法治县办公室). Completion adds only the
place (and 中共) to what was written, or writes it in one of these official long forms; a name
that names a body only by context (省厅, 市局) is kept as written, with no jurisdiction, and
纪委监委 (the party's commission and the state's, one office) takes no 中共.

The entity's key is ``normalize`` of the full name, so the same body named in two reports, in
whatever short form, has the same key; the forms the report wrote are kept as surface forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from kg.nlp.model import INSTITUTION, Mention
from kg.nlp.patterns import read_table
from kg.nlp.places import gazetteer
from kg.resolve.documents import NATIONAL
from kg.resolve.regions import LinkedRegion, link_region
from kg.text import normalize

Jurisdiction = LinkedRegion | str | None

# Level words that open a name, longest first.
_LEVELS = (
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "街道",
    "省",
    "市",
    "县",
    "区",
    "州",
    "旗",
    "盟",
    "镇",
    "乡",
)
# A level right after a level makes many bodies (市县政府, 乡镇党委, 镇村干部).
_PLURAL_NEXT = (*_LEVELS, "村", "社区")
# Words that open with a level character but are no level (市场监管局, 区域中心).
_NOT_LEVELS = (
    "市场",
    "市民",
    "市容",
    "市辖",
    "市政公用",
    "市政工程",
    "市政设施",
    "区域",
    "区划",
    "区块",
    "县域",
    "县城",
    "市域",
    "省域",
    "镇域",
    "乡村",
    "省份",
)
_NOT_AFTER_LEVEL = frozenset("级域")  # 县级, 省级, 区域
_DISTRICT_LIKE = ("地区",)  # a prefecture, not a district: 区… is never its
_NATIONAL_OPENINGS = ("中共中央", "党中央", "中央", "国务院", "全国", "最高人民", "国家")
_NOT_NATIONAL = ("国家级",)
# Openers of a committee's full name, and how the full name writes them.
_OPENERS = {"中国共产党": "中国共产党", "中共": "中共", "共青团": "共青团", "团": "共青团"}
_PARTY = "中共"
_COMMITTEE = "委"
_DISCIPLINE = ("纪委", "纪工委", "纪律检查委员会")
_JOINT_DISCIPLINE = ("纪委监委", "纪委监察委")
# What a level may not stand before alone: 省厅, 市局 name a body only by context.
_BARE_RESTS = frozenset({"厅", "局", "办"})
_PARTY_SCHOOL = "党校"
_WITH_PARENT = frozenset({"district", "town", "village"})
_PROVINCE_ENDINGS = ("省", "自治区")
_PLACE_MAX = 12
_PLACES_MAX = 4
_PUBLISHER_SEPARATORS = re.compile(r"[、，,;；/\s]+")


@dataclass(frozen=True, slots=True)
class InstitutionEntity:
    """One body named in a report, under its full name."""

    key: str  # normalize(name): the same body in two reports gives the same key
    name: str  # full name, completed from the report's region where abbreviated
    jurisdiction: Jurisdiction  # NATIONAL, the region it serves, or None if unknown
    surface_forms: tuple[str, ...]  # every form the report wrote it in (may include name itself)


# -- word lists -------------------------------------------------------------------------------


@cache
def _standalone() -> dict[str, str]:
    return {row[0]: row[1] for row in read_table("institution_standalone.txt") if len(row) > 1}


@cache
def _national_bodies() -> tuple[str, ...]:
    names = (name for name, kind in _standalone().items() if kind != "department")
    return tuple(sorted(names, key=len, reverse=True))


@cache
def _province_departments() -> frozenset[str]:
    return frozenset(name for name, kind in _standalone().items() if kind == "department")


@cache
def _party_departments() -> tuple[str, ...]:
    """Working departments of a party committee, written after its 委 (县委组织部)."""
    rows = read_table("institution_departments.txt")
    names = {r[0] for r in rows if len(r) > 1 and r[1] == "party_department"}
    names = {n for n in names if not n.endswith("工委")}  # 直属机关工委: a committee of its own
    return tuple(sorted({*names, _PARTY_SCHOOL}, key=len, reverse=True))


# -- the report's region chain ----------------------------------------------------------------


def _chain(region: LinkedRegion | None) -> Iterator[LinkedRegion]:
    """``region`` and its ancestors, nearest first."""
    node = region
    while node is not None:
        yield node
        node = node.parent


def _unit_name(region: LinkedRegion) -> str:
    """The name a body's full name opens with: a district, town or village with the unit above
    it (太原市迎泽区, 蓬溪县天福镇), any other region alone (惠安县, 泉州市)."""
    if region.level in _WITH_PARENT and region.parent is not None:
        return _unit_name(region.parent) + region.name
    return region.name


def _unit_of(level: str, region: LinkedRegion | None) -> LinkedRegion | None:
    """The nearest unit of the chain whose name ends in ``level``."""
    for node in _chain(region):
        if node.name.endswith(level) and not node.name.endswith(_DISTRICT_LIKE):
            return node
    return None


# -- completing one name ----------------------------------------------------------------------


def _join(unit: str, rest: str) -> str:
    """``unit`` + ``rest``, with 中共 (and 委) where ``rest`` is a party committee's."""
    if rest.startswith(_JOINT_DISCIPLINE):  # 纪委监委: the party's and the state's, no 中共
        return unit + rest
    if rest.startswith(_COMMITTEE) or rest.startswith(_DISCIPLINE):
        return _PARTY + unit + rest
    if rest.startswith(_party_departments()):
        return _PARTY + unit + _COMMITTEE + rest
    return unit + rest


def _level_prefix(name: str) -> str | None:
    """The level word ``name`` opens with, when it is one (not 市场…, 县级…, 市县…)."""
    level = next((lv for lv in _LEVELS if name.startswith(lv)), None)
    if level is None or name.startswith(_NOT_LEVELS):
        return None
    rest = name[len(level) :]
    if not rest or rest[0] in _NOT_AFTER_LEVEL or rest in _BARE_RESTS:
        return None
    if rest.startswith(_PLURAL_NEXT) and not rest.startswith(_NOT_LEVELS):
        return None
    return level


def _levelled(name: str, region: LinkedRegion | None) -> tuple[str, LinkedRegion] | None:
    level = _level_prefix(name)
    unit = _unit_of(level, region) if level else None
    if level is None or unit is None:
        return None
    return _join(_unit_name(unit), name[len(level) :]), unit


def _short_names(region: LinkedRegion | None) -> dict[str, LinkedRegion]:
    gaz = gazetteer()
    shorts: dict[str, LinkedRegion] = {}
    for node in _chain(region):
        known = gaz.by_code.get(node.code) if node.code else None
        if known is not None and known.short_name:
            shorts.setdefault(known.short_name, node)
    return shorts


def _place_at(
    name: str, pos: int, region: LinkedRegion | None, chain: tuple[str, ...]
) -> tuple[int, LinkedRegion | None] | None:
    """The longest place opening ``name[pos:]``: its length and where it lies (None when
    several divisions share the name and ``chain``, the units named so far, does not settle
    which)."""
    gaz = gazetteer()
    nodes = {node.name: node for node in _chain(region)}
    shorts = _short_names(region)
    for end in range(min(len(name), pos + _PLACE_MAX), pos + 1, -1):
        word = name[pos:end]
        if word in nodes:
            return end - pos, nodes[word]
        if word in gaz.by_name and word not in gaz.weak:
            return end - pos, link_region(word, chain=chain)
        if word in shorts:
            return end - pos, shorts[word]
        if word in gaz.always_short:
            province = next(r for r in gaz.by_short[word] if r.level == "province")
            return end - pos, link_region(province.name)
    return None


def _places_opening(name: str, region: LinkedRegion | None) -> tuple[str, Jurisdiction] | None:
    """The places ``name`` opens with as written (太原市迎泽区), and the innermost placed."""
    pos = 0
    where: LinkedRegion | None = None
    chain = region.path if region else ()
    for _ in range(_PLACES_MAX):
        found = _place_at(name, pos, region, chain)
        if found is None:
            break
        length, where = found
        chain = where.path if where else (*chain, name[pos : pos + length])
        pos += length
    return (name[:pos], where) if pos else None


def _placed(name: str, region: LinkedRegion | None) -> tuple[str, Jurisdiction] | None:
    found = _places_opening(name, region)
    if found is None:
        return None
    written, where = found
    prefix = written
    if isinstance(where, LinkedRegion) and _unit_name(where).endswith(written):
        prefix = _unit_name(where)  # 迎泽区 → 太原市迎泽区
    return _join(prefix, name[len(written) :]), where


def _national(name: str) -> bool:
    if name.startswith(_NOT_NATIONAL):
        return False
    return name.startswith(_NATIONAL_OPENINGS) or name.startswith(_national_bodies())


def _opened(name: str, region: LinkedRegion | None) -> tuple[str, Jurisdiction] | None:
    """A name opened by 中共 (or 中国共产党, 共青团, 团): the opener kept, the rest completed."""
    opener = next((o for o in _OPENERS if name.startswith(o)), None)
    if opener is None:
        return None
    body = name[len(opener) :]
    found = _placed(body, region) or _levelled(body, region)
    if found is None:
        return name, None
    full, where = found
    return _OPENERS[opener] + full.removeprefix(_PARTY), where


def _province_department(name: str, region: LinkedRegion | None) -> tuple[str, Jurisdiction]:
    """司法厅 alone: the report's province's department; anything else as written."""
    top = next((n for n in _chain(region) if n.parent is None), None)
    if name in _province_departments() and top and top.name.endswith(_PROVINCE_ENDINGS):
        return top.name + name, top
    return name, None


# Short forms of a unit's own bodies, written in full (after a level character, so only in
# names that open with their place): (pattern, replacement).
_LONG_FORMS = (
    (re.compile(r"(?<=[省市县区镇乡旗州盟])政府(?=办公室|办|$)"), "人民政府"),
    (re.compile(r"人民政府办$"), "人民政府办公室"),
    (re.compile(r"(?<=[省市县区州盟])中院$"), "中级人民法院"),
    (re.compile(r"(?<=[省市县区州盟])中级法院$"), "中级人民法院"),
    (re.compile(r"(?<=[省市县区旗州盟])法院$"), "人民法院"),
    (re.compile(r"(?<=[省市县区旗州盟])检察院$"), "人民检察院"),
    # A party committee's own offices: 县委办, 县委中心组, 县委政法委.
    (re.compile(r"(?<=[省市县区镇乡旗州盟]委)办$"), "办公室"),
    (re.compile(r"(?<=[省市县区镇乡旗州盟]委)中心组$"), "理论学习中心组"),
    (re.compile(r"(?<=[省市县区镇乡旗州盟]委)政法委$"), "政法委员会"),
)
# The committee for law-based governance of a unit (全面依法治县委员会, set up in 2018 under the
# unit's party committee) and its office, however short the name: 县委依法治县办,
# 县委依法治县办公室, 县委全面依法治县办, 县依法治县办 are all 中共…县委全面依法治县委员会办公室
# (a 依法治县办公室 of its own does not exist); 县委依法治县委 is …全面依法治县委员会.
_RULE_OF_LAW = re.compile(
    r"(?<=[省市县区镇乡旗州盟])委?(?:全面)?依法治([省市县区镇乡旗州盟])"
    r"(?:(办(?:公室)?)|委(?:员会)?(办(?:公室)?)?)$"
)
_PARTY_OPENERS = ("中共", "中国共产党")


def _rule_of_law_body(name: str) -> str:
    m = _RULE_OF_LAW.search(name)
    if m is None:
        return name
    office = "办公室" if (m.group(2) or m.group(3)) else ""
    full = name[: m.start()] + f"委全面依法治{m.group(1)}委员会{office}"
    return full if full.startswith(_PARTY_OPENERS) else _PARTY + full


def long_form(name: str) -> str:
    """``name`` with its short forms written in full: 惠安县政府 → 惠安县人民政府,
    中共惠安县委依法治县办 → 中共惠安县委全面依法治县委员会办公室."""
    for pattern, replacement in _LONG_FORMS:
        name = pattern.sub(replacement, name)
    return _rule_of_law_body(name)


def complete_name(text: str, region: LinkedRegion | None) -> tuple[str, Jurisdiction]:
    """Full name and jurisdiction of an institution name as written in a report about `region`.

    >>> name, where = complete_name("县司法局", link_region("惠安县"))
    >>> name, where.name if where else None
    ('惠安县司法局', '惠安县')
    >>> complete_name("市场监管局", link_region("惠安县"))
    ('市场监管局', None)
    """
    name = text.strip()
    if not name:
        return text, None
    if _national(name):
        return name, NATIONAL
    found = _opened(name, region) or _placed(name, region) or _levelled(name, region)
    full, where = found if found is not None else _province_department(name, region)
    return (long_form(full), where) if where is not None else (full, where)


# -- entities ---------------------------------------------------------------------------------


def _publisher_bodies(publisher: str | None) -> list[str]:
    """The bodies a report's publisher line names (中共太原市迎泽区委、太原市迎泽区人民政府)."""
    if not publisher:
        return []
    return [part for part in _PUBLISHER_SEPARATORS.split(publisher) if part]


def resolve_institutions(
    mentions: Iterable[Mention],
    report_region: LinkedRegion | None,
    publisher: str | None = None,
) -> list[InstitutionEntity]:
    """One entity per body among the INSTITUTION mentions (and the report's publisher if given),
    in order of first appearance (the publisher, who signs the report, first)."""
    written = _publisher_bodies(publisher)
    written += [m.text for m in mentions if m.label == INSTITUTION]
    names: dict[str, str] = {}
    places: dict[str, Jurisdiction] = {}
    forms: dict[str, list[str]] = {}
    completed: dict[str, tuple[str, Jurisdiction]] = {}
    for text in written:
        if text not in completed:
            completed[text] = complete_name(text, report_region)
        name, where = completed[text]
        key = normalize(name)
        names.setdefault(key, name)
        if places.get(key) is None:
            places[key] = where
        spellings = forms.setdefault(key, [])
        if text not in spellings:
            spellings.append(text)
    return [InstitutionEntity(key, names[key], places[key], tuple(forms[key])) for key in names]
