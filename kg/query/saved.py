"""Saved queries: ``queries/*.rq``, each opened by a header of comments::

    # title: Where a document is cited
    # answers: Which regions cite a document, at what level, in which year and report,
    #   with what action and in which sentence.
    # param: title — words of the document's title (example: 法治政府建设实施纲要)
    # param: region optional — only citations by this region (example: 保定市)
    # columns: region, level, year, report, action, title, sentence
    # example: kg query cited-where --param title=法治政府建设实施纲要

A ``param`` names a variable of the query that ``--param NAME=VALUE`` binds; it is required
unless marked ``optional`` (the query then sees the variable unbound). Lines indented after a
key continue it. A parameter named ``title``, ``indicator`` or ``region`` is looked up in the
store before the query runs (:mod:`kg.query.forgiving`): its value is bound to the labels it
stands for however it is written, and a region to itself and the regions under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError

#: Shipped inside the package; ``queries/`` at the top of the repository links here.
QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

_KEY = re.compile(r"#\s*(title|answers|param|columns|example):\s*(.*)")
_PARAM = re.compile(r"([A-Za-z_]\w*)(\s+optional)?\s*(?:[—–-]+\s*)?(.*)")
_EXAMPLE = re.compile(r"\((?:example|e\.g\.):?\s*(.+?)\)\s*$")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    description: str
    example: str | None = None
    optional: bool = False


@dataclass(frozen=True, slots=True)
class SavedQuery:
    name: str  # the file name without .rq
    path: Path
    text: str
    title: str = ""
    answers: str = ""
    params: tuple[Param, ...] = ()
    columns: tuple[str, ...] = ()
    examples: tuple[str, ...] = field(default=())

    @property
    def required(self) -> list[str]:
        return [p.name for p in self.params if not p.optional]


def _header(text: str) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _KEY.match(line)
        if m:
            entries.append((m.group(1), m.group(2).strip()))
        elif entries and line[1:].strip():
            key, value = entries[-1]
            entries[-1] = (key, f"{value} {line[1:].strip()}")
    return entries


def _param(spec: str) -> Param:
    m = _PARAM.match(spec)
    if m is None:
        raise KGError(f"bad '# param:' line {spec!r}; write '# param: NAME — what it is'")
    name, optional, rest = m.group(1), bool(m.group(2)), m.group(3).strip()
    example = _EXAMPLE.search(rest)
    description = rest[: example.start()].strip() if example else rest
    return Param(name, description, example.group(1).strip() if example else None, optional)


def load_saved(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    header = _header(text)
    first = {k: v for k, v in reversed(header)}
    return SavedQuery(
        name=path.stem,
        path=path,
        text=text,
        title=first.get("title", ""),
        answers=first.get("answers", ""),
        params=tuple(_param(v) for k, v in header if k == "param"),
        columns=tuple(c.strip() for c in first.get("columns", "").split(",") if c.strip()),
        examples=tuple(v for k, v in header if k == "example"),
    )


def saved_queries(directory: Path = QUERIES_DIR) -> list[SavedQuery]:
    return [load_saved(p) for p in sorted(directory.glob("*.rq"))]


def saved_query(name: str, directory: Path = QUERIES_DIR) -> SavedQuery:
    path = directory / f"{name}.rq"
    if not path.is_file():
        names = ", ".join(q.name for q in saved_queries(directory)) or "none"
        raise KGError(f"no saved query named {name!r}; saved queries: {names}")
    return load_saved(path)
