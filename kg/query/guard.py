"""Checks made on a query or an update before it is evaluated: the first of two walls.

The engines behind ``kg query`` fetch what a query names: Oxigraph evaluates ``SERVICE <url>``
by calling the URL, ``LOAD`` pulls a document in, and a remote store may read ``FROM <url>``.
The decision is taken on the query as a real SPARQL parser reads it (rdflib's grammar), never
on text patterns: the parse tree is walked for ``SERVICE`` patterns, updates and dataset
clauses. A query string is refused when it

- is an update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``,
  ``MOVE``, ``COPY``) on a read-only path; an update is refused when it uses ``LOAD``;
- uses ``SERVICE`` anywhere (subqueries, ``OPTIONAL``, ``MINUS``, ``EXISTS``, update ``WHERE``);
- names a dataset with ``FROM`` / ``FROM NAMED`` other than the store's own graphs
  (``https://policy-kg.org/id/graph/…``, after ``BASE`` and prefixes are applied);
- calls a function by IRI other than an XSD cast (a server's extensions, such as Virtuoso's
  ``bif:`` functions, can fetch URLs);
- is longer than :data:`MAX_QUERY_CHARS` (checked first, before anything is read) or nests
  brackets (``{ ( [ <<``, counted on a SPARQL tokenisation; brackets inside an IRI or after an
  unterminated string count as nesting too) deeper than :data:`MAX_NESTING`;
- cannot be read by the parser (:class:`Unreadable`): a query the guard cannot read is never
  passed through, even when the engine could run it (e.g. Oxigraph's ``LATERAL``).

``\\uXXXX`` escapes are expanded first, as the SPARQL grammar says, and comments are blanked (the
engine ends a comment at a carriage return, rdflib only at a line feed); that text is what the
engine then evaluates (:func:`check_query` returns it), so the guard and the engine read the same
characters. A text whose expansion spells another escape is refused. Keywords that fetch
(``SERVICE``, ``LOAD``) are also looked for on the tokens, so that a parser difference still
leaves them seen.

The second wall is in :mod:`kg.query.sandbox`: the process that evaluates has no network.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kg.errors import KGError

MAX_QUERY_CHARS = 64 * 1024
MAX_NESTING = 40
STORE_GRAPHS = "https://policy-kg.org/id/graph/"
XSD = "http://www.w3.org/2001/XMLSchema#"

UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
_UPDATE_NODES = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT",
    "DeleteData": "DELETE",
    "DeleteWhere": "DELETE",
    "Modify": "INSERT",
}
_SERVICE_MESSAGE = "SERVICE is refused: kg query never calls other endpoints; query this store only"
_PARSE_STACK = 256 * 1024 * 1024  # bytes of stack for the (recursive) parser's thread
_PARSE_RECURSION = 50_000


class QueryRefused(KGError):
    """A query was refused before evaluation; the message says why and what is allowed."""


class Unreadable(QueryRefused):
    """The guard's parser cannot read the text; it is never evaluated unchecked."""


# --- \u escapes ------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LEFT_ESCAPE = re.compile(r"\\[uU]")


def expand_escapes(text: str) -> str:
    """``text`` with its ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes replaced by the characters."""

    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryRefused(f"{m.group(0)} is not a character; the query was not run")
        return chr(code)

    expanded = _ESCAPE.sub(one, text)
    if _LEFT_ESCAPE.search(expanded):
        raise QueryRefused(
            "the query holds \\u or \\U that is not a whole escape, or an escape that spells "
            "another escape; write the character itself"
        )
    return expanded


# --- tokens ----------------------------------------------------------------------------------
# SPARQL 1.1's terminals (section 19.8), each matched from a fixed position with possessive
# quantifiers: one left-to-right pass, no backtracking across tokens, so linear in the length.
# An unterminated string ends the pass (the rest is one "bad" token).

