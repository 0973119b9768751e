"""Property: queries generated from a fragment of the SPARQL grammar, with SERVICE, FROM or LOAD
placed anywhere and written in any of the ways the grammar allows (case, ``\\u`` escapes,
comments and odd whitespace between tokens, glued to the token before, prefixed or BASE-relative
endpoints), are refused by the guard and reach nothing; the same queries without the injection
pass it (so the refusals are not the guard refusing everything)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.query.guard import QueryRefused, check_query, check_update
from kg.vocab import PREFIXES
from tests.security import Listener, listening

pytestmark = pytest.mark.slow  # see CONTRIBUTING.md: make check leaves these out

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with listening() as it:
        yield it


# --- the pieces ------------------------------------------------------------------------------

SEPARATORS = st.sampled_from(
    [" ", "\t", "\n", "\r\n", "\r", " # a comment\n", "\n#\n", "  ", "# c\r", "#\r\n"]
)


@st.composite
def keyword(draw: st.DrawFn, word: str) -> str:
    """``word`` in any case, some letters as ``\\u`` escapes."""
    out = []
    for c in word:
        c = c.lower() if draw(st.booleans()) else c
        out.append(f"\\u{ord(c):04X}" if draw(st.integers(0, 5)) == 0 else c)
    return "".join(out)


def _variables() -> st.SearchStrategy[str]:
    return st.sampled_from(["?s", "?p", "?o", "?x", "$y"])


def _terms() -> st.SearchStrategy[str]:
    return st.one_of(
        _variables(),
        st.sampled_from(
            ["<http://example.org/a>", "kg:Region", '"text"', "'x'", "2022", "1.5", "false",
             '"""long"""', '"a\\"b"', "<http://example.org/\\u0061#f>", "skos:prefLabel"]
        ),
    )


@st.composite
def triple(draw: st.DrawFn) -> str:
    sep = draw(SEPARATORS)
    return sep.join([draw(_variables()), draw(st.sampled_from(["?p", "a", "skos:prefLabel"])),
                     draw(_terms())])


@st.composite
def group(draw: st.DrawFn, inner: str, depth: int = 0) -> str:
    """A group graph pattern with ``inner`` placed somewhere inside, maybe deep."""
    sep = draw(SEPARATORS)
    before = [draw(triple()) for _ in range(draw(st.integers(0, 2)))]
    after = [draw(triple()) for _ in range(draw(st.integers(0, 2)))]
    if depth < 3 and draw(st.booleans()):
        wrap = draw(
            st.sampled_from(["OPTIONAL", "MINUS", "FILTER EXISTS", "FILTER NOT EXISTS", "GRAPH ?g",
                             "UNION", "SUBQUERY", ""])
        )
        nested = draw(group(inner, depth + 1))
        if wrap == "UNION":
            inner = f"{{ ?s ?p ?o }} UNION {nested}"
        elif wrap == "SUBQUERY":
            inner = f"{{ SELECT * WHERE {nested} }}"
        else:
            inner = f"{wrap} {nested}"
    dot = st.sampled_from([" . ", ".", " .\n", ".\t"])
    head = draw(dot).join(before)
    tail = draw(dot).join(after)
    if not inner:
        body = head + (draw(dot) if head and tail else "") + tail
    else:  # a pattern that is not a triple may follow a triple's last term directly (glued)
        glue = st.sampled_from([" . ", sep, "", "."])
        first = draw(glue) if head else ""
        if inner == "@@":
            first = "@G@" if head else ""  # service_query decides: glued only when hostile
        elif first in ("", ".") and head and (head[-1].isalnum() or head[-1] == "_"):
            first = " . "  # "?sOPTIONAL", "kg:Region.FILTER" would be one name
        body = head + first + inner + (draw(glue) if tail else "") + tail
    return "{" + sep + body + sep + "}"


@st.composite
def endpoint(draw: st.DrawFn, url: str, base: str) -> tuple[str, str]:
    """(prologue, endpoint) naming ``url``: an IRI (maybe escaped), a prefixed name, a
    BASE-relative IRI or a variable bound to it."""
    kind = draw(st.sampled_from(["iri", "escaped", "prefixed", "relative", "variable"]))
    if kind == "iri":
        return "", f"<{url}>"
    if kind == "escaped":
        return "", "<" + "".join(f"\\u{ord(c):04X}" if c in "htp" else c for c in url) + ">"
    if kind == "prefixed":
        return f"PREFIX e: <{base}>\n", "e:sparql"
    if kind == "relative":
        return f"BASE <{base}>\n", "<sparql>"
    return "", f"?u{{BIND}}<{url}>"


@st.composite
def service_query(draw: st.DrawFn, url: str, base: str) -> tuple[str, str]:
    """(query with a SERVICE, the same query without it)."""
    prologue, target = draw(endpoint(url, base))
    service = draw(keyword("SERVICE"))
    silent = draw(st.sampled_from(["", " SILENT", " silent"]))
    sep = draw(SEPARATORS)
    if "{BIND}" in target:
        var, iri = target.split("{BIND}")
        pattern = f"BIND({iri} AS {var}){sep}{service}{silent}{sep}{var}{sep}{{ ?a ?b ?c }}"
    else:
        glue = draw(st.sampled_from(["", sep]))
        pattern = f"{service}{silent}{glue}{target}{glue}{{ ?a ?b ?c }}"
    form = draw(st.sampled_from(["SELECT *", "ASK", "CONSTRUCT { ?s ?p ?o }",
                                 "DESCRIBE ?s", "select distinct ?s"]))
    where = draw(st.sampled_from([" WHERE ", " where ", " "]))
    shape = draw(group("@@"))
    before = shape.split("@G@")[0]
    # glued to a number, a literal, false: the keyword stays a keyword for the engine; glued to
    # a variable or a prefixed name it would be part of that name (no SERVICE for anyone)
    in_a_name = re.search(r"[?$][\w]*$|:[\w.:%-]*$", before) is not None
    glue = draw(st.sampled_from([" ", " . ", sep] if in_a_name else ["", " ", " . ", sep]))
    glued = shape.replace("@G@", glue)
    return (
        prologue + form + where + glued.replace("@@", pattern),
        prologue + form + where + shape.replace("@G@", " ").replace("@@", "{ ?a ?b ?c }"),
    )


# --- the properties --------------------------------------------------------------------------


def _assert_refused_and_silent(text: str, listener: Listener) -> None:
    try:
        check_query(text)
    except QueryRefused:
        return
    before = listener.count  # it passed the guard: see whether it would have reached out
    try:
        result = ox.Store().query(text, prefixes=PREFIXES)
        if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    contacted = listener.count - before
    pytest.fail(f"the guard let this through (contacts: {contacted}):\n{text}")


@SETTINGS
@given(data=st.data())
def test_service_anywhere_is_refused(listener: Listener, data: st.DataObject) -> None:
    url, base = listener.base + "sparql", listener.base
    hostile, honest = data.draw(service_query(url, base))
    _assert_refused_and_silent(hostile, listener)
    check_query(honest)  # the same shape without SERVICE is a query the guard reads and runs


@SETTINGS
@given(data=st.data())
def test_a_foreign_from_is_refused(listener: Listener, data: st.DataObject) -> None:
    prologue, target = data.draw(endpoint(listener.base + "data", listener.base))
    if "{BIND}" in target:
        target = target.split("{BIND}")[1]
    target = target.replace("e:sparql", "e:data").replace("<sparql>", "<data>")
    named = data.draw(st.sampled_from(["", " NAMED", " named"]))
    from_word = data.draw(keyword("FROM"))
    sep = data.draw(SEPARATORS)
    shape = data.draw(group(""))
    home = "FROM <https://policy-kg.org/id/graph/entities>"
    clauses = data.draw(st.permutations([f"{from_word}{named}{sep}{target}", home]))
    text = f"{prologue}SELECT *{sep}{sep.join(clauses)}{sep}WHERE {shape}"
    with pytest.raises(QueryRefused):
        check_query(text)
    check_query(f"{prologue}SELECT *{sep}{home}{sep}WHERE {shape}")


@SETTINGS
@given(data=st.data())
def test_load_and_service_in_updates_are_refused(listener: Listener, data: st.DataObject) -> None:
    prologue, target = data.draw(endpoint(listener.base + "data", listener.base))
    if "{BIND}" in target:
        target = target.split("{BIND}")[1]
    sep = data.draw(SEPARATORS)
    load = data.draw(keyword("LOAD"))
    silent = data.draw(st.sampled_from(["", " SILENT"]))
    into = data.draw(st.sampled_from(["", " INTO GRAPH <urn:g>"]))
    before = data.draw(st.sampled_from(
        ["", "INSERT DATA { <urn:a> <urn:b> 2022 };", "CLEAR SILENT GRAPH <urn:x> ;\n",
         "DROP SILENT ALL;", "INSERT DATA { <urn:a> <urn:b> false }\n;"]
    ))
    glue = data.draw(st.sampled_from(["", sep]))
    update = f"{prologue}{before}{glue}{load}{silent}{glue or ' '}{target}{into}"
    with pytest.raises(QueryRefused):
        check_update(update)
    hostile, _ = data.draw(service_query(listener.base + "sparql", listener.base))
    where = hostile[hostile.index("{") :] if "{" in hostile else "{}"
    with pytest.raises(QueryRefused):
        check_update(f"INSERT {{ ?s ?p ?o }} WHERE {where}")
    with pytest.raises(QueryRefused):
        check_query(update)  # and on a read-only path an update is refused whatever it does
