"""Legacy Word (.doc) and WPS Office (.wps) files, common on government sites: a directory scan
finds them, and each one kg cannot read gets its own ``Error:`` saying what the file is and how
to convert it, instead of being skipped without a word."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.corpus import find_reports, read_bytes
from kg.errors import IngestError

ROOT = Path(__file__).resolve().parent.parent
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # a compound file's header block
REPORT = sorted((ROOT / "corpus").glob("*.txt"))[0]


def test_a_directory_scan_finds_doc_and_wps(tmp_path: Path) -> None:
    for name in ("a.doc", "b.WPS", "c.txt", "d.xls"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in find_reports([tmp_path])] == ["a.doc", "b.WPS", "c.txt"]


@pytest.mark.parametrize(
    ("name", "what"),
    [("报告.doc", "legacy Word (.doc)"), ("报告.wps", "WPS Office (.wps)"), ("r.DOC", ".doc")],
)
def test_a_binary_doc_or_wps_says_how_to_convert_it(name: str, what: str) -> None:
    with pytest.raises(IngestError) as err:
        read_bytes(OLE2, path=name)
    assert what in err.value.reason
    assert "soffice --headless --convert-to docx" in err.value.reason


def test_a_doc_that_is_really_a_web_page_is_read() -> None:
    """Sites often serve HTML under a .doc name; such a file is read by its content."""
    text = REPORT.read_text(encoding="utf-8")
    page = "<html><head><meta charset='utf-8'></head><body>"
    page += "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    report = read_bytes((page + "</body></html>").encode("utf-8"), path="r.doc")
    assert report.format == "html" and len(report.sentences) > 10


def test_build_names_each_legacy_file_with_an_error(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REPORT, corpus / REPORT.name)
    (corpus / "旧报告.doc").write_bytes(OLE2)
    (corpus / "旧报告2.wps").write_bytes(OLE2)
    result = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(tmp_path / "s")])
    assert result.exit_code != 0
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("Error:")]
    assert any("旧报告.doc" in ln and "soffice" in ln for ln in errors), result.output
    assert any("旧报告2.wps" in ln and "soffice" in ln for ln in errors), result.output
    assert "Traceback" not in result.output
