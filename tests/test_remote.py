"""Remote stores: ``kg build``, ``kg query``, ``kg stats`` and ``kg export`` with ``--endpoint``
against two real SPARQL servers started on loopback (tests/servers.py): the Oxigraph server and
Virtuoso 7. Every answer must equal the embedded store's, query for query; partial answers
(row caps, server time limits) must be refused, never printed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.graph.iris import report_graph_iri
from kg.query.saved import saved_queries
from kg.remote import (
    Endpoint,
    IncompleteAnswer,
    RemoteError,
    RemoteStore,
    Response,
    as_boolean,
    declare_prefixes,
)
from kg.store import rdflib_term
from tests.servers import Server, free_port, oxigraph_server, virtuoso_server

pytestmark = pytest.mark.slow  # see CONTRIBUTING.md: make check leaves these out

ROOT = Path(__file__).resolve().parent.parent
SAVED = [q.name for q in saved_queries()]
CROSS_WHERE = "{ ?x a kg:Outcome . ?y a kg:Mention }"
CROSS = f"SELECT ?x ?y WHERE {CROSS_WHERE}"  # outcomes × mentions: 193 × 366 = 70,638 rows
CROSS_GRAPH = "CONSTRUCT { ?x kg:near ?y } WHERE { ?x a kg:Outcome . ?y a kg:Mention }"


def kg(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    """A fresh server of each kind, with the shipped corpus built into it by ``kg build``."""
    workdir = tmp_path_factory.mktemp(request.param)
    start = oxigraph_server if request.param == "oxigraph" else virtuoso_server
    with start(workdir) as srv:
        result = kg("build", str(ROOT / "corpus"), *srv.options(), env=srv.env)
        assert result.exit_code == 0, result.output
        assert "5 built, 0 replaced, 0 unchanged, 0 removed, 0 failed" in result.output
        yield srv


def _params(name: str) -> list[str]:
    query = next(q for q in saved_queries() if q.name == name)
    args: list[str] = []
    for p in query.params:
        if p.example and not p.optional:
            args += ["--param", f"{p.name}={p.example}"]
    return args


def _rows(output: str) -> list[str]:
    """SPARQL results JSON as a sorted list of canonical rows (order-insensitive compare).
    GROUP_CONCAT lists (", "- or "; "-joined) are sorted too: SPARQL leaves their order to the
    engine (Virtuoso sorts them, Oxigraph keeps the order it met them in)."""
    data = json.loads(output)
    rows = []
    for binding in data["results"]["bindings"]:
        for term in binding.values():
            for separator in (", ", "; "):
                if term["type"] == "literal" and separator in term["value"]:
                    term["value"] = separator.join(sorted(term["value"].split(separator)))
        rows.append(json.dumps(binding, sort_keys=True, ensure_ascii=False))
    return sorted(rows)


@pytest.mark.parametrize("name", SAVED)
def test_every_saved_query_answers_as_the_embedded_store(
    server: Server, corpus_store_path: Path, name: str
) -> None:
    local = kg("query", name, *_params(name), "--store", str(corpus_store_path), "--format", "json")
    remote = kg("query", name, *_params(name), *server.options(), "--format", "json",
                env=server.env)
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert _rows(remote.output) == _rows(local.output)
    assert _rows(local.output), f"{name} answered nothing on the corpus; the test proves little"


def test_ask_construct_and_csv_answer_as_the_embedded_store(
    server: Server, corpus_store_path: Path
) -> None:
    cases = [
        ("ASK { ?r a kg:Report ; kg:region ?g }", "table"),
        ("ASK { ?r a kg:Nothing }", "json"),
        ("CONSTRUCT { ?r skos:prefLabel ?n } WHERE { ?r a kg:Region ; skos:prefLabel ?n }", "nt"),
        # (one language: ORDER BY across language tags is left to the engine)
        ('SELECT ?n WHERE { ?r a kg:Region ; skos:prefLabel ?n FILTER(LANG(?n) = "zh") } '
         "ORDER BY ?n", "csv"),
        ("SELECT ?v ?a WHERE { ?o a kg:Outcome ; kg:value ?v ; kg:approximate ?a } "
         "ORDER BY ?o LIMIT 20", "json"),
    ]
    for text, fmt in cases:
        local = kg("query", text, "--store", str(corpus_store_path), "--format", fmt)
        remote = kg("query", text, *server.options(), "--format", fmt, env=server.env)
        assert remote.exit_code == 0, remote.output
        if fmt == "nt":
            assert sorted(remote.output.splitlines()) == sorted(local.output.splitlines())
        else:
            assert remote.output == local.output


def test_stats_are_the_embedded_stores(server: Server, corpus_store_path: Path) -> None:
    local = kg("stats", "--store", str(corpus_store_path), "--format", "json")
    remote = kg("stats", *server.options(), "--format", "json", env=server.env)
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.output) == json.loads(local.output)
    assert json.loads(remote.output)["triples"] > 8000


_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
_NON_NEGATIVE = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")


def _by_graph(path: Path, fmt: ox.RdfFormat) -> dict[str, Graph]:
    """The file's statements as one rdflib graph per named graph (blank nodes compared by
    isomorphism: the ontology has OWL restrictions).

    NIF offsets are written as xsd:nonNegativeInteger: Virtuoso keeps that datatype, Oxigraph
    stores them as xsd:integer (same value). They are compared as xsd:integer."""
    graphs: dict[str, Graph] = {}
    for statement in ox.parse(path=str(path), format=fmt):
        name = str(getattr(statement, "graph_name", ""))
        terms = (statement.subject, statement.predicate, statement.object)
        s, p, o = (rdflib_term(t) for t in terms)
        if isinstance(o, Literal) and o.datatype == _NON_NEGATIVE:
            o = Literal(str(o), datatype=_INTEGER)
        graphs.setdefault(name, Graph()).add((s, p, o))
    return graphs


def test_rdf_and_view_exports_are_the_embedded_stores(
    server: Server, corpus_store_path: Path, tmp_path: Path
) -> None:
    for fmt in ("nq", "nt"):
        local, remote = tmp_path / f"local.{fmt}", tmp_path / f"remote.{fmt}"
        assert kg("export", "--store", str(corpus_store_path), "--format", fmt,
                  "-o", str(local)).exit_code == 0
        result = kg("export", *server.options(), "--format", fmt, "-o", str(remote),
                    env=server.env)
        assert result.exit_code == 0, result.output
        fmt_ox = ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.N_TRIPLES
        got, expected = _by_graph(remote, fmt_ox), _by_graph(local, fmt_ox)
        assert sorted(got) == sorted(expected)
        for name, graph in expected.items():
            assert isomorphic(got[name], graph), name
        assert sum(len(g) for g in got.values()) > 8000
    for view in ("citations", "institutions"):
        local, remote = tmp_path / f"{view}-l.graphml", tmp_path / f"{view}-r.graphml"
        assert kg("export", "--store", str(corpus_store_path), "--view", view,
                  "-o", str(local)).exit_code == 0
        result = kg("export", *server.options(), "--view", view, "-o", str(remote),
                    env=server.env)
        assert result.exit_code == 0, result.output
        assert remote.read_bytes() == local.read_bytes()


def test_caps_on_answers_are_refused_not_printed(server: Server) -> None:
    """Virtuoso caps answers at ResultSetMaxRows (10,000 in deploy/virtuoso.ini) and says so
    only for SELECT; a capped CONSTRUCT comes back as 200 with 10,000 triples. Neither may be
    printed. The Oxigraph server has no cap: the same queries answer whole."""
    count = kg("query", f"SELECT (COUNT(*) AS ?n) WHERE {CROSS_WHERE}", *server.options(),
               "--format", "csv", env=server.env)
    cross = int(count.output.splitlines()[1])  # one row: below any cap
    assert cross > 10_000
    for text, fmt, whole in ((CROSS, "csv", cross + 1), (CROSS_GRAPH, "nt", cross)):
        result = CliRunner().invoke(
            cli, ["query", text, *server.options(), "--format", fmt], env=server.env
        )
        if server.name == "virtuoso":
            assert result.exit_code == 1
            assert "caps answers at 10,000 rows" in result.output
            assert "ResultSetMaxRows" in result.output
            assert result.output.startswith("Error: ")
            assert "Traceback" not in result.output
        else:
            assert result.exit_code == 0, result.output
            assert len(result.output.splitlines()) == whole


def test_rebuild_skips_and_a_changed_report_replaces_its_graph(
    server: Server, tmp_path: Path, corpus_store_path: Path
) -> None:
    again = kg("build", str(ROOT / "corpus"), *server.options(), env=server.env)
    assert "0 built, 0 replaced, 5 unchanged" in again.output, again.output
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    changed = sorted(corpus.glob("*.txt"))[0]
    added = "\n县政府印发了《关于加强行政规范性文件备案审查的实施意见》。\n"
    changed.write_text(changed.read_text(encoding="utf-8") + added, encoding="utf-8")
    store = RemoteStore(Endpoint.from_options(server.query, environ=server.env))
    graph = report_graph_iri(changed.name)
    before = store.triples_in(graph)
    result = kg("build", str(corpus), *server.options(), env=server.env)
    assert "0 built, 1 replaced, 4 unchanged" in result.output, result.output
    assert store.triples_in(graph) > before
    # back to the shipped corpus: same graph as the embedded store's again
    assert "1 replaced" in kg("build", str(ROOT / "corpus"), *server.options(),
                              env=server.env).output
    assert store.triples_in(graph) == before


def test_a_failed_load_leaves_the_previous_graph(server: Server) -> None:
    store = RemoteStore(Endpoint.from_options(server.query, environ=server.env))
    before = len(store)
    base = server.graph_store.rsplit("/", 1)[0]
    bad_env = dict(server.env)
    if server.name == "virtuoso":  # the wrong password: every write is refused (401)
        bad_env["KG_ENDPOINT_PASSWORD"] = "wrong"
        options = server.options()
    else:  # a Graph Store URL that is not one (404)
        options = [*server.options(graph_store=False), "--graph-store", f"{base}/no-such-service"]
    result = CliRunner().invoke(
        cli, ["build", str(ROOT / "corpus"), *options, "--force"], env=bad_env
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    assert len(store) == before
    assert kg("build", str(ROOT / "corpus"), *server.options(), env=server.env).exit_code == 0


# --- servers' own ways of cutting answers short -----------------------------------------------


def test_an_oxigraph_server_timeout_is_refused(tmp_path: Path) -> None:
    """The Oxigraph server answers 200 OK, starts the body, and on its --timeout-s appends
    "The SPARQL operation has been cancelled": that is an error for kg, not an answer."""
    with oxigraph_server(tmp_path, "--timeout-s", "1", "--union-default-graph") as srv:
        assert kg("build", str(ROOT / "corpus"), *srv.options()).exit_code == 0
        # a 3-way cross join of the corpus: the server gives up after 1 s (measured: ~9 s, its
        # checks are coarse), long before kg's own --timeout
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        result = CliRunner().invoke(
            cli, ["query", runaway, *srv.options(), "--format", "csv", "--timeout", "300"]
        )
    assert result.exit_code == 1
    assert "stopped the query part-way" in result.output
    assert "cancelled" in result.output
    assert "Traceback" not in result.output


def test_virtuoso_anytime_answers_are_refused() -> None:
    """Headers as Virtuoso 7.2 sends them with an "anytime" (partial) answer."""
    headers = Message()
    headers["Content-Type"] = "application/sparql-results+json"
    headers["X-SQL-State"] = "S1TAT"
    headers["X-SQL-Message"] = "RC...: Returning incomplete results, query interrupted by result"
    store = RemoteStore(Endpoint("http://127.0.0.1:1/sparql"))
    body = b'{"head":{"vars":["n"]},"results":{"bindings":[]}}'
    with pytest.raises(IncompleteAnswer, match="X-SQL-State S1TAT"):
        store._refuse_partial(Response(200, headers, body), "the query")


def test_virtuoso_ask_shape_is_a_boolean() -> None:
    """Virtuoso 7.2 answers ASK as rows of __ASK_RETVAL: one row with 1, or none."""
    true = b'{"head":{"vars":["__ASK_RETVAL"]},"results":{"bindings":[{"__ASK_RETVAL":' \
        b'{"type":"typed-literal","datatype":"http://www.w3.org/2001/XMLSchema#integer",' \
        b'"value":"1"}}]}}'
    false = b'{"head":{"vars":["__ASK_RETVAL"]},"results":{"bindings":[]}}'
    for body, expected in ((true, True), (false, False)):
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        assert bool(as_boolean(parsed)) is expected


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--endpoint", "ftp://example.org/sparql"], {}, "is not an http:// or https:// URL"),
        (["--endpoint", "file:///etc/passwd"], {}, "is not an http:// or https:// URL"),
        (["--endpoint", "http://dba:pw@127.0.0.1:8890/sparql"], {}, "must not hold credentials"),
        (["--endpoint", "http://127.0.0.1:8890/sparql", "--store", "x"], {}, "not both"),
        (["--graph-store", "http://127.0.0.1:8890/store"], {}, "go with --endpoint"),
        (["--endpoint", "http://127.0.0.1:8890/sparql"], {"KG_ENDPOINT_PASSWORD": "x"},
         "KG_ENDPOINT_USER is not"),
    ],
)
def test_bad_endpoint_options(args: list[str], env: dict[str, str], message: str) -> None:
    result = CliRunner().invoke(cli, ["stats", *args], env=env)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert message in result.output


def test_an_unreachable_server_is_a_clear_error() -> None:
    port = free_port()  # nothing listens there
    for command in (["stats"], ["query", "report-summary"], ["build", str(ROOT / "corpus")]):
        result = CliRunner().invoke(
            cli, [*command, "--endpoint", f"http://127.0.0.1:{port}/sparql"]
        )
        assert result.exit_code == 1, command
        assert f"cannot reach the SPARQL server at http://127.0.0.1:{port}/sparql" in result.output
        assert "Traceback" not in result.output


def test_prefixes_are_declared_once() -> None:
    text = declare_prefixes("PREFIX kg: <http://example.org/other#>\nSELECT * WHERE { ?s ?p ?o }")
    assert text.count("PREFIX kg:") == 1
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in text
    with pytest.raises(RemoteError):
        Endpoint.from_options("http://127.0.0.1:1/q", environ={"KG_ENDPOINT_PASSWORD": "x"})
