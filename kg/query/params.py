"""``--param NAME=VALUE``: values bound to query variables as RDF terms, never spliced as text.

A value is parsed into one pyoxigraph term, and the term — written out by pyoxigraph itself,
with its quoting and escaping — goes into a ``VALUES`` block at the top of the query's
``WHERE`` group (:func:`with_values`). The value's text is never pasted into the query, so a
value such as ``x" } ; DROP ALL ; #`` stays one odd string. (Oxigraph's own substitutions,
SEP-0007, only bind variables that the query projects, which filter inputs are not.) A variable
only a subquery uses, without projecting it, is bound in that subquery's group (a binding at the
top would bind another variable of the same name); a ``CONSTRUCT WHERE { … }`` is written in its
long form first, so that the block never lands in a template. The value is

- an IRI when written ``<…>``;
- an ``xsd:integer`` when it is an integer (``2022``, ``-3``), an ``xsd:decimal`` when it is a
  decimal number (``28.8``);
- otherwise a plain string literal, as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import KGError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]+)>")
XSD = "http://www.w3.org/2001/XMLSchema#"


class ParameterError(KGError):
    """A parameter is malformed, unknown, or missing."""


def parse_value(text: str) -> ox.NamedNode | ox.Literal:
    """The RDF term ``text`` stands for (see the module docstring)."""
    iri = _IRI.fullmatch(text.strip())
    if iri:
        try:
            return ox.NamedNode(iri.group(1))
        except ValueError as err:  # relative, a bad %-escape or host: the engine's own check
            raise ParameterError(
                f"{text!r} is not a valid IRI ({err}); write an absolute <https://…>"
            ) from None
    if text.startswith("<"):
        raise ParameterError(f"{text!r} is not a valid IRI; write <https://…> without spaces")
    if _INTEGER.fullmatch(text):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "integer"))
    if _DECIMAL.fullmatch(text):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "decimal"))
    return ox.Literal(text)


def split_param(spec: str) -> tuple[str, str]:
    """``NAME=VALUE`` → (NAME, VALUE); a leading ``?`` or ``$`` on NAME is dropped."""
    name, sep, value = spec.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _NAME.fullmatch(name):
        raise ParameterError(f"--param {spec!r} must be NAME=VALUE, e.g. --param region=保定市")
    return name, value


# The query's words, for finding its groups and variables: strings, IRIs and comments are
# whole tokens (a brace or a ``?x`` inside them is no brace or variable), and so is a prefixed
# name with escapes in its local part (``ex:a\#b`` holds no comment).
_LEX = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*"
    r"|[A-Za-z_][\w.-]*:(?:[\w.:%-]|\\.)*)"
    r"|(?P<var>[?$][A-Za-z_]\w*)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<punct>[{}()])",
    re.DOTALL,
)
_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})
Term = ox.NamedNode | ox.Literal


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # var | word | punct
    text: str  # the variable's name, the word upper-cased, or the mark
    pos: int


@dataclass
class _Group:
    """A ``{…}`` group that is a query's (or a subquery's) WHERE: the position of its "{", the
    variables it uses outside its subqueries, and its subqueries."""

    open: int
    own: set[str] = field(default_factory=set)
    subqueries: list[_SubQuery] = field(default_factory=list)


@dataclass
class _SubQuery:
    projects: set[str] | None  # None: SELECT *
    group: _Group


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _LEX.finditer(text):
        kind = m.lastgroup or "skip"
        if kind == "var":
            out.append(_Token("var", m.group()[1:], m.start()))
        elif kind == "word":
            out.append(_Token("word", m.group().upper(), m.start()))
        elif kind == "punct":
            out.append(_Token("punct", m.group(), m.start()))
    return out


def _projection(tokens: list[_Token], i: int) -> tuple[set[str] | None, int]:
    """The variables a SELECT whose clause starts at ``tokens[i]`` projects (None for ``*``),
    and the index of its group's "{"."""
    projects: set[str] = set()
    depth = 0
    while i < len(tokens) and not (tokens[i].text == "{" and depth == 0):
        t = tokens[i]
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif t.kind == "var" and (depth == 0 or tokens[i - 1].text == "AS"):
            projects.add(t.text)
        i += 1
    return (projects or None), i


def _group(tokens: list[_Token], i: int) -> tuple[_Group, int]:
    """The group whose "{" is ``tokens[i]``, and the index just after its "}"."""
    group = _Group(tokens[i].pos)
    depth = 1
    i += 1
    while i < len(tokens) and depth:
        t = tokens[i]
        if t.text == "{" and i + 1 < len(tokens) and tokens[i + 1].text == "SELECT":
            projects, j = _projection(tokens, i + 2)
            if j >= len(tokens):
                raise ParameterError("a subquery has no WHERE group; check the query's braces")
            inner, i = _group(tokens, j)
            group.subqueries.append(_SubQuery(projects, inner))
            while i < len(tokens) and tokens[i].text != "}":  # GROUP BY, ORDER BY, LIMIT …
                if tokens[i].kind == "var":
                    inner.own.add(tokens[i].text)
                i += 1
            i += 1  # the subquery's closing "}"
            continue
        if t.text == "{":
            depth += 1
        elif t.text == "}":
            depth -= 1
        elif t.kind == "var":
            group.own.add(t.text)
        i += 1
    return group, i