_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_CHAR = r"[\w\-\u00B7\u0300-\u036F\u203F-\u2040]"
_LOCAL_CHAR = rf"(?:{_PN_CHAR}|:|%[0-9A-Fa-f]{{2}}|{_LOCAL_ESC})"
_LOCAL_CHAR_DOT = rf"(?:{_PN_CHAR}|[.:]|%[0-9A-Fa-f]{{2}}|{_LOCAL_ESC})"
_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]++)"
    r"|(?P<comment>#[^\r\n]*+)"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*+>)"
    r"|(?P<string>'''(?:(?:'|'')?+(?:[^'\\]|\\.))*+'''"
    r'|"""(?:(?:"|"")?+(?:[^"\\]|\\.))*+"""'
    r"|'(?:[^'\\\r\n]|\\.)*+'"
    r'|"(?:[^"\\\r\n]|\\.)*+")'
    r"|(?P<bad>['\"])"
    r"|(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]++)"
    r"|(?P<bnode>_:[\w](?:[\w.\-\u00B7]*[\w\-\u00B7])?)"
    rf"|(?P<pname>(?:[^\W\d_](?:[\w.\-\u00B7]*{_PN_CHAR})?)?:"
    rf"(?:{_LOCAL_CHAR}(?:{_LOCAL_CHAR_DOT}*{_LOCAL_CHAR})?)?)"
    r"|(?P<number>[0-9]++(?:\.[0-9]*+)?(?:[eE][+-]?[0-9]++)?|\.[0-9]++(?:[eE][+-]?[0-9]++)?)"
    r"|(?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)"
    r"|(?P<word>[^\W\d]\w*+)"
    r"|(?P<open><<|[{(\[])"
    r"|(?P<close>>>|[})\]])"
    r"|(?P<punct>\^\^|\|\||&&|!=|<=|>=|.)",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # a group name of _TOKEN
    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """``text`` as SPARQL tokens, left to right, in time linear in its length."""
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        assert m is not None and m.lastgroup is not None  # "punct" takes any one character
        if m.lastgroup == "bad":
            yield Token("bad", text[pos:], pos)
            return
        yield Token(m.lastgroup, m.group(), pos)
        pos = m.end()


def blank_out(text: str) -> str:
    """``text`` with strings and comments replaced by spaces (same length); IRIs kept."""
    parts = []
    for tok in tokens(text):
        blank = tok.kind in ("string", "comment", "bad")
        parts.append(re.sub(r"[^\n]", " ", tok.text) if blank else tok.text)
    return "".join(parts)


def without_comments(text: str) -> str:
    """``text`` with each comment replaced by spaces (same length). A comment ends at a line
    feed or a carriage return for the engine, at a line feed only for rdflib's parser; without
    comments both read the same text."""
    return "".join(" " * len(t.text) if t.kind == "comment" else t.text for t in tokens(text))


def query_form(text: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the query's first form word (SELECT
    when none is found)."""
    for tok in tokens(text):
        if tok.kind == "word" and tok.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return tok.text.upper()
    return "SELECT"


def _check_tokens(text: str, what: str, *, update: bool) -> None:
    """Size-independent refusals made on tokens: nesting and the fetching keywords."""
    depth = 0
    deepest = 0
    for tok in tokens(text):
        if tok.kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif tok.kind == "close":
            depth = max(depth - 1, 0)
        elif tok.kind in ("bad", "iri"):  # an IRI to us may be "<" and brackets to the engine
            deepest = max(deepest, depth + sum(tok.text[1:].count(c) for c in "{([<"))
        elif tok.kind == "word" or tok.kind == "pname":
            # The engine matches a keyword without looking at what follows it: "falseSERVICE"
            # is false SERVICE, and "SERVICEe:x" (a prefixed name to rdflib and to us) is
            # SERVICE e:x. So SERVICE or LOAD anywhere in a bare word or a prefix is refused.
            word = tok.text.upper() if tok.kind == "word" else tok.text.split(":")[0].upper()
            if "SERVICE" in word:
                raise QueryRefused(_SERVICE_MESSAGE + _glued(tok))
            if "LOAD" in word:
                raise QueryRefused(_load_message(update) + _glued(tok))
            if not update and tok.kind == "word" and word in UPDATE_WORDS:
                raise QueryRefused(_update_message(word))
        if deepest > MAX_NESTING:
            raise QueryRefused(
                f"the {what} nests brackets more than {MAX_NESTING} deep; the limit is "
                f"{MAX_NESTING}"
            )


def _glued(tok: Token) -> str:
    if tok.text.upper() in ("SERVICE", "LOAD"):
        return ""
    return f" (in {tok.text[:40]!r}: the engine reads the keyword there)"


def _update_message(word: str) -> str:
    return f"{word} is a SPARQL update; kg query only reads (SELECT, ASK, CONSTRUCT, DESCRIBE)"


def _load_message(update: bool) -> str:
    if update:
        return "LOAD is refused: the server never fetches other documents"
    return _update_message("LOAD")


# --- the parse -------------------------------------------------------------------------------


def _parse(parser: Callable[[str], Any], text: str) -> Any:
    """``parser(text)`` in a thread with a deep stack (the parser is recursive); a nesting too
    deep even for that is refused."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["tree"] = parser(text)
        except RecursionError:
            box["deep"] = True
        except Exception as err:  # the parser's own exceptions: the text is unreadable
            box["error"] = err

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _PARSE_RECURSION))
    old_stack = threading.stack_size(_PARSE_STACK)
    try:
        worker = threading.Thread(target=work, name="kg-guard-parse", daemon=True)
        worker.start()
    finally:
        threading.stack_size(old_stack)
    worker.join()
    sys.setrecursionlimit(old_limit)
    if box.get("deep"):
        raise QueryRefused(f"the query nests too deeply to be checked; the limit is {MAX_NESTING}")
    if "error" in box:
        raise Unreadable(str(box["error"]).splitlines()[0])
    return box["tree"]


