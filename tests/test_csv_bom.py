"""``--bom``: CSV that Excel opens with Chinese intact (a UTF-8 byte order mark first), for
``kg query`` and ``kg export --view … --format csv``; the data after the mark is unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> Path:
    return corpus_store_path


def kg(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout_bytes, result.output


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_query_bom(store: Path, fmt: str) -> None:
    args = ["query", "region-cites", "--param", "region=保定市", "--store", str(store)]
    code, plain, _ = kg(*args, "--format", fmt)
    assert code == 0 and not plain.startswith(BOM)
    code, marked, _ = kg(*args, "--format", fmt, "--bom")
    assert code == 0
    assert marked == BOM + plain  # only the mark is added
    rows = list(
        csv.reader(io.StringIO(marked.decode("utf-8-sig")), delimiter="," if fmt == "csv" else "\t")
    )
    assert [h.lstrip("?") for h in rows[0]] == [
        "document",
        "action",
        "year",
        "citations",
        "sentence",
    ]
    assert any("保定市" in cell for row in rows[1:] for cell in row)


@pytest.mark.parametrize("fmt", ["json", "table", "md", "ttl"])
def test_query_bom_only_for_csv(store: Path, fmt: str) -> None:
    code, _, output = kg("query", "most-cited", "--store", str(store), "--format", fmt, "--bom")
    assert code != 0 and output.startswith("Error:") and "--bom" in output


def test_export_view_csv_bom(store: Path, tmp_path: Path) -> None:
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    base = ["export", "--view", "citations", "--format", "csv", "--store", str(store)]
    assert kg(*base, "-o", str(plain))[0] == 0
    code, _, output = kg(*base, "-o", str(marked), "--bom")
    assert code == 0, output
    for name in ("nodes.csv", "relationships.csv"):
        data = (marked / name).read_bytes()
        assert data.startswith(BOM) and data[3:] == (plain / name).read_bytes()
    nodes = (marked / "nodes.csv").read_text(encoding="utf-8-sig")
    assert nodes.startswith("id:ID,label,:LABEL") and "保定市" in nodes


def test_export_bom_only_for_csv(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.graphml"
    code, _, output = kg(
        "export", "--view", "citations", "--store", str(store), "-o", str(out), "--bom"
    )
    assert code != 0 and output.startswith("Error:") and "--bom" in output
    assert not out.exists()
