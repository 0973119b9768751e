"""``kg serve``: a small, read-only SPARQL 1.1 Protocol endpoint over the store, with a web page.

Built on the standard library's :class:`http.server.ThreadingHTTPServer`. Each query runs in a
child process (:func:`serve_query`, ``kg query``'s :func:`kg.query.run.run_query` plus the
protocol's dataset and base IRI) — taken off the network (:mod:`kg.query.sandbox`), checked by
the guard on its parsed form (no ``SERVICE``, no updates, no remote or ``file:`` ``FROM``,
bounded nesting), opened read-only, and killed when it runs past ``timeout`` — so a slow query
or a slow check never blocks a quick one and a stopped query answers 503, never 200 with part of
an answer. The request thread itself only checks sizes (body, then query length) and reads the
query's form with a linear tokeniser. A connection idle for ``idle_timeout`` seconds, or one that
takes longer than ``read_timeout`` to send a whole request (slow loris), is closed.
Relative IRIs in a query or update resolve against the endpoint's
URL (``http://HOST/sparql``).

Paths:

- ``/sparql`` — the SPARQL 1.1 Protocol: ``GET ?query=``, ``POST`` form (``query=``) or
  ``POST application/sparql-query``, in UTF-8. The answer's format follows ``Accept``: SELECT and
  ASK give ``application/sparql-results+json`` (the default), ``…+xml``, ``text/csv`` or
  ``text/tab-separated-values`` (SELECT only); CONSTRUCT and DESCRIBE give ``text/turtle`` (the
  default), ``application/n-triples`` or ``application/ld+json``. Updates are refused (403)
  unless the server was started with ``update=True``; an update is never taken by ``GET`` (405).

  The dataset: without protocol parameters a query's default graph is the union of the store's
  graphs (as in ``kg query``). With ``default-graph-uri`` and/or ``named-graph-uri`` (each
  repeatable) the dataset is exactly those graphs: the default graph is the merge of the
  ``default-graph-uri`` graphs (empty when none is given) and ``GRAPH`` reaches only the
  ``named-graph-uri`` graphs (none when none is given); a graph the store does not hold is
  empty, and ``FROM`` / ``FROM NAMED`` in the query are overridden, as the protocol says. The
  build's bookkeeping graph (:data:`kg.graph.iris.META_GRAPH`) is refused there (400). Updates
  take no dataset parameters: ``using-graph-uri`` / ``using-named-graph-uri`` are refused (400;
  beside ``USING`` or ``WITH`` the protocol requires that too).
- ``/saved`` — a saved query (``queries/*.rq``) by ``name=``, its parameters as further form
  fields, bound as RDF terms by :func:`kg.query.params.bind`, never spliced as text.
- ``/queries`` — the saved queries and their parameters, as JSON.
- ``/`` — a page to write or pick a query and see its answer as a table.

Status codes: 400 a malformed request, a syntax error, a refused query or an update that failed
(``CLEAR GRAPH`` of a graph the store lacks; the body says why); 403 an update on a read-only
server; 405 a wrong method; 406 no acceptable format; 411 a POST without a length; 413 a body
over :data:`MAX_BODY`; 415 a wrong content type or a charset other than UTF-8; 503 the query ran
past its time limit; 500 the query process failed.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import multiprocessing as mp
import re
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.errors import KGError
from kg.graph.iris import META_GRAPH
from kg.query import sandbox
from kg.query.guard import QueryRefused, expand_escapes, query_form, tokens
from kg.query.params import ParameterError, bind
from kg.query.run import (
    Answer,
    ChildDied,
    QueryError,
    QueryTimeout,
    Substitutions,
    check_size,
    check_timeout,
    checked,
    evaluate,
    fork_context,
    guarded_child,
    run_in_child,
    syntax_message,
    unpack,
)
from kg.query.saved import QUERIES_DIR, saved_queries, saved_query
from kg.vocab import PREFIXES

MAX_BODY = 1024 * 1024  # bytes of a request body
_DRAIN_LIMIT = 16 * MAX_BODY  # a bigger refused body is not read; the connection is closed
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent (between or inside requests)
READ_TIMEOUT = 60.0  # seconds to receive one whole request: line, headers and body

JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
DEFAULT_GRAPH_URI = "default-graph-uri"
NAMED_GRAPH_URI = "named-graph-uri"
USING_GRAPH_URI = "using-graph-uri"
USING_NAMED_GRAPH_URI = "using-named-graph-uri"

#: media type → ``run_query`` format, in order of preference, per kind of query.
SELECT_TYPES = {
    JSON_RESULTS: "json",
    XML_RESULTS: "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
ASK_TYPES = {
    JSON_RESULTS: "json",
    XML_RESULTS: "xml",
    "application/json": "json",
    "application/xml": "xml",
}
GRAPH_TYPES = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "text/plain": "nt",
}
_ALIASES = ("application/json", "application/xml", "text/plain")
_CHARSET_TYPES = ("text/", "application/sparql-results+", "application/json", "application/ld")
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
_UTF8 = ("utf-8", "utf8")
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


class HTTPError(Exception):
    """An answer other than 200: its status and a plain-text message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Settings:
    store_path: str
    timeout: float
    update: bool
    cors: bool
    loopback: bool
    idle_timeout: float = IDLE_TIMEOUT
    read_timeout: float = READ_TIMEOUT


