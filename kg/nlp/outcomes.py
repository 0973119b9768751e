"""Component ``kg_outcomes``: quantified results (``受理行政复议案件79件``).

Each number with a unit that reports a result becomes one OUTCOME span with
``kg_indicator`` (what is counted), ``kg_value`` (the number as written, an int when
integral), ``kg_unit`` (the unit as written, 万/亿 included) and ``kg_approximate``
(余, 多, 近, 约, 超过, 以上 …). The span is the clause of the number; where a clause reports
several numbers it is cut into one piece per number (spaCy keeps span extensions per
boundaries, so two spans over one clause would share their values).

One compiled pattern finds the candidates in the text; everything else looks at a bounded
window around each one. Not outcomes: years and dates (no unit), 文号 and cited titles
(``kg_doc_numbers``, ``kg_documents``), names of bodies and programs (``kg_institutions``,
``kg_programs``, or any number inside quotes: ``“五级十五同”``), ordinals and sessions (第,
届), ranges, codes, vague amounts (数十), and targets: numbers in a plan document (…实施方案),
in a section of plans (``四、下一步工作打算``) or after a target word (不少于, 力争 …).
Word lists live in ``lexicons/units.txt`` and ``lexicons/outcome_words.txt``; the indicator
rules are in :mod:`kg.nlp.outcome_indicators`.
"""

from __future__ import annotations

import bisect
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.model import OUTCOME
from kg.nlp.numerals import Number, parse_number
from kg.nlp.outcome_indicators import clean_prefix, indicator, split_between, unit_kind
from kg.nlp.outcome_lexicon import OutcomeLexicon, lexicon
from kg.nlp.pipeline import doc_text, make_span, set_group, span_ranges

CLAUSE_ENDS: Final = ",，;；。！？!?:：\n"
CLAUSE_END: Final = re.compile(f"[{CLAUSE_ENDS}]")
SENTENCE_END: Final = re.compile("[。！？!?；;\n]")
WINDOW: Final = 150  # the farthest a clause boundary is looked for, each side
QUOTE_WINDOW: Final = 40
QUOTES: Final = (("“", "”"), ("‘", "’"), ("《", "》"), ("〈", "〉"), ("「", "」"), ("『", "』"))
OPENERS: Final = re.compile("[" + "".join(o for o, _c in QUOTES) + "]")
# A number right after one of these is part of a code, a date, a range or a time.
GLUED_BEFORE: Final = frozenset("-—–~～/:：+.．#_")
RANGE_WORDS: Final = frozenset("至到")
TITLE_HEAD_CHARS: Final = 600
TRIM: Final = frozenset("、,，;；")
# A list marker that opens a clause: (一) 1. 一、 一是.
LIST_MARKER: Final = re.compile(
    r"(?:[(（][一二三四五六七八九十0-9]+[)）]|[0-9]{1,2}[.．、](?![0-9])|[一二三四五六七八九十]+[、是])\s*"
)
DENSE_SPAN: Final = 100
DENSE_COUNT: Final = 20


@dataclass(frozen=True, slots=True)
class Candidate:
    """A number with its unit: ``lead`` ≤ ``start`` < ``end`` (``lead`` includes 近/约)."""

    lead: int
    start: int
    end: int
    value: Number
    unit: str
    approximate: bool


def find_candidates(text: str, lex: OutcomeLexicon) -> Iterator[Candidate]:
    """Every number with a unit in ``text`` that is not glued to a code, a range or a rank.

    Where numbers crowd together (more than DENSE_COUNT within DENSE_SPAN characters: a
    table, a list of figures, garbage) none is taken.
    """
    recent: deque[int] = deque()
    for m in lex.number.finditer(text):
        recent.append(m.start())
        while recent[0] < m.start() - DENSE_SPAN:
            recent.popleft()
        if len(recent) > DENSE_COUNT:
            continue
        numeral = m.group("pnum") or m.group("ar") or m.group("cn")
        value = parse_number(numeral)
        if value is None:
            continue
        if m.group("cn") and not _counts(text, m.start(), m.end(), value, lex):
            continue
        if m.group("pnum"):
            unit = "%"
        else:
            unit = (m.group("mult") or "") + (m.group("unit") or m.group("unit2") or "")
        approximate = bool(m.group("ap1") or m.group("ap2"))
        start, end = m.span()
        after = lex.approx_after.match(text, end)
        if after is not None and len(after.group()) > 1:
            approximate, end = True, after.end()
        lead = start
        before = lex.approx_before.search(text, max(0, start - 4), start)
        if before is not None:
            approximate, lead = True, before.start()
        if lead and text[lead - 1] in GLUED_BEFORE:
            continue
        if lead > 1 and text[lead - 1] in RANGE_WORDS and text[lead - 2].isdigit():
            continue
        if lex.not_before.search(text, max(0, lead - 3), lead) and not lex.ok_before.search(
            text, max(0, lead - 3), lead
        ):
            continue
        yield Candidate(lead, start, end, value, unit, approximate)


