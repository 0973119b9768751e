"""Programs as entities: one per program however its name is quoted.

Reports quote a program's name in whatever marks the writer's keyboard gives: “放管服”改革,
"放管服"改革, ＂放管服＂改革, 「放管服」改革, or none at all (放管服改革), in full or half width and
with stray spaces. All of these are one program:

- The key is ``normalize`` of the name (NFKC, one dash, no white space) with every quotation
  mark removed: 放管服改革.
- The display name is the name NFKC-normalised, each pair of marks rendered as “…” and a pair
  inside a pair as ‘…’ (“‘枫桥经验’在福建深化…”专项活动); a mark left without its partner is
  dropped. Of a key's spellings the name is the one that keeps the most quotes, then the first
  in code-point order, so it does not depend on which spelling the report used first.

Names that differ in more than quoting stay apart (行政执法“三项制度” and “三项制度”; the tagger
gives both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.nlp.model import PROGRAM, Mention
from kg.text import normalize

# Quotation marks after NFKC (＂ → ", ＇ → ', ﹁ → 「): openers, closers, and marks that do both.
_OPENERS = frozenset("“‘「『〝«‹")
_CLOSERS = frozenset("”’」』〞〟»›")
_SYMMETRIC = frozenset("\"'")
_QUOTES = _OPENERS | _CLOSERS | _SYMMETRIC
# The rendering of a pair by depth: outer “…”, inner ‘…’, then alternating.
_RENDER = (("“", "”"), ("‘", "’"))


@dataclass(frozen=True, slots=True)
class ProgramEntity:
    """One program named in a report, under every spelling of its name."""

    key: str  # normalize of the name with every quotation mark removed
    name: str  # canonical display form: “…” quotes (‘…’ inside), NFKC otherwise
    surface_forms: tuple[str, ...]  # every form the report wrote it in, first seen first


def program_key(text: str) -> str:
    """The key every spelling of a program's name shares.

    >>> program_key("「放管服」 改革") == program_key("“放管服”改革") == "放管服改革"
    True
    """
    return "".join(ch for ch in normalize(text) if ch not in _QUOTES)


def _closes(ch: str, open_marks: list[tuple[int, str]]) -> bool:
    """Whether ``ch`` closes the innermost open quote (a closer, or the same symmetric mark)."""
    if not open_marks:
        return False
    return ch in _CLOSERS or (ch in _SYMMETRIC and open_marks[-1][1] == ch)


def canonical_program_name(text: str) -> str:
    """``text`` NFKC-normalised, its quotes rendered “…” (‘…’ inside), stray marks dropped.

    >>> canonical_program_name('"放管服"改革')
    '“放管服”改革'
    >>> canonical_program_name("「‘枫桥经验’在福建」专项活动")
    '“‘枫桥经验’在福建”专项活动'
    """
    out: list[str] = []
    open_marks: list[tuple[int, str]] = []  # (where its opening mark goes in out, the mark)
    for ch in normalize(text):
        if _closes(ch, open_marks):
            at, _mark = open_marks.pop()
            opening, closing = _RENDER[len(open_marks) % 2]
            out[at] = opening
            out.append(closing)
        elif ch in _OPENERS or ch in _SYMMETRIC:
            open_marks.append((len(out), ch))
            out.append("")  # filled in when the quote closes; left empty if it never does
        elif ch not in _CLOSERS:
            out.append(ch)
    return "".join(out)


def _quote_count(name: str) -> int:
    return sum(ch in _QUOTES for ch in name)


def _display_name(spellings: Iterable[str]) -> str:
    """The display name of one program: the most quoted canonical spelling, then the least."""
    names = {canonical_program_name(s) for s in spellings}
    return min(names, key=lambda n: (-_quote_count(n), n))


def resolve_programs(mentions: Iterable[Mention]) -> list[ProgramEntity]:
    """One :class:`ProgramEntity` per program among the PROGRAM mentions, in order of first
    mention."""
    forms: dict[str, list[str]] = {}
    for m in mentions:
        key = program_key(m.text)
        if m.label != PROGRAM or not key:
            continue
        spellings = forms.setdefault(key, [])
        if m.text not in spellings:
            spellings.append(m.text)
    return [
        ProgramEntity(key, _display_name(spellings), tuple(spellings))
        for key, spellings in forms.items()
    ]
