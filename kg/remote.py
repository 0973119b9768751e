"""A SPARQL 1.1 server as the graph store: ``--endpoint URL`` for ``kg build``, ``kg query``,
``kg stats`` and ``kg export``.

Reads go to the query endpoint (SPARQL 1.1 Protocol, POST form), answers are always asked for as
SPARQL results JSON or N-Triples and parsed whole by pyoxigraph, so they come back as the same
terms the embedded store gives. Writes go to the update endpoint (``--update-endpoint``, default
the query endpoint) and, when ``--graph-store`` names a SPARQL 1.1 Graph Store HTTP Protocol
service, a report's named graph is replaced by one ``PUT`` — the server swaps the graph or keeps
the old one. Without it, one SPARQL update drops and re-inserts the graph. Shared entities are
added (``POST``) before the report graph, and the build's bookkeeping is written last, so a build
that fails half-way is redone for that report next time.

Credentials come from the environment only (``KG_ENDPOINT_USER``, ``KG_ENDPOINT_PASSWORD``),
sent with HTTP Basic or Digest as the server asks (Virtuoso's ``/sparql-auth`` wants Digest).

**Incomplete answers are refused.** Servers answer HTTP 200 with part of an answer in some modes:

- Virtuoso caps every answer at ``ResultSetMaxRows`` (SELECT rows and CONSTRUCT triples alike),
  sending ``X-SPARQL-MaxRows`` with capped SELECT answers but nothing with capped graphs; with a
  ``timeout`` parameter ("anytime" queries) it returns what it had, with ``X-SQL-State: S1TAT``.
- The Oxigraph server streams its answer and, when its ``--timeout-s`` passes, appends "The
  SPARQL operation has been cancelled" to a body that has already begun with 200 OK.

So an answer is taken only when the body parses whole, no ``X-SQL-State`` came with it, and its
size is below every cap the server showed: a ``X-SPARQL-MaxRows`` header, or — for any answer
larger than one checked before — a probe query of one row more than the answer had (rows made up
by ``VALUES``, cheap on any server) that must come back whole. Graphs read for ``kg export`` are
also counted on the server and must match.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from kg.errors import StoreError
from kg.graph import iris
from kg.graph.nquads import triple_lines
from kg.query.run import Answer
from kg.store import GRAPH_PREFIX, KGStore, Triple
from kg.vocab import KG, PREFIXES

ENDPOINT_ENV = "KG_ENDPOINT"
UPDATE_ENDPOINT_ENV = "KG_UPDATE_ENDPOINT"
GRAPH_STORE_ENV = "KG_GRAPH_STORE"
USER_ENV = "KG_ENDPOINT_USER"
PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 300.0

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
_CHUNK = 1 << 16
_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_VIRTUOSO_ASK = "__ASK_RETVAL"
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = {"1": "true", "0": "false"}
_OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"


class RemoteError(StoreError):
    """The server could not be reached, refused the request, or failed."""


class IncompleteAnswer(RemoteError):
    """The server answered with part of an answer (a row cap, a timeout, a cut body)."""


class RemoteTimeout(RemoteError):
    """No whole answer came within the time limit."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a remote store is: its query, update and graph store URLs, and credentials."""

    query: str
    update: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def update_url(self) -> str:
        return self.update or self.query

    @classmethod
    def from_options(
        cls,
        query: str,
        update: str | None = None,
        graph_store: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        environ: Mapping[str, str] | None = None,
    ) -> Endpoint:
        """Check the URLs (http or https, with a host) and take credentials from the
        environment (never from the command line, where other users could read them)."""
        env = os.environ if environ is None else environ
        for option, url in (
            ("--endpoint", query),
            ("--update-endpoint", update),
            ("--graph-store", graph_store),
        ):
            if url is not None:
                _check_url(option, url)
        user = env.get(USER_ENV) or None
        password = env.get(PASSWORD_ENV)
        if password and not user:
            raise RemoteError(f"{PASSWORD_ENV} is set but {USER_ENV} is not; set both")
        return cls(query, update, graph_store, user, password, timeout)