def _counts(text: str, start: int, end: int, value: Number, lex: OutcomeLexicon) -> bool:
    """Whether a Chinese numeral in ``[start, end)`` can be a count: not 一 (一个, 一项 are
    almost never results), and right after a boundary, a verb or a counting word, or closing
    its clause (资料三万余份。); elsewhere it is mostly part of a name (巡察二组)."""
    if value < 2 or lex.not_before_chinese.search(text, max(0, start - 2), start):
        return False
    if start == 0 or text[start - 1] in CLAUSE_ENDS or text[start - 1].isspace():
        return True
    if end >= len(text) or text[end] in CLAUSE_ENDS:
        return True
    return lex.chinese_after.search(text, max(0, start - 4), start) is not None


def _inside_pair(text: str, pos: int, opener: str, closer: str) -> bool:
    lo = max(0, pos - QUOTE_WINDOW)
    if text.rfind(opener, lo, pos) <= text.rfind(closer, lo, pos):
        return False
    hi = min(len(text), pos + QUOTE_WINDOW)
    close = text.find(closer, pos, hi)
    if close < 0 or text.find("\n", pos, close) >= 0:
        return False
    reopen = text.find(opener, pos, close)
    return reopen < 0


def quoted(text: str, pos: int) -> bool:
    """Whether ``pos`` is inside a balanced pair of quotes or title marks."""
    if OPENERS.search(text, max(0, pos - QUOTE_WINDOW), pos) is None:
        return False
    return any(_inside_pair(text, pos, o, c) for o, c in QUOTES)


