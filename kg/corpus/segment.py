"""Split cleaned report text into sentences (and, later, paragraphs and sections).

A sentence ends after 。！？!? (with any closing quotes or brackets that follow) or at a line
break; blank lines and leading indentation are not part of any sentence.

>>> [text[s:e] for text in ["一是加强领导。二是“放管服”改革！\\n三是其他"] for s, e in sentence_bounds(text)]
['一是加强领导。', '二是“放管服”改革！', '三是其他']
"""

from __future__ import annotations

import re

# Real strings: "……提质增效。主要工作情况如下:", "……“阳光政府”。", "(一)提高政治站位"
_SENTENCE = re.compile(r"[^\n。！？!?]*(?:[。！？!?]+[”’」』）)\]]*|(?=\n)|$)")
_SPACE = " \t\r\u3000\u00a0\u2002\u2003\u200b\ufeff"


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Character ``(start, end)`` of each sentence, stripped of surrounding white space."""
    bounds: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start] in _SPACE:
            start += 1
        while end > start and text[end - 1] in _SPACE:
            end -= 1
        if end > start:
            bounds.append((start, end))
    return bounds
