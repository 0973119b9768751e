"""Component ``kg_doc_numbers``: document numbers (文号).

A 文号 is an issuer code, a year in brackets, a serial and 号: ``惠委办明电〔2021〕13号``,
``国办发[2019]39号``, ``漯法（２０２１）２号``. The scan looks for the distinctive tail
(bracketed year + serial + 号) and reads the issuer backwards from it: the run of Chinese
characters before the bracket, cut after the last word that cannot belong to a code
(``严格执行豫政〔2020〕12号`` -> ``豫政``; list in ``lexicons/docnumber_stopwords.txt``).

A decree number has no year (``国务院令第713号``, ``省人民政府令第290号``; ``year`` None): its
issuer is the body's name before 令. In a list of one issuer's numbers (``甲政发〔2024〕4号、5号``)
the first is the 文号 as written; the bare serials after it are not (GUIDELINES: an issuer
abbreviation, a year and a serial). 號 (traditional) reads as 号.

Scraping sometimes loses the brackets: ``惠政文20238``. Such a number is tagged
DAMAGED_DOC_NUMBER (``kg_damaged=True``) as written, never repaired, and only when it looks
like a code: a short issuer ending in a type character (发, 文, 函 …; list in
``lexicons/docnumber_kinds.txt``) standing on its own, a plausible year and a short serial,
and nothing after it that makes it a quantity (``件``, ``%`` …).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.model import DAMAGED_DOC_NUMBER, DOC_NUMBER
from kg.nlp.numerals import parse_chinese
from kg.nlp.patterns import (
    CJK,
    DIGITS,
    SPACES,
    YEAR_CLOSE,
    YEAR_OPEN,
    YEAR_OPENERS,
    alternation,
    read_lexicon,
    to_int,
)
from kg.nlp.pipeline import doc_text, make_span, set_group

ISSUER_MAX = 10  # characters read back from the bracket
DAMAGED_ISSUER = (2, 8)  # length range of the issuer of a damaged number

_YEAR = rf"(?:[1１][9９]|[2２][0０])[{DIGITS}]{{2}}"
_SP = f"[{SPACES}]?"

_HAO = "[号號]"
_FULL_TAIL = re.compile(
    rf"[{YEAR_OPEN}]{_SP}(?P<year>{_YEAR}){_SP}[{YEAR_CLOSE}]{_SP}第?"
    rf"(?P<serial>[{DIGITS}]{{1,5}}){_SP}{_HAO}"
)
# A decree: the issuer ends in 令, the serial follows 第 (国务院令第713号, 司法部令第1号).
_DECREE = re.compile(
    rf"令第(?P<serial>[{DIGITS}]{{1,5}}|[一二三四五六七八九十百零〇]{{1,6}}){_HAO}"
)
# Brackets lost (or one of them, or the 号 after complete brackets): the year, maybe a closing
# bracket, the serial. What stands before the year is checked in Python: a pattern that starts
# with a plain character set keeps the scan fast.
_DAMAGED_TAIL = re.compile(
    rf"(?P<year>[12１２][09０９][{DIGITS}]{{2}})(?P<close>[{YEAR_CLOSE}])?"
    rf"(?P<serial>[{DIGITS}]{{1,4}})(?![{DIGITS}])(?P<hao>号)?"
)
DIGITS_SET = frozenset("0123456789０１２３４５６７８９")
_YEAR_OK = re.compile(r"[1１][9９]|[2２][0０]")
_OPENERS = frozenset(YEAR_OPENERS)
_ISSUER = re.compile(rf"[{CJK}]{{1,{ISSUER_MAX}}}[{SPACES}]?\Z")
_IS_CJK = re.compile(f"[{CJK}]")
# After a damaged number without 号: not part of a quantity, a decimal or a longer word.
_DAMAGED_AFTER_OK = re.compile(rf"文件|[^{CJK}{DIGITS}.．%％A-Za-z]")


@dataclass(frozen=True, slots=True)
class DocNumber:
    start: int
    end: int
    issuer: str
    year: int | None  # None for a decree (国务院令第713号)
    serial: int
    damaged: bool


@dataclass(frozen=True, slots=True)
class _Lexicon:
    stop: re.Pattern[str]
    kinds: frozenset[str]
    decree_stop: re.Pattern[str]  # the same without the names of bodies (国务院令 is whole)


_BODY_ENDINGS = ("院", "府", "厅", "室", "会", "组")


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    stops = read_lexicon("docnumber_stopwords.txt")
    return _Lexicon(
        stop=re.compile(alternation(stops)),
        kinds=frozenset(read_lexicon("docnumber_kinds.txt")),
        decree_stop=re.compile(alternation(w for w in stops if not w.endswith(_BODY_ENDINGS))),
    )


def _issuer(
    text: str, at: int, lex: _Lexicon, stop: re.Pattern[str] | None = None
) -> tuple[int, bool, bool] | None:
    """Start of the issuer code ending at ``at``, whether a stop word was cut, whether the run
    of Chinese characters before it was longer than :data:`ISSUER_MAX`."""
    m = _ISSUER.search(text, max(0, at - ISSUER_MAX - 1), at)
    if m is None:
        return None
    start = m.start()
    cut = False
    for word in (stop or lex.stop).finditer(text, start, at):
        start, cut = word.end(), True
    end = at
    while end > start and text[end - 1] in SPACES:
        end -= 1
    if end <= start:
        return None
    clipped = not cut and m.start() > 0 and _IS_CJK.match(text, m.start() - 1) is not None
    return start, cut, clipped


def _full(text: str, lex: _Lexicon) -> list[DocNumber]:
    found: list[DocNumber] = []
    for m in _FULL_TAIL.finditer(text):
        issuer = _issuer(text, m.start(), lex)
        if issuer is None:
            continue
        start = issuer[0]
        found.append(
            DocNumber(
                start=start,
                end=m.end(),
                issuer=text[start : m.start()].strip(SPACES),
                year=to_int(m["year"]),
                serial=to_int(m["serial"]),
                damaged=False,
            )
        )
    return found


def _decrees(text: str, lex: _Lexicon) -> list[DocNumber]:
    found: list[DocNumber] = []
    for m in _DECREE.finditer(text):
        issuer = _issuer(text, m.start() + 1, lex, lex.decree_stop)
        if issuer is None:
            continue
        start = issuer[0]
        serial = m["serial"]
        number = to_int(serial) if serial[0] in DIGITS_SET else parse_chinese(serial)
        if number is None:
            continue
        found.append(DocNumber(start, m.end(), text[start : m.start() + 1], None, number, False))
    return found


def _damaged(text: str, lex: _Lexicon, taken: list[DocNumber]) -> list[DocNumber]:
    found: list[DocNumber] = []
    starts = [n.start for n in taken]  # taken is in text order and does not overlap
    for m in _DAMAGED_TAIL.finditer(text):
        at = m.start()  # where the issuer, or a lone opening bracket after it, ends
        opened = at > 0 and text[at - 1] in _OPENERS
        if opened:
            at -= 1
        if at == 0 or not _IS_CJK.match(text, at - 1) or not _YEAR_OK.match(m["year"]):
            continue
        if opened and m["close"] and m["hao"]:
            continue  # complete: a full number (tagged, or rejected, by _full)
        i = bisect_right(starts, at) - 1
        if i >= 0 and taken[i].end > at:
            continue
        if not m["hao"] and m.end() < len(text) and not _DAMAGED_AFTER_OK.match(text, m.end()):
            continue
        issuer = _issuer(text, at, lex)
        if issuer is None:
            continue
        start, cut, clipped = issuer
        code = text[start:at]
        lo, hi = DAMAGED_ISSUER
        if clipped or not lo <= len(code) <= hi or code[-1] not in lex.kinds:
            continue
        if not cut and start > 0 and _IS_CJK.match(text, start - 1):
            continue  # glued to the words before it: not a code standing on its own
        found.append(
            DocNumber(
                start=start,
                end=m.end(),
                issuer=code,
                year=to_int(m["year"]),
                serial=to_int(m["serial"]),
                damaged=True,
            )
        )
    return found


def find_doc_numbers(text: str) -> list[DocNumber]:
    """Every 文号 in ``text``, complete and damaged, in text order."""
    lex = _lexicon()
    full = _full(text, lex) + _decrees(text, lex)
    full.sort(key=lambda n: n.start)
    found = full + _damaged(text, lex, full)
    found.sort(key=lambda n: n.start)
    return found


class DocNumberTagger:
    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for number in find_doc_numbers(doc_text(doc)):
            label = DAMAGED_DOC_NUMBER if number.damaged else DOC_NUMBER
            span = make_span(doc, number.start, number.end, label)
            if span is None:
                continue
            span._.kg_issuer = number.issuer
            if number.year is not None:
                span._.kg_year = number.year
            span._.kg_serial = number.serial
            if number.damaged:
                span._.kg_damaged = True
            spans.append(span)
        set_group(doc, "kg_doc_numbers", spans)
        return doc


@Language.factory("kg_doc_numbers", assigns=["doc.spans"])
def make_doc_numbers(nlp: Language, name: str) -> DocNumberTagger:
    return DocNumberTagger()
