"""Finding cited titles in plain text: 《…》, titles nested in them, and defined short forms.

Everything here works on ``str`` offsets with compiled regexes (no per-character Python
loops), so it is cheap on long texts and safe on hostile ones:

- a title never crosses a line break or a sentence end (。！？), and one longer than
  :data:`TITLE_MAX` characters is taken for an unbalanced 《 and skipped (the titles inside
  it are still found);
- the patterns are "unrolled loops" whose alternatives start with different characters, so a
  failed match costs time linear in the text it looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

TITLE_MAX: Final = 120  # characters inside the outermost 《…》
ALIAS_MAX: Final = 30

_STOP = "《》\n\r。！？"
# Outermost 《…》 with at most one level of inner 《…》 (〈…〉 inside is plain text here).
_TITLE = re.compile(rf"《(?P<body>[^{_STOP}]*(?:《[^{_STOP}]*》[^{_STOP}]*)*)》")
# Titles nested in a title: 〈…〉, an inner 《…》, or the ASCII / full-width angle brackets
# that scraped text sometimes has instead of 〈…〉.
_NESTED = re.compile(r"〈([^〈〉\n]+)〉|《([^《》\n]+)》|<([^<>\n]+)>|＜([^＜＞\n]+)＞")
# (以下简称《纲要》) (简称“意见”) （下称《规定》） (惠政〔2021〕1号，以下简称《办法》)
_ALIAS = re.compile(
    r"[(（](?:[^()（）\n]{0,40}?[,，;；、 ])?(?:以下|下文|下)?(?:简称为|简称|称为|称)[:：]?\s*"
    rf"(?:[“\"]?《(?P<title>[^《》()（）\n]{{1,{ALIAS_MAX}}})》[”\"]?"
    rf"|[“\"「『](?P<quoted>[^“”\"「」『』()（）\n]{{1,{ALIAS_MAX}}})[”\"」』]"
    rf"|(?P<bare>[^()（）\n,，;；、。“”\"《》]{{1,{ALIAS_MAX}}}))\s*[)）]"
)
# What may stand between a title and the brackets that define its short form: a 文号 in
# brackets, white space.
_AFTER_TITLE = re.compile(r"\s*(?:[(（][^()（）\n]{0,40}[)）]\s*)?")
_SPACE = " \t\r\n\u3000\u00a0\u200b\ufeff"
_OPENS_BRACKET = re.compile(r"\s*[(（]")
_QUOTED = re.compile(rf"“([^“”\n]{{1,{ALIAS_MAX}}})”|「([^「」\n]{{1,{ALIAS_MAX}}})」")


@dataclass(frozen=True, slots=True)
class TitleSpan:
    """Title text at ``[start, end)`` (inside the brackets, white space trimmed); ``open`` is
    the offset of the opening 《, ``close`` the offset just after the closing 》."""

    start: int
    end: int
    open: int
    close: int


@dataclass(frozen=True, slots=True)
class AliasDef:
    """``(以下简称…)`` after the title ``of``: the short form at ``[start, end)``."""

    of: TitleSpan
    start: int
    end: int
    bracketed: bool  # 《纲要》 (also found as a title) rather than “纲要” or 纲要
    quoted: bool


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    return start, end


def find_titles(text: str) -> list[TitleSpan]:
    """Outermost balanced 《…》 titles, in text order."""
    found: list[TitleSpan] = []
    pos = 0
    search = _TITLE.search
    while (m := search(text, pos)) is not None:
        start, end = _trim(text, *m.span("body"))
        if 0 < end - start <= TITLE_MAX:
            found.append(TitleSpan(start, end, m.start(), m.end()))
            pos = m.end()
        else:
            pos = m.start() + 1  # empty or runaway: look for titles inside it
    return found


def find_nested(text: str, title: TitleSpan) -> list[tuple[int, int]]:
    """``(start, end)`` of titles cited inside ``title``."""
    found: list[tuple[int, int]] = []
    body = text[title.start : title.end]
    if "〈" not in body and "《" not in body and "<" not in body and "＜" not in body:
        return found
    for m in _NESTED.finditer(text, title.start, title.end):
        group = m.lastindex or 1
        start, end = _trim(text, *m.span(group))
        if end > start:
            found.append((start, end))
    return found


def find_alias(text: str, title: TitleSpan) -> AliasDef | None:
    """The short form defined right after ``title`` (``《…》(以下简称《纲要》)``), if any."""
    if not _OPENS_BRACKET.match(text, title.close):
        return None
    skip = _AFTER_TITLE.match(text, title.close)
    candidates = [title.close]
    if skip is not None and skip.end() > title.close:
        candidates.append(skip.end())
    for pos in candidates:
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
        m = _ALIAS.match(text, pos)
        if m is None:
            continue
        group = next(g for g in ("title", "quoted", "bare") if m[g] is not None)
        start, end = _trim(text, *m.span(group))
        if end - start < 2:
            return None
        return AliasDef(title, start, end, group == "title", group == "quoted")
    return None


def find_quoted(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the text inside each short “…” or 「…」 quotation."""
    return [m.span(m.lastindex or 1) for m in _QUOTED.finditer(text)]
