"""No query reaches outside: each trick of tests/security.py is refused, and the loopback
listener it points at is never contacted, through ``kg query`` (inline and a ``.rq`` file),
``kg serve`` (GET, POST form, POST body, and --update) and the remote path (--endpoint). The
second wall (the evaluation child has no network) is tested alone, with the guard bypassed."""

from __future__ import annotations

import ctypes
import json
import multiprocessing as mp
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query.guard import QueryRefused, check_query
from kg.store import open_store
from tests.security import QUERY_TRICKS, UPDATE_TRICKS, Listener, fill, listening
from tests.servers import Server, kg_serve_thread, oxigraph_server

pytestmark = pytest.mark.slow  # see CONTRIBUTING.md: make check leaves these out

#: What a refusal (or an engine syntax error: not run either) says.
REFUSED = re.compile(
    r"refused|is a SPARQL update|cannot be read|not a whole escape|is not a character|nests"
    r"|SPARQL syntax error"
)
QUERY_IDS = [name for name, _ in QUERY_TRICKS]
UPDATE_IDS = [name for name, _ in UPDATE_TRICKS]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with listening() as it:
        yield it


@pytest.fixture()
def quiet(listener: Listener) -> Iterator[Listener]:
    """The listener, asserted not contacted during the test."""
    before = listener.count
    yield listener
    assert listener.count == before, f"{listener.count - before} connection(s) reached it"


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> str:
    return str(corpus_store_path)


@pytest.fixture(scope="module")
def url(store: str) -> Iterator[str]:
    yield from kg_serve_thread(store, timeout=30)


@pytest.fixture(scope="module")
def update_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    where = tmp_path_factory.mktemp("update-store") / "store"
    with open_store(where):
        pass
    yield from kg_serve_thread(str(where), update=True, timeout=30)


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as srv:
        yield srv


def fetch(address: str, data: str | None = None, headers: dict[str, str] | None = None
          ) -> tuple[int, str]:
    request = urllib.request.Request(
        address, data=None if data is None else data.encode(), headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def kg_query(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["query", *args])
    return result.exit_code, result.output


def _refused_cli(code: int, out: str) -> None:
    assert code == 1, out
    assert out.startswith("Error: ") and REFUSED.search(out), out
    assert "Traceback" not in out


def _refused_http(status: int, text: str) -> None:
    assert status == 400, text
    assert REFUSED.search(text), text


# --- the table, path by path -----------------------------------------------------------------


@pytest.mark.parametrize("template", [q for _, q in QUERY_TRICKS], ids=QUERY_IDS)
def test_the_guard_refuses(template: str, quiet: Listener) -> None:
    with pytest.raises(QueryRefused):
        check_query(fill(template, quiet))


@pytest.mark.parametrize("template", [q for _, q in QUERY_TRICKS], ids=QUERY_IDS)
def test_kg_query_inline(template: str, store: str, quiet: Listener) -> None:
    _refused_cli(*kg_query(fill(template, quiet), "--store", store, "--format", "json"))


@pytest.mark.parametrize("template", [q for _, q in QUERY_TRICKS], ids=QUERY_IDS)
def test_kg_query_rq_file(template: str, store: str, quiet: Listener, tmp_path: Path) -> None:
    path = tmp_path / "trick.rq"
    path.write_text(fill(template, quiet), encoding="utf-8")
    _refused_cli(*kg_query(str(path), "--store", store, "--format", "json"))


@pytest.mark.parametrize("template", [q for _, q in QUERY_TRICKS], ids=QUERY_IDS)
def test_kg_serve_get(template: str, url: str, quiet: Listener) -> None:
    _refused_http(*fetch(f"{url}/sparql?query={quote(fill(template, quiet))}"))


@pytest.mark.parametrize("template", [q for _, q in QUERY_TRICKS], ids=QUERY_IDS)
def test_kg_serve_post(template: str, url: str, quiet: Listener) -> None:
    text = fill(template, quiet)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _refused_http(*fetch(f"{url}/sparql", urlencode({"query": text}), form))
    direct = {"Content-Type": "application/sparql-query"}
    _refused_http(*fetch(f"{url}/sparql", text, direct))


@pytest.mark.parametrize("template", [q for _, q in QUERY_TRICKS], ids=QUERY_IDS)
def test_remote_endpoint(template: str, remote: Server, quiet: Listener) -> None:
    _refused_cli(*kg_query(fill(template, quiet), "--endpoint", remote.query, "--format", "json"))


@pytest.mark.parametrize("template", [q for _, q in UPDATE_TRICKS], ids=UPDATE_IDS)
def test_kg_serve_update(template: str, update_url: str, quiet: Listener) -> None:
    text = fill(template, quiet)
    status, body = fetch(
        f"{update_url}/sparql", text, {"Content-Type": "application/sparql-update"}
    )
    _refused_http(status, body)
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, body = fetch(f"{update_url}/sparql?query={quote(count)}")
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"


def test_the_paths_do_run_an_honest_query(
    store: str, url: str, update_url: str, remote: Server, quiet: Listener
) -> None:
    """The table is not vacuous: the same paths answer a query that stays home."""
    honest = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    assert kg_query(honest, "--store", store, "--format", "json")[0] == 0
    assert kg_query(honest, "--endpoint", remote.query, "--format", "json")[0] == 0
    assert fetch(f"{url}/sparql?query={quote(honest)}")[0] == 200
    insert = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
    update = {"Content-Type": "application/sparql-update"}
    assert fetch(f"{update_url}/sparql", insert, update)[0] == 204
    assert fetch(f"{update_url}/sparql", "DROP GRAPH <urn:g>", update)[0] == 204


# --- the second wall alone -------------------------------------------------------------------


def _service_in_a_sandbox(conn: object, url: str) -> None:
    from kg.query import sandbox

    send = conn.send  # type: ignore[attr-defined]
    note = sandbox.enter()
    try:
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}"))
        send((note, "answered"))
    except OSError as err:
        send((note, str(err)))


