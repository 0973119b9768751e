"""``kg serve``: the SPARQL 1.1 Protocol endpoint, its limits, refusals, page and saved queries."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from kg.serve import MAX_BODY, make_server, negotiate, query_kind
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
REGIONS = "SELECT ?name WHERE { ?r a kg:Region ; skos:prefLabel ?name } ORDER BY ?name"
HUIAN = "惠安县"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CONSTRUCT = "CONSTRUCT { ?r skos:prefLabel ?name } WHERE { ?r a kg:Region ; skos:prefLabel ?name }"
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> str:
    return str(corpus_store_path)


def _start(store: str, **options: object) -> Iterator[str]:
    server = make_server(store, "127.0.0.1", 0, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def url(store: str) -> Iterator[str]:
    yield from _start(store, timeout=30)


@pytest.fixture(scope="module")
def slow_url(store: str) -> Iterator[str]:
    yield from _start(store, timeout=1)


@pytest.fixture(scope="module")
def cors_url(store: str) -> Iterator[str]:
    yield from _start(store, cors=True)


def fetch(
    address: str,
    data: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], str]:
    body = data.encode() if isinstance(data, str) else data
    request = urllib.request.Request(address, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def get(base: str, query: str, accept: str | None = None) -> tuple[int, dict[str, str], str]:
    headers = {"Accept": accept} if accept else {}
    return fetch(f"{base}/sparql?query={quote(query)}", headers=headers)


def form(
    base: str, fields: dict[str, str], path: str = "/sparql", **headers: str
) -> tuple[int, dict[str, str], str]:
    return fetch(
        base + path,
        urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded", **headers},
    )


# --- the protocol ----------------------------------------------------------------------------


def test_get_form_and_direct_post_give_the_same_json(url: str) -> None:
    by_get = get(url, REGIONS)
    by_form = form(url, {"query": REGIONS})
    by_body = fetch(url + "/sparql", REGIONS, {"Content-Type": "application/sparql-query"})
    for status, headers, _ in (by_get, by_form, by_body):
        assert status == 200
        assert headers["Content-Type"].startswith(JSON_RESULTS)
    assert by_get[2] == by_form[2] == by_body[2]
    data = json.loads(by_get[2])
    assert data["head"]["vars"] == ["name"]
    assert HUIAN in {b["name"]["value"] for b in data["results"]["bindings"]}


def test_accept_variants(url: str) -> None:
    status, headers, text = get(url, REGIONS, "application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")
    names = [
        e.text for e in ET.fromstring(text).iter("{http://www.w3.org/2005/sparql-results#}literal")
    ]
    assert HUIAN in names

    status, headers, text = get(url, REGIONS, "text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name"] and [HUIAN] in rows

    status, headers, text = get(url, REGIONS, "text/tab-separated-values")
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    assert text.splitlines()[0] == "?name" and f'"{HUIAN}"' in text

    status, headers, text = get(url, REGIONS, "text/html;q=0.9, text/csv;q=0.5, */*;q=0.1")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")

    status, headers, text = get(url, CONSTRUCT)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert HUIAN in text and "prefLabel" in text

    status, headers, text = get(url, CONSTRUCT, "application/n-triples")
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert f'"{HUIAN}"' in text

    status, headers, text = get(url, CONSTRUCT, "application/ld+json")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert HUIAN in text and json.loads(text)

    status, headers, text = get(url, "ASK { ?r a kg:Region }")
    assert status == 200 and json.loads(text) == {"head": {}, "boolean": True}


def test_not_acceptable_is_406(url: str) -> None:
    status, _, text = get(url, REGIONS, "text/turtle")
    assert status == 406 and "text/csv" in text
    status, _, _ = get(url, CONSTRUCT, JSON_RESULTS)
    assert status == 406
    status, _, _ = get(url, REGIONS, "text/csv;q=0")
    assert status == 406


def test_negotiation_unit() -> None:
    assert negotiate(None, "select") == (JSON_RESULTS, "json")
    assert negotiate("*/*", "graph") == ("text/turtle", "ttl")
    assert negotiate("text/*", "select") == ("text/csv", "csv")
    assert negotiate("application/*;q=0.5, text/tab-separated-values", "select")[1] == "tsv"
    assert query_kind("PREFIX ex: <http://ask.example/select#> CONSTRUCT {} WHERE {}") == "graph"
    assert query_kind("# SELECT\nASK {}") == "ask"


def test_bad_requests_are_400(url: str) -> None:
    status, _, text = fetch(f"{url}/sparql?query={quote('ASK {}')}&query={quote('ASK {}')}")
    assert status == 400 and "once" in text

    status, headers, text = get(url, "SELECT ?x WHERE { ?x ?y }")
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert "syntax error" in text

    status, _, text = get(
        url, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    )
    assert status == 400 and "SERVICE" in text

    status, _, text = get(url, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert status == 400 and "file:///etc/passwd" in text

    status, _, text = fetch(url + "/sparql")
    assert status == 400


def test_wrong_content_type_is_415(url: str) -> None:
    status, _, text = fetch(url + "/sparql", REGIONS, {"Content-Type": "text/plain"})
    assert status == 415 and "application/sparql-query" in text


def test_too_big_a_body_is_413(url: str) -> None:
    body = "query=" + "A" * (MAX_BODY + 10)
    status, _, text = fetch(
        url + "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 413 and "limit" in text


def test_updates_are_refused_on_a_read_only_server(url: str) -> None:
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    status, headers, _ = fetch(f"{url}/sparql?update={quote(update)}")
    assert status == 405 and "POST" in headers["Allow"]
    status, _, text = form(url, {"update": update})
    assert status == 403 and "read-only" in text
    status, _, _ = fetch(url + "/sparql", update, {"Content-Type": "application/sparql-update"})
    assert status == 403
    status, _, text = get(url, update)  # an update sent as a query
    assert status == 400 and "INSERT" in text
    status, _, _ = fetch(url + "/sparql", b"", method="PUT")
    assert status == 405


# --- limits ----------------------------------------------------------------------------------


def test_a_runaway_query_is_stopped_with_503(slow_url: str) -> None:
    started = time.monotonic()
    status, headers, text = get(slow_url, RUNAWAY)
    assert status == 503
    assert headers["Content-Type"].startswith("text/plain") and "longer than 1 s" in text
    assert time.monotonic() - started < 10


def test_a_slow_query_does_not_block_a_quick_one(slow_url: str) -> None:
    results: list[int] = []
    slow = threading.Thread(target=lambda: results.append(get(slow_url, RUNAWAY)[0]))
    slow.start()
    time.sleep(0.2)
    started = time.monotonic()
    status, _, text = get(slow_url, "ASK {}")
    elapsed = time.monotonic() - started
    slow.join()
    assert status == 200 and json.loads(text)["boolean"] is True
    assert elapsed < 1.0
    assert results == [503]


# --- the page and saved queries --------------------------------------------------------------


def test_the_page_lists_the_saved_queries(url: str) -> None:
    status, headers, text = fetch(url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<textarea" in text and "cited-where" in text and "region-cites" in text
    assert "http://" not in text.replace("http://www.w3.org", "")  # no external resources
    status, headers, text = fetch(url + "/queries")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    listing = {q["name"]: q for q in json.loads(text)}
    assert listing["cited-where"]["params"][0]["name"] == "title"


def test_a_saved_query_with_parameters(url: str) -> None:
    status, _, text = form(url, {"name": "cited-where", "title": "法治政府建设实施纲要"}, "/saved")
    assert status == 200, text
    bindings = json.loads(text)["results"]["bindings"]
    assert "保定市" in {b["region"]["value"] for b in bindings}

    status, _, text = form(url, {"name": "cited-where", "nope": "x"}, "/saved")
    assert status == 400 and "nope" in text
    status, _, text = form(url, {"name": "no-such-query"}, "/saved")
    assert status == 400 and "cited-where" in text


def test_unknown_path_is_404(url: str) -> None:
    assert fetch(url + "/etc/passwd")[0] == 404


def test_foreign_host_header_is_refused(url: str) -> None:
    status, _, _ = fetch(f"{url}/sparql?query={quote('ASK {}')}", headers={"Host": "evil.example"})
    assert status == 403


# --- CORS ------------------------------------------------------------------------------------


def test_cors_only_when_asked(url: str, cors_url: str) -> None:
    _, headers, _ = get(url, "ASK {}")
    assert "Access-Control-Allow-Origin" not in headers
    assert fetch(url + "/sparql", method="OPTIONS")[0] == 405

    _, headers, _ = get(cors_url, "ASK {}")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = fetch(
        cors_url + "/sparql",
        method="OPTIONS",
        headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Origin"] == "*"


# --- updates, when allowed -------------------------------------------------------------------


def test_updates_when_allowed(tmp_path: Path) -> None:
    where = tmp_path / "store"
    with open_store(where):
        pass
    ask = "ASK { <urn:a> <urn:b> ?o }"
    for base in _start(str(where), update=True, timeout=30):
        assert json.loads(get(base, ask)[2])["boolean"] is False
        status, _, text = fetch(
            base + "/sparql",
            "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            {"Content-Type": "application/sparql-update"},
        )
        assert status == 204, text
        assert json.loads(get(base, ask)[2])["boolean"] is True

        status, _, text = form(base, {"update": "DELETE DATA { <urn:a> <urn:b> <urn:c> }"})
        assert status == 204, text
        assert json.loads(get(base, ask)[2])["boolean"] is False

        status, _, _ = fetch(f"{base}/sparql?update={quote('CLEAR ALL')}")
        assert status == 405
        status, _, text = form(base, {"update": "LOAD <http://example.org/data.ttl>"})
        assert status == 400 and "LOAD" in text
        status, _, text = form(base, {"update": "INSERT DATA { <urn:a> }"})
        assert status == 400 and "syntax error" in text
        status, _, text = form(base, {"update": "CLEAR ALL"}, Origin="http://evil.example")
        assert status == 403
        status, _, text = form(base, {"query": "ASK {}", "update": "CLEAR ALL"})
        assert status == 400