def _check_url(option: str, url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(
            f"{option} {url!r} is not an http:// or https:// URL; "
            "give the server's SPARQL endpoint, e.g. http://127.0.0.1:7878/query"
        )
    if parts.username or parts.password:
        raise RemoteError(
            f"{option} must not hold credentials; set {USER_ENV} and {PASSWORD_ENV} instead"
        )


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Message
    body: bytes


def declare_prefixes(text: str) -> str:
    """``text`` with a PREFIX line for each project prefix it does not declare itself (the
    embedded store declares them through pyoxigraph; a server needs them written out)."""
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(text)}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared]
    return "\n".join([*lines, text])


def _server_message(body: bytes, limit: int = 400) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    text = re.sub(r"<[^>]+>", " ", text) if text.lstrip().startswith("<") else text
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


class RemoteStore(KGStore):
    """A SPARQL 1.1 server reached over HTTP (see the module's notes)."""

    def __init__(self, endpoint: Endpoint, *, read_only: bool = False) -> None:
        self.endpoint = endpoint
        self.read_only = read_only
        self.path = None
        self._uncapped = 0  # answers of up to this many rows are known not to be capped
        self._union: list[tuple[str, str]] | None = None  # dataset parameters for union queries
        self._union_checked = False
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        handlers: list[urllib.request.BaseHandler] = []
        if endpoint.user:
            for url in (endpoint.query, endpoint.update, endpoint.graph_store):
                if url:
                    manager.add_password(None, url, endpoint.user, endpoint.password or "")
            handlers += [
                urllib.request.HTTPDigestAuthHandler(manager),
                urllib.request.HTTPBasicAuthHandler(manager),
            ]
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint.query!r})"

    # --- HTTP ----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        what: str = "the request",
    ) -> Response:
        """One HTTP exchange, the whole body read within ``timeout``; errors as
        :class:`RemoteError` saying what the server said."""
        limit = timeout if timeout is not None else self.endpoint.timeout
        deadline = time.monotonic() + limit
        req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        try:
            with self._opener.open(req, timeout=limit) as resp:
                chunks = []
                while chunk := resp.read(_CHUNK):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise RemoteTimeout(
                            f"{what} took longer than {limit:g} s and was stopped; "
                            "nothing was printed (raise --timeout, or narrow the query)"
                        )
                return Response(resp.status, resp.headers, b"".join(chunks))
        except urllib.error.HTTPError as err:
            raise self._http_error(err, url, what) from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise RemoteTimeout(
                    f"{what} got no answer from {url} within {limit:g} s; "
                    "is the server overloaded? (raise --timeout)"
                ) from None
            raise RemoteError(
                f"cannot reach the SPARQL server at {url} ({err.reason}); "
                "is it running, and is the URL right?"
            ) from None
        except TimeoutError:
            raise RemoteTimeout(
                f"{what} took longer than {limit:g} s and was stopped; nothing was printed "
                "(raise --timeout, or narrow the query)"
            ) from None
        except (ConnectionError, OSError) as err:  # reset, or a body cut short (IncompleteRead)
            raise IncompleteAnswer(
                f"the connection to {url} broke during {what} ({type(err).__name__}: {err}); "
                "the answer was incomplete and was not used"
            ) from None
        except ValueError as err:  # http.client.IncompleteRead is a ValueError subclass too
            raise IncompleteAnswer(f"{what}: the server's answer was cut short ({err})") from None

    def _http_error(self, err: urllib.error.HTTPError, url: str, what: str) -> RemoteError:
        try:
            body = err.read()
        except OSError:
            body = b""
        said = _server_message(body)
        said = f": {said}" if said else ""
        if err.code in (401, 403):
            creds = (
                "check the user and password in "
                if self.endpoint.user
                else "set the user and password in "
            )
            return RemoteError(
                f"the server refused {what} (HTTP {err.code}){said}; "
                f"{creds}{USER_ENV} and {PASSWORD_ENV}, and that the user may do this"
            )
        if err.code == 404:
            return RemoteError(f"no SPARQL service at {url} (HTTP 404); check the URL")
        if err.code in (400, 405, 406, 415):
            return RemoteError(f"the server rejected {what} (HTTP {err.code}){said}")
        return RemoteError(f"the server failed on {what} (HTTP {err.code}){said}")

    def _query(
        self,
        text: str,
        accept: str,
        *,
        union: bool = False,
        timeout: float | None = None,
        what: str = "the query",
    ) -> Response:
        form: list[tuple[str, str]] = [("query", declare_prefixes(text))]
        if union:
            form += self._union_dataset()
        resp = self.request(
            "POST",
            self.endpoint.query,
            data=urllib.parse.urlencode(form).encode("utf-8"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": accept,
            },
            timeout=timeout,
            what=what,
        )
        self._refuse_partial(resp, what)
        return resp

    def _refuse_partial(self, resp: Response, what: str) -> None:
        state = resp.headers.get("X-SQL-State")
        if state:
            message = resp.headers.get("X-SQL-Message") or ""
            raise IncompleteAnswer(
                f"the server returned an incomplete answer to {what} (X-SQL-State {state}: "
                f"{message[:160].strip()}); nothing of it was used (narrow the query, or raise "
                "the server's time limit)"
            )
        if _OXIGRAPH_CANCELLED in resp.body[-200:]:
            raise IncompleteAnswer(
                f"the server stopped {what} part-way (its time limit: \"The SPARQL operation "
                "has been cancelled\") after answering 200 OK; nothing of it was used "
                "(narrow the query, or raise the server's --timeout-s)"
            )

    # --- checks on answers -----------------------------------------------------------------------

    def check_size(self, n: int, headers: Message | None, what: str) -> None:
        """Refuse an answer of ``n`` rows or triples that may have been cut at a server cap."""
        cap = headers.get("X-SPARQL-MaxRows") if headers is not None else None
        if cap is not None and cap.strip().isdigit() and n >= int(cap):
            raise self._capped(int(cap), n, what)
        if n == 0 or n < self._uncapped:
            return
        probe = self._probe_rows(n + 1)
        if probe < n + 1:
            raise self._capped(probe, n, what)
        self._uncapped = n + 1

    def _capped(self, cap: int, n: int, what: str) -> IncompleteAnswer:
        return IncompleteAnswer(
            f"the server caps answers at {cap:,} rows and {what} came back with {n:,}: it may be "
            "cut short, so it was not used. Raise the server's cap (Virtuoso: ResultSetMaxRows "
            "in the [SPARQL] section of virtuoso.ini) or narrow the query (LIMIT/OFFSET)"
        )

    def _probe_rows(self, rows: int) -> int:
        """How many of ``rows`` made-up rows the server returns whole (its cap, if lower)."""
        digits = max(1, math.ceil(math.log10(rows + 1)))
        values = " ".join(
            f"VALUES ?d{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(digits)
        )
        text = f"SELECT ?d0 WHERE {{ {values} }} LIMIT {rows}"
        resp = self._query(text, RESULTS_JSON, what="the row-cap probe")
        got = len(self._parse_solutions(resp, "the row-cap probe"))
        cap = resp.headers.get("X-SPARQL-MaxRows")
        if cap is not None and cap.strip().isdigit():
            got = min(got, int(cap))
        return got

    def _parse_solutions(self, resp: Response, what: str) -> list[ox.QuerySolution]:
        result = self._parse_results(resp, what)
        if not isinstance(result, ox.QuerySolutions):
            raise RemoteError(f"the server answered {what} with a boolean, not rows")
        return list(result)

    def _parse_results(self, resp: Response, what: str) -> ox.QuerySolutions | ox.QueryBoolean:
        media = (resp.headers.get_content_type() or "").lower()
        if media not in (RESULTS_JSON, "application/json"):
            raise RemoteError(
                f"the server answered {what} as {media or 'nothing'}, not {RESULTS_JSON}: "
                f"{_server_message(resp.body, 200)}"
            )
        try:
            data = json.loads(resp.body)  # whole and well-formed, or refused
            body = json.dumps(_canonical_json(data)).encode()
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (ValueError, SyntaxError) as err:
            raise IncompleteAnswer(
                f"the server's answer to {what} is not whole SPARQL results JSON ({err}); "
                "it was not used"
            ) from None

    def parse_triples(self, resp: Response, what: str) -> list[ox.Triple]:
        media = (resp.headers.get_content_type() or "").lower()
        formats = {
            N_TRIPLES: ox.RdfFormat.N_TRIPLES,
            "text/plain": ox.RdfFormat.N_TRIPLES,
            "text/turtle": ox.RdfFormat.TURTLE,
        }
        if media not in formats:
            raise RemoteError(
                f"the server answered {what} as {media or 'nothing'}, not N-Triples: "
                f"{_server_message(resp.body, 200)}"
            )
        try:
            return [
                ox.Triple(t.subject, t.predicate, _canonical_term(t.object))
                for t in ox.parse(resp.body, format=formats[media])
            ]
        except SyntaxError as err:
            raise IncompleteAnswer(
                f"the server's answer to {what} is not whole RDF ({err}); it was not used"
            ) from None

    # --- the dataset of a union query ----------------------------------------------------------

    def _union_dataset(self) -> list[tuple[str, str]]:
        """Dataset parameters that make the default graph the union of policy-kg's graphs:
        none when the server does that already (Virtuoso; Oxigraph with
        --union-default-graph), else every graph by default-graph-uri and named-graph-uri."""
        if not self._union_checked:
            named = self.ask(f"ASK {{ GRAPH ?g {{ ?s a <{KG.Report}> }} }}")
            default = self.ask(f"ASK {{ ?s a <{KG.Report}> }}")
            self._union = None
            if named and not default:
                graphs = self.graph_iris()
                self._union = [("default-graph-uri", g) for g in graphs]
                self._union += [("named-graph-uri", g) for g in graphs]
            self._union_checked = True
        return self._union or []

    # --- KGStore -------------------------------------------------------------------------------

    def select(self, query: str, *, union: bool = False) -> list[ox.QuerySolution]:
        resp = self._query(query, RESULTS_JSON, union=union)
        rows = self._parse_solutions(resp, "a query")
        self.check_size(len(rows), resp.headers, "a query")
        return rows

    def ask(self, query: str) -> bool:
        resp = self._query(query, RESULTS_JSON, what="an ASK query")
        return bool(as_boolean(self._parse_results(resp, "an ASK query")))

    def __len__(self) -> int:
        rows = self.select(
            f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }}'
        )
        return int(rows[0][0].value)

    def graph_iris(self) -> list[str]:
        rows = self.select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }}'
        )
        return sorted(row[0].value for row in rows)

    def quads(self, graph: str) -> Iterator[ox.Quad]:
        what = f"reading <{graph}>"
        if self.endpoint.graph_store:
            url = _graph_url(self.endpoint.graph_store, graph)
            resp = self.request("GET", url, headers={"Accept": N_TRIPLES}, what=what)
        else:
            text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            resp = self._query(text, N_TRIPLES, what=what)
        self._refuse_partial(resp, what)
        triples = self.parse_triples(resp, what)
        expected = self.triples_in(URIRef(graph))
        if len(triples) != expected:
            raise IncompleteAnswer(
                f"the server returned {len(triples):,} of the {expected:,} triples of <{graph}> "
                "(a cap on answers, such as Virtuoso's ResultSetMaxRows?); nothing was written"
            )
        node = ox.NamedNode(graph)
        return iter([ox.Quad(t.subject, t.predicate, t.object, node) for t in triples])

    def union_triples(self) -> Iterator[ox.Triple]:
        """The distinct triples of every graph but the meta graph, read graph by graph: each
        read is checked whole (:meth:`quads`), so a graph under the server's cap on answers
        (Virtuoso's ResultSetMaxRows) is read even where the whole store is over it."""
        meta = str(iris.META_GRAPH)
        seen: dict[ox.Triple, None] = {}
        for graph in self.graph_iris():
            if graph != meta:
                seen.update((quad.triple, None) for quad in self.quads(graph))
        return iter(seen)

    # --- writing ---------------------------------------------------------------------------------

    def update(self, operations: str) -> None:
        self._writable()
        self.request(
            "POST",
            self.endpoint.update_url,
            data=urllib.parse.urlencode({"update": declare_prefixes(operations)}).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            what="the update",
        )

    def put(self, graphs: dict[URIRef, Iterable[Triple]], *, meta: Iterable[Triple] = ()) -> None:
        """Shared entities first (added), then each other graph replaced whole — by a Graph
        Store ``PUT`` when ``--graph-store`` is given, else by one SPARQL update — and the
        bookkeeping last, so that a failure part-way makes the next build do it again."""
        self._writable()
        entities = graphs.get(iris.ENTITIES_GRAPH)
        others = {g: ts for g, ts in graphs.items() if g != iris.ENTITIES_GRAPH}
        gsp = self.endpoint.graph_store
        if entities is not None:
            body = triple_lines(entities)
            if gsp:
                self._send_graph("POST", gsp, iris.ENTITIES_GRAPH, body)
            elif body:
                self.update(f"INSERT DATA {{ GRAPH <{iris.ENTITIES_GRAPH}> {{\n{body}}} }}")
        for g, ts in others.items():
            body = triple_lines(ts)
            if gsp:
                self._send_graph("PUT", gsp, g, body)
            else:
                self.update(
                    f"DROP SILENT GRAPH <{g}> ;\nINSERT DATA {{ GRAPH <{g}> {{\n{body}}} }}"
                )
        ops = [f"DELETE WHERE {{ GRAPH <{iris.META_GRAPH}> {{ <{g}> ?p ?o }} }}" for g in others]
        meta_lines = triple_lines(meta)
        if meta_lines:
            ops.append(f"INSERT DATA {{ GRAPH <{iris.META_GRAPH}> {{\n{meta_lines}}} }}")
        if ops:
            self.update(" ;\n".join(ops))
        self._union_checked = False  # the set of graphs changed

    def _send_graph(self, method: str, service: str, graph: URIRef, body: str) -> None:
        self.request(
            method,
            _graph_url(service, str(graph)),
            data=body.encode("utf-8"),
            headers={"Content-Type": "text/turtle; charset=utf-8"},  # N-Triples is Turtle
            what=f"{'replacing' if method == 'PUT' else 'adding to'} <{graph}>",
        )

    def remove(self, graphs: Iterable[URIRef]) -> None:
        super().remove(graphs)
        self._union_checked = False


