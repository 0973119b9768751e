"""Shared pieces of the document and 文号 taggers: character classes and word lists.

Word lists live in ``lexicons/*.txt`` (one entry per line, ``#`` starts a comment) so that
the rules stay in code and the vocabulary of government language stays in data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Final

from kg.nlp.pipeline import doc_text as doc_text  # re-exported for the components

LEXICON_DIR: Final = Path(__file__).resolve().parent / "lexicons"

# Character classes (for use inside [...]).
CJK: Final = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
DIGITS: Final = "0-9\uff10-\uff19"  # ASCII and full-width digits
YEAR_OPENERS: Final = "〔[(（【［﹝〖"  # brackets around the year of a 文号
YEAR_CLOSERS: Final = "〕])）】］﹞〗"
YEAR_OPEN: Final = YEAR_OPENERS.replace("[", "\\[")  # the same, escaped for use in [...]
YEAR_CLOSE: Final = YEAR_CLOSERS.replace("]", "\\]")
SPACES: Final = " \t\u3000\u00a0"

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\uff0d\ufe63\u2212]")
_WHITE = re.compile(r"\s+")


@cache
def read_lexicon(name: str) -> tuple[str, ...]:
    """Entries of ``lexicons/<name>``: stripped lines without blank lines and ``#`` comments."""
    entries: list[str] = []
    for line in (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.append(entry)
    return tuple(dict.fromkeys(entries))


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so that longer words win."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in ordered) if ordered else "(?!)"


def to_int(digits: str) -> int:
    """An int from ASCII or full-width digits."""
    return int(unicodedata.normalize("NFKC", digits))


def title_key(title: str) -> str:
    """The form two spellings of one title share: NFKC, dashes as ``-``, no white space."""
    return _WHITE.sub("", _DASHES.sub("-", unicodedata.normalize("NFKC", title)))
