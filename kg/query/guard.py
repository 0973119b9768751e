"""Checks made on a query's text before it is evaluated.

The engines behind ``kg query`` fetch what a query names: rdflib and Oxigraph evaluate
``SERVICE <url>`` by calling the URL, rdflib loads ``FROM <url>`` and ``LOAD`` pulls a document
in. A query string is therefore refused, before evaluation, when it

- is an update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``,
  ``MOVE``, ``COPY``): ``kg query`` only reads;
- uses ``SERVICE``;
- names a dataset with ``FROM`` / ``FROM NAMED`` other than the store's own graphs
  (``https://policy-kg.org/id/graph/…``): a remote or ``file:`` IRI is never read;
- is longer than :data:`MAX_QUERY_CHARS` or nests brackets deeper than :data:`MAX_NESTING`.

Keywords are looked for outside strings, IRIs and comments, so a title containing "LOAD" or an
IRI ending in ``/service`` is not mistaken for one.
"""

from __future__ import annotations

import re

from kg.errors import KGError

MAX_QUERY_CHARS = 64 * 1024
MAX_NESTING = 40
STORE_GRAPHS = "https://policy-kg.org/id/graph/"

_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"  # IRIs
    r"|#[^\n]*",  # comments
    re.DOTALL,
)
_PREFIX = re.compile(r"PREFIX\s+([\w.-]*):\s*(<[^>]*>)", re.IGNORECASE)
_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?(<[^>]*>|[\w.-]*:[\w.-]*)", re.IGNORECASE)


class QueryRefused(KGError):
    """A query was refused before evaluation; the message says why and what is allowed."""


def blank_out(text: str) -> str:
    """``text`` with strings and comments replaced by spaces; IRIs kept as ``<…>``."""

    def keep(m: re.Match[str]) -> str:
        token = m.group(0)
        return token if token.startswith("<") else " " * len(token)

    return _TOKENS.sub(keep, text)


def _word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w:?$]){word}(?![\w:])", text, re.IGNORECASE) is not None


def _nesting(text: str) -> int:
    depth = deepest = 0
    for ch in re.sub(r"<[^>]*>", "", text):
        if ch in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "})]":
            depth -= 1
    return deepest


def check_query(text: str) -> None:
    """Raise :class:`QueryRefused` if ``text`` must not be evaluated (see the module doc)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(
            f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}"
        )
    code = blank_out(text)
    no_iris = re.sub(r"<[^>]*>", "<>", code)
    for word in _UPDATE_WORDS:
        if _word(no_iris, word):
            raise QueryRefused(
                f"{word} is a SPARQL update; kg query only reads (SELECT, ASK, CONSTRUCT, DESCRIBE)"
            )
    if _word(no_iris, "SERVICE"):
        raise QueryRefused(
            "SERVICE is refused: kg query never calls other endpoints; query this store only"
        )
    prefixes = {p.lower(): iri[1:-1] for p, iri in _PREFIX.findall(code)}
    for name in _FROM.findall(code):
        if name.startswith("<"):
            iri = name[1:-1]
        else:
            prefix, _, local = name.partition(":")
            iri = prefixes.get(prefix.lower(), "") + local
        if not iri.startswith(STORE_GRAPHS):
            raise QueryRefused(
                f"FROM <{iri}> is refused: only the store's own graphs ({STORE_GRAPHS}…) can be "
                "named; remote and file: IRIs are never read"
            )
    depth = _nesting(code)
    if depth > MAX_NESTING:
        raise QueryRefused(f"the query nests brackets {depth} deep; the limit is {MAX_NESTING}")
