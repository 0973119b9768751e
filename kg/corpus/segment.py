"""Split cleaned report text into sentences, paragraphs and sections.

A sentence ends after 。！？!? (with any closing quotes or brackets that follow) or at a line
break; blank lines and leading indentation are not part of any sentence. A run longer than
:data:`MAX_SENTENCE_CHARS` without such an end is cut into pieces no longer than that, after a
；, else a ，、: or a space, else anywhere: every mention carries its sentence, so one 200 KB
"sentence" would be copied into each of thousands of mentions.

>>> text = "一是加强领导。二是“放管服”改革！\\n三是其他"
>>> [text[s:e] for s, e in sentence_bounds(text)]
['一是加强领导。', '二是“放管服”改革！', '三是其他']
"""

from __future__ import annotations

import re

# Real strings: "……提质增效。主要工作情况如下:", "……“阳光政府”。", "(一)提高政治站位"
_SENTENCE = re.compile(r"[^\n。！？!?]*(?:[。！？!?]+[”’」』）)\]]*|(?=\n)|$)")
_SPACE = " \t\r\u3000\u00a0\u2002\u2003\u200b\ufeff"


def _stripped_matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each match of ``pattern``, without surrounding white space; matches
    that are only white space are left out."""
    bounds: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        while start < end and text[start] in _SPACE:
            start += 1
        while end > start and text[end - 1] in _SPACE:
            end -= 1
        if end > start:
            bounds.append((start, end))
    return bounds


MAX_SENTENCE_CHARS = 1000
# Where an over-long sentence is cut, best first: after a clause, a phrase, at a space.
_CUTS = (re.compile(r"[；;]"), re.compile(r"[，,、：:]"), re.compile(r"[ \t\u3000]"))


def _cut(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``limit`` characters, each cut as late as it
    can be at the best boundary in the second half of the piece."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        stop = start + limit
        cut = stop
        for boundary in _CUTS:
            found = [m.end() for m in boundary.finditer(text, start + limit // 2, stop)]
            if found:
                cut = found[-1]
                break
        piece_end = cut
        while piece_end > start and text[piece_end - 1] in _SPACE:
            piece_end -= 1
        if piece_end > start:
            pieces.append((start, piece_end))
        start = cut
        while start < end and text[start] in _SPACE:
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def sentence_bounds(text: str, limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Character ``(start, end)`` of each sentence, stripped of surrounding white space; no
    sentence is longer than ``limit`` characters."""
    bounds: list[tuple[int, int]] = []
    for start, end in _stripped_matches(_SENTENCE, text):
        if end - start > limit:
            bounds += _cut(text, start, end, limit)
        else:
            bounds.append((start, end))
    return bounds


# Section headings at the start of a paragraph, by level. Real strings: "一、指导思想",
# "(一)坚持党的领导。各乡镇…", "（二）完善依法行政制度体系", "1.深化行政审批制度改革。向社会…",
# "2、落实权责清单制度", "(1)建立…".
_HEADINGS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"[一二三四五六七八九十]{1,3}、")),
    (2, re.compile(r"[(（][一二三四五六七八九十]{1,3}[)）]")),
    (3, re.compile(r"\d{1,2}[.．、](?!\d)")),
    (4, re.compile(r"[(（]\d{1,2}[)）]")),
)
# The heading ends at the first full stop (or the end of the paragraph): "(一)坚持党的领导".
_HEADING_END = re.compile(r"[。；;！？!?]")
# An attachment list, whose numbered items are not headings: "附件:1.全国法治政府示范创建指标体系".
_ATTACHMENTS = re.compile(r"附\s*件\s*[:：]")
_PARAGRAPH = re.compile(r"[^\n]+")


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """Character ``(start, end)`` of each paragraph: each non-blank line, stripped."""
    return _stripped_matches(_PARAGRAPH, text)


def heading_at(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(level, heading end)`` when the paragraph ``text[start:end]`` opens a section."""
    for level, pattern in _HEADINGS:
        match = pattern.match(text, start, end)
        if match:
            stop = _HEADING_END.search(text, match.end(), end)
            return level, stop.start() if stop else end
    return None


def section_bounds(text: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """``(level, start, heading end, end)`` of each section: a heading paragraph and what it
    governs, up to the next heading of the same or a higher level (or the end of the text)."""
    heads: list[tuple[int, int, int]] = []
    in_attachments = False
    for start, end in paragraphs:
        if _ATTACHMENTS.match(text, start, end):
            in_attachments = True
            continue
        found = heading_at(text, start, end)
        if found is None:
            continue
        level, head_end = found
        if in_attachments and level >= 3:
            continue
        in_attachments = False
        heads.append((level, start, head_end))
    stop = paragraphs[-1][1] if paragraphs else len(text)
    ends = [stop] * len(heads)
    open_: list[int] = []  # indexes of sections still open, levels increasing
    for i, (level, start, _head_end) in enumerate(heads):
        while open_ and heads[open_[-1]][0] >= level:
            ends[open_.pop()] = start
        open_.append(i)
    sections: list[tuple[int, int, int, int]] = []
    for (level, start, head_end), end in zip(heads, ends, strict=True):
        while end > start and text[end - 1] in _SPACE + "\n":
            end -= 1
        sections.append((level, start, head_end, end))
    return sections
