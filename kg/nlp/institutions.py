"""Component ``kg_institutions``: named bodies (县司法局, 市委依法治市办, 省人大常委会法工委 …).

A name is read by a small grammar over ``doc.text``, compiled once into regexes from the word
lists in ``lexicons/institution_*.txt``:

- ``[place] level body [part…]``: 县委, 惠安县人民政府办公室, 省人大常委会法工委, 区组织部,
  县委巡察二组, 市纪委监委. The level character (省/市/县/区/镇/乡/街道/州/旗/盟) opens the
  match; place names that end right there (惠安县, 太原市迎泽区, 蓬溪县天福镇) and a leading
  中共 are then taken in, so the longest name as written is kept.
- ``中央``/``国家`` + department (中央依法治国办); bodies that stand alone (国务院, 司法部, 党中央,
  a province's 司法厅); the bare 党委 of a report on one unit.
- Bodies named by their task, read back from a head noun (法治建设领导小组, 法治保定研究院,
  驻市直机关纪检监察组) to the nearest break; see ``institution_heads.txt``.

What stops a name: a generic word before it (各, 各级, 全, 有关 …) or a second level before the
level (市县政府, 乡镇党委: many bodies); a word that ends in a level without being a place
(社区党委); a party post after a party committee (市委书记, 县委常委); a meeting after it
(县政府常务会, 党委会, 市委十二届四次全会); a cited title around it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.model import INSTITUTION
from kg.nlp.patterns import read_lexicon, read_table
from kg.nlp.pipeline import doc_text, make_span, set_group, span_ranges
from kg.nlp.places import (
    Place,
    Ranges,
    doc_places,
    is_cjk,
    trie_regex,
)

# A level: one character, or 街道/社区 (written as a class first, so that scans are fast).
_LEVELS = "[街社省市县区镇乡州旗盟村](?:(?<=街)道|(?<=社)区|(?<![街社]))"
_NEEDS_PLACE = frozenset({"村", "社区"})  # 村党支部 alone is any village's
_LEVEL_CHARS = frozenset("省市县区乡镇")
_AUTONOMOUS = frozenset("区州县旗")  # levels that may be autonomous: 自治区, 自治州 …
_NUMERAL = "[零〇一二三四五六七八九十百\\d]"
# The party committee 委 (县委) and the short office 办 (县政府办), not read in 委员/委托 or
# 办理/办事/办公楼; 厅/局 right after a level (省厅, 市局) is a department of that level.
_COMMITTEE = "委(?![员托派实屈婉])"
_OFFICE = "办(?![公理事结件好案学法成实班])"
_LEVEL_DEPT = "厅(?![长级])|局(?![长级面势部限促])"
# Offices and committees of the rule-of-law system of each level: 依法治县办, 全面依法治市委员会.
_RULE_OF_LAW = "(?:全面)?依法治[国省市县区镇乡旗州街](?:委(?:员会)?(?!员)|办(?:公室)?)"
_INSPECTION = f"(?:第{_NUMERAL}{{1,3}})?巡[视察](?:{_NUMERAL}{{1,3}})?组"
_HOTLINE = "热线(?:办公室|办|中心)"
_HOTLINE_NUMBER = re.compile("(?<!\\d)\\d{5,6}(?:政务服务)?(?:便民)?$")
_STOP_NAME = "[^\u3400-\u9fff]"  # any character that is no Chinese character breaks a name
_BARE_PARTY_CUES = frozenset("是在由经和与及对向将把被")
_CLOSERS = frozenset(")）》”」』")
_OPENERS_PAREN = frozenset("(（")
_WINDOW = 24  # how far back a task-named body may run from its head
_ANAPHORA = ("本", "该", "此", "上述", "下设")
# A party group or committee named after its own department (局党组, 厅党委理论学习中心组) or
# government (政府党组) in that department's or government's own report.
_OWN_PARTY = ("政府", "厅", "局", "委", "办", "院")
# 中心 as a head noun, not in 中心工作 (the central task) or 中心组 (a study group).
_NOT_AFTER_CENTRE = ("工作", "任务", "环节", "城区", "城市", "组")


class Candidate(NamedTuple):
    """A name found in the text; ``kind`` and ``head`` stay empty until it is chosen, and are
    then read from the units that start at ``units_at``."""

    start: int
    end: int
    units_at: int
    kind: str = ""
    head: str = ""


class Grammar:
    """Compiled patterns and word lists; built once from the lexicons."""

    def __init__(self) -> None:
        bodies = dict(read_table("institution_bodies.txt"))
        depts = dict(read_table("institution_departments.txt"))
        subunits = dict(read_table("institution_subunits.txt"))
        standalone = dict(read_table("institution_standalone.txt"))
        self.kinds = {**subunits, **depts, **bodies, **standalone}
        first = f"{_COMMITTEE}|{_LEVEL_DEPT}|{_RULE_OF_LAW}|{trie_regex(depts.keys() | bodies)}"
        central_bodies = {b for b, kind in bodies.items() if kind == "discipline"}
        central = f"{_RULE_OF_LAW}|{trie_regex(depts.keys() | central_bodies)}"
        nxt = f"{_RULE_OF_LAW}|{_INSPECTION}|{trie_regex(depts.keys() | subunits)}|{_OFFICE}"
        self.first_unit = re.compile(first)
        # A department's name ending at a position (…生态环境局|党委).
        named = {d for d in depts if len(d) > 1 and d[-1] in "厅局委办院"}
        self.dept_end = re.compile(f"[\u3400-\u9fff](?:{trie_regex(named)})$")
        self.next_unit = re.compile(nxt)
        # Each pattern opens with a character class or a literal, so that ``re`` skips in C
        # the characters that cannot open a name.
        self.scans = (
            re.compile(f"(?P<level>{_LEVELS})(?:{first})(?:{nxt}){{0,3}}"),
            re.compile(f"(?P<central>中央|国家)(?:{central})(?:{nxt}){{0,2}}"),
            re.compile(f"(?P<bare>党委|党组(?!织)|党工委)(?:{nxt}){{0,2}}"),
            re.compile(f"(?P<alone>{trie_regex(standalone)})(?:{nxt}){{0,2}}"),
            # a rule-of-law committee or office named alone (依法治区委员会工作规则); the
            # scan opens with its literal, 全面 before it is taken in afterwards
            re.compile(
                f"依法治[国省市县区镇乡旗州街](?:委(?:员会)?(?!员)|办(?:公室)?)(?:{nxt}){{0,2}}"
            ),
        )
        self.hotline = re.compile(_HOTLINE)
        courts = {b for b, kind in bodies.items() if kind in ("court", "procuratorate")}
        offices = {d for d, kind in depts.items() if kind == "office"}
        self.after_short = re.compile(
            f"(?:{trie_regex(courts | (depts.keys() - offices))})(?:{nxt}){{0,2}}"
        )
        self.generic = frozenset(read_lexicon("institution_generic.txt"))
        self.generic_lengths = sorted({len(w) for w in self.generic})
        self.compounds = frozenset(read_lexicon("institution_level_compounds.txt"))
        # What may not follow a name: a system, the departments of a government, or a post.
        posts = trie_regex(read_lexicon("institution_posts.txt"))
        # A body named before its meeting is still that body (市委常委会会议 names 市委常委会,
        # 县政府常务会议 names 县政府): only the meeting itself is no body.
        not_after = trie_regex(read_lexicon("institution_not_after.txt"))
        # A plenary of a numbered term (市委十二届四次全会) and a bare 会 (党组会) stay out.
        plenary = f"{_NUMERAL}{{1,4}}届|会(?![议同商签审办])"
        self.after = re.compile(f"{not_after}|{plenary}|(?:{posts})(?!会)")
        heads = read_table("institution_heads.txt")
        self.head_kind = {h: kind for h, kind, _needs in heads}
        self.head_needs = {h: needs for h, _kind, needs in heads}
        self.heads = re.compile(f"(?:{trie_regex(self.head_kind)})(?!组)")
        stops = trie_regex(read_lexicon("institution_stops.txt"))
        self.breaks = re.compile(f"{_STOP_NAME}|{stops}")
        self.level_prefix = re.compile(f"(?:{_LEVELS})(?:{_COMMITTEE}|级)|中央|国家")

    # -- helpers -----------------------------------------------------------------------------

    def kind_and_head(self, units: list[str]) -> tuple[str, str]:
        """Kind of the body and its head noun (the last unit): the kind of the first unit,
        replaced by that of each later unit that is a body of its own (an office, a department)
        rather than a part that inherits it (常委会, 中心组)."""
        kind = self.kinds.get(units[0], "party" if units[0] == "委" else "department")
        for unit in units[1:]:
            later = self.kinds.get(unit, "office" if unit == "办" else "inherit")
            if "巡" in unit:
                later = "discipline"  # 巡察组, 巡视组
            if later != "inherit":
                kind = later
        return kind, units[-1]

    def hotlines(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of hotline offices (12345热线办), found from their 热线."""
        for m in self.hotline.finditer(text):
            back = _HOTLINE_NUMBER.search(text, max(0, m.start() - 12), m.start())
            if back is not None:
                yield back.start(), m.end()

    def accepts(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` stays a body given what stands around it."""
        if self.is_generic_before(text, start) or self.after.match(text, end):
            return False
        return not (text[end - 1] == "委" and text.startswith("员", end))

    def is_generic_before(self, text: str, start: int) -> bool:
        generic = self.generic
        return any(text[max(0, start - k) : start] in generic for k in self.generic_lengths)

    def units(self, text: str, start: int, end: int) -> list[str]:
        """The units of a matched name, first to last (县 委 依法治县办 → 委, 依法治县办)."""
        m = self.first_unit.match(text, start, end)
        if m is None:
            return [text[start:end]]
        out = [m.group()]
        pos = m.end()
        while pos < end:
            n = self.next_unit.match(text, pos, end)
            if n is None or n.end() == pos:
                break
            out.append(n.group())
            pos = n.end()
        return out


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    return Grammar()


# Words that open the full name of a body before its place: 中共惠安县委, 团县委 (the Youth
# League's committee), 中国共产党惠安县委员会, 政协惠安县委员会.
_OPENERS = ("中国共产党", "中共")
_COMMITTEE_OPENERS = ("中国共产党", "中共", "团")
_FULL_COMMITTEE_OPENERS = ("中国人民政治协商会议", "中国共产党", "中共", "政协")


def _extend_over_places(
    text: str, start: int, place_by_end: dict[int, Place], openers: tuple[str, ...] = _OPENERS
) -> int:
    """Take in the places that end right at ``start`` (太原市迎泽区 …) and one of ``openers``."""
    for _ in range(4):
        place = place_by_end.get(start)
        if place is None:
            break
        start = place.start
    for opener in openers:
        if start >= len(opener) and text.startswith(opener, start - len(opener)):
            return start - len(opener)
    return start


def _level_start(
    g: Grammar, text: str, m: re.Match[str], level: str, place_by_end: dict[int, Place]
) -> int | None:
    """Where a name opened by a level starts (taking in the places before it); None when the
    level is no prefix (社区党委) or one of several (市县政府). An autonomous level
    (自治区党委, 自治州人民政府, 自治县委) takes in its 自治."""
    start = m.start()
    if level in _AUTONOMOUS and text.startswith("自治", start - 2):
        start -= 2
        place = place_by_end.get(m.start() + len(level))
        if place is not None and place.start < start:
            return _extend_over_places(text, place.start, place_by_end)
        return _extend_over_places(text, start, place_by_end)
    openers = _COMMITTEE_OPENERS if m.group().endswith("委") else _OPENERS
    place = place_by_end.get(start + len(level))
    if place is not None and place.start < start:
        return _extend_over_places(text, place.start, place_by_end, openers)
    prev = text[start - 1] if start else ""
    if level in _NEEDS_PLACE or prev + level[0] in g.compounds:
        return None
    if prev in _LEVEL_CHARS and start not in place_by_end:
        return None  # 市县政府, 乡镇党委: many bodies
    return _extend_over_places(text, start, place_by_end, openers)


def grammar_candidates(text: str, places: list[Place], g: Grammar | None = None) -> list[Candidate]:
    """Bodies named by level, place, centre or alone (the regex part of the grammar)."""
    g = g or grammar()
    place_by_end = {p.end: p for p in places}
    accepts = g.accepts
    out: list[Candidate] = []
    level_scan, central_scan, bare_scan, alone_scan, rule_of_law_scan = g.scans
    for m in level_scan.finditer(text):
        level = m.group(1)
        start = _level_start(g, text, m, level, place_by_end)
        if start is not None and accepts(text, start, m.end()):
            out.append(Candidate(start, m.end(), m.start() + len(level)))
    for m in bare_scan.finditer(text):
        start, end = m.span()
        # 局党组, 厅党委, 政府党组: named with their body
        own = next((w for w in _OWN_PARTY if text.startswith(w, start - len(w))), None)
        if own is not None and g.dept_end.search(text, max(0, start - 12), start):
            continue  # 各市州生态环境局党委: the tail of a longer name that was not taken
        if own is not None and m.group("bare") != "党工委":
            start -= len(own)
        prev = text[start - 1] if start else ""
        if (
            own is None
            and prev
            and prev not in _BARE_PARTY_CUES
            and (is_cjk(prev) or prev in _CLOSERS)
        ):
            continue
        if prev in _OPENERS_PAREN:
            continue  # 各级党委(党组): the other name of a kind of body
        if text.startswith(("领导", "统一领导"), end):
            continue  # 党委领导、政府负责: the principle, not one body
        if accepts(text, start, end):
            out.append(Candidate(start, end, start))
    for m in central_scan.finditer(text):
        if accepts(text, m.start(), m.end()):
            out.append(Candidate(m.start(), m.end(), m.start() + 2))
    for m in alone_scan.finditer(text):
        if accepts(text, m.start(), m.end()):
            out.append(Candidate(m.start(), m.end(), m.start()))
    for m in rule_of_law_scan.finditer(text):
        start = m.start() - 2 if text.startswith("全面", m.start() - 2) else m.start()
        if accepts(text, start, m.end()):
            out.append(Candidate(start, m.end(), start))
    for start, end in g.hotlines(text):
        if accepts(text, start, end):
            head = text[start:end].lstrip("0123456789")
            out.append(Candidate(start, end, start, "office", head))
    # A short form of a place before a court or a department: 泉州中院, 保定海关.
    for place in places:
        if place.short:
            n = g.after_short.match(text, place.end)
            if n is not None and accepts(text, place.start, n.end()):
                out.append(Candidate(place.start, n.end(), place.end))
    return out


def _described(g: Grammar, text: str, c: Candidate) -> Candidate:
    """``c`` with its kind and head read from its units."""
    if c.kind:
        return c
    kind, head = g.kind_and_head(g.units(text, c.units_at, c.end))
    if head == "委" and text.startswith("团", c.start):
        kind = "mass_organisation"  # 团县委: the Youth League's committee
    return c._replace(kind=kind, head=head)


def _prefix_position(
    g: Grammar, text: str, cut: int, head_start: int, places: list[Place]
) -> tuple[int | None, bool, bool]:
    """Where an administrative prefix opens a task-named body, and whether it names a place."""
    positions = [p.start for p in places if cut <= p.start and p.end <= head_start and not p.short]
    has_short = any(cut <= p.start and p.end <= head_start and p.short for p in places)
    has_place = bool(positions) or has_short
    if cut < head_start and text[cut] in _LEVEL_CHARS:
        positions.append(cut)
    m = g.level_prefix.search(text, cut, head_start)
    if m is not None:
        positions.append(m.start())
    return (min(positions) if positions else None), has_place, has_short


def task_candidates(text: str, places: list[Place], g: Grammar | None = None) -> list[Candidate]:
    """Bodies named by their task, read back from a head noun (法治建设领导小组)."""
    g = g or grammar()
    out: list[Candidate] = []
    place_by_end = {p.end: p for p in places}
    starts = [p.start for p in places]
    for m in g.heads.finditer(text):
        head_start, end = m.span()
        head = m.group()
        window = max(0, head_start - _WINDOW)
        cut = None
        for b in g.breaks.finditer(text, window, head_start):
            cut = b.end()
        if cut is None:
            if window > 0:
                continue
            cut = 0
        if head_start - cut < 2 or g.is_generic_before(text, cut):
            continue
        if text.startswith(_ANAPHORA, cut):
            continue
        near = places[bisect_left(starts, window) : bisect_left(starts, head_start)]
        prefix, has_place, has_short = _prefix_position(g, text, cut, head_start, near)
        needs = g.head_needs[head]
        if needs == "驻":
            at = text.rfind("驻", cut, head_start)
            if at < 0 or head_start - at < 3:
                continue
            start = at
        else:
            if needs == "prefix" and prefix is None and not has_short:
                continue
            if needs == "place" and not has_place:
                continue
            start = prefix if prefix is not None else cut
        if head_start - start < 2:
            continue
        if head == "中心" and text.startswith(_NOT_AFTER_CENTRE, end):
            continue
        openers = _FULL_COMMITTEE_OPENERS if head.startswith("委员会") else _OPENERS
        start = _extend_over_places(text, start, place_by_end, openers)
        kind = g.head_kind[head]
        if text.startswith(("中国人民政治协商会议", "政协"), start):
            kind = "cppcc"
        elif kind == "committee" and text.startswith(("中国共产党", "中共"), start):
            kind = "party"
        out.append(Candidate(start, end, head_start, kind, head))
    return out


def find_institutions(
    text: str, places: list[Place], excluded: Ranges | None = None
) -> list[Candidate]:
    """Institutions in ``text``, in text order: of overlapping names the longest, none in
    ``excluded`` (cited titles)."""
    g = grammar()
    candidates = grammar_candidates(text, places, g) + task_candidates(text, places, g)
    candidates.sort()  # by start, then end
    kept: list[Candidate] = []
    for c in candidates:
        if excluded and excluded.overlaps(c.start, c.end):
            continue
        if kept and c.start < kept[-1].end:
            last = kept[-1]
            if c.end - c.start > last.end - last.start:
                kept[-1] = c
            continue
        kept.append(c)
    return [_described(g, text, c) for c in kept]


class InstitutionTagger:
    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        places = doc_places(doc, text)
        excluded = Ranges(span_ranges(doc, "kg_documents", "kg_doc_numbers"))
        spans: list[Span] = []
        for c in find_institutions(text, places, excluded):
            span = make_span(doc, c.start, c.end, INSTITUTION)
            if span is None:
                continue
            span._.kg_kind = c.kind
            span._.kg_head = c.head
            spans.append(span)
        set_group(doc, "kg_institutions", spans)
        return doc


@Language.factory("kg_institutions", assigns=["doc.spans"])
def make_institutions(nlp: Language, name: str) -> InstitutionTagger:
    return InstitutionTagger()
