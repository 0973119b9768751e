"""Regressions found by re-running issue 12's probes with variations (one test per breakage).

- ``--param NAME=<iri>`` with an IRI the engine rejects (relative, bad percent-encoding, a bad
  host) ended in a ValueError traceback from ``kg query``, and ``kg serve``'s ``/saved`` closed
  the connection without any answer;
- ``kg export -o -`` wrote a file named ``-`` (and said "wrote -") instead of standard output;
- Ctrl-C (SIGINT to the whole process group, as a terminal sends it) during
  ``kg build --jobs 2`` printed tracebacks from the pool and its workers.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.serve import make_server

ROOT = Path(__file__).resolve().parent.parent

# IRIs inside <…> that pass the "no spaces" test but that the engine refuses.
BAD_IRIS = ["<rel>", "<#frag>", "<//host/x>", "<http://a/%zz>", "<http://[::1/>", "<1http://a/>"]


@pytest.mark.parametrize("value", BAD_IRIS)
def test_param_with_an_iri_the_engine_refuses_is_a_clear_error(
    value: str, corpus_store_path: Path
) -> None:
    result = CliRunner().invoke(
        cli,
        ["query", "SELECT ?x WHERE { }", "--store", str(corpus_store_path),
         "--param", f"x={value}"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "not a valid IRI" in result.output
    assert not isinstance(result.exception, ValueError)


@pytest.fixture(scope="module")
def server_url(corpus_store_path: Path) -> Iterator[str]:
    server = make_server(str(corpus_store_path), "127.0.0.1", 0, timeout=30)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("value", BAD_IRIS[:3])
def test_saved_query_with_an_iri_the_engine_refuses_is_400(server_url: str, value: str) -> None:
    query = urlencode({"name": "cited-where", "title": value})
    try:
        with urllib.request.urlopen(f"{server_url}/saved?{query}", timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
    assert status == 400, text
    assert "not a valid IRI" in text


@pytest.mark.parametrize(
    "args",
    [["--format", "nt"], ["--view", "citations", "--format", "graphml"]],
    ids=["rdf", "view"],
)
def test_export_dash_o_dash_writes_standard_output(
    args: list[str], corpus_store_path: Path, tmp_path: Path
) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "export", "--store", str(corpus_store_path), *args,
         "-o", "-"],
        cwd=tmp_path, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert not (tmp_path / "-").exists(), "a file named '-' was written"
    assert len(done.stdout) > 1000 and b"wrote" not in done.stdout[:200]


def test_export_dash_o_dash_for_csv_is_refused(corpus_store_path: Path, tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(
            cli,
            ["export", "--store", str(corpus_store_path), "--view", "citations", "--format",
             "csv", "-o", "-"],
        )  # fmt: skip
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1 and "Error:" in result.output
    assert not (tmp_path / "-").exists()


def _copies(where: Path, n: int) -> Path:
    corpus = where / "corpus"
    corpus.mkdir()
    files = sorted((ROOT / "corpus").glob("*.txt"))
    for i in range(n):
        for f in files:
            (corpus / f"{i}_{f.name}").write_bytes(f.read_bytes())
    return corpus


def _build(tmp_path: Path) -> subprocess.Popen[bytes]:
    corpus = _copies(tmp_path, 8)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "build", str(corpus), "--store", str(tmp_path / "s"),
         "--jobs", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _finish(proc: subprocess.Popen[bytes], within: float) -> str:
    try:
        out, _ = proc.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"kg build --jobs 2 did not exit within {within:g} s")
    return out.decode(errors="replace")


def test_pool_workers_leave_ctrl_c_to_the_parent(tmp_path: Path) -> None:
    """Each worker used to take SIGINT itself (KeyboardInterrupt inside a task, a broken pool,
    tracebacks from several processes at once): a SIGINT that reaches only the workers must
    change nothing; the parent, which a terminal's Ctrl-C reaches too, decides."""
    proc = _build(tmp_path)
    seen: dict[str, float] = {}
    sent: set[str] = set()
    start = time.monotonic()
    while proc.poll() is None and len(sent) < 2 and time.monotonic() - start < 60:
        try:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        except OSError:
            break
        now = time.monotonic()
        for child in children:
            seen.setdefault(child, now)
            if now - seen[child] > 1.0 and child not in sent:  # a pool worker, not a reader
                try:
                    os.kill(int(child), signal.SIGINT)
                    sent.add(child)
                except ProcessLookupError:
                    pass
        time.sleep(0.05)
    text = _finish(proc, 60)
    assert sent, "no worker was seen"
    assert proc.returncode == 0, text[-2000:]
    assert "40 built" in text and "Traceback" not in text


