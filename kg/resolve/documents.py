"""Cited documents as entities: one per document however its title is written.

Titles that differ only in width, dashes or spaces (``(2021—2025年)`` / ``(2021-2025年)``) are
one document; the first spelling is its title and the others are kept as variants. The type
comes from the title's ending (…法, …条例, …办法, …方案 …) and, for legal rank, its opening
(中华人民共和国…法 is a national law; 中国共产党…条例 a party regulation; a province's or a
city's …条例 a local regulation); the jurisdiction from the place the title opens with. A
title that embeds another gives links (see :mod:`kg.resolve.chains`).

A title found in the document authority (:mod:`kg.resolve.authority`) is that entry: one
document however it is written, national, with the entry's rank, issuers, date and 文号. For
the others the jurisdiction is, in this order: the place the title opens with (after a year:
``2022年度保定市…``); the issuer code of its 文号; the words before it (中央《X》, 省《X》) or
the body that made it in the same clause (中央依法治国办制定了《X》, 福建省司法厅印发的《X》,
我县制定《X》), or the report's own departments working through a task-division document
(区直各部门对照《…任务分解表》); the place named before it inside an outer title
(关于落实河北省…〈X〉的通知);
the reporting body, when the report says it issued the document (action ``issued``); the
jurisdiction of the longer title it abbreviates in the same report (《清单管理办法》 after
《河北省政府部门权责清单管理办法(试行)》). A document left without one says why (``note``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from kg.nlp.model import DOCUMENT, NESTED_DOCUMENT, Mention
from kg.nlp.patterns import read_lexicon
from kg.nlp.places import gazetteer
from kg.resolve.authority import AuthorityEntry, doc_number_issuer, lookup, simplified
from kg.resolve.chains import IMPLEMENTS, Link, sentence_links, tail_target, title_link
from kg.resolve.regions import LinkedRegion, link_region
from kg.text import normalize

NATIONAL = "national"
_NATIONAL_OPENINGS = ("中华人民共和国", "中共中央", "国务院", "全国人民代表大会", "全国人大")
_PARTY_OPENINGS = ("中国共产党", "中共")
# The words right before a title that say whose document it is: 按照中央《…》, 落实省《…》.
_NATIONAL_CUE = re.compile(r"(?:党中央|中共中央|中央|国务院|国家)(?:、国务院|办公厅)?$")
# The central rule-of-law body just before a title: 中央依法治国办《X》.
_CENTRAL_BODY = re.compile(r"中央(?:全面)?依法治国(?:委员会)?(?:办公室|办)?$")
_LEVEL_CUE = re.compile(
    r"(?:^|[^\u4e00-\u9fff]|[和及与照据实行彻对全本该])(省|市)(?:委|政府|委、省政府|委、市政府)?$"
)
# The body in the clause before a title, and its verb: 省司法厅印发的《X》.
_CLAUSE = re.compile(r"[,，;；。:：]")
_AGENT_VERB = re.compile(r"(?:印发|制定|出台|发布|下发|修订|颁布|制发)(?:了|的)?\s*$")
_AGENT_LEAD = re.compile(r"^(?:同时|近日|今年|先后|还|并|已|由|经|\d{4}年(?:\d{1,2}月份?)?)+")
_NATIONAL_AGENT = re.compile(r"(?:党中央|中共中央|中央|国务院|全国人大|全国人民代表大会|国家)")
_OWN_AGENT = re.compile(r"我(?:省|市|县|区|镇|乡|街道)")
_LEVEL_AGENT = re.compile(r"(省|市|县|区)(?:委|政府|人大|政协|纪委|司法|依法治)")
# A task-division document (who does what) and the report body's own departments working
# through it in the same clause: 区直各部门对照《…任务分解表》 — only the 区 assigns tasks to
# its 区直 departments, so the document is the 区's.
_TASK_DIVISION = re.compile(
    r"(?:任务分解表|任务分解方案|(?:责任|任务)?分工方案|任务清单|责任清单)$"
)
_OWN_UNITS = re.compile(r"(省|市|县|区)直(?:各|有关|相关)?(?:部门|单位)")
_LEADING_YEAR = re.compile(r"^\d{4}年度?")
_INNER_MARKS = str.maketrans({"《": "〈", "》": "〉", "<": "〈", ">": "〉", "‹": "〈", "›": "〉"})
_MIN_SHORT = 4  # a short title must be this long to borrow a longer title's jurisdiction


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
    authority: AuthorityEntry | None = None  # the authority table's entry for it
    basis: str = ""  # what gave the jurisdiction: authority, title, doc_number, cue, …
    note: str = ""  # why the jurisdiction is unknown, when it is
    evidence: tuple[Link, ...] = ()  # the links from this document, with what states them


@cache
def _endings() -> tuple[tuple[str, str], ...]:
    pairs = [tuple(line.split()) for line in read_lexicon("doctype_heads.txt")]
    return tuple(sorted(((e, c) for e, c in pairs), key=lambda p: -len(p[0])))


def _strip_tail(title: str) -> str:
    """The title without a trailing bracketed year or edition: …纲要(2021-2025年) → …纲要."""
    return re.sub(r"[(（][^()（）]{0,20}[)）]$", "", title.strip())


def document_key(title: str) -> str:
    """The key of a title not in the authority: normalised, inner titles marked 〈〉."""
    return normalize(title).translate(_INNER_MARKS)


def document_types(
    title: str, jurisdiction: LinkedRegion | str | None, entry: AuthorityEntry | None = None
) -> tuple[str, ...]:
    """The DOCTYPE concepts a title's opening and ending give (the form, and a legal rank);
    for an authority entry, the entry's rank first."""
    if entry is not None:
        ranks = ("administrative_regulation", "local_regulation", "party_regulation", "other")
        forms = [t for t in document_types(title, NATIONAL) if t not in ranks]
        return tuple(dict.fromkeys((entry.rank, *forms)))
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
    title = _LEADING_YEAR.sub("", simplified(title))
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
    if _NATIONAL_CUE.search(before) or _CENTRAL_BODY.search(sentence[max(0, at - 16) : at]):
        return NATIONAL
    m = _LEVEL_CUE.search(before)
    if m is not None:
        return _at_level(m.group(1), report_region)
    return _agent_cue(sentence[:at], report_region) or _own_units_cue(
        sentence[:at], title, report_region
    )


