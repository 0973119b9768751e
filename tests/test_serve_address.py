"""``kg serve``'s address: a port in use, an address with a port in --host, a name that is not
this machine's: one ``Error:`` saying what to do, exit 1, no traceback; IPv6 addresses bind."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.errors import KGError
from kg.serve import make_server
from kg.store import open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    where = tmp_path_factory.mktemp("address") / "store"
    with open_store(where):
        pass
    return str(where)


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port something else listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


#: --host, the words the Error must hold.
BAD_HOSTS = [
    ("127.0.0.1:8000", ["without a port", "--host 127.0.0.1 --port 8000"]),
    ("localhost:7878", ["without a port", "--host localhost --port 7878"]),
    ("[::1]:8000", ["without a port", "--host ::1 --port 8000"]),
    ("http://127.0.0.1", ["not a URL", "--host 127.0.0.1"]),
    ("http://localhost:8000/", ["not a URL", "--host localhost --port 8000"]),
    ("", ["empty", "--host 127.0.0.1"]),
    ("no-such-host.invalid", ["cannot listen on no-such-host.invalid", "--host 127.0.0.1"]),
    ("192.0.2.1", ["not an address of this machine", "--host 127.0.0.1"]),
]


@pytest.mark.parametrize(("host", "words"), BAD_HOSTS)
def test_a_bad_host_is_a_clear_error(store: str, host: str, words: list[str]) -> None:
    with pytest.raises(KGError) as err:
        make_server(store, host, 0)
    for word in words:
        assert word in str(err.value)


def test_a_port_in_use_is_a_clear_error(store: str, busy_port: int) -> None:
    with pytest.raises(KGError) as err:
        make_server(store, "127.0.0.1", busy_port)
    message = str(err.value)
    assert f"127.0.0.1:{busy_port}" in message
    assert "in use" in message
    assert "--port" in message


def test_a_port_out_of_range_is_a_clear_error(store: str) -> None:
    with pytest.raises(KGError, match="65536"):
        make_server(store, "127.0.0.1", 65536)


@pytest.mark.parametrize(
    "args",
    [
        ["--host", "127.0.0.1:8000"],
        ["--port", "BUSY"],
        ["--host", "no-such-host.invalid", "--port", "0"],
    ],
)
def test_kg_serve_says_error_without_a_traceback(
    store: str, busy_port: int, args: list[str]
) -> None:
    args = [str(busy_port) if a == "BUSY" else a for a in args]
    result = CliRunner().invoke(cli, ["serve", "--store", store, *args])
    assert result.exit_code == 1, result.output
    assert result.output.count("Error: ") == 1, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, OSError)


@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_an_ipv6_address_binds(store: str, host: str) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    server = make_server(store, host, 0)
    try:
        assert server.socket.family == socket.AF_INET6
        assert server.server_port > 0
    finally:
        server.server_close()


@settings(max_examples=50, deadline=None)
@given(address=st.ip_addresses(), port=st.integers(0, 65535))
def test_any_address_with_a_port_is_refused_before_binding(
    store: str, address: object, port: int
) -> None:
    shown = f"[{address}]" if ":" in str(address) else str(address)
    with pytest.raises(KGError, match="without a port") as err:
        make_server(store, f"{shown}:{port}", 0)
    assert f"--host {address} --port {port}" in str(err.value)
