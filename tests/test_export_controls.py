"""Control characters in report text: ingest leaves them out, every XML output stays
well-formed even for an old store that holds them, and renderings for people never pass them
to the terminal while csv/tsv/json keep the data exact.

The store (:mod:`tests.control_store`) is built from a report with form feeds, BEL, ESC
sequences and U+FFFE in it, then given old-store titles starting with NUL, BEL, form feed,
ESC[2J, a C1 CSI, U+FFFE and a right-to-left override.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from kg.cli import cli
from kg.corpus import read_text
from kg.output import format_rows, format_table, visible, xml_text
from tests.control_store import INJECTED, build_control_store, report_with_controls

TITLES = "SELECT ?t WHERE { ?r a kg:Report ; dcterms:title ?t } ORDER BY ?t"
VIEWS = ("citations", "co-citation", "implements", "institutions", "programs", "regions")
# What XML 1.0 cannot carry, and what a terminal must not be sent.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NOT_TERMINAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_control_store(tmp_path_factory.mktemp("controls")))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def well_formed(data: bytes) -> None:
    """Parses with both ElementTree and lxml (strict: no recovery)."""
    ET.fromstring(data)
    etree.fromstring(data, etree.XMLParser(recover=False, resolve_entities=False))


# --------------------------------------------------------------------------- ingest cleaning


def test_ingest_turns_page_breaks_into_lines_and_drops_controls() -> None:
    source = report_with_controls()
    assert "\x0c" in source and "\x1b" in source and "\ufffe" in source
    report = read_text(source)
    assert not NOT_XML.search(report.text) and "\x1b" not in report.text
    assert not any(NOT_XML.search(s.text) for s in report.sentences)
    assert "法治政府" in report.text  # the controls are gone, the words joined up again


def test_a_built_store_holds_no_controls_from_the_report(store: str) -> None:
    from kg.store import open_store

    with open_store(store, read_only=True) as s:
        literals = [q.object.value for q in s.inner.quads_for_pattern(None, None, None)]
    texts = [v for v in literals if isinstance(v, str) and not v.startswith(INJECTED)]
    assert texts and not [t for t in texts if NOT_XML.search(t) or "\x1b" in t]


# ------------------------------------------------------------------------------ XML outputs


def test_rdf_xml_export_is_well_formed(store: str, tmp_path: Path) -> None:
    out = tmp_path / "all.rdf"
    code, text = run("export", "--store", store, "--format", "xml", "-o", str(out))
    assert code == 0, text
    data = out.read_bytes()
    well_formed(data)
    assert "[2J" in data.decode("utf-8")  # the old titles are there, cleaned


def test_rdf_xml_export_to_stdout_is_well_formed(store: str) -> None:
    code, text = run("export", "--store", store, "--format", "xml")
    assert code == 0
    well_formed(text.encode("utf-8"))


def test_other_rdf_formats_keep_the_characters(store: str, tmp_path: Path) -> None:
    from rdflib import Graph

    out = tmp_path / "all.nt"
    assert run("export", "--store", store, "--format", "nt", "-o", str(out))[0] == 0
    values = {str(o) for o in Graph().parse(out, format="nt").objects()}
    assert any(v.startswith(INJECTED) for v in values)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "yed"])
@pytest.mark.parametrize("view", VIEWS)
def test_view_xml_is_well_formed(store: str, tmp_path: Path, view: str, fmt: str) -> None:
    out = tmp_path / f"{view}.{fmt}"
    args = ["--format", "graphml", "--yed"] if fmt == "yed" else ["--format", fmt]
    code, text = run("export", "--store", store, "--view", view, *args, "-o", str(out))
    assert code == 0, text
    well_formed(out.read_bytes())


def test_query_xml_is_well_formed(store: str) -> None:
    code, text = run("query", "--store", store, TITLES, "--format", "xml")
    assert code == 0, text
    well_formed(text.encode("utf-8"))
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    literals = [e.text or "" for e in ET.fromstring(text).iterfind(".//r:literal", ns)]
    assert any("[2J" in v for v in literals)


@pytest.mark.slow
@given(st.text())
def test_xml_text_leaves_only_what_xml_carries(text: str) -> None:
    cleaned = xml_text(text)
    assert not NOT_XML.search(cleaned) and len(cleaned) == len(text)
    if not NOT_XML.search(text):
        assert cleaned == text


# ------------------------------------------------------------------------- the terminal


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_tables_for_people_show_controls_as_symbols(store: str, fmt: str) -> None:
    code, text = run("query", "--store", store, TITLES, "--format", fmt)
    assert code == 0, text
    assert not NOT_TERMINAL.search(text), repr(text[:200])
    assert "\u2400\u2407\u240c\u241b[2J<U+009B>\ufffe<U+202E>" in text  # NUL BEL FF ESC …


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl"])
def test_formats_for_programs_keep_the_data_exact(store: str, fmt: str) -> None:
    code, text = run("query", "--store", store, TITLES, "--format", fmt)
    assert code == 0, text
    if fmt == "json":
        values = [b["t"]["value"] for b in json.loads(text)["results"]["bindings"]]
    elif fmt == "jsonl":
        values = [json.loads(line)["t"] for line in text.splitlines()]
    elif fmt == "csv":
        values = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    else:  # "…"@zh, as Turtle: the controls but tab and line breaks written as they are
        values = [line[1 : line.rindex('"')] for line in text.split("\n")[1:] if line]
    assert any(v.startswith(INJECTED) for v in values), values


def test_json_output_escapes_controls_itself(store: str) -> None:
    code, text = run("query", "--store", store, TITLES, "--format", "json")
    assert code == 0 and "\x1b" not in text and "\\u001b" in text.lower()


@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=5))
def test_format_table_sends_no_control_character(rows: list[list[str]]) -> None:
    text = format_table(["a\x1bb", "c"], rows)
    assert not NOT_TERMINAL.search(text)


def test_visible_symbols() -> None:
    assert visible("\x1b[2J\x07") == "\u241b[2J\u2407"
    assert visible("\x7f\x9b\u202e") == "\u2421<U+009B><U+202E>"
    assert visible("法治政府 2022") == "法治政府 2022"
    assert format_rows(["x"], [["\x1b"]], "table").splitlines()[-1] == "\u241b"
    assert format_rows(["x"], [["\x1b"]], "csv").splitlines()[-1] == "\x1b"