def _own_units_cue(
    before: str, title: str, report_region: LinkedRegion | None
) -> LinkedRegion | None:
    """A task-division document (…任务分解表, …责任分工方案) that the clause before it has the
    report's own departments work through (区直各部门对照《X》) is that 区's (县's, 市's)."""
    if not _TASK_DIVISION.search(_strip_tail(title) or title):
        return None
    units = _OWN_UNITS.search(_CLAUSE.split(before)[-1])
    return _at_level(units.group(1), report_region) if units else None


def _at_level(unit: str, report_region: LinkedRegion | None) -> LinkedRegion | None:
    """The region of the report's chain at the level ``unit`` (省, 市, 县, 区) names."""
    levels = {"省": ("province",), "市": ("city",), "县": ("county",), "区": ("district", "county")}
    node: LinkedRegion | None = report_region
    while node is not None:
        if node.level in levels.get(unit, ()):
            return node
        node = node.parent
    return None


def _agent_cue(before: str, report_region: LinkedRegion | None) -> LinkedRegion | str | None:
    """Whose document a title is, from the body that made it in the same clause:
    ``中央依法治国办制定了《X》`` → national, ``河北省司法厅印发的《X》`` → 河北省,
    ``市委、市政府出台的《X》`` → the report's city, ``我县制定《X》`` → the report's region."""
    clause = _CLAUSE.split(before)[-1]
    verb = _AGENT_VERB.search(clause)
    if verb is None:
        return None
    agent = _AGENT_LEAD.sub("", clause[: verb.start()])
    if not agent:
        return None
    if _NATIONAL_AGENT.search(agent):
        return NATIONAL
    for i in range(len(agent) - 1):
        place = jurisdiction_of(agent[i:], report_region)
        if place is not None:
            return place
    if _OWN_AGENT.search(agent):
        return report_region
    unit = _LEVEL_AGENT.search(agent)
    return _at_level(unit.group(1), report_region) if unit else None


def _key(title: str) -> str:
    entry = lookup(title)
    return normalize(entry.title) if entry is not None else document_key(title)


def _nested_cue(
    outer: str, inner: str, report_region: LinkedRegion | None
) -> LinkedRegion | str | None:
    """The place named between the verb and an inner title: 关于落实河北省…办公室〈X〉的通知."""
    at = outer.find(inner)
    if at <= 0:
        return None
    before = outer[:at].rstrip("〈《<‹")
    verb = max(before.rfind(v) + len(v) for v in ("落实", "贯彻", "转发", "印发", "执行"))
    return jurisdiction_of(before[verb:], report_region) if verb > 1 else None


def _abbreviated(
    title: str, others: dict[str, str], where: dict[str, LinkedRegion | str]
) -> LinkedRegion | str | None:
    """The jurisdiction of the one longer title of the report that ends with ``title``."""
    core = _strip_tail(title)
    if len(core) < _MIN_SHORT:
        return None
    longer = [k for k, t in others.items() if t != title and _strip_tail(t).endswith(core)]
    if len(longer) == 1 and longer[0] in where:
        return where[longer[0]]
    return None


def _why_unknown(
    key: str,
    actions: dict[str, list[str]],
    evidence: list[Link],
    where: dict[str, LinkedRegion | str],
) -> str:
    """Why a document has no jurisdiction: every rule that found nothing, and what is known."""
    parts = [
        "the title names no place",
        "it has no readable 文号",
        "it is not in the document authority",
        "no words before it say whose it is",
    ]
    if "issued" not in actions.get(key, ()):
        parts.append("the report does not say it issued it")
    above = [where[e.target] for e in evidence if e.relation == IMPLEMENTS and e.target in where]
    for region in above:
        name = "the nation" if region == NATIONAL else getattr(region, "name", str(region))
        parts.append(f"it carries out a document of {name}, so it is {name}'s or one below it")
    return "Jurisdiction unknown: " + "; ".join(parts) + "."