def test_the_sandbox_alone_stops_service(quiet: Listener) -> None:
    """pyoxigraph in a child that went through sandbox.enter() cannot reach 127.0.0.1."""
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_service_in_a_sandbox, args=(sender, quiet.base + "sparql"))
    child.start()
    sender.close()
    assert receiver.poll(30)
    note, said = receiver.recv()
    child.join()
    assert note is None
    assert "unreachable" in said.lower(), said


def test_the_query_child_has_no_network_even_when_the_guard_is_bypassed(
    store: str, quiet: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.query.run as run

    monkeypatch.setattr(run, "checked", lambda text, **_: text)  # the first wall gone
    text = fill("SELECT * WHERE { SERVICE <@U> { ?a ?b ?c } }", quiet)
    with pytest.raises(run.QueryError, match=r"(?i)unreachable"):
        run.run_query(store, text, fmt="json", timeout=30)


def _update_without_guard(conn: object, path: str, text: str) -> None:
    import kg.serve

    kg.serve.checked = lambda text, **_: text  # type: ignore[assignment]  # no first wall
    kg.serve._update_child(conn, path, text, None)  # type: ignore[arg-type]


def test_the_update_child_has_no_network_even_when_the_guard_is_bypassed(
    tmp_path: Path, quiet: Listener
) -> None:
    from kg.query.run import QueryError, run_in_child, unpack

    where = tmp_path / "store"
    with open_store(where):
        pass
    text = fill("LOAD <@U> INTO GRAPH <urn:g>", quiet)
    reply = run_in_child(
        mp.get_context("spawn"), _update_without_guard, (str(where), text), 60, "update"
    )
    assert reply is not None
    with pytest.raises(QueryError, match=r"(?i)unreachable"):
        unpack(reply)


USER = 12345  # not the overflow id (65534) that an unmapped id would show as


def _unprivileged_probe(conn: object, path: str) -> None:
    from kg.query import sandbox

    os.setgid(USER)
    os.setuid(USER)
    # as if the user had started the process: a changed uid leaves it "not dumpable", which
    # makes /proc/self/*_map root's; exec (how a real user's process starts) resets that
    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE
    send = conn.send  # type: ignore[attr-defined]
    why = sandbox.cut_network()
    readable = os.access(path, os.R_OK)
    send((why, os.getuid(), readable))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another user first")
def test_the_sandbox_works_for_an_unprivileged_user() -> None:
    """As a plain user the network namespace comes with a user namespace mapping our ids: the
    user's own files (e.g. the store) stay readable."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="kg-sandbox-"))
    folder.chmod(0o755)
    probe = folder / "probe"
    probe.write_text("x")
    probe.chmod(0o600)
    os.chown(probe, USER, USER)
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_unprivileged_probe, args=(sender, str(probe)))
    child.start()
    sender.close()
    assert receiver.poll(30)
    why, uid, readable = receiver.recv()
    child.join()
    probe.unlink()
    folder.rmdir()
    assert why is None and uid == USER and readable


def test_sandbox_required_but_unavailable_refuses(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.query import sandbox

    monkeypatch.setenv(sandbox.REQUIRE_ENV, "require")
    monkeypatch.setattr(sandbox, "cut_network", lambda: "namespaces are forbidden here")
    code, out = kg_query("ASK { ?s ?p ?o }", "--store", store)
    assert code == 1 and "namespaces are forbidden here" in out and "KG_SANDBOX" in out
    monkeypatch.delenv(sandbox.REQUIRE_ENV)
    code, out = kg_query("ASK { ?s ?p ?o }", "--store", store)
    assert code == 0 and "true" in out