def _nodes(tree: Any) -> Iterator[Any]:
    """Every parse-tree node (rdflib ``CompValue`` and the values under it), iteratively."""
    from pyparsing import ParseResults

    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):  # CompValue is an OrderedDict
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)


def _name(node: Any) -> str | None:
    from rdflib.plugins.sparql.parserutils import CompValue

    return node.name if isinstance(node, CompValue) else None


def _graph_iri(prologue: Any, iri: Any, base_iri: str | None) -> str:
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        iri = prologue.absolutize(iri)  # a prefixed name expanded, a relative IRI against BASE
    except Exception as err:  # an undeclared prefix
        prefix = iri.get("prefix") if isinstance(iri, CompValue) else iri
        raise QueryRefused(f"FROM names {prefix}: with no PREFIX for it ({err})") from None
    text = str(iri)
    if base_iri and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text):
        from urllib.parse import urljoin

        text = urljoin(base_iri, text)
    return text


def _check_function(prologue: Any, iri: Any) -> None:
    """Only SPARQL's own functions and XSD casts: a server's extension functions (Virtuoso's
    ``bif:`` and ``sql:``) can fetch URLs or run SQL."""
    try:
        name = str(prologue.absolutize(iri))
    except Exception:  # an undeclared prefix, which a server may predefine
        name = f"{iri.get('prefix', '')}:{iri.get('localname', '')}"
    if not name.startswith(XSD):
        raise QueryRefused(
            f"the function <{name}> is refused: kg query calls SPARQL's own functions and XSD "
            "casts only (a server's extension functions can reach outside)"
        )


def _check_dataset(tree: Any, base_iri: str | None, prefixes: Mapping[str, str]) -> None:
    from rdflib.plugins.sparql.algebra import translatePrologue

    try:
        prologue = translatePrologue(tree[0], None, dict(prefixes))
    except Exception as err:
        raise Unreadable(f"its prologue cannot be read: {err}") from None
    for node in _nodes(tree):
        if _name(node) == "Function":
            _check_function(prologue, node["iri"])
        if _name(node) != "DatasetClause":
            continue
        for key in ("default", "named"):
            if key in node:
                iri = _graph_iri(prologue, node[key], base_iri)
                tail = iri[len(STORE_GRAPHS) :]
                if not iri.startswith(STORE_GRAPHS) or re.search(r"(^|/)\.\.?(/|$)", tail):
                    raise QueryRefused(
                        f"FROM <{iri}> is refused: only the store's own graphs ({STORE_GRAPHS}…) "
                        "can be named; remote and file: IRIs are never read"
                    )


def preload() -> None:
    """Import the parser now (about 0.2 s), so that forked evaluation children inherit it."""
    import rdflib.plugins.sparql.algebra
    import rdflib.plugins.sparql.parser  # noqa: F401


def _default_prefixes() -> Mapping[str, str]:
    from kg.vocab import PREFIXES

    return PREFIXES


def check_query(
    text: str, *, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None
) -> str:
    """Raise :class:`QueryRefused` if ``text`` must not be evaluated as a read-only query (see
    the module doc); else return the text the engine must evaluate (escapes expanded)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(
            f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}"
        )
    code = without_comments(expand_escapes(text))
    _check_tokens(code, "query", update=False)
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = _parse(parseQuery, code)
    except Unreadable as err:
        try:
            request = _parse(parseUpdate, code)
        except QueryRefused:
            raise err from None
        for node in _nodes(request):
            word = _UPDATE_NODES.get(_name(node) or "")
            if word:
                raise QueryRefused(_update_message(word)) from None
        raise err from None
    for node in _nodes(tree):
        if _name(node) == "ServiceGraphPattern":
            raise QueryRefused(_SERVICE_MESSAGE)
    _check_dataset(tree, base_iri, _default_prefixes() if prefixes is None else prefixes)
    return code


def check_update(text: str) -> str:
    """Raise :class:`QueryRefused` if the update ``text`` fetches something (``LOAD``,
    ``SERVICE``), is too big or nests too deep; else return the text to evaluate."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(
            f"the update is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}"
        )
    code = without_comments(expand_escapes(text))
    _check_tokens(code, "update", update=True)
    from rdflib.plugins.sparql.parser import parseUpdate

    request = _parse(parseUpdate, code)
    for node in _nodes(request):
        name = _name(node)
        if name == "Load":
            raise QueryRefused(_load_message(True))
        if name == "ServiceGraphPattern":
            raise QueryRefused("SERVICE is refused: the server never fetches other documents")
    return code
