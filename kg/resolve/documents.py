"""Cited documents as entities: one per document however its title is written.

Titles that differ only in width, dashes or spaces (``(2021—2025年)`` / ``(2021-2025年)``) are
one document; the first spelling is its title and the others are kept as variants. The type
comes from the title's ending (…法, …条例, …办法, …方案 …) and, for legal rank, its opening
(中华人民共和国…法 is a national law; 中国共产党…条例 a party regulation; a province's or a
city's …条例 a local regulation); the jurisdiction from the place the title opens with. A
title that embeds another gives links: ``关于印发〈X〉的通知`` transmits X, ``贯彻落实〈X〉…方案``
implements X.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from kg.nlp.model import DOCUMENT, NESTED_DOCUMENT, Mention
from kg.nlp.patterns import read_lexicon
from kg.nlp.places import gazetteer
from kg.resolve.regions import LinkedRegion, link_region
from kg.text import normalize

NATIONAL = "national"
_NATIONAL_OPENINGS = ("中华人民共和国", "中共中央", "国务院", "全国人民代表大会", "全国人大")
_PARTY_OPENINGS = ("中国共产党", "中共")
# "关于印发〈X〉的通知", "转发…〈X〉…": the outer document passes X on.
_TRANSMITS = re.compile(r"(?:印发|转发|下发|颁布|发布)[〈《<‹＜]")
# The words right before a title that say whose document it is: 按照中央《…》, 落实省《…》.
_NATIONAL_CUE = re.compile(r"(?:党中央|中共中央|中央|国务院|国家)(?:、国务院|办公厅)?$")
_LEVEL_CUE = re.compile(
    r"(?:^|[^\u4e00-\u9fff]|[和及与照据实行彻对全本该])(省|市)(?:委|政府|委、省政府|委、市政府)?$"
)
# "贯彻落实〈X〉责任分工方案", "关于贯彻〈X〉的实施意见": the outer document carries X out.
_IMPLEMENTS = re.compile(r"(?:贯彻|落实|实施|执行)[〈《<‹＜]")


@dataclass(frozen=True, slots=True)
class DocumentEntity:
    """One cited document, with what the report's mentions say about it."""

    key: str  # normalize of the title: the same for every spelling
    title: str  # the first spelling seen
    variants: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ("other",)  # DOCTYPE concept names: rank and/or form
    jurisdiction: LinkedRegion | str | None = None  # NATIONAL, a region, or unknown
    doc_number: str | None = None
    implements: tuple[str, ...] = ()  # keys of documents this one carries out
    transmits: tuple[str, ...] = ()  # keys of documents this one passes on
    actions: tuple[str, ...] = field(default=())  # the action of each citing mention


@cache
def _endings() -> tuple[tuple[str, str], ...]:
    pairs = [tuple(line.split()) for line in read_lexicon("doctype_heads.txt")]
    return tuple(sorted(((e, c) for e, c in pairs), key=lambda p: -len(p[0])))


def _strip_tail(title: str) -> str:
    """The title without a trailing bracketed year or edition: …纲要(2021-2025年) → …纲要."""
    return re.sub(r"[(（][^()（）]{0,20}[)）]$", "", title.strip())


def document_types(title: str, jurisdiction: LinkedRegion | str | None) -> tuple[str, ...]:
    """The DOCTYPE concepts a title's opening and ending give (the form, and a legal rank)."""
    core = _strip_tail(title)
    form = next((c for e, c in _endings() if core.endswith(e)), "other")
    if form == "law" and not core.startswith(_NATIONAL_OPENINGS):
        # "…法" without 中华人民共和国 is still a national law when no place opens it.
        form = "law" if jurisdiction in (None, NATIONAL) else "other"
    types = [form]
    if core.startswith(_PARTY_OPENINGS) and form in ("regulations", "provisions", "measures"):
        types.insert(0, "party_regulation")
    elif form == "regulations" and isinstance(jurisdiction, LinkedRegion):
        types.insert(0, "local_regulation")
    elif form == "regulations" and jurisdiction == NATIONAL:
        types.insert(0, "administrative_regulation")
    return tuple(types)


