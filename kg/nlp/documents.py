"""Component ``kg_documents``: documents cited by title, and what the region did with them.

- DOCUMENT: the text inside each outermost 《…》 (:func:`kg.nlp.titles.find_titles`).
  ``kg_title`` is the title as first written in the text: later spellings that differ only
  in width, dashes or white space (``(2021—2025年)`` / ``（2021-2025年）``) share it.
  A 文号 in brackets right after the title (``《…》（漯法〔2021〕2号）``) becomes
  ``kg_doc_number``; it is read from the ``kg_doc_numbers`` group (that component runs
  first) or, without it, found again.
- Short forms: ``《…》（以下简称《纲要》）`` makes ``纲要`` a DOCUMENT whose ``kg_alias_of``
  is the full title; later 《纲要》 (or “纲要” when it was defined in quotes) get
  ``kg_alias_of`` too.
- NESTED_DOCUMENT: a title inside a title (〈…〉 or an inner 《…》), ``kg_nested_in`` the
  outer title.
- ``kg_action`` (issued / transmitted / implemented / mentioned) and ``kg_verb``:
  :func:`classify`, with the rules of who acts and negation (:mod:`kg.nlp.action_rules`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.action_rules import Agents, negated
from kg.nlp.docnumbers import find_doc_numbers
from kg.nlp.model import DOC_NUMBER, DOCUMENT, NESTED_DOCUMENT
from kg.nlp.patterns import alternation, read_lexicon
from kg.nlp.pipeline import doc_text, make_span, set_group
from kg.nlp.places import Place, doc_places
from kg.nlp.titles import TitleSpan, find_alias, find_nested, find_quoted, find_titles
from kg.text import normalize

ISSUED: Final = "issued"
TRANSMITTED: Final = "transmitted"
IMPLEMENTED: Final = "implemented"
MENTIONED: Final = "mentioned"
ACTIONS: Final = (ISSUED, TRANSMITTED, IMPLEMENTED, MENTIONED)
_RANK: Final = {a: i for i, a in enumerate(ACTIONS)}  # which verb of a chain decides
DEFINED: Final = "简称"  # the verb of a short form's definition (以下简称《纲要》)

WINDOW: Final = 60  # characters before a title searched for its verb
_SPACES = " \t\u3000\u00a0"
_CLAUSE_END = "，,；;。！？!?\n"  # not ：, which may stand between a verb and its list of titles
_LAST_CLAUSE_END = re.compile(rf".*[{_CLAUSE_END}]", re.S)
_PAREN = re.compile(r"[(（][^()（）\n]{0,40}[)）]")
# Between two coordinated titles: 《A》《B》, 《A》和《B》, 《A》、《B》 …
_COORDINATE = re.compile(r"(?:和|与|及|以及|、|或|或者|及其|暨)?")
_CONJUNCTION = re.compile(r"[和与及、或暨]")
# Between two verbs of one chain: 制定下发, 起草和出台了, 编制并公开, 学习贯彻.
_CHAIN_GAP = re.compile(r"[并和及与或、了好\s]{0,2}")
_RELATIVE_GAP = 2  # 新调整规范的《…》: the verb of a 的-clause may stand this far from 的
# After a title: a 文号 or short form in brackets, then 的 or 进行 (抓好《…》的贯彻落实,
# 对《…》进行了修订).
_AFTER_SKIP = re.compile(r"\s*(?:[(（][^()（）\n]{0,40}[)）])?\s*(?:的|进行了?)?")
# 现将《…》印发给你们: a title moved before its verb by 将/把 takes that verb.
_DISPOSAL = re.compile(r"[将把]$")
_NUMBER_OPEN = re.compile(r"[ \t\u3000\u00a0]*[(（][ \t\u3000\u00a0]*(?:文号[:：]?[ \u3000]*)?")


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # ISSUED | IMPLEMENTED | MENTIONED
    verb: str | None


@dataclass(frozen=True, slots=True)
class _Verbs:
    before: re.Pattern[str]
    kinds: dict[str, str]
    after: re.Pattern[str]
    after_kinds: dict[str, str]


@lru_cache(maxsize=1)
def _verbs() -> _Verbs:
    kinds: dict[str, str] = {}
    after: dict[str, str] = {}
    for kind in (MENTIONED, IMPLEMENTED, TRANSMITTED, ISSUED):  # in two lists: the later wins
        for word in read_lexicon(f"actions_{kind}.txt"):
            kinds[word] = kind
        if kind in (IMPLEMENTED, ISSUED):
            for word in read_lexicon(f"actions_after_{kind}.txt"):
                after[word] = kind
    return _Verbs(
        before=re.compile(alternation(kinds)),
        kinds=kinds,
        after=re.compile(alternation(after)),
        after_kinds=after,
    )


def _chains(window: str, matches: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    """Verbs grouped into chains of verbs written together (制定下发, 学习宣传贯彻)."""
    chains: list[list[re.Match[str]]] = []
    for m in matches:
        if chains and _CHAIN_GAP.fullmatch(window, chains[-1][-1].end(), m.start()):
            chains[-1].append(m)
        else:
            chains.append([m])
    return chains


def _chain_action(chain: list[re.Match[str]], kinds: dict[str, str]) -> Action:
    best = min(reversed(chain), key=lambda m: _RANK[kinds[m.group()]])  # ties: the nearest
    return Action(kinds[best.group()], best.group())


def classify(
    text: str,
    title: TitleSpan,
    previous: tuple[TitleSpan, Action] | None,
    agents: Agents | None = None,
) -> Action:
    """What the region did with ``title``, read from the verb that governs it.

    The governing verb is the nearest verb chain before the title in its clause (at most
    :data:`WINDOW` characters back); in a chain the issuing verb decides over an implementing
    one, which decides over the rest (制定落实 -> issued, 学习贯彻 -> implemented). A verb of
    a 的-clause right before the title (贯彻落实国务院印发的《…》) gives way to the verb
    before it. Titles in a row (出台《A》《B》和《C》) share the first one's action. With no
    issuing or implementing verb before it, a title followed by 落实 and the like
    (推进《…》落实) is implemented; after a light verb, one followed by 修订, 起草 … is issued
    (完成《…》修订). Single-character verbs (按, 依 …) count only directly before the 《.
    A verb with no other before it may also end the title's clause (推动《…》和…落地落实).

    Then the rules of :mod:`kg.nlp.action_rules`: a negated verb, or an issuing or forwarding
    verb whose subject is another named body (``agents``), gives ``mentioned``.
    """
    verbs = _verbs()
    lo = max(0, title.open - WINDOW)
    after_title = False
    if previous is not None and previous[0].close > lo:
        lo = previous[0].close
        gap = _PAREN.sub("", text[lo : title.open]).strip(_SPACES)
        if _COORDINATE.fullmatch(gap):
            return previous[1]
        after_title = True
    window = text[lo : title.open].rstrip(_SPACES)
    w0 = lo  # where the window starts in the text
    cut = _LAST_CLAUSE_END.match(window)
    if cut is not None:
        window, after_title, w0 = window[cut.end() :], False, lo + cut.end()
    matches = [
        m for m in verbs.before.finditer(window) if len(m.group()) > 1 or m.end() == len(window)
    ]
    chains = _chains(window, matches)
    action: Action | None = None
    if chains:
        chain = chains[-1]
        if (
            len(chains) > 1
            and window.endswith("的")
            and len(window) - 1 - chain[-1].end() <= _RELATIVE_GAP
        ):
            chain = chains[-2]
        action = _chain_action(chain, verbs.kinds)
        before = window[: chain[0].start()]
        if negated(before.rstrip(_SPACES)):
            return Action(MENTIONED, action.verb)
        if (
            action.kind in (ISSUED, TRANSMITTED)
            and agents is not None
            and agents.other_body(text, w0, w0 + chain[0].start())
        ):
            return Action(MENTIONED, action.verb)
    elif after_title and previous is not None and _CONJUNCTION.search(window):
        return previous[1]  # 按照《A》和国家《B》, 根据《A》精神和中央依法治国办《B》
    if action is None or action.kind == MENTIONED:
        skip = _AFTER_SKIP.match(text, title.close)
        after = verbs.after.match(text, skip.end() if skip is not None else title.close)
        if after is not None:
            kind = verbs.after_kinds[after.group()]
            if kind == IMPLEMENTED or action is not None or _DISPOSAL.search(window):
                return Action(kind, after.group())
        ending = _clause_final_after(text, title.close, verbs)
        if ending is not None:
            return ending
    return action if action is not None else Action(MENTIONED, None)


_CLAUSE_TAIL = 30  # how far after a title a clause-final implementing verb is looked for
_NEXT_CLAUSE = re.compile(rf"[{_CLAUSE_END}《]")


def _clause_final_after(text: str, close: int, verbs: _Verbs) -> Action | None:
    """An implementing verb that ends the title's clause with no other verb between
    (推动《…》和省十项重点任务落地落实,): ``implemented``."""
    end = _NEXT_CLAUSE.search(text, close, close + _CLAUSE_TAIL)
    if end is None or text[end.start()] == "《":
        return None
    tail = text[close : end.start()].rstrip(_SPACES)
    for m in verbs.after.finditer(tail):
        if (
            m.end() == len(tail)
            and verbs.after_kinds[m.group()] == IMPLEMENTED
            and verbs.before.search(tail, 0, m.start()) is None
        ):
            return Action(IMPLEMENTED, m.group())
    return None


@dataclass(slots=True)
class Found:
    """One DOCUMENT or NESTED_DOCUMENT at ``[start, end)`` with its attributes."""

    start: int
    end: int
    label: str
    title: str | None = None
    doc_number: str | None = None
    action: Action | None = None
    alias_of: str | None = None
    nested_in: str | None = None


def _number_after(text: str, title: TitleSpan, numbers: dict[int, str]) -> str | None:
    """The 文号 in brackets right after ``title``: ``《…》（漯法〔2021〕2号）``."""
    m = _NUMBER_OPEN.match(text, title.close)
    return numbers.get(m.end()) if m is not None else None


def find_documents(
    text: str, numbers: dict[int, str] | None = None, places: list[Place] | None = None
) -> list[Found]:
    """DOCUMENT and NESTED_DOCUMENT findings in ``text``, in text order.

    ``numbers`` maps the start offset of each 文号 to its text (default: found here);
    ``places`` are the places of the text, for the rule of who acts (default: none, so only
    central bodies count as other bodies). A short form defined in the text
    (以下简称《纲要》) is ``mentioned``: the verb that governs it where it first appears is 简称.
    """
    agents = Agents(places or ())
    if numbers is None:
        numbers = {n.start: text[n.start : n.end] for n in find_doc_numbers(text) if not n.damaged}
    first: dict[str, str] = {}  # normalize -> first spelling
    seen: dict[str, str] = {}  # spelling -> first spelling

    def canon(written: str) -> str:
        name = seen.get(written)
        if name is None:
            name = seen[written] = first.setdefault(normalize(written), written)
        return name

    found: list[Found] = []
    aliases: dict[str, str] = {}  # normalize(short form) -> full title
    defined: dict[int, Action] = {}  # start of a 《short form》 being defined -> its action
    quoted: dict[str, list[tuple[int, str]]] = {}  # “short form” -> [(defined at, full title)]
    previous: tuple[TitleSpan, Action] | None = None
    for title in find_titles(text):
        name = canon(text[title.start : title.end])
        action = defined.pop(title.start, None)
        if action is None:
            action = classify(text, title, previous, agents)
            previous = (title, action)  # a short form being defined is no link in a list
        alias_of = aliases.get(normalize(name)) if aliases else None
        found.append(
            Found(
                title.start,
                title.end,
                DOCUMENT,
                name,
                doc_number=_number_after(text, title, numbers),
                action=action,
                alias_of=alias_of,
            )
        )
        found += [Found(s, e, NESTED_DOCUMENT, nested_in=name) for s, e in find_nested(text, title)]
        alias = find_alias(text, title) if alias_of is None else None
        if alias is None:
            continue
        short = canon(text[alias.start : alias.end])
        if normalize(short) == normalize(name):
            continue
        aliases[normalize(short)] = name
        defining = Action(MENTIONED, DEFINED)
        if alias.bracketed:
            defined[alias.start] = defining  # tagged on its own turn as a title
            continue
        found.append(Found(alias.start, alias.end, DOCUMENT, short, action=defining, alias_of=name))
        if alias.quoted:
            quoted.setdefault(normalize(short), []).append((alias.end, name))
    if quoted:
        found += _quoted_references(text, quoted, canon)
    found.sort(key=lambda f: (f.start, f.end))
    return found


def _quoted_references(
    text: str, defined: dict[str, list[tuple[int, str]]], canon: Callable[[str], str]
) -> list[Found]:
    """Later “short form” quotations of short forms defined in quotes, each resolved to the
    title it was last defined for."""
    found: list[Found] = []
    for start, end in find_quoted(text):
        short = text[start:end]
        definitions = defined.get(normalize(short))
        if not definitions:
            continue
        i = bisect_right(definitions, end, key=lambda d: d[0]) - 1
        if i < 0 or definitions[i][0] == end:
            continue  # a quotation before any definition, or a definition itself
        found.append(
            Found(
                start,
                end,
                DOCUMENT,
                canon(short),
                action=Action(MENTIONED, None),
                alias_of=definitions[i][1],
            )
        )
    return found


def _numbers_by_start(doc: Doc) -> dict[int, str] | None:
    """Start offset -> text of each undamaged 文号 tagged by ``kg_doc_numbers``."""
    if "kg_doc_numbers" not in doc.spans:
        return None
    return {s.start_char: s.text for s in doc.spans["kg_doc_numbers"] if s.label_ == DOC_NUMBER}


class DocumentTagger:
    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        text = doc_text(doc)
        for f in find_documents(text, _numbers_by_start(doc), doc_places(doc, text)):
            span = make_span(doc, f.start, f.end, f.label)
            if span is None:
                continue
            if f.label == DOCUMENT:
                span._.kg_title = f.title
                span._.kg_doc_number = f.doc_number
                span._.kg_alias_of = f.alias_of
                if f.action is not None:
                    span._.kg_action = f.action.kind
                    span._.kg_verb = f.action.verb
            else:
                span._.kg_nested_in = f.nested_in
            spans.append(span)
        set_group(doc, "kg_documents", spans)
        return doc


@Language.factory("kg_documents", assigns=["doc.spans"])
def make_documents(nlp: Language, name: str) -> DocumentTagger:
    return DocumentTagger()