class _ReadWriteLock:
    """Many queries at once, or one update alone (a read-only open beside a writer is unsafe)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing and self._readers == 0)
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


# --- content negotiation ---------------------------------------------------------------------


def query_kind(text: str) -> str:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT, DESCRIBE), from the query's first form word
    (read with the guard's tokeniser, linear in the length)."""
    word = query_form(text)
    return {"ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(word, "select")


def _accepted(header: str) -> list[tuple[float, int, str]]:
    """(quality, position, media range) for each range of an ``Accept`` header."""
    ranges: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((q, i, media))
    return ranges


def negotiate(accept: str | None, kind: str) -> tuple[str, str]:
    """(media type, ``run_query`` format) for ``kind`` under ``accept``; 406 if none fits."""
    offers = {"select": SELECT_TYPES, "ask": ASK_TYPES, "graph": GRAPH_TYPES}[kind]
    first = next(iter(offers.items()))
    if not accept or not accept.strip():
        return first
    ranges = _accepted(accept)
    best: tuple[float, int, int, str] | None = None  # (q, specificity, -order, media)
    for order, media in enumerate(offers):
        major = media.split("/")[0]
        matches = [
            (spec, q)
            for q, _pos, rng in ranges
            for spec, pattern in ((2, media), (1, f"{major}/*"), (0, "*/*"))
            if rng == pattern
        ]
        if not matches:
            continue
        spec, q = max(matches)  # the most specific range decides the quality
        if q <= 0:
            continue
        candidate = (q, spec, -order, media)
        if best is None or candidate > best:
            best = candidate
    if best is None:
        names = ", ".join(m for m in offers if m not in _ALIASES)
        raise HTTPError(
            HTTPStatus.NOT_ACCEPTABLE,
            f"no acceptable format for this query in Accept: {accept}; this query can answer "
            f"with {names}",
        )
    return best[3], offers[best[3]]


# --- the protocol's dataset ------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """A query's dataset from ``default-graph-uri`` and ``named-graph-uri``: graph IRIs."""

    default: tuple[str, ...]
    named: tuple[str, ...]


def protocol_dataset(fields: dict[str, list[str]]) -> Dataset | None:
    """The dataset the request's protocol parameters name, or None when it names none.

    Each IRI must be absolute; the bookkeeping graph (:data:`META_GRAPH`) is refused.
    """
    if DEFAULT_GRAPH_URI not in fields and NAMED_GRAPH_URI not in fields:
        return None
    chosen: dict[str, tuple[str, ...]] = {}
    for name in (DEFAULT_GRAPH_URI, NAMED_GRAPH_URI):
        iris = fields.get(name, [])
        for iri in iris:
            if iri == str(META_GRAPH):
                raise HTTPError(
                    HTTPStatus.BAD_REQUEST,
                    f"{name}={iri} is refused: the build's bookkeeping graph is not served; "
                    "name report, entity or ontology graphs",
                )
            try:
                ox.NamedNode(iri)
            except ValueError as err:
                raise HTTPError(
                    HTTPStatus.BAD_REQUEST, f"{name}={iri!r} is not an absolute IRI: {err}"
                ) from None
        chosen[name] = tuple(dict.fromkeys(iris))
    return Dataset(chosen[DEFAULT_GRAPH_URI], chosen[NAMED_GRAPH_URI])


def without_dataset_clauses(text: str) -> str:
    """``text`` with its ``FROM`` / ``FROM NAMED`` clauses blanked (lines and columns kept):
    the protocol's dataset parameters override them."""
    out = list(text)
    toks = [t for t in tokens(text) if t.kind not in ("ws", "comment")]
    i = 0
    while i < len(toks):
        if toks[i].kind == "word" and toks[i].text.upper() == "FROM":
            j = i + 1
            if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "NAMED":
                j += 1
            if j < len(toks) and toks[j].kind in ("iri", "pname"):
                end = toks[j].start + len(toks[j].text)
                for k in range(toks[i].start, end):
                    if out[k] != "\n":
                        out[k] = " "
                i = j
        i += 1
    return "".join(out)


def _query_child(
    conn: Connection,
    path: str,
    text: str,
    subs: dict[str, ox.NamedNode | ox.Literal],
    fmt: str,
    dataset: Dataset | None,
    base_iri: str | None,
) -> None:
    def work(isolated: bool) -> Answer:
        substitutions = {ox.Variable(k): v for k, v in subs.items()}
        if dataset is None:  # the union of the store's graphs, as kg query
            query, graphs = text, None
        else:  # the protocol's graphs win over FROM / FROM NAMED
            code = expand_escapes(text)
            query, graphs = without_dataset_clauses(code), (dataset.default, dataset.named)
        store = ox.Store.read_only(path)
        return evaluate(
            store, query, substitutions, fmt, dataset=graphs, base_iri=base_iri, isolated=isolated
        )

    guarded_child(conn, work)


def serve_query(
    store_path: str | Path,
    text: str,
    substitutions: Substitutions,
    fmt: str,
    timeout: float | None,
    dataset: Dataset | None = None,
    base_iri: str | None = None,
) -> Answer:
    """:func:`kg.query.run.run_query` with the protocol's additions: over ``dataset`` when
    given (else the union of the store's graphs), relative IRIs resolved against ``base_iri``.
    Only the size is checked here; the guard runs in the child, under ``timeout``.
    """
    check_size(text)
    subs = {k.value: v for k, v in substitutions.items()}
    args = (str(store_path), text, subs, fmt, dataset, base_iri)
    reply = run_in_child(fork_context(), _query_child, args, timeout, "query")
    if reply is None:
        raise QueryTimeout(
            f"the query ran longer than {timeout:g} s and was stopped; nothing of it was sent "
            "(the limit is kg serve --timeout; narrow the query)"
        )
    payload = unpack(reply)
    assert isinstance(payload, Answer)
    return payload


# --- updates ---------------------------------------------------------------------------------


def _update_child(conn: Connection, path: str, text: str, base_iri: str | None) -> None:
    def work(isolated: bool) -> str:
        code = checked(text, base_iri=base_iri, update=True, isolated=isolated)
        store = ox.Store(path)
        try:
            store.update(code, base_iri=base_iri, prefixes=PREFIXES)
            store.flush()
        except SyntaxError as err:
            raise QueryError(syntax_message(err, text)) from None
        except (OSError, RuntimeError, ValueError) as err:  # the update itself failed, e.g.
            raise QueryError(f"the update failed: {err}") from None  # CLEAR of a missing graph
        return ""

    guarded_child(conn, work)


def run_update(store_path: str, text: str, timeout: float, base_iri: str | None = None) -> None:
    """Run a SPARQL update on the store in a child process (off the network, checked there by
    the guard: no ``LOAD``, no ``SERVICE``), within ``timeout`` seconds; relative IRIs resolve
    against ``base_iri``."""
    check_size(text, "update")
    # spawn, not fork: a writing store needs RocksDB's background threads, which a forked child
    # of a process that has opened a store before lacks (its update then never finishes).
    ctx = mp.get_context("spawn")
    reply = run_in_child(ctx, _update_child, (store_path, text, base_iri), timeout, "update")
    if reply is None:
        raise QueryTimeout(f"the update ran longer than {timeout:g} s and was stopped")
    unpack(reply)


# --- the handler -----------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-serve"
    sys_version = ""
    settings: Settings
    lock: _ReadWriteLock

    # -- plumbing --

    _reading = False

    def handle_one_request(self) -> None:
        """One request, which must arrive whole within ``read_timeout`` seconds (each read
        also within ``idle_timeout``, the socket's timeout): a slow or silent client is cut."""
        self._reading = True
        timer = threading.Timer(self.settings.read_timeout, self._expire)
        timer.daemon = True
        timer.start()
        try:
            super().handle_one_request()
        except (TimeoutError, ConnectionError):
            self.close_connection = True
        finally:
            timer.cancel()

    def _expire(self) -> None:
        if self._reading:  # still receiving the request: close it under the reader's feet
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type.startswith(_CHARSET_TYPES) and "charset" not in content_type:
            content_type += "; charset=utf-8"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        if self.settings.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, err: HTTPError) -> None:
        self._send(err.status, (err.message + "\n").encode(), "text/plain", err.headers)

    def _dispatch(self) -> None:
        try:
            if self.command != "POST":
                self._reading = False  # the request line and headers are in
            self._check_host()
            path = urlsplit(self.path).path
            route = {
                "/sparql": self._sparql,
                "/saved": self._saved,
                "/queries": self._queries,
                "/": self._page,
            }.get(path)
            if route is None:
                raise HTTPError(HTTPStatus.NOT_FOUND, f"no such path: {path}; try /sparql or /")
            route()
        except HTTPError as err:
            self._error(err)
        except (QueryRefused, ParameterError) as err:
            self._error(HTTPError(HTTPStatus.BAD_REQUEST, str(err)))
        except QueryTimeout as err:
            self._error(HTTPError(HTTPStatus.SERVICE_UNAVAILABLE, str(err)))
        except ChildDied as err:
            self._error(HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR, str(err)))
        except sandbox.SandboxUnavailable as err:
            self._error(HTTPError(HTTPStatus.INTERNAL_SERVER_ERROR, str(err)))
        except KGError as err:  # QueryError: a syntax error, a failed update, a bad format
            self._error(HTTPError(HTTPStatus.BAD_REQUEST, str(err)))
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # a client gone or too slow: nothing to answer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        if not self.settings.cors:
            self._error(
                HTTPError(
                    HTTPStatus.METHOD_NOT_ALLOWED,
                    "OPTIONS is answered only with CORS on",
                    {"Allow": "GET, POST"},
                )
            )
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_allowed(self) -> None:
        self._error(
            HTTPError(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"{self.command} is not allowed",
                {"Allow": "GET, POST"},
            )
        )

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    def _check_host(self) -> None:
        """On loopback, answer only requests addressed to a loopback name (DNS rebinding)."""
        if not self.settings.loopback:
            return
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host and name not in _LOOPBACK_NAMES:
            raise HTTPError(HTTPStatus.FORBIDDEN, f"Host {host} is not this server's name")

    def _base_iri(self) -> str:
        """The endpoint's URL, against which a query's or update's relative IRIs resolve."""
        host = (self.headers.get("Host") or "").strip()
        if not _HOST.fullmatch(host):
            address = self.server.server_address
            assert isinstance(address, tuple)
            name, port = str(address[0]), address[1]
            host = f"[{name}]:{port}" if ":" in name else f"{name}:{port}"
        return f"http://{host}/sparql"

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise HTTPError(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            raise HTTPError(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length")
        try:
            length = int(length_text)
        except ValueError:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "Content-Length is not a number") from None
        if length < 0:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "Content-Length is negative")
        if length > MAX_BODY:
            self.close_connection = True
            if length <= _DRAIN_LIMIT:  # read it away, so the client sees the answer, not a reset
                left = length
                while left > 0:
                    chunk = self.rfile.read(min(left, 64 * 1024))
                    if not chunk:
                        break
                    left -= len(chunk)
            raise HTTPError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the body is {length:,} bytes; the limit is {MAX_BODY:,}",
            )
        return self.rfile.read(length)

    def _content_type(self) -> tuple[str, str]:
        """(media type, charset) of the request body."""
        raw = self.headers.get("Content-Type") or ""
        fields = [f.strip() for f in raw.split(";")]
        charset = "utf-8"
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip('"') or "utf-8"
        return fields[0].lower(), charset

    def _fields(self) -> tuple[dict[str, list[str]], str | None, str]:
        """The request's fields (URL and form), its direct body if any, and the body's type."""
        fields = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        if self.command != "POST":
            return fields, None, ""
        media, charset = self._content_type()
        body = self._body()
        self._reading = False
        if charset.lower() not in _UTF8:
            raise HTTPError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"the body's charset is {charset}; the SPARQL protocol takes UTF-8 only",
            )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"the body is not UTF-8: {err}") from None
        if media == FORM:
            for key, values in parse_qs(text, keep_blank_values=True).items():
                fields.setdefault(key, []).extend(values)
            return fields, None, media
        return fields, text, media

    @staticmethod
    def _one(fields: dict[str, list[str]], name: str) -> str | None:
        values = fields.get(name)
        if not values:
            return None
        if len(values) > 1:
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"give {name!r} once, not {len(values)} times")
        return values[0]

    # -- routes --

    def _sparql(self) -> None:
        if self.command not in ("GET", "POST"):
            self._not_allowed()
            return
        if self.command == "GET" and "update" in parse_qs(urlsplit(self.path).query):
            raise HTTPError(
                HTTPStatus.METHOD_NOT_ALLOWED,
                "an update is never sent by GET; POST it as application/sparql-update",
                {"Allow": "POST"},
            )
        fields, direct, media = self._fields()
        if self.command == "POST" and media not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
            raise HTTPError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"Content-Type {media or '(none)'} is not taken; POST {FORM} (query=…), "
                f"{SPARQL_QUERY} or {SPARQL_UPDATE}",
            )
        if self.command == "POST" and media != FORM and "query" in fields:
            raise HTTPError(
                HTTPStatus.BAD_REQUEST, f"a {media} body carries the query; no query= as well"
            )
        query = self._one(fields, "query")
        update = self._one(fields, "update")
        if media == SPARQL_QUERY:
            query = direct
        elif media == SPARQL_UPDATE:
            if query is not None or "update" in fields:
                raise HTTPError(HTTPStatus.BAD_REQUEST, "an update body takes no query= or update=")
            update = direct
        if query is not None and update is not None:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "give a query or an update, not both")
        if update is not None:
            self._update(update, fields)
            return
        if query is None:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "give the query as query=… or a body")
        for name in (USING_GRAPH_URI, USING_NAMED_GRAPH_URI):
            if name in fields:
                raise HTTPError(
                    HTTPStatus.BAD_REQUEST,
                    f"{name} is for updates; a query's dataset is given by {DEFAULT_GRAPH_URI} "
                    f"and {NAMED_GRAPH_URI}",
                )
        self._answer(query, {}, protocol_dataset(fields))

    def _update(self, text: str, fields: dict[str, list[str]]) -> None:
        if not self.settings.update:
            raise HTTPError(HTTPStatus.FORBIDDEN, "this server is read-only; updates are refused")
        check_size(text, "update")
        origin = self.headers.get("Origin")
        host = self.headers.get("Host") or ""
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            raise HTTPError(HTTPStatus.FORBIDDEN, "updates are taken only from this server's page")
        for name in (DEFAULT_GRAPH_URI, NAMED_GRAPH_URI):
            if name in fields:
                raise HTTPError(
                    HTTPStatus.BAD_REQUEST,
                    f"{name} is for queries; an update names its graphs with USING or WITH",
                )
        given = [n for n in (USING_GRAPH_URI, USING_NAMED_GRAPH_URI) if n in fields]
        if given:
            if any(
                t.kind == "word" and t.text.upper() in ("USING", "WITH") for t in tokens(text)
            ):
                raise HTTPError(
                    HTTPStatus.BAD_REQUEST,
                    f"{given[0]} and USING/WITH in the update both name its dataset; the SPARQL "
                    "protocol refuses that: give one or the other",
                )
            raise HTTPError(
                HTTPStatus.BAD_REQUEST,
                f"{given[0]} is not supported: name the graphs with USING, USING NAMED or WITH "
                "in the update itself",
            )
        with self.lock.writing():
            run_update(self.settings.store_path, text, self.settings.timeout, self._base_iri())
        self._send(HTTPStatus.NO_CONTENT, b"", "text/plain")

    def _answer(
        self, text: str, substitutions: Substitutions, dataset: Dataset | None = None
    ) -> None:
        check_size(text)  # first: nothing reads a query over the limit
        media, fmt = negotiate(self.headers.get("Accept"), query_kind(text))
        with self.lock.reading():
            answer = serve_query(
                self.settings.store_path,
                text,
                substitutions,
                fmt,
                self.settings.timeout,
                dataset,
                self._base_iri(),
            )
        self._send(HTTPStatus.OK, (answer.text + "\n").encode(), media)

    def _saved(self) -> None:
        if self.command not in ("GET", "POST"):
            self._not_allowed()
            return
        fields, direct, media = self._fields()
        if self.command == "POST" and media != FORM:
            raise HTTPError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"POST /saved takes {FORM}: name=… and the query's parameters",
            )
        del direct
        name = self._one(fields, "name")
        if not name or not re.fullmatch(r"[\w-]+", name):
            raise HTTPError(HTTPStatus.BAD_REQUEST, "give a saved query's name as name=…")
        saved = saved_query(name, QUERIES_DIR)
        specs = []
        for key in fields:
            if key == "name":
                continue
            value = self._one(fields, key)
            if value == "" and key in {p.name for p in saved.params}:
                continue  # an empty field leaves an optional parameter unbound
            specs.append(f"{key}={value}")
        substitutions = bind(
            specs, [p.name for p in saved.params], saved.required, f"saved query {saved.name!r}"
        )
        self._answer(saved.text, substitutions)

    def _queries(self) -> None:
        if self.command != "GET":
            self._not_allowed()
            return
        listing = [
            {
                "name": q.name,
                "title": q.title,
                "answers": q.answers,
                "columns": list(q.columns),
                "params": [
                    {
                        "name": p.name,
                        "description": p.description,
                        "example": p.example,
                        "optional": p.optional,
                    }
                    for p in q.params
                ],
                "text": q.text,
            }
            for q in saved_queries(QUERIES_DIR)
        ]
        body = json.dumps(listing, ensure_ascii=False, indent=1).encode()
        self._send(HTTPStatus.OK, body, "application/json")

    def _page(self) -> None:
        if self.command != "GET":
            self._not_allowed()
            return
        names = "".join(
            f"<li><code>{_html(q.name)}</code> — {_html(q.title)}</li>"
            for q in saved_queries(QUERIES_DIR)
        )
        page = PAGE.replace("<!--SAVED-->", names)
        self._send(
            HTTPStatus.OK,
            page.encode(),
            "text/html; charset=utf-8",
            {
                "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
                "style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; "
                "frame-ancestors 'none'",
            },
        )


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


