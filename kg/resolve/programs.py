"""Programs as entities: one per program however it is written.

Reports write a program's name in whatever marks the writer's keyboard gives and with whatever
words around it: “放管服”改革, "放管服"改革, 「放管服」机制, 深化“放管服”改革; “谁执法谁普法”,
“谁执法,谁普法”, “谁执法谁普法”责任制, “谁执法谁普法”工作机制; “八五”普法, “八五”普法规划;
“三项制度”, 行政执法“三项制度”. Each of these families is one program:

- A name is read as ``prefix“core”tail`` (the first quoted part). When the tail is only generic
  head words (改革, 机制, 工作机制, 制度, 责任制, 普法, 普法规划, 规划, 活动, 专项行动 …, see
  ``_GENERIC_HEADS``) the name is the program the quoted core names: its key is the core and
  its display name “core”. A modifier before the quotes (行政执法“三项制度”) is dropped the
  same way, unless the core is only a head word with one character before it (执法监督“云平台”:
  云平台 alone names nothing in particular), when the whole name stays one program.
- A tail that says more (“枫桥经验”保定模式, “一件事”集成服务套餐) names a narrower program: its
  own key and name, and ``broader`` the core's program (``skos:broader`` in the graph).
- Keys and names are ``normalize``d (NFKC, one dash, no white space) with the inner
  punctuation of a slogan (， , ; ； ：) dropped: “谁执法,谁普法” is “谁执法谁普法”. The
  enumeration mark 、 and the middle dot · stay (“双随机、一公开”). Quotation marks are left
  out of the key and rendered “…” (‘…’ inside) in the name; a mark without its partner is
  dropped. Both depend only on the name, so every report gives a node the same key and label.
- A name written without quotes (放管服改革) is the program of a quoted spelling in the same
  report whose words it has (“放管服”改革); otherwise it is its own program.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from kg.nlp.model import PROGRAM, Mention
from kg.nlp.patterns import read_table
from kg.text import normalize

# Quotation marks after NFKC (＂ → ", ＇ → ', ﹁ → 「): openers, closers, and marks that do both.
_OPENERS = frozenset("“‘「『〝«‹")
_CLOSERS = frozenset("”’」』〞〟»›")
_SYMMETRIC = frozenset("\"'")
_QUOTES = _OPENERS | _CLOSERS | _SYMMETRIC
# Punctuation inside a slogan that spellings of one name use or leave out (after NFKC).
_INNER = frozenset(",;:")
# The rendering of a pair by depth: outer “…”, inner ‘…’, then alternating.
_RENDER = (("“", "”"), ("‘", "’"))
# Head words that, after a quoted name, add nothing to it: “放管服”改革 is “放管服”机制.
_GENERIC_HEADS = tuple(
    sorted(
        (
            "普法规划", "普法责任制", "工作机制", "创建活动", "责任制", "专项行动",
            "专项活动", "普法", "规划", "改革", "机制", "制度", "工作", "活动", "行动",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ProgramEntity:
    """One program named in a report, under every spelling of its name."""

    key: str  # see program_key: the same for every spelling of the program
    name: str  # canonical display form: “…” quotes (‘…’ inside), NFKC otherwise
    surface_forms: tuple[str, ...]  # every form the report wrote it in, first seen first
    broader_key: str | None = None  # the program this one is a narrower form of
    broader_name: str | None = None


@dataclass(frozen=True, slots=True)
class ProgramName:
    """What a written name stands for: the program's key and name, and the broader one's."""

    key: str
    name: str
    broader_key: str | None = None
    broader_name: str | None = None


def _closes(ch: str, open_marks: list[tuple[int, str]]) -> bool:
    """Whether ``ch`` closes the innermost open quote (a closer, or the same symmetric mark)."""
    if not open_marks:
        return False
    return ch in _CLOSERS or (ch in _SYMMETRIC and open_marks[-1][1] == ch)


def canonical_program_name(text: str) -> str:
    """``text`` NFKC-normalised, inner slogan punctuation dropped, its quotes rendered “…”
    (‘…’ inside), stray marks dropped.

    >>> canonical_program_name('"放管服"改革')
    '“放管服”改革'
    >>> canonical_program_name("「‘枫桥经验’在福建」专项活动")
    '“‘枫桥经验’在福建”专项活动'
    >>> canonical_program_name("“谁执法，谁普法”")
    '“谁执法谁普法”'
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
        elif ch not in _CLOSERS and ch not in _INNER:
            out.append(ch)
    return "".join(out)


