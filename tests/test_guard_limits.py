"""Limits around query checking and kg serve: nesting the depth count cannot miss, a child that
dies anyway, time limits that are not numbers, a guard linear in the query's length that stalls
no other client, and connections that idle or trickle."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query.guard import MAX_NESTING, QueryRefused, blank_out, check_query
from kg.serve import make_server, query_kind
from tests.servers import kg_serve_thread

DEEP = 5000
#: Nesting that a count over text patterns missed, or that lives in expressions.
DEEP_QUERIES = [
    ("parentheses inside <…> in a FILTER",
     "SELECT * WHERE { ?x ?p ?y FILTER(?x<" + "(" * DEEP + "1" + ")" * DEEP + "&&?y>3) }"),
    ("expression parentheses",
     "SELECT * WHERE { FILTER(" + "(" * DEEP + "1" + ")" * DEEP + ") }"),
    ("braces behind closing brackets in strings",
     "SELECT * WHERE " + '{ ?s ?p ")))}}}" . ' * 1000 + "}" * 1000),
    ("blank node property lists", "SELECT * WHERE { ?s ?p " + "[ ?p " * DEEP + "1" + " ]" * DEEP
     + " }"),
    ("collections", "SELECT * WHERE { ?s ?p " + "( " * DEEP + "1" + " )" * DEEP + " }"),
    ("triple terms", "SELECT * WHERE { ?s ?p " + "<< ?s ?p " * DEEP + "1" + " >>" * DEEP
     + " }"),
    ("after an unterminated string",
     "SELECT * WHERE { ?s ?p '''" + "{" * DEEP + " }"),
    ("escaped brackets", "SELECT * WHERE { FILTER(" + "\\u0028" * DEEP + "1" + ")" * DEEP
     + ") }"),
]
DEEP_IDS = [name for name, _ in DEEP_QUERIES]


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> str:
    return str(corpus_store_path)


@pytest.fixture(scope="module")
def url(store: str) -> Iterator[str]:
    yield from kg_serve_thread(store, timeout=30)


def fetch(address: str, data: bytes | None = None, headers: dict[str, str] | None = None
          ) -> tuple[int, str]:
    request = urllib.request.Request(address, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


# --- nesting ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("text", [q for _, q in DEEP_QUERIES], ids=DEEP_IDS)
def test_deep_nesting_is_refused_with_a_message(text: str, store: str, url: str) -> None:
    with pytest.raises(QueryRefused, match="nests"):
        check_query(text)
    code, out = kg("query", text, "--store", store, "--format", "json")
    assert code == 1 and out.startswith("Error: ") and "nests" in out, out[:300]
    direct = {"Content-Type": "application/sparql-query"}
    status, body = fetch(f"{url}/sparql", text.encode(), direct)
    assert status == 400 and "nests" in body, body[:300]


def test_nesting_up_to_the_limit_still_runs(store: str) -> None:
    text = "SELECT ?n WHERE { BIND(" + "(" * (MAX_NESTING - 3) + "1" + ")" * (MAX_NESTING - 3) \
        + " AS ?n) }"
    code, out = kg("query", text, "--store", store, "--format", "csv")
    assert code == 0 and out.splitlines() == ["n", "1"], out


def _segfault(conn: Connection) -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_child_that_dies_is_a_clear_error() -> None:
    import multiprocessing as mp

    from kg.query.run import ChildDied, run_in_child

    with pytest.raises(ChildDied, match="killed by SIGSEGV before it answered"):
        run_in_child(mp.get_context("fork"), _segfault, (), 30, "query")


# --- time limits that are not numbers --------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e308", "1e12"])
def test_timeout_must_be_a_finite_number(value: str, store: str) -> None:
    code, out = kg("query", "ASK {}", "--store", store, f"--timeout={value}")
    assert code != 0 and "Traceback" not in out
    assert out.startswith("Error: ") or "Invalid value for '--timeout'" in out, out
    code, out = kg("serve", "--store", store, "--port", "0", f"--timeout={value}")
    assert code != 0 and "Traceback" not in out
    assert out.startswith("Error: ") or "Invalid value for '--timeout'" in out, out


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0, 0.0, 1e308])
def test_make_server_refuses_a_timeout_that_is_not_a_positive_number(
    value: float, store: str
) -> None:
    from kg.errors import KGError

    with pytest.raises(KGError, match=r"positive, finite number|the most is"):
        make_server(store, "127.0.0.1", 0, timeout=value)


# --- linear, size first, no stall ------------------------------------------------------------

HOSTILE = ["<" * 65_000, "'''" + "a" * 65_000, '"' * 65_000, "\\" * 65_000,
           "'" * 65_000, "#" + "<" * 65_000, "ex:" + "\\#" * 32_000, "<a" * 32_000]


@pytest.mark.slow
@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:6]) for t in HOSTILE])
def test_the_request_thread_reads_a_hostile_query_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    query_kind(text)
    blank_out(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:6]) for t in HOSTILE])
def test_the_guard_is_fast_on_a_hostile_query(text: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(QueryRefused):
        check_query(text)
    assert time.perf_counter() - started < 5.0


def test_an_oversized_query_is_refused_first(url: str) -> None:
    started = time.perf_counter()
    status, body = fetch(
        f"{url}/sparql", ("<" * 100_000).encode(), {"Content-Type": "application/sparql-query"}
    )
    assert status == 400 and "characters long" in body
    assert time.perf_counter() - started < 2.0


@pytest.mark.slow
def test_a_slow_check_stalls_no_other_client(url: str) -> None:
    """While a big query (64 KB, about a second or more to parse) is checked, a small one is
    answered: the check runs in the query's own process, not in the server's threads."""
    big = "SELECT * WHERE {\n" + "".join(
        f'  ?s{i} <http://example.org/p{i}> "v{i}" .\n' for i in range(1500)
    ) + "}"
    big = big[: 64 * 1024 - 2] + "}" if len(big) > 64 * 1024 else big
    done: list[float] = []

    def send_big() -> None:
        fetch(f"{url}/sparql", big.encode(), {"Content-Type": "application/sparql-query"})
        done.append(time.perf_counter())

    worker = threading.Thread(target=send_big)
    worker.start()
    time.sleep(0.2)
    started = time.perf_counter()
    status, _ = fetch(f"{url}/sparql?query={quote('ASK { ?s ?p ?o }')}")
    small = time.perf_counter() - started
    worker.join(60)
    assert status == 200
    assert small < 3.0, f"the small query waited {small:.1f} s"


# --- idle and slow connections ---------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_url(store: str) -> Iterator[str]:
    yield from kg_serve_thread(store, timeout=30, idle_timeout=0.5, read_timeout=1.5)


def _connect(address: str) -> socket.socket:
    host, port = address.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def test_an_idle_connection_is_closed(strict_url: str) -> None:
    with _connect(strict_url) as sock:
        started = time.perf_counter()
        sock.settimeout(10)
        assert sock.recv(4096) == b""  # closed by the server, without a word
        assert time.perf_counter() - started < 5


@pytest.mark.slow
def test_a_slow_loris_is_cut_off(strict_url: str) -> None:
    with _connect(strict_url) as sock:
        started = time.perf_counter()
        sock.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\n")
        closed = False
        for _ in range(40):  # one header byte every 0.25 s: never idle for 0.5 s
            try:
                sock.sendall(b"X")
            except OSError:
                closed = True
                break
            sock.settimeout(0.25)
            try:
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        assert closed, "the server kept a trickling request open"
        assert time.perf_counter() - started < 6