def resolve_documents(
    mentions: Iterable[Mention],
    report_region: LinkedRegion | None = None,
    *,
    text: str = "",
    report_title: str | None = None,
) -> list[DocumentEntity]:
    """One :class:`DocumentEntity` per document among ``mentions``, in order of first mention.

    ``text`` and ``report_title`` (the report's own) let a sentence such as
    ``为贯彻《A》精神……现制定如下实施方案`` link the report's own document to A.
    """
    mentions = list(mentions)
    titles: dict[str, list[str]] = {}
    numbers: dict[str, str] = {}
    actions: dict[str, list[str]] = {}
    cues: dict[str, tuple[LinkedRegion | str, str]] = {}
    inner: dict[str, list[str]] = {}
    sentences: dict[str, str] = {}
    for m in mentions:
        if m.label == DOCUMENT and not m.attributes.get("alias_of"):
            title = str(m.attributes.get("title", m.text))
            key = _key(title)
            spellings = titles.setdefault(key, [])
            if title not in spellings:
                spellings.append(title)
            sentences.setdefault(key, m.sentence)
            if m.attributes.get("doc_number"):
                numbers.setdefault(key, str(m.attributes["doc_number"]))
            actions.setdefault(key, []).append(str(m.attributes.get("action", "mentioned")))
            cue = jurisdiction_cue(m.sentence, title, report_region)
            if cue is not None:
                cues.setdefault(key, (cue, "cue"))
        elif m.label == NESTED_DOCUMENT and m.attributes.get("nested_in"):
            outer_title = str(m.attributes["nested_in"])
            outer = _key(outer_title)
            if m.text not in inner.setdefault(outer, []):
                inner[outer].append(m.text)
            key = _key(m.text)
            titles.setdefault(key, [m.text])
            place = _nested_cue(outer_title, m.text, report_region)
            if place is not None:
                cues.setdefault(key, (place, "outer_title"))
    links = sentence_links(mentions, _key, text, _key(report_title) if report_title else None)
    for link in links:
        if link.source not in titles and report_title:
            titles[link.source] = [report_title]
    first = {key: spellings[0] for key, spellings in titles.items()}
    where: dict[str, LinkedRegion | str] = {}
    basis: dict[str, str] = {}
    for key, title in first.items():
        found = _jurisdiction(key, title, numbers, cues, actions, report_region)
        if found is not None:
            where[key], basis[key] = found
    for key, title in first.items():
        if key not in where and (borrowed := _abbreviated(title, first, where)) is not None:
            where[key], basis[key] = borrowed, "abbreviates"

    def known(core: str) -> str | None:
        key = _key(core)
        return key if key in titles or lookup(core) is not None else None

    entities = []
    for key, spellings in titles.items():
        title = spellings[0]
        entry = lookup(title)
        evidence = [link for link in links if link.source == key and link.target != key]
        for nested in inner.get(key, []):
            relation = title_link(title, nested)
            if relation is not None:
                evidence.append(Link(key, relation, _key(nested), sentences.get(key, title)))
        target = tail_target(title, known)
        if target is not None and target != key and not inner.get(key):
            evidence.append(Link(key, IMPLEMENTS, target, sentences.get(key, title)))
        evidence = list({(e.relation, e.target): e for e in evidence}.values())
        entities.append(
            DocumentEntity(
                key=key,
                title=entry.title if entry is not None else title,
                variants=tuple(s for s in spellings if entry is None or s != entry.title)[
                    0 if entry is not None else 1 :
                ],
                doc_types=document_types(title, where.get(key), entry),
                jurisdiction=where.get(key),
                doc_number=numbers.get(key) or (entry.doc_number if entry else None) or None,
                implements=tuple(e.target for e in evidence if e.relation == IMPLEMENTS),
                transmits=tuple(e.target for e in evidence if e.relation != IMPLEMENTS),
                actions=tuple(actions.get(key, ())),
                authority=entry,
                basis=basis.get(key, ""),
                note="" if key in where else _why_unknown(key, actions, evidence, where),
                evidence=tuple(evidence),
            )
        )
    return entities


def _jurisdiction(
    key: str,
    title: str,
    numbers: dict[str, str],
    cues: dict[str, tuple[LinkedRegion | str, str]],
    actions: dict[str, list[str]],
    report_region: LinkedRegion | None,
) -> tuple[LinkedRegion | str, str] | None:
    """The jurisdiction of one document and what gave it (the order in the module docstring)."""
    if lookup(title) is not None:
        return NATIONAL, "authority"
    found = jurisdiction_of(title, report_region)
    if found is not None:
        return found, "title"
    issuer = doc_number_issuer(numbers.get(key), report_region)
    if issuer is not None:
        return (NATIONAL if issuer.national else issuer.region or NATIONAL), "doc_number"
    if key in cues:
        return cues[key]
    if "issued" in actions.get(key, ()) and report_region is not None:
        return report_region, "issued"
    return None
