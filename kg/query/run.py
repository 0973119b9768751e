"""Run one SPARQL query on the store and render its answer, within a time limit.

The query runs in a child process that opens the store read-only and renders the whole answer
before sending it back; when ``timeout`` seconds pass first, the child is killed and
:class:`QueryTimeout` is raised, so a partial answer is never printed as if it were whole.

Every query is checked twice over before it can reach outside: by :mod:`kg.query.guard` on its
parsed form, in the child (so a slow check is under the same time limit and stalls no one), and by
:mod:`kg.query.sandbox`, which takes the child off the network before it reads anything.

The default graph of every query is the union of all the store's graphs, so queries need no
``GRAPH`` clause; ``GRAPH ?g`` still reaches each report's own graph. (The build's bookkeeping
graph uses private terms that no query asks for. Naming the graphs one by one as the default
graph instead is much slower in Oxigraph: minutes instead of seconds on 500 reports.)
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import re
import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError
from kg.output import format_table, visible, xml_text
from kg.query import sandbox
from kg.query.guard import MAX_QUERY_CHARS, QueryRefused, Unreadable, check_query, preload
from kg.query.params import with_values
from kg.vocab import PREFIXES

SELECT_FORMATS = ("table", "csv", "tsv", "json", "jsonl", "xml", "md")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
FORMATS = SELECT_FORMATS + GRAPH_FORMATS
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 7 * 24 * 3600  # seconds; more overflows the clocks the wait is made with

_RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
_SYNTAX = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)

Substitutions = Mapping[ox.Variable, ox.NamedNode | ox.Literal]


class QueryError(KGError):
    """The query could not be run: a syntax error, a wrong format, or the engine failed."""


class QueryTimeout(KGError):
    """The query ran past its time limit and was stopped; nothing of it was printed."""


class ChildDied(QueryError):
    """The process evaluating a query or update died before it answered."""


def check_timeout(timeout: float | None, option: str = "--timeout") -> float | None:
    """``timeout`` if it is a positive, finite number of seconds, at most
    :data:`MAX_TIMEOUT` (or None: no limit)."""
    if timeout is None:
        return None
    if not isinstance(timeout, int | float) or not math.isfinite(timeout) or timeout <= 0:
        raise QueryError(
            f"{option} must be a positive, finite number of seconds, not {timeout!r}"
        )
    if timeout > MAX_TIMEOUT:
        raise QueryError(
            f"{option} is {timeout:g} s; the most is {MAX_TIMEOUT:,} s (a week)"
        )
    return float(timeout)


def check_size(text: str, what: str = "query") -> None:
    """Refuse a text over :data:`MAX_QUERY_CHARS` before anything else reads it."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(
            f"the {what} is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}"
        )


@dataclass(frozen=True, slots=True)
class Answer:
    kind: str  # "select" | "ask" | "graph"
    text: str  # rendered, whole
    rows: int  # solutions, triples, or 1 for ASK


def syntax_message(err: SyntaxError, text: str) -> str:
    """``line L, column C: what`` followed by the offending line and a caret."""
    m = _SYNTAX.match(str(err))
    if m is None:
        return f"SPARQL syntax error: {err}"
    line, column, what = int(m.group(1)), int(m.group(2)), m.group(3).strip()
    lines = text.splitlines() or [""]
    shown = lines[min(line, len(lines)) - 1]
    caret = " " * max(column - 1, 0) + "^"
    return f"SPARQL syntax error at line {line}, column {column}: {what}\n  {shown}\n  {caret}"