# --- starting the server ---------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_server(
    store_path: str | Path,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    update: bool = False,
    cors: bool = False,
    idle_timeout: float = IDLE_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
) -> ThreadingHTTPServer:
    """A server bound to ``host:port`` (port 0 picks a free one), not yet serving.

    An address that cannot be listened on (a port in use, ``host:port`` given as the host, a
    name that is not this machine's) is a :class:`~kg.errors.KGError` saying what to do.
    """
    host = listen_address(host)
    if not 0 <= port <= 65535:
        raise KGError(f"--port must be from 0 to 65535 (0: any free port), not {port}")
    loopback = _is_loopback(host)
    limits = [
        check_timeout(value, option)
        for value, option in (
            (timeout, "--timeout"),
            (idle_timeout, "the idle timeout"),
            (read_timeout, "the read timeout"),
        )
    ]
    assert None not in limits
    settings = Settings(
        str(store_path), float(timeout), update, cors, loopback, idle_timeout, read_timeout
    )
    handler = type(
        "KGHandler",
        (Handler,),
        {"settings": settings, "lock": _ReadWriteLock(), "timeout": float(idle_timeout)},
    )
    try:
        server = (_IPv6Server if ":" in host else ThreadingHTTPServer)((host, port), handler)
    except OSError as err:
        raise KGError(_cannot_listen(host, port, err)) from err
    server.daemon_threads = True
    return server


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


_URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_WITH_PORT = re.compile(r"\[(?P<v6>[^\]]*)\]:(?P<v6port>\d+)|(?P<name>[^:\[\]]+):(?P<port>\d+)")
_EVERY_WAY = "--host 127.0.0.1 (this machine only) or --host 0.0.0.0 (every interface)"


def listen_address(host: str) -> str:
    """``host`` as an address to listen on: an IP address (an IPv6 one with or without
    brackets) or a host name. An address with a port, a URL or nothing is a
    :class:`~kg.errors.KGError` that says which options to give instead."""
    text = host.strip()
    if not text:
        raise KGError(f"--host is empty; give an address of this machine: {_EVERY_WAY}")
    if _URL.match(text):
        parts = urlsplit(text)
        try:
            port = parts.port
        except ValueError:
            port = None
        hint = f"--host {parts.hostname or '127.0.0.1'}" + (f" --port {port}" if port else "")
        raise KGError(f"--host takes an address, not a URL ({host}); use {hint}")
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    with suppress(ValueError):
        return str(ipaddress.ip_address(bare))
    m = _WITH_PORT.fullmatch(text)
    if m:
        name, port_text = (m["v6"], m["v6port"]) if m["v6port"] else (m["name"], m["port"])
        raise KGError(
            f"--host takes an address without a port, not {host}; "
            f"use --host {name} --port {port_text}"
        )
    return text


