"""Text helpers shared by ingestion, the tagger and the scorer: normalisation, the Chinese
character class, and the script (simplified or traditional) with a simplified view of a
traditional text."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\uff0d\ufe63\u2212]")
_SPACE = re.compile(r"\s+")

# Chinese characters, for use inside [...]: CJK Unified Ideographs, Extension A and the
# compatibility ideographs. The one definition the tagger and ingestion share.
CJK: Final = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE: Final = re.compile(f"[{CJK}]")


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` (one character) is a Chinese character."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def normalize(text: str) -> str:
    """NFKC, every dash variant as ``-``, no white space: the form under which two spellings
    of one title (``(2021—2025年)`` / ``（2021-2025年）``) or a tag and its gold string agree.

    >>> normalize("法治政府建设实施纲要（2021—2025年）")
    '法治政府建设实施纲要(2021-2025年)'
    """
    return _SPACE.sub("", _DASHES.sub("-", unicodedata.normalize("NFKC", text)))


# -- script ------------------------------------------------------------------------------------

Script = Literal["simplified", "traditional"]

# A text is traditional when at least this share of its Chinese characters (and at least
# _MIN_TRADITIONAL of them) are characters that OpenCC's t2s would change. Traditional text
# has 15-30 % such characters; simplified text has next to none (乾 in 乾隆, a quoted name).
_TRADITIONAL_SHARE: Final = 0.05
_MIN_TRADITIONAL: Final = 3
_SAMPLE: Final = 20_000  # characters read to decide; a report does not switch script


@cache
def _t2s() -> object:
    # OpenCC (PyPI ``OpenCC``, Apache-2.0): the reference converter, with its own dictionaries.
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` through OpenCC t2s (phrases first, then characters)."""
    return str(_t2s().convert(text))  # type: ignore[attr-defined]


@cache
def _traditional_re() -> re.Pattern[str]:
    """One character class: every Chinese character that t2s turns into another."""
    blocks = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))
    chars = [chr(c) for first, end in blocks for c in range(first, end)]
    # One character a line, so no two neighbours are read as a phrase.
    converted = to_simplified("\n".join(chars)).split("\n")
    changed = "".join(c for c, s in zip(chars, converted, strict=True) if c != s)
    return re.compile(f"[{re.escape(changed)}]")


def script_of(text: str) -> Script:
    """``traditional`` when the text is written in traditional characters, else ``simplified``.

    Reads the first 20,000 characters: a regex count of the characters t2s would change; the
    Chinese characters are counted only when there are a few of those.
    """
    sample = text[:_SAMPLE]
    changed = len(_traditional_re().findall(sample))
    if changed < _MIN_TRADITIONAL:
        return "simplified"
    return (
        "traditional"
        if changed >= _TRADITIONAL_SHARE * len(_CJK_RE.findall(sample))
        else ("simplified")
    )


@dataclass(frozen=True, slots=True)
class SimplifiedView:
    """``text``: a simplified rendering of ``source``, with a map of offsets back to it.

    t2s replaces characters one for one, so the two texts are usually the same length and
    offsets are shared. Where a conversion changes the length, the line it is on is converted
    character by character and every character whose rendering has another length is a unit:
    a view offset inside a unit maps to the unit's source start (``end=False``) or end.
    """

    source: str
    text: str
    view_starts: tuple[int, ...] = ()
    view_ends: tuple[int, ...] = ()
    source_starts: tuple[int, ...] = ()
    source_ends: tuple[int, ...] = ()

    def to_source(self, offset: int, *, end: bool = False) -> int:
        """The source offset of view offset ``offset`` (``end``: it ends a span)."""
        i = bisect_right(self.view_starts, offset) - 1
        if i < 0:
            return offset
        if offset >= self.view_ends[i]:
            return self.source_ends[i] + offset - self.view_ends[i]
        if offset == self.view_starts[i] or not end:
            return self.source_starts[i]
        return self.source_ends[i]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source range of view range ``[start, end)``."""
        return self.to_source(start), self.to_source(end, end=True)


_LINE = re.compile(r"[^\n]*\n?")


def simplified_view(source: str) -> SimplifiedView:
    """The t2s view of ``source`` (see :class:`SimplifiedView`)."""
    whole = to_simplified(source)
    if len(whole) == len(source):
        return SimplifiedView(source, whole)
    parts: list[str] = []
    vs: list[int] = []
    ve: list[int] = []
    ss: list[int] = []
    se: list[int] = []
    view_pos = 0
    for m in _LINE.finditer(source):
        line = m.group()
        if not line:
            continue
        converted = to_simplified(line)
        if len(converted) != len(line):
            pieces = [to_simplified(ch) for ch in line]
            for k, piece in enumerate(pieces):
                if len(piece) != 1:
                    vs.append(view_pos)
                    ve.append(view_pos + len(piece))
                    ss.append(m.start() + k)
                    se.append(m.start() + k + 1)
                view_pos += len(piece)
            converted = "".join(pieces)
        else:
            view_pos += len(converted)
        parts.append(converted)
    return SimplifiedView(source, "".join(parts), tuple(vs), tuple(ve), tuple(ss), tuple(se))
