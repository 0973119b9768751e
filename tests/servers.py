"""Real SPARQL servers started on loopback for the remote-store tests.

- the Oxigraph server (``oxigraph serve``, from the ``oxigraph`` package on PyPI, in the test
  extra), on a fresh on-disk location;
- Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``, installed by ``make test``) with our own
  minimal configuration (``deploy/virtuoso.ini``) and the admin password changed from the default
  before the first request.

Each is started as a child process on a free port and stopped (SIGTERM, then SIGKILL) when its
fixture ends. A server that is missing or does not come up fails the test with what to do; it is
never skipped.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Server:
    """A running server: its URLs and, for Virtuoso, the admin credentials."""

    name: str
    query: str
    update: str
    graph_store: str
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def options(self, *, graph_store: bool = True) -> list[str]:
        opts = ["--endpoint", self.query, "--update-endpoint", self.update]
        return opts + (["--graph-store", self.graph_store] if graph_store else [])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until a query answers (bounded), or fail with the server's log."""
    deadline = time.monotonic() + START_TIMEOUT
    data = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{_tail(log)}")
        try:
            req = urllib.request.Request(
                url, data=data, headers={"Accept": "application/sparql-results+json"}
            )
            with urllib.request.urlopen(req, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the server at {url} did not answer within {START_TIMEOUT:g} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _need(program: str, what: str) -> str:
    found = shutil.which(program) or shutil.which(program, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{program} is not installed ({what}); run 'make test', which installs it")
    return found


@contextmanager
def oxigraph_server(workdir: Path, *extra: str) -> Iterator[Server]:
    """``oxigraph serve`` on a free loopback port, its data in ``workdir``."""
    program = _need("oxigraph", "pip install oxigraph, in the test extra")
    port = free_port()
    log = workdir / "oxigraph.log"
    workdir.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [program, "serve", "--location", str(workdir / "data"),
             "--bind", f"127.0.0.1:{port}", *extra],
            stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/query", proc, log)
        yield Server("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", log=log)
    finally:
        _stop(proc)


def render_virtuoso_ini(workdir: Path, http_port: int, sql_port: int) -> Path:
    text = (ROOT / "deploy" / "virtuoso.ini").read_text(encoding="utf-8")
    for key, value in (("dir", workdir), ("sql_port", sql_port), ("http_port", http_port)):
        text = text.replace("{" + key + "}", str(value))
    ini = workdir / "virtuoso.ini"
    ini.write_text(text, encoding="utf-8")
    return ini


@contextmanager
def virtuoso_server(workdir: Path) -> Iterator[Server]:
    """Virtuoso with deploy/virtuoso.ini in ``workdir``, the dba password changed first."""
    program = _need("virtuoso-t", "Debian package virtuoso-opensource-7-bin")
    isql = _need("isql-vt", "Debian package virtuoso-opensource-7-bin")
    workdir.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = render_virtuoso_ini(workdir, http_port, sql_port)
    log = workdir / "virtuoso.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [program, "+configfile", str(ini), "+foreground"],
            stdout=out, stderr=subprocess.STDOUT, cwd=workdir,
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_until_up(f"{base}/sparql", proc, log)
        password = "kg-" + secrets.token_hex(8)
        changed = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba",
             f'exec=set password "dba" "{password}";'],
            capture_output=True, text=True, timeout=60,
        )
        probe = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", "exec=select 1;"],
            capture_output=True, text=True, timeout=60,
        )
        if changed.returncode != 0 or probe.returncode == 0:
            said = changed.stdout + changed.stderr
            pytest.fail(f"could not change Virtuoso's dba password: {said}")
        yield Server(
            "virtuoso",
            f"{base}/sparql",
            f"{base}/sparql-auth",
            f"{base}/sparql-graph-crud-auth",
            env={"KG_ENDPOINT_USER": "dba", "KG_ENDPOINT_PASSWORD": password},
            log=workdir / "virtuoso.log",
        )
    finally:
        _stop(proc)


def environ_with(server: Server) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_ENDPOINT")}
    env.update(server.env)
    return env


def kg_serve_thread(store: str, **options: object) -> Iterator[str]:
    """``kg serve`` on ``store`` in a thread on a free loopback port (``make_server``'s
    ``options``); yields its base URL and shuts it down after. Use with ``yield from``."""
    import threading

    from kg.serve import make_server

    server = make_server(store, "127.0.0.1", 0, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
