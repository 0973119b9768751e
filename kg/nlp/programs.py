"""Component ``kg_programs``: named programs, campaigns, reforms and working systems.

Compiled regexes over ``doc.text``; the word lists are ``lexicons/program_*.txt``.

* Quoted names: a quote (“…”, ‘…’, 「…」, 『…』 or "…", at most 40 characters) with the head noun
  the text attaches to it, modifiers allowed in between (“放管服”改革, “一件事”集成服务套餐), and a
  domain word before it when the quoted name itself ends in a head (行政执法“三项制度”). A quote
  with no head is a program (“最多跑一趟”) unless its context marks a quotation, slogan, honour,
  metaphor or statistic (打造“阳光政府”, “以人为本”为价值理念, “双率”数据) or it is a bare
  number (“十四五”时期). A name quoted inside another (‘枫桥经验’) is a program of its own.
* Unquoted established names (法律顾问制度, 行政审批制度改革, 重大行政决策程序): a head noun and
  its modifier back to the governing verb (落实, 推行, 健全 …), the clause start or the list item
  start; the modifier must be long enough for its head (工作机制, 考评机制 are generic) and free
  of generic words (各项, 长效, 领域), descriptive 的 and …化. Also 法治X建设 / 平安X建设 where X
  is a place (法治漯河建设).

Each occurrence gives its longest span, so a name written with and without its head gives two
programs (行政执法“三项制度” and “三项制度”). Nothing inside a cited title is tagged.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.model import PROGRAM
from kg.nlp.patterns import alternation, read_lexicon, read_sections
from kg.nlp.pipeline import doc_text, make_span, set_group, span_ranges

CJK = "\u3400-\u9fff"
MAX_QUOTE = 40  # characters inside a quote
MAX_BARE = 20  # a quoted name with no head is at most this long
MAX_TAIL = 12  # characters between a closing quote and its head noun
MAX_MODIFIER = 22  # characters of an unquoted name before its head
PLACEHOLDER = "〇"  # stands for a short parenthetical inside a name: 法治示范村(社区)

# Punctuation as written in reports, in ASCII and in full-width forms.
_STOPS = ",\uff0c\u3002;\uff1b:\uff1a!\uff01?\uff1f"
_OPEN, _CLOSE = "(\uff08", ")\uff09"
_DIGITS = "0-9\uff10-\uff19"

_QUOTE = re.compile(
    rf"“([^“”\n]{{1,{MAX_QUOTE}}})”|「([^「」\n]{{1,{MAX_QUOTE}}})」|『([^『』\n]{{1,{MAX_QUOTE}}})』"
    rf"|‘([^‘’“”\n]{{1,{MAX_QUOTE}}})’|\"([^\"\n]{{1,{MAX_QUOTE}}})\""
)
_INNER = re.compile(rf"‘([^‘’\n]{{1,{MAX_QUOTE}}})’")
_SHORT_PAREN = re.compile(rf"[{_OPEN}][{CJK}]{{1,4}}[{_CLOSE}]")
_CJK_CHAR = re.compile(rf"[{CJK}]")
_NUMERAL = re.compile(r"[一二三四五六七八九十百千两]+")
_TWO_CJK = re.compile(rf"[{CJK}][^{CJK}]*[{CJK}]")
_NOT_IN_NAME = re.compile(rf"[{_DIGITS}的]")  # counts, dates and descriptive phrases
# The text after a quote that may hold its head: Chinese characters, not a function word.
_TAIL = re.compile(rf"(?:(?![的和与及等在是为了对向并或从把将被到])[{CJK}]){{0,{MAX_TAIL + 6}}}")
# Runs of characters that cannot be inside an unquoted name: they bound its clause.
_NON_NAME = re.compile(rf"[^{CJK}{PLACEHOLDER}、]+")
_LIST_SEP = re.compile(r"[、和及与]")
_DESCRIPTIVE = re.compile(r"的|化(?!解)")
_COUNTED = re.compile(rf"[^{_STOPS}]{{0,3}}[{_DIGITS}]")
_CLAUSE_END = re.compile(rf"[{_STOPS}\n“”‘’「」『』\"]")
# A quoted slogan rather than a name: a clause of long parts (“践行…思想,提升…能力”, not
# “谁执法,谁普法”), two short opposite words joined by + (“线上+线下”, not “互联网+…”), a
# target of zero, or a verb phrase with a count (not “一件事”, which has no verb before it).
_SLOGAN = re.compile(
    rf"[^{_STOPS}]{{6,}}[{_STOPS}]|^[{CJK}]{{2}}\+[{CJK}]{{2}}$"
    # a target of zero (“零距离”, “零发生”), a clause with a count (“解决一个问题”)
    rf"|^零[{CJK}]{{1,3}}$|^(?:(?![一二三四五六七八九十])[{CJK}]){{2}}[一二三四五六七八九十][个类项][{CJK}]{{2,4}}$"
)
# The Chinese characters right before a quote, and what a field before a quote never holds:
# a time (新时代), an ordinal or count (首个, 第一, 三项), function words.
_QUOTE_NOUN = re.compile(rf"[{CJK}]+$")
_NOT_A_FIELD = re.compile(
    r"时代|[年月首第]|[一二三四五六七八九十两][个项批]|[的了为被对在把将和与及]"
)
# A count as a modifier (四项|责任制).
_COUNT_MODIFIER = re.compile(r"(?<![第])[一二三四五六七八九十两0-9]+[项个条类种批]")
# 十四五规划, “十四五”规划: a five-year plan named by its number.
_FIVE_YEAR = re.compile(r"[“\"]?十[一二三四五六七八九]五[”\"]?(?:规划|时期规划)")


class Head(NamedTuple):
    text: str
    kind: str
    quoted: str  # yes | plan | next | no
    min_modifier: int | None  # None: never heads an unquoted name
    clause_final: bool  # an unquoted name with this head must end its clause
    needs_verb: bool  # an unquoted name with this head must follow a governing verb


class Found(NamedTuple):
    """One program: character range, kind and head noun (None for a bare quoted name)."""

    start: int
    end: int
    kind: str
    head: str | None


def _heads() -> dict[str, Head]:
    heads: dict[str, Head] = {}
    for entry in read_lexicon("program_heads.txt"):
        text, kind, quoted, minimum = entry.split()
        number = None if minimum == "-" else int(minimum.rstrip("$!"))
        heads[text] = Head(text, kind, quoted, number, "$" in minimum, "!" in minimum)
    return heads


def _merge(ranges: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sorted, merged ranges as parallel lists of starts and ends."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(ranges):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _overlaps(starts: Sequence[int], ends: Sequence[int], start: int, end: int) -> bool:
    i = bisect_right(starts, end - 1) - 1
    return i >= 0 and ends[i] > start


class _Quote(NamedTuple):
    start: int  # the opening quote
    end: int  # after the closing quote
    content: str
    chain_start: int  # first quote of a run like “马上办”“就近办”
    chain_end: int  # after the last quote of that run


class ProgramFinder:
    """Finds programs in plain text; built once from the lexicons."""

    def __init__(self) -> None:
        self.heads = _heads()
        quoted_heads = [h.text for h in self.heads.values() if h.quoted == "yes"]
        plan_heads = [h.text for h in self.heads.values() if h.quoted in ("yes", "plan")]
        self.head_re = re.compile(f"(?:{alternation(self.heads)})(?![性化度])")
        self.quoted_heads = frozenset(quoted_heads)
        self.next_heads = frozenset(h.text for h in self.heads.values() if h.quoted == "next")
        self.plan_heads = frozenset(plan_heads)
        self.ends_in_head = re.compile(f"(?:{alternation(quoted_heads)})$")
        cues = read_sections("program_cues.txt")
        self.left_cue = re.compile(f"(?:{alternation(cues['left'])})[{CJK}]{{0,4}}$")
        self.adjacent_cue = re.compile(
            f"(?<![一二三四五六七八九十])(?:{alternation(cues['adjacent'])})$"
        )
        self.right_cue = re.compile(alternation([*cues["right"], *cues["topics"]]))
        # 落实领导干部干预司法活动、插手具体案件记录、通报和责任追究等制度: items of a list
        # closed by 等 + head are parts of one system, not names of their own.
        topics = [*cues["topics"], *(f"等{h}" for h in self.heads)]
        self.topics = re.compile(alternation(topics))
        self.tail_break = re.compile(alternation(cues["tail-break"]))
        self.bad_ending = re.compile(f"(?:{alternation(cues['ending'])})$")
        list_ends = [*cues["list-end"], *self.heads]
        self.list_end = re.compile(f"(?:{alternation(list_ends)})$")
        self.generic_place = frozenset(cues["generic-place"])
        self.generic_field = re.compile(f"(?:{alternation(cues['generic-field'])})(?:工作)?")
        prefixes = read_lexicon("program_prefixes.txt")
        self.prefix = re.compile(f"(?:{alternation(prefixes)})$")
        words = read_sections("program_verbs.txt")
        self.governing = frozenset(words["verbs"])
        verbs = alternation([*words["verbs"], *words["boundaries"]])
        self.verb = re.compile(f"(?:{verbs})(?![性化])[好了]?")
        self.body_end = re.compile(f"(?:{alternation(words['bodies'])})$")
        outcome_verbs = read_sections("outcome_words.txt").get("verb", [])
        self.any_verb = re.compile(
            alternation(
                [*words["verbs"], *words["boundaries"], *words["before-quote"], *outcome_verbs]
            )
            + "[了好]?"
        )
        unquoted = [h.text for h in self.heads.values() if h.min_modifier is not None]
        self.inner_head = re.compile(alternation(unquoted))
        strip = (
            f"{alternation(read_lexicon('program_strip.txt'))}|第[一二三四五六七八九十0-9]+批"
            f"|{PLACEHOLDER}+"  # a list marker (一) masked as a short parenthetical
        )
        self.strip = re.compile(f"^(?:{strip}|[一二三四五六七八九十]是)+")
        self.stop = re.compile(alternation(read_lexicon("program_stop.txt")))
        after = cues["after-head"]
        own = [w for w in after if self.head_re.match(w)]
        # A head right after a head makes the first a modifier (…机制改革), unless the second
        # only attaches to quotes (…机制建设 is still the 机制).
        unquoted_heads = [h for h, head in self.heads.items() if head.quoted != "next"]
        self.after_head = re.compile(alternation([*(set(after) - set(own)), *unquoted_heads]))
        self.after_own_head = re.compile(alternation(own)) if own else None
        self.place_build = re.compile(f"(?:法治|平安)([{CJK}]{{2,3}}?)建设(?![规纲“工])")

    # -- quoted names ------------------------------------------------------------------

    def quotes(self, text: str) -> list[_Quote]:
        """Every quote, with the run of adjacent quotes (“马上办”“就近办”) it stands in."""
        spans: list[tuple[int, int, str, int]] = []
        chain = prev_end = -1
        for m in _QUOTE.finditer(text):
            start, end = m.span()
            if start != prev_end and text[prev_end:start] != "、":
                chain = start
            spans.append((start, end, m.group(m.lastindex or 0), chain))
            prev_end = end
        quotes: list[_Quote] = []
        chain_end = 0
        for start, end, content, chain in reversed(spans):
            if not quotes or quotes[-1].chain_start != chain:
                chain_end = end
            quotes.append(_Quote(start, end, content, chain, chain_end))
        quotes.reverse()
        return quotes

    def head_after(
        self, text: str, pos: int, plan: bool, own_head: bool = False
    ) -> tuple[int, Head] | None:
        """The longest head attached after ``pos`` (the end of a quote); ``own_head``: the
        quoted name ends in a head itself (“三项制度”), so a ``next`` head does not attach."""
        tail = _TAIL.match(text, pos)
        if tail is None:
            return None
        stop = self.tail_break.search(text, pos, tail.end())
        tail_end = stop.start() if stop else tail.end()
        allowed = self.plan_heads if plan else self.quoted_heads
        best: tuple[int, Head] | None = None
        for m in self.head_re.finditer(text, pos, tail_end):
            if m.group() in allowed and m.start() - pos <= MAX_TAIL:
                best = (m.end(), self.heads[m.group()])
            elif m.group() in self.next_heads and m.start() == pos and not own_head and not best:
                return m.end(), self.heads[m.group()]
        return best

    def name_like(self, content: str) -> bool:
        """Could ``content`` alone be a program's name?"""
        return (
            len(content) <= MAX_BARE
            and _TWO_CJK.search(content) is not None
            and not _NOT_IN_NAME.search(content)
            and not _NUMERAL.fullmatch(content)
            and not self.bad_ending.search(content)
            and not _SLOGAN.search(content)
            and not self.generic_field.fullmatch(content)  # “依法行政”: a field, no name
        )

    def bare_ok(self, text: str, q: _Quote) -> bool:
        if not self.name_like(q.content):
            return False
        before = text[max(0, q.chain_start - 8) : q.chain_start]
        if self.left_cue.search(before):
            return False
        if _COUNTED.match(text, q.end):
            return False
        after = text[q.chain_end : q.chain_end + 8]
        cut = _CLAUSE_END.search(after)
        if self.right_cue.search(after[: cut.start()] if cut else after):
            return False
        # 建设的“练兵场”, 仍然是“常规动作”: a metaphor or predicate, unless a noun follows
        # (队伍的“三定”工作).
        adjacent = self.adjacent_cue.search(before)
        return not (adjacent and ((cut is not None and cut.start() == 0) or not after))

    def quoted(self, text: str, quotes: Sequence[_Quote]) -> list[Found]:
        found: list[Found] = []
        for q in quotes:
            plan = bool(_NUMERAL.fullmatch(q.content))
            core_head = self.ends_in_head.search(q.content)
            start = q.start
            if core_head:
                prefix = self.prefix.search(text, max(0, q.start - 8), q.start)
                start = prefix.start() if prefix else q.start
            attached = self.head_after(text, q.end, plan, core_head is not None)
            listed = self.listed_names(q)
            if listed:
                found += listed
                continue
            if attached is not None and start == q.start:
                start = self.quote_modifier(text, q.start)
            if attached is not None and _CJK_CHAR.search(q.content):
                end, head = attached
                found.append(Found(start, end, head.kind, head.text))
            elif core_head is not None and (start < q.start or self.bare_ok(text, q)):
                head = self.heads[core_head.group()]
                found.append(Found(start, q.end, head.kind, head.text))
            elif self.bare_ok(text, q):
                found.append(Found(q.start, q.end, "initiative", None))
            if text[q.start] == "“":
                for inner in _INNER.finditer(q.content):
                    if inner.group() != q.content and self.name_like(inner.group(1)):
                        s = q.start + 1 + inner.start()
                        found.append(Found(s, s + len(inner.group()), "initiative", None))
        return found

    def listed_names(self, q: _Quote) -> list[Found]:
        """A quote that lists names, each with its head (“甲工作责任制、乙建设责任制”): each
        item is a program of its own."""
        items = q.content.split("、")
        if len(items) < 2:
            return []
        found: list[Found] = []
        at = q.start + 1
        for item in items:
            head = self.ends_in_head.search(item)
            if head is None or len(item) - len(head.group()) < 2 or _NOT_IN_NAME.search(item):
                return []
            h = self.heads[head.group()]
            found.append(Found(at, at + len(item), h.kind, h.text))
            at += len(item) + 1
        return found

    def quote_modifier(self, text: str, start: int) -> int:
        """Where a quoted name with a head starts when the field it belongs to stands right
        before its quote (行政执法“公述民评”活动, 政务服务“一网通办”改革): the words of
        ``program_prefixes.txt``, unless a body runs on before them (市直部门…)."""
        prefix = self.prefix.search(text, max(0, start - 8), start)
        if prefix is None:
            return self.noun_before_quote(text, start)
        before = text[max(0, prefix.start() - 4) : prefix.start()]
        if self.body_end.search(before):
            return start
        return prefix.start()

    def noun_before_quote(self, text: str, start: int) -> int:
        """A short noun phrase right before a quote that a verb or the clause start bounds
        (落实常务会“第一议题”制度): where it starts, or ``start``. Not a body, a time, an
        ordinal, a count, or words with a verb in them."""
        lo = max(0, start - 9)
        run = _QUOTE_NOUN.search(text, lo, start)
        if run is None:
            return start
        mod = run.group()
        verbs = list(self.any_verb.finditer(mod))
        if verbs:
            mod = mod[verbs[-1].end() :]
        elif (run.start() == lo and lo > 0) or len(mod) < 3:
            return start  # no boundary in sight, or two characters that are mostly a verb
        stripped = self.strip.match(mod)
        if stripped:
            mod = mod[stripped.end() :]
        if (
            not 2 <= len(mod) <= 8
            or self.any_verb.search(mod)
            or self.body_end.search(mod)
            or _NOT_A_FIELD.search(mod)
            or self.stop.search(mod)
        ):
            return start
        return start - len(mod)

    # -- unquoted names ----------------------------------------------------------------

    def modifier(self, masked: str, bounds: list[int], end: int, verb_only: bool) -> str | None:
        """The modifier of an unquoted head at ``end``; ``bounds``: ends of non-name runs."""
        i = bisect_right(bounds, end) - 1
        clause_start = bounds[i] if i >= 0 else 0
        lo = max(clause_start, end - MAX_MODIFIER - 4)
        clause = masked[lo:end]
        open_ended = lo > clause_start
        if "等" in clause:
            clause = clause[clause.rindex("等") + 1 :]
            open_ended = False
        verbs = list(self.verb.finditer(clause))
        verb = verbs[-1] if verbs else None
        if verb_only and not (verb and {verb.group(), verb.group()[:-1]} & self.governing):
            return None
        if verb is not None:
            mod = clause[verb.end() :]
        elif open_ended and "、" not in clause:
            return None
        else:
            mod = clause.rsplit("、", 1)[-1]
        if "的" in mod or mod[-1:] in ("、", "和", "及", "与"):
            return None
        for sep in reversed(list(_LIST_SEP.finditer(mod))):
            if self.list_end.search(mod, 0, sep.start()):
                mod = mod[sep.end() :]
                break
        stripped = self.strip.match(mod)
        return mod[stripped.end() :] if stripped else mod

    def unquoted(self, masked: str, starts: list[int], ends: list[int]) -> list[Found]:
        found: list[Found] = []
        bounds = [m.end() for m in _NON_NAME.finditer(masked)]
        for m in self.head_re.finditer(masked):
            head = self.heads[m.group()]
            hs, he = m.span()
            if head.min_modifier is None or _overlaps(starts, ends, hs, he):
                continue
            if self.after_head.match(masked, he) or (
                self.after_own_head and self.after_own_head.match(masked, hs)
            ):
                continue
            rest = masked[he : he + 30]
            cut = _CLAUSE_END.search(rest)
            rest = rest[: cut.start()] if cut else rest
            if self.topics.search(rest) or (head.clause_final and rest):
                continue
            if head.min_modifier == 0:
                found.append(Found(hs, he, head.kind, head.text))
                continue
            mod = self.modifier(masked, bounds, hs, head.needs_verb)
            if (
                mod is None
                or not head.min_modifier <= len(mod) <= MAX_MODIFIER
                or any(len(part) < 2 for part in mod.split("、"))
                or self.stop.search(mod)
                or self.inner_head.search(mod)
                or _DESCRIPTIVE.search(mod)
                or _counted_inside(mod)
                or mod.count("、") >= 2  # a list of several things, not one name
                or (head.text in ("机制", "制度") and self.generic_field.fullmatch(mod))
            ):
                continue
            found.append(Found(hs - len(mod), he, head.kind, head.text))
        for m in _FIVE_YEAR.finditer(masked):
            if masked[m.start()] not in '“"' and not _overlaps(starts, ends, *m.span()):
                found.append(Found(m.start(), m.end(), "plan", "规划"))
        for m in self.place_build.finditer(masked):
            if m.group(1) not in self.generic_place and not _overlaps(starts, ends, *m.span()):
                found.append(Found(m.start(), m.end(), "campaign", "建设"))
        return found

    # -- everything --------------------------------------------------------------------

    def find(self, text: str, blocked: Iterable[tuple[int, int]] = ()) -> list[Found]:
        """Programs in ``text``, outside the ``blocked`` ranges (cited titles), in text order."""
        b_starts, b_ends = _merge(blocked := list(blocked))
        quotes = self.quotes(text)
        free = [q for q in quotes if not _overlaps(b_starts, b_ends, q.start, q.end)]
        found = [
            f for f in self.quoted(text, free) if not _overlaps(b_starts, b_ends, f.start, f.end)
        ]
        taken = [*blocked, *((q.start, q.end) for q in quotes), *((f.start, f.end) for f in found)]
        masked = _SHORT_PAREN.sub(lambda m: PLACEHOLDER * len(m.group()), text)
        t_starts, t_ends = _merge(taken)
        found += self.unquoted(masked, t_starts, t_ends)
        return sorted(dict.fromkeys(found))