def _plain(name: str) -> str:
    return "".join(ch for ch in name if ch not in _QUOTES)


def _split(name: str) -> tuple[str, str, str] | None:
    """A canonical name's (prefix, core, tail) around its first quoted part, or None."""
    start = name.find("“")
    if start < 0:
        return None
    depth = 0
    for i in range(start, len(name)):
        if name[i] == "“":
            depth += 1
        elif name[i] == "”":
            depth -= 1
            if depth == 0:
                return name[:start], name[start + 1 : i], name[i + 1 :]
    return None


def _strip_generic(tail: str) -> str:
    """``tail`` without the generic head words it ends in (改革, 工作机制 …)."""
    while True:
        head = next((h for h in _GENERIC_HEADS if tail.endswith(h)), None)
        if head is None:
            return tail
        tail = tail[: -len(head)]


@cache
def _heads() -> tuple[str, ...]:
    heads = {row[0] for row in read_table("program_heads.txt") if row}
    return tuple(sorted(heads, key=len, reverse=True))


def _names_something(core: str) -> bool:
    """Whether a quoted core names a program by itself: not a head word with at most one
    character before it (云平台, 新机制)."""
    plain = _plain(core)
    head = next((h for h in _heads() if plain.endswith(h)), "")
    return len(plain) - len(head) >= 2


def read_program_name(text: str) -> ProgramName:
    """The program ``text`` names (see the module docstring).

    >>> read_program_name("行政执法「三项制度」").name
    '“三项制度”'
    >>> read_program_name("“枫桥经验”保定模式").broader_name
    '“枫桥经验”'
    """
    name = canonical_program_name(text)
    parts = _split(name)
    whole = ProgramName(_plain(name), name)
    if parts is None:
        return whole
    prefix, core, tail = parts
    if not _plain(core) or (prefix and not _names_something(core)):
        return whole
    program = ProgramName(_plain(core), f"“{core}”")
    if not _strip_generic(tail):
        return program
    return ProgramName(whole.key, whole.name, program.key, program.name)


def program_key(text: str) -> str:
    """The key every spelling of a program's name shares.

    >>> program_key("「放管服」 改革") == program_key("“放管服”机制") == "放管服"
    True
    """
    return read_program_name(text).key


def resolve_programs(mentions: Iterable[Mention]) -> list[ProgramEntity]:
    """One :class:`ProgramEntity` per program among the PROGRAM mentions, in order of first
    mention."""
    texts = [m.text for m in mentions if m.label == PROGRAM and program_key(m.text)]
    read = {t: read_program_name(t) for t in texts}
    # A spelling without quotes joins a quoted program whose words it has: 放管服改革.
    words: dict[str, ProgramName] = {}
    for t, program in read.items():
        if "“" in canonical_program_name(t):
            plain = _plain(canonical_program_name(t))
            words.setdefault(plain, program)
            words.setdefault(_strip_generic(plain), program)
    programs: dict[str, ProgramName] = {}
    forms: dict[str, list[str]] = {}
    for t in texts:
        program = read[t]
        if "“" not in canonical_program_name(t):  # written without quotes
            program = words.get(program.key) or words.get(_strip_generic(program.key)) or program
        programs.setdefault(program.key, program)
        spellings = forms.setdefault(program.key, [])
        if t not in spellings:
            spellings.append(t)
    return [
        ProgramEntity(key, p.name, tuple(forms[key]), p.broader_key, p.broader_name)
        for key, p in programs.items()
    ]