def _short(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            local = term.value[len(ns) :]
            if term.value.startswith(ns) and re.fullmatch(r"[\w.%-]*", local):
                return f"{prefix}:{local}"
        return term.value
    if isinstance(term, ox.Literal | ox.BlankNode):
        return term.value
    return "" if term is None else str(term)


def _plain(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    return str(term)


def _markdown(headers: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return visible(text.replace("|", "\\|").replace("\n", " "))

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(result: object, fmt: str) -> Answer:
    """The whole answer in ``fmt`` (see :data:`FORMATS`)."""
    if isinstance(result, ox.QueryBoolean):
        if fmt in ("json", "xml"):
            return Answer("ask", (result.serialize(format=_RESULT_FORMATS[fmt]) or b"").decode(), 1)
        return Answer("ask", "true" if bool(result) else "false", 1)
    if isinstance(result, ox.QueryTriples | list):
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"a CONSTRUCT or DESCRIBE query answers with a graph; use --format "
                f"{'|'.join(GRAPH_FORMATS)}, not {fmt}"
            )
        return render_graph(result, fmt)
    assert isinstance(result, ox.QuerySolutions)
    if fmt in GRAPH_FORMATS:
        raise QueryError(
            f"--format {fmt} is for CONSTRUCT and DESCRIBE; a SELECT query takes "
            f"{'|'.join(SELECT_FORMATS)}"
        )
    variables = [v.value for v in result.variables]
    if fmt in _RESULT_FORMATS:
        data = (result.serialize(format=_RESULT_FORMATS[fmt]) or b"").decode()
        if fmt == "xml":  # XML 1.0 cannot carry most control characters, even escaped
            data = xml_text(data)
        rows = data.count("\n") - 1 if fmt in ("csv", "tsv") else -1
        return Answer("select", data.rstrip("\n"), rows)
    solutions = list(result)
    if fmt == "jsonl":
        lines = [
            json.dumps({v: _plain(s[v]) for v in variables}, ensure_ascii=False)
            for s in solutions
        ]
        return Answer("select", "\n".join(lines), len(solutions))
    cells = [[_short(s[v]) for v in variables] for s in solutions]
    if fmt == "md":
        return Answer("select", _markdown(variables, cells), len(solutions))
    return Answer("select", format_table(variables, cells), len(solutions))


def render_graph(triples: Iterable[ox.Triple], fmt: str) -> Answer:
    """A CONSTRUCT or DESCRIBE answer in ``fmt`` (one of :data:`GRAPH_FORMATS`)."""
    if fmt == "ttl":
        from rdflib import Graph

        from kg.vocab import bind_prefixes

        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        graph = bind_prefixes(Graph()).parse(data=data, format="nt")
        return Answer("graph", graph.serialize(format="turtle"), len(graph))
    rdf_format = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.JSON_LD
    text = (ox.serialize(triples, format=rdf_format) or b"").decode()
    rows = text.count("\n") if fmt == "nt" else -1
    return Answer("graph", text.rstrip("\n"), rows)


def _engine_syntax(text: str, base_iri: str | None, update: bool) -> None:
    """Raise :class:`QueryError` with the engine's own message if it cannot parse ``text``.
    It is run on an empty in-memory store, and only in a process already off the network."""
    try:
        if update:
            ox.Store().update(text, base_iri=base_iri, prefixes=PREFIXES)
        else:
            ox.Store().query(text, base_iri=base_iri, prefixes=PREFIXES)
    except SyntaxError as err:
        raise QueryError(syntax_message(err, text)) from None
    except (OSError, RuntimeError, ValueError):
        pass  # it parsed; what it did on an empty store does not matter


def checked(
    text: str, *, base_iri: str | None = None, update: bool = False, isolated: bool = False
) -> str:
    """The guard (:func:`~kg.query.guard.check_query`, or ``check_update``), with the engine's
    syntax message when the guard cannot read the text and the engine cannot either; the text
    to evaluate. ``isolated``: this process is off the network (the engine may parse)."""
    from kg.query.guard import check_update

    try:
        return check_update(text) if update else check_query(text, base_iri=base_iri)
    except Unreadable as err:
        if isolated:
            _engine_syntax(text, base_iri, update)
        what = "update" if update else "query"
        raise QueryRefused(
            f"the {what} cannot be read by the safety check, so it was not run: {err}. The "
            "check reads standard SPARQL 1.1; engine extensions (LATERAL, <<triple terms>>) "
            "and keywords glued to a value (2022SERVICE) are refused"
        ) from None


def evaluate(
    store: ox.Store,
    text: str,
    substitutions: Substitutions,
    fmt: str,
    *,
    dataset: tuple[Sequence[str], Sequence[str]] | None = None,
    base_iri: str | None = None,
    isolated: bool = False,
) -> Answer:
    """Check, run and render ``text`` on an open store, in this process: over the union of the
    store's graphs, or over ``dataset`` (default graph IRIs, named graph IRIs) when given.
    Call it in a process that :func:`kg.query.sandbox.enter` took off the network."""
    code = checked(text, base_iri=base_iri, isolated=isolated)
    graphs: dict[str, Any] = {"use_default_graph_as_union": True}
    if dataset is not None:
        graphs = {
            "default_graph": [ox.NamedNode(g) for g in dataset[0]],
            "named_graphs": [ox.NamedNode(g) for g in dataset[1]],
        }
    try:
        result = store.query(
            with_values(code, substitutions), base_iri=base_iri, prefixes=PREFIXES, **graphs
        )
        return render(result, fmt)
    except SyntaxError as err:
        raise QueryError(syntax_message(err, text)) from None
    except (OSError, RuntimeError, ValueError) as err:
        raise QueryError(f"the query failed: {err}") from None


def guarded_child(conn: Connection, work: Callable[[bool], Any]) -> None:
    """In an evaluation child: go off the network, run ``work(isolated)`` and send back
    ``(status, payload, note)``: ``ok``, ``refused`` (the guard said no), ``error``."""
    note: str | None = None
    try:
        note = sandbox.enter()
        conn.send(("ok", work(note is None), note))
    except QueryRefused as err:
        conn.send(("refused", str(err), note))
    except sandbox.SandboxUnavailable as err:
        conn.send(("unavailable", str(err), note))
    except KGError as err:
        conn.send(("error", str(err), note))
    except BaseException as err:  # anything else still ends as an error message
        conn.send(("error", f"the query failed: {type(err).__name__}: {err}", note))
    finally:
        conn.close()


def _child(conn: Connection, path: str, text: str, subs: dict[str, object], fmt: str) -> None:
    def work(isolated: bool) -> Answer:
        store = ox.Store.read_only(path)
        substitutions = {ox.Variable(k): v for k, v in subs.items()}
        return evaluate(store, text, substitutions, fmt, isolated=isolated)  # type: ignore[arg-type]

    guarded_child(conn, work)


def _died(code: int | None, what: str) -> ChildDied:
    if code is not None and code < 0:
        try:
            how = f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"exited with status {code}"
    return ChildDied(
        f"the {what} process {how} before it answered: the {what} is probably nested too "
        "deeply or too large for the engine; nothing was run to completion (simplify it)"
    )


def run_in_child(
    ctx: Any, target: Callable[..., None], args: tuple[Any, ...], timeout: float | None, what: str
) -> tuple[Any, ...] | None:
    """Run ``target(sender, *args)`` in a child process of ``ctx`` and return the one tuple
    it sends back, or None when ``timeout`` passed first. The child is killed either way once
    this returns, so nothing it was doing outlives the call; a child that dies without an
    answer raises :class:`ChildDied`.
    """
    timeout = check_timeout(timeout)
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=target, args=(sender, *args))
    child.daemon = True
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            return None
        try:
            reply: tuple[Any, ...] = receiver.recv()
        except EOFError:
            child.join(5)
            raise _died(child.exitcode, what) from None
        return reply
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def fork_context() -> Any:
    """fork: the child starts at once, with the parsed arguments (and the guard's parser,
    imported here first); the store is opened in it."""
    preload()
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()


def unpack(reply: tuple[Any, ...]) -> Any:
    """The payload of a :func:`guarded_child` reply; a refusal or error is raised."""
    status, payload, note = reply
    sandbox.warn_once(note)
    if status == "refused":
        raise QueryRefused(str(payload))
    if status == "unavailable":
        raise sandbox.SandboxUnavailable(str(payload))
    if status != "ok":
        raise QueryError(str(payload))
    return payload


def run_query(
    store_path: str | Path,
    text: str,
    substitutions: Substitutions | None = None,
    fmt: str = "table",
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Answer:
    """Run ``text`` on the store at ``store_path`` in a child process, within ``timeout``:
    checked there by the guard, with no network."""
    timeout = check_timeout(timeout)
    check_size(text)
    subs = {k.value: v for k, v in (substitutions or {}).items()}
    reply = run_in_child(
        fork_context(), _child, (str(store_path), text, subs, fmt), timeout, "query"
    )
    if reply is None:
        raise QueryTimeout(
            f"the query ran longer than {timeout:g} s and was stopped; nothing was printed "
            "(raise --timeout, or narrow the query)"
        )
    payload = unpack(reply)
    assert isinstance(payload, Answer)
    return payload


def _prepare_child(conn: Connection, text: str, subs: dict[str, object]) -> None:
    def work(isolated: bool) -> tuple[str, str]:
        code = checked(text, isolated=isolated)
        full = with_values(code, {ox.Variable(k): v for k, v in subs.items()})  # type: ignore[misc]
        if not isolated:  # without the wall the engine does not see it before the server
            form = {"ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
            from kg.query.guard import query_form

            return full, form.get(query_form(code), "select")
        try:
            result = ox.Store().query(full, prefixes=PREFIXES)
        except SyntaxError as err:
            raise QueryError(syntax_message(err, text)) from None
        if isinstance(result, ox.QueryBoolean):
            return full, "ask"
        return full, "graph" if isinstance(result, ox.QueryTriples) else "select"

    guarded_child(conn, work)


def prepare_remote(
    text: str, substitutions: Substitutions | None, timeout: float | None
) -> tuple[str, str]:
    """For a query sent to a remote store: the guard's decision and the engine's syntax check,
    made in a child off the network; returns (the text to send, ``select``/``ask``/``graph``)."""
    limit = check_timeout(timeout) or DEFAULT_TIMEOUT
    check_size(text)
    subs = {k.value: v for k, v in (substitutions or {}).items()}
    reply = run_in_child(fork_context(), _prepare_child, (text, subs), limit, "query check")
    if reply is None:
        raise QueryTimeout(f"checking the query took longer than {limit:g} s; it was not sent")
    full, kind = unpack(reply)
    return str(full), str(kind)