def _counted_inside(mod: str) -> bool:
    """A modifier that is a count (四项|责任制) or holds one before other words (三个区参评
    综合|示范创建: a clause, not a name); a count right before the head is part of the name
    (行政执法三项|制度)."""
    m = _COUNT_MODIFIER.search(mod)
    return m is not None and (m.start() == 0 or m.end() < len(mod))


@lru_cache(maxsize=1)
def default_finder() -> ProgramFinder:
    return ProgramFinder()


def find_programs(text: str, blocked: Iterable[tuple[int, int]] = ()) -> list[Found]:
    """Programs in ``text`` outside the ``blocked`` character ranges."""
    return default_finder().find(text, blocked)


class ProgramTagger:
    """Puts PROGRAM spans in ``doc.spans["kg_programs"]`` with ``kg_kind`` and ``kg_head``."""

    def __init__(self) -> None:
        self.finder = default_finder()

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for f in self.finder.find(doc_text(doc), span_ranges(doc, "kg_documents")):
            span = make_span(doc, f.start, f.end, PROGRAM)
            if span is not None:
                span._.kg_kind = f.kind
                span._.kg_head = f.head
                spans.append(span)
        set_group(doc, "kg_programs", spans)
        return doc


@Language.factory("kg_programs", assigns=["doc.spans"])
def make_programs(nlp: Language, name: str) -> ProgramTagger:
    return ProgramTagger()
