"""``kg serve`` under steady load: 4 clients on loopback for 60 seconds, no errors, flat memory.

The clients mix the saved queries' kinds of work (a filtered SELECT, an aggregate, ASK, a
CONSTRUCT) as a notebook or Gephi's SPARQL import would. The server runs in this process (one
child process per query), so this process's resident memory is the server's; it is read after
a warm-up and at the end. Latencies are printed (``pytest -s``) for the closing notes.
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.serve import make_server

pytestmark = pytest.mark.slow  # see CONTRIBUTING.md: make check leaves these out

SOAK_SECONDS = 60
CLIENTS = 4
QUERIES = (
    "SELECT ?name WHERE { ?r a kg:Region ; skos:prefLabel ?name } ORDER BY ?name",
    "SELECT ?doc (COUNT(?c) AS ?n) WHERE { ?c kg:citedDocument ?doc } GROUP BY ?doc",
    "ASK { ?r a kg:Report }",
    "CONSTRUCT { ?r skos:prefLabel ?n } WHERE { ?r a kg:Region ; skos:prefLabel ?n }",
)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


@pytest.fixture(scope="module")
def url(corpus_store_path: Path) -> Iterator[str]:
    server = make_server(str(corpus_store_path), "127.0.0.1", 0, timeout=30)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def ask(url: str, query: str) -> int:
    data = urlencode({"query": query}).encode()
    with urllib.request.urlopen(url, data=data, timeout=30) as response:
        response.read()
        return int(response.status)


def client(url: str, until: float, latencies: list[float], errors: list[str], n: int) -> None:
    i = n
    while time.monotonic() < until:
        query = QUERIES[i % len(QUERIES)]
        i += 1
        started = time.monotonic()
        try:
            status = ask(url, query)
            if status != 200:
                errors.append(f"HTTP {status}")
        except Exception as err:  # every failure counts, whatever its kind
            errors.append(f"{type(err).__name__}: {err}")
        latencies.append(time.monotonic() - started)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_four_clients_for_a_minute(url: str) -> None:
    for query in QUERIES * 3:  # warm-up: imports, caches, the first children
        assert ask(url, query) == 200
    before = rss_mib()
    latencies: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + SOAK_SECONDS
    threads = [
        threading.Thread(target=client, args=(url, until, latencies, errors, n))
        for n in range(CLIENTS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = rss_mib()
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"\nsoak: {CLIENTS} clients, {SOAK_SECONDS} s, {len(latencies)} requests, "
        f"{len(errors)} errors, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"server RSS {before:.1f} -> {after:.1f} MiB"
    )
    assert errors == []
    assert len(latencies) > 100
    assert after - before < 30, f"server memory grew from {before:.1f} to {after:.1f} MiB"
