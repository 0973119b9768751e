"""A full disk during ``kg build``: one ``Error:`` line that says what was stored, no
traceback, and a store that holds whole reports and builds on once there is room."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import cli
from kg.store import GraphStore, open_store
from tests.synthetic import Spec, write

FILES = {f"{n}.txt": Spec(n % 5, 2022, (0, n % 7)) for n in range(4)}
ROCKSDB = "IO error: No space left on device: While appending to file: store/000008.log: No space left on device"  # noqa: E501


def full_after(writes: int, error: OSError) -> Callable[..., Any]:
    """``GraphStore.put`` that succeeds ``writes`` times, then fails with ``error``."""
    real = GraphStore.put
    done: list[int] = []

    def put(self: GraphStore, *args: Any, **kwargs: Any) -> None:
        if len(done) >= writes:
            raise error
        done.append(1)
        real(self, *args, **kwargs)

    return put


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),  # what Python's own writes raise
        OSError(ROCKSDB),  # what Oxigraph raises: no errno, RocksDB's text
    ],
)
def test_a_full_disk_is_one_clear_error_and_whole_reports_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    src, where = write(tmp_path / "src", FILES), tmp_path / "store"
    monkeypatch.setattr(GraphStore, "put", full_after(3, error))  # the ontology, two reports
    monkeypatch.setattr(GraphStore, "bulk_loader", False)  # one put a report
    result = CliRunner().invoke(cli, ["build", str(src), "--store", str(where), "--jobs", "1"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is not None
    lines = result.output.strip().splitlines()
    assert lines == [
        f"Error: the disk is full while writing {where}; nothing of report 2.txt was stored; "
        "free space and run kg build again"
    ]
    monkeypatch.undo()
    with open_store(where) as store:
        assert sorted(store.graph_states()) == ["0.txt", "1.txt"]
        summary = build([src], store, jobs=1)
    assert (summary.unchanged, summary.built) == (2, 2)


def test_other_write_errors_say_what_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, where = write(tmp_path / "src", FILES), tmp_path / "store"
    error = OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(GraphStore, "put", full_after(1, error))
    monkeypatch.setattr(GraphStore, "bulk_loader", False)
    result = CliRunner().invoke(cli, ["build", str(src), "--store", str(where), "--jobs", "1"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write to {where} (")
    assert "nothing of report 0.txt was stored; run kg build again" in result.output
    assert "Traceback" not in result.output


def test_a_full_disk_when_the_store_is_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the flush when the store is closed fails: one clear error too."""
    src, where = write(tmp_path / "src", FILES), tmp_path / "store"
    with open_store(where) as store:
        build([src], store, jobs=1)

    class Full:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def flush(self) -> None:
            raise OSError(ROCKSDB)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def __len__(self) -> int:
            return len(self.inner)

    real_init = GraphStore.__init__

    def init(self: GraphStore, inner: Any, path: Path | None, *, read_only: bool) -> None:
        real_init(self, Full(inner), path, read_only=read_only)  # type: ignore[arg-type]

    monkeypatch.setattr(GraphStore, "__init__", init)
    result = CliRunner().invoke(cli, ["build", str(src), "--store", str(where), "--force"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.exception
    assert result.output.strip().splitlines()[-1] == (
        f"Error: the disk is full while writing {where}; its last changes may not be saved; "
        "free space and run kg build again"
    )


def test_a_full_disk_during_a_bulk_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh build loads in bulk: a full disk there is one clear error, no report looks
    built, and the next build makes the store whole."""
    src, where = write(tmp_path / "src", FILES), tmp_path / "store"

    def put_new(self: GraphStore, *args: Any, **kwargs: Any) -> None:
        raise OSError(ROCKSDB)

    monkeypatch.setattr(GraphStore, "put_new", put_new)
    result = CliRunner().invoke(cli, ["build", str(src), "--store", str(where), "--jobs", "1"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.exception
    assert result.output.strip().splitlines() == [
        f"Error: the disk is full while writing {where}; the last 4 reports were not stored; "
        "free space and run kg build again"
    ]
    monkeypatch.undo()
    with open_store(where) as store:
        assert store.graph_states() == {}
        summary = build([src], store, jobs=1)
    assert (summary.unchanged, summary.built) == (0, 4)