def jurisdiction_of(
    title: str, report_region: LinkedRegion | None = None
) -> LinkedRegion | str | None:
    """NATIONAL, the region the title opens with, or None when it names no place."""
    if title.startswith(_NATIONAL_OPENINGS):
        return NATIONAL
    chain = report_region.path if report_region else ()
    found = _place_at(title, chain)
    if found is None:
        return None
    # 太原市迎泽区人民政府…: the innermost of the places the title opens with.
    region, rest = found
    while (inner := _place_at(rest, (*region.path, *chain))) is not None:
        if region.name not in inner[0].path:
            break
        region, rest = inner
    return region


def _place_at(text: str, chain: tuple[str, ...]) -> tuple[LinkedRegion, str] | None:
    """The region whose name ``text`` opens with (longest name first), and the text after it."""
    gaz = gazetteer()
    for length in range(min(12, len(text)), 1, -1):
        name = text[:length]
        if name in gaz.by_name:
            region = link_region(name, chain=chain, text="")
            return (region, text[length:]) if region is not None else None
    return None


def jurisdiction_cue(
    sentence: str, title: str, report_region: LinkedRegion | None
) -> LinkedRegion | str | None:
    """Whose document a title is, from the words just before it: 中央《X》 → national,
    省《X》 / 省委、省政府《X》 → the report's province, 市《X》 → its nearest city."""
    at = sentence.find(f"《{title}")
    if at < 0:
        return None
    before = sentence[max(0, at - 8) : at]
    if _NATIONAL_CUE.search(before):
        return NATIONAL
    m = _LEVEL_CUE.search(before)
    if m is None or report_region is None:
        return None
    level = "province" if m.group(1) == "省" else "city"
    node: LinkedRegion | None = report_region
    while node is not None:
        if node.level == level:
            return node
        node = node.parent
    return None


def resolve_documents(
    mentions: Iterable[Mention], report_region: LinkedRegion | None = None
) -> list[DocumentEntity]:
    """One :class:`DocumentEntity` per document among ``mentions``, in order of first mention."""
    mentions = list(mentions)
    titles: dict[str, list[str]] = {}
    numbers: dict[str, str] = {}
    actions: dict[str, list[str]] = {}
    cues: dict[str, LinkedRegion | str] = {}
    inner: dict[str, list[str]] = {}
    for m in mentions:
        if m.label == DOCUMENT and not m.attributes.get("alias_of"):
            title = str(m.attributes.get("title", m.text))
            key = normalize(title)
            spellings = titles.setdefault(key, [])
            if title not in spellings:
                spellings.append(title)
            if m.attributes.get("doc_number"):
                numbers.setdefault(key, str(m.attributes["doc_number"]))
            actions.setdefault(key, []).append(str(m.attributes.get("action", "mentioned")))
            cue = jurisdiction_cue(m.sentence, title, report_region)
            if cue is not None:
                cues.setdefault(key, cue)
        elif m.label == NESTED_DOCUMENT and m.attributes.get("nested_in"):
            outer = normalize(str(m.attributes["nested_in"]))
            if m.text not in inner.setdefault(outer, []):
                inner[outer].append(m.text)
            titles.setdefault(normalize(m.text), [m.text])
    entities = []
    for key, spellings in titles.items():
        title = spellings[0]
        where = jurisdiction_of(title, report_region) or cues.get(key)
        implements, transmits = [], []
        for nested in inner.get(key, []):
            before = title[: title.find(nested)] if nested in title else ""
            marker = before[-3:] + "〈"
            if _TRANSMITS.search(marker):
                transmits.append(normalize(nested))
            elif _IMPLEMENTS.search(marker):
                implements.append(normalize(nested))
        entities.append(
            DocumentEntity(
                key=key,
                title=title,
                variants=tuple(spellings[1:]),
                doc_types=document_types(title, where),
                jurisdiction=where,
                doc_number=numbers.get(key),
                implements=tuple(implements),
                transmits=tuple(transmits),
                actions=tuple(actions.get(key, ())),
            )
        )
    return entities
