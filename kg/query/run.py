"""Run one SPARQL query on the store and render its answer, within a time limit.

The query runs in a child process that opens the store read-only and renders the whole answer
before sending it back; when ``timeout`` seconds pass first, the child is killed and
:class:`QueryTimeout` is raised, so a partial answer is never printed as if it were whole.

The default graph of every query is the union of all the store's graphs, so queries need no
``GRAPH`` clause; ``GRAPH ?g`` still reaches each report's own graph. (The build's bookkeeping
graph uses private terms that no query asks for. Naming the graphs one by one as the default
graph instead is much slower in Oxigraph: minutes instead of seconds on 500 reports.)
"""

from __future__ import annotations

import json
import multiprocessing as mp
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KGError
from kg.output import format_table, visible, xml_text
from kg.query.guard import check_query
from kg.query.params import with_values
from kg.vocab import PREFIXES

SELECT_FORMATS = ("table", "csv", "tsv", "json", "jsonl", "xml", "md")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
FORMATS = SELECT_FORMATS + GRAPH_FORMATS
DEFAULT_TIMEOUT = 60.0

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


def evaluate(
    store: ox.Store,
    text: str,
    substitutions: Substitutions,
    fmt: str,
    *,
    dataset: tuple[Sequence[str], Sequence[str]] | None = None,
    base_iri: str | None = None,
) -> Answer:
    """Check, run and render ``text`` on an open store, in this process: over the union of the
    store's graphs, or over ``dataset`` (default graph IRIs, named graph IRIs) when given."""
    check_query(text)
    graphs: dict[str, Any] = {"use_default_graph_as_union": True}
    if dataset is not None:
        graphs = {
            "default_graph": [ox.NamedNode(g) for g in dataset[0]],
            "named_graphs": [ox.NamedNode(g) for g in dataset[1]],
        }
    try:
        result = store.query(
            with_values(text, substitutions), base_iri=base_iri, prefixes=PREFIXES, **graphs
        )
        return render(result, fmt)
    except SyntaxError as err:
        raise QueryError(syntax_message(err, text)) from None
    except (OSError, RuntimeError, ValueError) as err:
        raise QueryError(f"the query failed: {err}") from None


def _child(conn: Connection, path: str, text: str, subs: dict[str, object], fmt: str) -> None:
    try:
        store = ox.Store.read_only(path)
        substitutions = {ox.Variable(k): v for k, v in subs.items()}
        conn.send(("ok", evaluate(store, text, substitutions, fmt)))  # type: ignore[arg-type]
    except KGError as err:
        conn.send(("error", str(err)))
    except BaseException as err:  # anything else still ends as an error message
        conn.send(("error", f"the query failed: {type(err).__name__}: {err}"))
    finally:
        conn.close()


def run_in_child(
    ctx: Any, target: Callable[..., None], args: tuple[Any, ...], timeout: float | None, what: str
) -> tuple[str, Any] | None:
    """Run ``target(sender, *args)`` in a child process of ``ctx`` and return the one
    ``(status, payload)`` it sends back, or None when ``timeout`` passed first. The child is
    killed either way once this returns, so nothing it was doing outlives the call.
    """
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=target, args=(sender, *args))
    child.daemon = True
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            return None
        try:
            reply: tuple[str, Any] = receiver.recv()
        except EOFError:
            raise QueryError(f"the {what} process ended without an answer") from None
        return reply
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def run_query(
    store_path: str | Path,
    text: str,
    substitutions: Substitutions | None = None,
    fmt: str = "table",
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Answer:
    """Run ``text`` on the store at ``store_path`` in a child process, within ``timeout``."""
    check_query(text)
    subs = {k.value: v for k, v in (substitutions or {}).items()}
    # fork: the child starts at once, with the parsed arguments; the store is opened in it.
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    reply = run_in_child(ctx, _child, (str(store_path), text, subs, fmt), timeout, "query")
    if reply is None:
        raise QueryTimeout(
            f"the query ran longer than {timeout:g} s and was stopped; nothing was printed "
            "(raise --timeout, or narrow the query)"
        )
    status, payload = reply
    if status != "ok":
        raise QueryError(str(payload))
    assert isinstance(payload, Answer)
    return payload