def _uses(group: _Group, name: str) -> bool:
    return name in group.own or any(_uses(s.group, name) for s in group.subqueries)


def _in_scope(group: _Group, name: str) -> bool:
    """Whether ``name`` is a variable of ``group``: used in it, or projected (by name or by
    ``*``) by a subquery in which it is one. A projected name that its subquery never binds
    is not: binding it would bind nothing the user wrote."""
    return name in group.own or any(
        (s.projects is None or name in s.projects) and _in_scope(s.group, name)
        for s in group.subqueries
    )


def _scopes(group: _Group, name: str) -> list[int]:
    """Where ``name`` is to be bound: the "{" of this group when it is in scope here,
    otherwise of the subqueries that use it without passing it up."""
    if _in_scope(group, name):
        return [group.open]
    return [pos for s in group.subqueries if _uses(s.group, name) for pos in _scopes(s.group, name)]


@dataclass(frozen=True, slots=True)
class _Shape:
    where: _Group | None
    short: tuple[int, int, int] | None  # CONSTRUCT WHERE { … }: WHERE's, "{"'s, "}"'s positions


def _shape(text: str) -> _Shape:
    tokens = _tokens(text)
    form = next((i for i, t in enumerate(tokens) if t.kind == "word" and t.text in _FORMS), None)
    if form is None:
        return _Shape(None, None)
    i = form + 1
    short_where = None
    if tokens[form].text == "CONSTRUCT" and i < len(tokens):
        if tokens[i].text == "{":  # the template: not where a binding goes
            _template, i = _group(tokens, i)
        elif tokens[i].text == "WHERE":
            short_where = tokens[i].pos
    elif tokens[form].text == "SELECT":
        _projects, i = _projection(tokens, i)
    while i < len(tokens) and tokens[i].text != "{":
        i += 1
    if i >= len(tokens):
        return _Shape(None, None)
    where, end = _group(tokens, i)
    if short_where is None:
        return _Shape(where, None)
    return _Shape(where, (short_where, where.open, tokens[end - 1].pos))


def query_variables(text: str) -> list[str]:
    """Variables a query mentions (outside strings, IRIs and comments), in order of first
    appearance."""
    return list(dict.fromkeys(t.text for t in _tokens(text) if t.kind == "var"))


def bind(
    specs: Iterable[str],
    allowed: Iterable[str],
    required: Iterable[str] = (),
    what: str = "the query",
) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Substitutions for ``specs``; unknown and missing names are errors naming ``allowed``."""
    allowed = list(allowed)
    listed = ", ".join(allowed) if allowed else "none"
    values: dict[str, str] = {}
    for spec in specs:
        name, value = split_param(spec)
        if name not in allowed:
            raise ParameterError(f"{what} has no parameter {name!r}; its parameters: {listed}")
        values[name] = value
    missing = [n for n in required if n not in values]
    if missing:
        raise ParameterError(f"{what} needs --param {missing[0]}=…; its parameters: {listed}")
    return {ox.Variable(n): parse_value(v) for n, v in values.items()}


def with_values(text: str, substitutions: Mapping[ox.Variable, Term]) -> str:
    """``text`` with ``VALUES ?v { term }`` opening the group each variable is in scope in."""
    return with_rows(text, {v: [t] for v, t in substitutions.items()})


def with_rows(text: str, values: Mapping[ox.Variable, Sequence[Term]]) -> str:
    """``text`` with each variable bound to its terms (one row each) by a ``VALUES`` block that
    opens the group the variable is in scope in: the WHERE group or, for a variable that only
    a subquery uses and does not project, that subquery's group. A ``CONSTRUCT WHERE { … }``
    is first written in its long form, so that its template stays a template.

    >>> import pyoxigraph as ox
    >>> with_values("CONSTRUCT WHERE { ?s a ?t }", {ox.Variable("t"): ox.Literal("x")})
    'CONSTRUCT { ?s a ?t } WHERE { VALUES ?t { "x" }  ?s a ?t }'
    """
    if not values:
        return text
    shape = _shape(text)
    if shape.short is not None:
        where, open_, close = shape.short
        body = text[open_ : close + 1]
        text = f"{text[:where]}{body} WHERE {body}{text[close + 1 :]}"
        shape = _shape(text)
    if shape.where is None:
        raise ParameterError("the query has no WHERE group to bind parameters in")
    inserts: list[tuple[int, str]] = []
    for variable, terms in values.items():
        scopes = _scopes(shape.where, variable.value) or [shape.where.open]
        block = f" VALUES ?{variable.value} {{ {' '.join(str(t) for t in terms)} }} "
        inserts += [(pos, block) for pos in scopes]
    for pos, block in sorted(inserts, key=lambda x: x[0], reverse=True):
        text = text[: pos + 1] + block + text[pos + 1 :]
    return text


def describe(substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    return ", ".join(f"{k.value}={v}" for k, v in substitutions.items())