class Marks:
    """Positions of the characters of one class in a text (clause ends)."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.positions = [m.start() for m in pattern.finditer(text)]

    def start_before(self, pos: int, floor: int) -> int:
        """Just after the last mark before ``pos``; ``floor`` when there is none after it."""
        i = bisect.bisect_left(self.positions, pos) - 1
        return max(floor, self.positions[i] + 1) if i >= 0 else floor

    def first_from(self, pos: int, ceiling: int) -> int:
        """The first mark at or after ``pos``; ``ceiling`` when there is none before it."""
        i = bisect.bisect_left(self.positions, pos)
        return min(ceiling, self.positions[i]) if i < len(self.positions) else ceiling


def clause_bounds(text: str, marks: Marks, start: int, end: int) -> tuple[int, int]:
    """The clause around ``[start, end)``: between the nearest clause ends, within WINDOW."""
    begin = marks.start_before(start, max(0, start - WINDOW))
    finish = marks.first_from(end, min(len(text), end + WINDOW))
    while begin < start and text[begin].isspace():
        begin += 1
    while finish > end and text[finish - 1].isspace():
        finish -= 1
    return begin, finish


def is_plan_document(text: str, lex: OutcomeLexicon) -> bool:
    """Whether the first title line of ``text`` names a plan (…实施方案) rather than a report.

    Only the head of the text is read, up to where the body starts (a sentence or a numbered
    heading); lines of metadata (``发布机构:…``) and lines citing a title are skipped.
    """
    for raw in text[:TITLE_HEAD_CHARS].splitlines():
        line = raw.strip()
        if "。" in line or LIST_MARKER.match(line):
            return False
        if not line or len(line) > 80 or "《" in line or ":" in line or "：" in line:
            continue
        if lex.report_title.search(line):
            return False
        if lex.plan_title.search(line):
            return True
    return False


def future_sections(text: str, lex: OutcomeLexicon) -> list[tuple[int, int]]:
    """Sections under a heading of plans (``四、下一年度工作打算``, ``(三)下一步计划``), up
    to the next heading of the same or a higher level."""
    sections = []
    for m in lex.future_heading.finditer(text):
        ender = lex.any_heading if m.group("second") else lex.top_heading
        nxt = ender.search(text, text.find("\n", m.end()) + 1 or len(text))
        sections.append((m.start(), nxt.start() if nxt else len(text)))
    return sections


def _within(ranges: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and ranges[i][0] <= pos < ranges[i][1]


class OutcomeTagger:
    def __call__(self, doc: Doc) -> Doc:
        set_group(doc, "kg_outcomes", list(self.spans(doc)))
        return doc

    def spans(self, doc: Doc) -> Iterator[Span]:
        text = doc_text(doc)
        lex = lexicon()
        if not text or is_plan_document(text, lex):
            return
        taken = sorted(
            span_ranges(doc, "kg_documents", "kg_doc_numbers", "kg_institutions", "kg_programs")
            + future_sections(text, lex)
        )
        # Overlapping ranges: keep, for each start, the farthest end seen so far.
        merged: list[tuple[int, int]] = []
        for s, e in taken:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        starts = [s for s, _ in merged]
        clause_ends = Marks(text, CLAUSE_END)
        clauses: dict[tuple[int, int], list[Candidate]] = {}
        for cand in find_candidates(text, lex):
            if _within(merged, starts, cand.start) or quoted(text, cand.start):
                continue
            bounds = clause_bounds(text, clause_ends, cand.lead, cand.end)
            if self.is_target(text, bounds[0], cand.lead, lex):
                continue
            clauses.setdefault(bounds, []).append(cand)
        for bounds, cands in clauses.items():
            yield from self.clause_spans(doc, text, bounds, cands, lex)

    @staticmethod
    def is_target(text: str, clause_start: int, pos: int, lex: OutcomeLexicon) -> bool:
        """Whether a target word governs the number at ``pos``: one of its clause, or one
        earlier in its sentence (力争…, 下一步…)."""
        if lex.plan_clause.search(text, clause_start, pos):
            return True
        lo = max(0, pos - WINDOW)
        found = None
        for found in lex.plan_sentence.finditer(text, lo, pos):  # noqa: B007 - the last one
            pass
        if found is None:
            return False
        return SENTENCE_END.search(text, found.end(), pos) is None

    @staticmethod
    def clause_spans(
        doc: Doc, text: str, bounds: tuple[int, int], cands: list[Candidate], lex: OutcomeLexicon
    ) -> Iterator[Span]:
        begin, finish = bounds
        cands, before_from = _from_changes(text, begin, cands, lex)
        # Each number gets its own piece of the clause: spans with equal boundaries would
        # share their extension values.
        starts = [begin]
        ends = []
        for here, nxt in pairwise(cands):
            cut, resume = split_between(
                text[here.end : nxt.lead], lex, takes_noun=unit_kind(here.unit, lex) == "count"
            )
            ends.append(here.end + cut)
            starts.append(here.end + resume)
        ends.append(finish)
        alone = len(cands) == 1
        last: tuple[Candidate, str] | None = None
        for cand, start, end in zip(cands, starts, ends, strict=True):
            prefix, suffix = text[start : cand.lead], text[cand.end : end]
            if cand.start in before_from:  # 从X减少为|Y: what changed is named before 从
                start, prefix = begin, before_from[cand.start]
            elif last is not None and not text[last[0].end : cand.lead].strip():
                # 发布典型案例3批|15件: a number right after another counts the same thing
                prefix = last[1]
            last = (cand, prefix)
            span = _piece(doc, text, start, end, cand)
            if span is None:
                continue
            ext = span._
            found = indicator(prefix, suffix, cand.unit, lex, alone=alone)
            ext.kg_indicator = _repeated_verb(text, begin, found, lex)
            ext.kg_value = cand.value
            ext.kg_unit = cand.unit
            if cand.approximate:
                ext.kg_approximate = True
            yield span


_FROM = re.compile(r"[从由]\s*$")
_BARE_VERB = re.compile(r"[\u3400-\u9fff]{2}")


def _repeated_verb(text: str, begin: int, found: str | None, lex: OutcomeLexicon) -> str | None:
    """A bare verb that repeats the end of the clause before (开展法治专题培训,|培训|150人)
    counts that activity: the clause before names it."""
    if found is None or not _BARE_VERB.fullmatch(found) or begin < 2:
        return found
    if text[begin - 1] not in "，," or not text.endswith(found, 0, begin - 1):
        return found
    start = max(text.rfind(ch, 0, begin - 1) for ch in CLAUSE_ENDS) + 1
    named = clean_prefix(text[start : begin - 1], lex)
    return named if len(named) > len(found) else found


def _from_changes(
    text: str, begin: int, cands: list[Candidate], lex: OutcomeLexicon
) -> tuple[list[Candidate], dict[int, str]]:
    """A change ``从X减少为Y`` (``由X提高到Y``) reports one result, Y: X is dropped, and Y's
    indicator is read from the words before 从. Returns the numbers left and, for each Y
    (by start), those words."""
    kept: list[Candidate] = []
    before: dict[int, str] = {}
    i = 0
    while i < len(cands):
        here = cands[i]
        nxt = cands[i + 1] if i + 1 < len(cands) else None
        opened = _FROM.search(text, begin, here.lead)
        if (
            nxt is not None
            and opened is not None
            and lex.from_change.search(text[here.end : nxt.lead]) is not None
            and here.unit == nxt.unit
        ):
            before[nxt.start] = text[begin : opened.start()]
            kept.append(nxt)
            i += 2
            continue
        kept.append(here)
        i += 1
    return kept, before


def _piece(doc: Doc, text: str, start: int, end: int, cand: Candidate) -> Span | None:
    """The span of ``[start, end)`` trimmed of white space and connectors, else the number's."""
    while start < cand.lead and (text[start].isspace() or text[start] in TRIM):
        start += 1
    while end > cand.end and (text[end - 1].isspace() or text[end - 1] in TRIM):
        end -= 1
    marker = LIST_MARKER.match(text, start, cand.lead)
    if marker is not None:
        start = marker.end()
    return make_span(doc, start, end, OUTCOME) or make_span(doc, cand.lead, cand.end, OUTCOME)


@Language.factory("kg_outcomes", assigns=["doc.spans"])
def make_outcomes(nlp: Language, name: str) -> OutcomeTagger:
    return OutcomeTagger()
