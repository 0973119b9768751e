"""``--param NAME=VALUE``: values bound to query variables as RDF terms, never spliced as text.

A value is parsed into one pyoxigraph term, and the term — written out by pyoxigraph itself,
with its quoting and escaping — goes into a ``VALUES`` block at the top of the query's
``WHERE`` group (:func:`with_values`). The value's text is never pasted into the query, so a
value such as ``x" } ; DROP ALL ; #`` stays one odd string. (Oxigraph's own substitutions,
SEP-0007, only bind variables that the query projects, which filter inputs are not.) The value is

- an IRI when written ``<…>``;
- an ``xsd:integer`` when it is an integer (``2022``, ``-3``), an ``xsd:decimal`` when it is a
  decimal number (``28.8``);
- otherwise a plain string literal, as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kg.errors import KGError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]+)>")
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
XSD = "http://www.w3.org/2001/XMLSchema#"


class ParameterError(KGError):
    """A parameter is malformed, unknown, or missing."""


def parse_value(text: str) -> ox.NamedNode | ox.Literal:
    """The RDF term ``text`` stands for (see the module docstring)."""
    iri = _IRI.fullmatch(text.strip())
    if iri:
        return ox.NamedNode(iri.group(1))
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


def query_variables(text: str) -> list[str]:
    """Variables a query mentions, in order of first appearance."""
    return list(dict.fromkeys(_VARIABLE.findall(text)))


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
        raise ParameterError(
            f"{what} needs --param {missing[0]}=…; its parameters: {listed}"
        )
    return {ox.Variable(n): parse_value(v) for n, v in values.items()}


def with_values(text: str, substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """``text`` with ``VALUES (?a ?b) { (term term) }`` opening its WHERE group."""
    if not substitutions:
        return text
    from kg.query.guard import blank_out

    code = blank_out(text)
    where = re.search(r"(?<![\w:?$])WHERE(?![\w:])", code, re.IGNORECASE)
    brace = code.find("{", where.end() if where else 0)
    if brace < 0:
        raise ParameterError("the query has no WHERE group to bind parameters in")
    names = " ".join(f"?{v.value}" for v in substitutions)
    terms = " ".join(str(t) for t in substitutions.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return text[: brace + 1] + block + text[brace + 1 :]


def describe(substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    return ", ".join(f"{k.value}={v}" for k, v in substitutions.items())
