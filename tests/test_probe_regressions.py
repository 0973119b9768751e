"""Regressions found by re-running issue 12's probes with variations (one test per breakage).

- ``--param NAME=<iri>`` with an IRI the engine rejects (relative, bad percent-encoding, a bad
  host) ended in a ValueError traceback from ``kg query``, and ``kg serve``'s ``/saved`` closed
  the connection without any answer;
- ``kg export -o -`` wrote a file named ``-`` (and said "wrote -") instead of standard output;
- Ctrl-C (SIGINT to the whole process group, as a terminal sends it) during
  ``kg build --jobs 2`` printed tracebacks from the pool and its workers.
"""

from __future__ import annotations

import os
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
         "--param", f"x={value}"],  # fmt: skip
    )
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "not a valid IRI" in result.output
    assert not isinstance(result.exception, ValueError)


@pytest.fixture(scope="module")
def server_url(corpus_store_path: Path) -> Iterator[str]:
    server = make_server(str(corpus_store_path), "127.0.0.1", 0, timeout=30)  # type: ignore[arg-type]
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


@pytest.mark.parametrize("delay", [2.0, 3.5, 5.0])
def test_ctrl_c_during_a_parallel_build_exits_cleanly(tmp_path: Path, delay: float) -> None:
    corpus = _copies(tmp_path, 8)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "build", str(corpus), "--store", str(tmp_path / "s"),
         "--jobs", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("kg build --jobs 2 did not exit within 20 s of Ctrl-C")
    text = out.decode(errors="replace")
    assert "Traceback" not in text, text[-2000:]
    assert proc.returncode != 0 or "built" in text