def _canonical_json(data: Any) -> Any:
    """SPARQL results JSON with booleans written canonically: Virtuoso writes xsd:boolean
    values as "1" and "0", the embedded store as "true" and "false" (the same values)."""
    for binding in data.get("results", {}).get("bindings", []):
        for term in binding.values():
            if term.get("datatype") == _XSD_BOOLEAN and term.get("value") in _BOOLEANS:
                term["value"] = _BOOLEANS[term["value"]]
    return data


def _canonical_term(term: Any) -> Any:
    if (
        isinstance(term, ox.Literal)
        and term.datatype.value == _XSD_BOOLEAN
        and term.value in _BOOLEANS
    ):
        return ox.Literal(_BOOLEANS[term.value], datatype=term.datatype)
    return term


def as_boolean(result: ox.QuerySolutions | ox.QueryBoolean) -> ox.QueryBoolean:
    """The boolean answer of an ASK query. Virtuoso 7.2 answers ASK with one variable,
    ``__ASK_RETVAL``, and a row holding 1 when true, no row when false."""
    if isinstance(result, ox.QueryBoolean):
        return result
    variables = [v.value for v in result.variables]
    if variables != [_VIRTUOSO_ASK]:
        raise RemoteError(f"the server answered an ASK query with rows of {', '.join(variables)}")
    value = any(
        row[0] is not None and row[0].value not in ("0", "false") for row in result
    )
    data = json.dumps({"head": {}, "boolean": value}).encode()
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QueryBoolean)
    return parsed


