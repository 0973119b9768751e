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

from kg.text import CJK as CJK

LEXICON_DIR: Final = Path(__file__).resolve().parent / "lexicons"

# Character classes (for use inside [...]).
# CJK (Chinese characters) is kg.text's, the one definition, re-exported here.
DIGITS: Final = "0-9\uff10-\uff19"  # ASCII and full-width digits
YEAR_OPENERS: Final = "〔[(（【［﹝〖"  # brackets around the year of a 文号
YEAR_CLOSERS: Final = "〕])）】］﹞〗"
YEAR_OPEN: Final = YEAR_OPENERS.replace("[", "\\[")  # the same, escaped for use in [...]
YEAR_CLOSE: Final = YEAR_CLOSERS.replace("]", "\\]")
SPACES: Final = " \t\u3000\u00a0"


def _lexicon_path(name: str | Path) -> Path:
    return name if isinstance(name, Path) else LEXICON_DIR / name


def _entries(name: str | Path) -> list[str]:
    """Stripped lines of a lexicon, without blank lines and ``#`` comments."""
    lines = _lexicon_path(name).read_text(encoding="utf-8").splitlines()
    return [entry for line in lines if (entry := line.split("#", 1)[0].strip())]


@cache
def read_lexicon(name: str | Path) -> tuple[str, ...]:
    """Entries of ``lexicons/<name>`` (or of the file ``name``): stripped lines without blank
    lines and ``#`` comments, each once, in file order."""
    return tuple(dict.fromkeys(_entries(name)))


def read_table(name: str | Path) -> list[list[str]]:
    """Entries of a lexicon split on white space (``<name> <kind> …``)."""
    return [entry.split() for entry in read_lexicon(name)]


def read_sections(name: str | Path) -> dict[str, list[str]]:
    """A lexicon made of ``[section]`` blocks; entries before the first block go under ``""``."""
    sections: dict[str, list[str]] = {}
    current = ""
    for entry in _entries(name):
        if entry.startswith("[") and entry.endswith("]"):
            current = entry[1:-1].strip()
            sections.setdefault(current, [])
        else:
            sections.setdefault(current, []).append(entry)
    return sections


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so that longer words win."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in ordered) if ordered else "(?!)"


def to_int(digits: str) -> int:
    """An int from ASCII or full-width digits."""
    return int(unicodedata.normalize("NFKC", digits))