def _cannot_listen(host: str, port: int, err: OSError) -> str:
    """What to do when binding ``host:port`` failed with ``err``."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if isinstance(err, socket.gaierror):
        return (
            f"cannot listen on {host}: no such host name here ({err.strerror}); "
            f"give an address of this machine: {_EVERY_WAY}"
        )
    if err.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is in use (another kg serve?); "
            "choose another with --port, or --port 0 for any free one"
        )
    if err.errno == errno.EACCES:
        return (
            f"cannot listen on {where}: permission denied (ports below 1024 need "
            "privileges); choose a port from 1024 up with --port"
        )
    if err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return f"cannot listen on {host}: not an address of this machine; use {_EVERY_WAY}"
    return f"cannot listen on {where}: {err.strerror or err}"


def serve(
    store_path: str,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    update: bool = False,
    cors: bool = False,
) -> None:
    """Serve the store until interrupted (Ctrl-C)."""
    host = listen_address(host)  # a wrong --host is said before anything else
    if not Path(store_path).is_dir():
        raise KGError(f"no store at {store_path}; build one with kg build")
    check_timeout(timeout)
    why = sandbox.probe()
    if why is not None and sandbox.required():
        raise sandbox.SandboxUnavailable(
            f"queries cannot be run off the network here ({why}), and "
            f"{sandbox.REQUIRE_ENV}=require"
        )
    server = make_server(store_path, host, port, timeout=timeout, update=update, cors=cors)
    if not _is_loopback(host):
        print(
            f"warning: serving on {host}, reachable from other machines; anyone who can reach "
            f"it can query the store{' and change it' if update else ''}",
            file=sys.stderr,
        )
    shown = f"[{host}]" if ":" in host else host
    print(
        f"serving {store_path} at http://{shown}:{server.server_port}/ (SPARQL at /sparql; "
        f"{'updates allowed' if update else 'read-only'}); Ctrl-C stops",
        file=sys.stderr,
    )
    if why is None:
        print("queries and updates run in processes with no network access", file=sys.stderr)
    else:
        sandbox.warn_once(why)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>policy-kg SPARQL</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; max-width: 70em; }
textarea { width: 100%; height: 14em; font-family: monospace; font-size: 0.9em; }
table { border-collapse: collapse; margin-top: 1em; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.5em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
#params label { display: block; margin: 0.3em 0; }
#params input { width: 30em; }
#status { margin-left: 1em; color: #555; }
.error { color: #a00; white-space: pre-wrap; font-family: monospace; }
pre { background: #f7f7f7; padding: 0.5em; overflow: auto; }
</style>
</head>
<body>
<h1>policy-kg SPARQL</h1>
<p>
  <label>Saved query:
    <select id="saved"><option value="">(write your own)</option></select>
  </label>
  <span id="answers"></span>
</p>
<div id="params"></div>
<textarea id="query" spellcheck="false">SELECT ?name
WHERE { ?r a kg:Region ; skos:prefLabel ?name }
ORDER BY ?name LIMIT 20</textarea>
<p><button id="run">Run</button><span id="status"></span></p>
<div id="result"></div>
<details><summary>Saved queries</summary><ul><!--SAVED--></ul></details>
<script>
"use strict";
let saved = [];
const $ = (id) => document.getElementById(id);

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function chosen() {
  const name = $("saved").value;
  return saved.find((q) => q.name === name);
}

function showParams() {
  const q = chosen();
  const box = $("params");
  box.replaceChildren();
  $("answers").textContent = q ? q.answers : "";
  if (!q) return;
  $("query").value = q.text;
  for (const p of q.params) {
    const label = el("label", p.name + (p.optional ? " (optional)" : "") + ": ");
    const input = el("input");
    input.name = p.name;
    input.placeholder = p.description;
    if (p.example && !p.optional) input.value = p.example;
    label.appendChild(input);
    box.appendChild(label);
  }
}

function table(data) {
  const vars = data.head.vars || [];
  const t = el("table");
  const head = el("tr");
  for (const v of vars) head.appendChild(el("th", v));
  t.appendChild(head);
  for (const row of data.results.bindings) {
    const tr = el("tr");
    for (const v of vars) tr.appendChild(el("td", row[v] ? row[v].value : ""));
    t.appendChild(tr);
  }
  return t;
}

async function run() {
  const q = chosen();
  const body = new URLSearchParams();
  let url = "sparql";
  if (q && $("query").value === q.text) {
    url = "saved";
    body.append("name", q.name);
    for (const input of $("params").querySelectorAll("input")) {
      body.append(input.name, input.value);
    }
  } else {
    body.append("query", $("query").value);
  }
  const out = $("result");
  out.replaceChildren();
  $("status").textContent = "running…";
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      body: body,
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"},
    });
    const text = await response.text();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      $("status").textContent = response.status + " " + response.statusText;
      out.appendChild(el("div", text)).className = "error";
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(text);
      if ("boolean" in data) {
        out.appendChild(el("p", "answer: " + data.boolean));
        $("status").textContent = seconds + " s";
      } else {
        out.appendChild(table(data));
        $("status").textContent = data.results.bindings.length + " rows, " + seconds + " s";
      }
    } else {
      out.appendChild(el("pre", text));
      $("status").textContent = seconds + " s";
    }
  } catch (err) {
    $("status").textContent = "failed";
    out.appendChild(el("div", String(err))).className = "error";
  }
}

$("saved").addEventListener("change", showParams);
$("run").addEventListener("click", run);
fetch("queries").then((r) => r.json()).then((list) => {
  saved = list;
  for (const q of list) {
    const option = el("option", q.name + " — " + q.title);
    option.value = q.name;
    $("saved").appendChild(option);
  }
});
</script>
</body>
</html>
"""