def _graph_url(service: str, graph: str) -> str:
    """The Graph Store Protocol URL of ``graph`` (indirect identification, ``?graph=``)."""
    sep = "&" if urllib.parse.urlsplit(service).query else "?"
    return f"{service}{sep}{urllib.parse.urlencode({'graph': graph})}"


def run_remote_query(
    store: RemoteStore,
    text: str,
    substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
    fmt: str = "table",
    timeout: float | None = None,
) -> Answer:
    """``kg query`` against a server: the same refusals, parameters and formats as on the
    embedded store, and an answer printed only when it came back whole (see the module)."""
    from kg.query.run import QueryTimeout, prepare_remote, render, render_graph

    # The guard and the engine's syntax check run in a child that has no network (the check
    # may evaluate on an empty store); the text that passed them is what the server gets.
    full, kind = prepare_remote(text, substitutions, timeout)
    graph_form = kind == "graph"
    try:
        resp = store._query(
            full, N_TRIPLES if graph_form else RESULTS_JSON, union=True, timeout=timeout
        )
    except RemoteTimeout as err:
        raise QueryTimeout(str(err)) from None
    if graph_form:
        triples = store.parse_triples(resp, "the query")
        store.check_size(len(triples), resp.headers, "the query")
        return render_graph(triples, fmt)
    result = store._parse_results(resp, "the query")
    if kind == "ask":
        return render(as_boolean(result), fmt)
    assert isinstance(result, ox.QuerySolutions)
    store.check_size(len(list(result)), resp.headers, "the query")
    return render(store._parse_results(resp, "the query"), fmt)