def test_ctrl_c_during_a_parallel_build_exits_promptly(tmp_path: Path) -> None:
    proc = _build(tmp_path)
    time.sleep(4.0)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    text = _finish(proc, 15)
    assert "Traceback" not in text, text[-2000:]
    assert proc.returncode != 0 or "built" in text
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
    assert not left.stdout.split(), "workers outlived the build"


def _workers(proc: subprocess.Popen[bytes]) -> list[int]:
    """The build's pool workers: children alive for over a second (readers are short-lived)."""
    seen: dict[str, float] = {}
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() - start < 60:
        try:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        except OSError:
            break
        now = time.monotonic()
        for child in children:
            seen.setdefault(child, now)
        old = [int(c) for c in children if now - seen[c] > 1.0]
        if len(old) >= 2:
            return old
        time.sleep(0.05)
    return []


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "term"])
def test_workers_do_not_outlive_a_killed_parent(tmp_path: Path, sig: signal.Signals) -> None:
    proc = _build(tmp_path)
    workers = _workers(proc)
    assert workers, "no worker was seen"
    os.kill(proc.pid, sig)  # the parent only, as kill PID does
    proc.wait(10)
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [w for w in workers if _running(w)]
        time.sleep(0.1)
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert not alive, f"workers {alive} outlived the parent"


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "\x1b]0;title\x07\x1b[2J" . BAD }\n',  # OSC title, clear screen
        "SELECT * WHERE { ?s ?p ?o \x9b2J BAD }\n",  # a C1 CSI
        "SELECT * WHERE { ?s ?p \"\u202eevil\" BAD }\n",  # a right-to-left override
    ],
    ids=["osc-esc", "c1", "bidi"],
)
def test_an_error_never_sends_a_file_s_controls_to_the_terminal(
    text: str, corpus_store_path: Path, tmp_path: Path
) -> None:
    query = tmp_path / "evil.rq"
    query.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", str(query), "--store", str(corpus_store_path)])
    assert result.exit_code == 1 and "Error:" in result.output
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", result.output), repr(
        result.output
    )


@pytest.mark.parametrize("command", ["ingest", "build"])
def test_a_file_name_s_controls_never_reach_the_terminal(command: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a\x1b]0;title\x07\x9b2J.txt").write_bytes(b"x\x00y")  # refused: binary
    args = [command, str(corpus)] + (["--store", str(tmp_path / "s")] if command == "build" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "Error:" in result.output
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", result.output), repr(result.output)


@pytest.mark.xfail(
    strict=True,
    reason="rdflib's parser (the guard's) expands \\u escapes before reading, without honouring "
    "an escaped backslash; the engine honours it. Fix: give rdflib a text whose \\\\ pairs "
    "inside strings are neutralised, in kg.query.guard (security code: not a quick fix)",
)
@pytest.mark.parametrize(
    ("literal", "value"),
    [("C:\\\\u0041", "C:\\u0041"), ("a\\\\\\\\U00000041", "a\\\\U00000041")],
)
def test_an_escaped_backslash_before_u_is_no_escape(
    literal: str, value: str, corpus_store_path: Path
) -> None:
    """The engine reads ``"C:\\\\u0041"`` as C:\\u0041; the guard refused it as unreadable."""
    query = f'SELECT ?x WHERE {{ BIND("{literal}" AS ?x) }}'
    result = CliRunner().invoke(
        cli, ["query", query, "--store", str(corpus_store_path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"][0]["x"]["value"] == value
