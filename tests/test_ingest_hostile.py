"""Hostile input files: each is read, or refused with one per-file error, within a time and
memory budget, and the files after it are still read (issue 12, "Hangs and blow-ups").

Cases: PDF reference cycles and Flate bombs (refused at their root, and by the budget where a
root check misses), a reader that hangs, eats memory or crashes (the sandbox), a 200 KB
"sentence", HTML nested 20,000 levels deep, FIFOs and devices, file names that are not UTF-8.
"""

from __future__ import annotations

import faulthandler
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from bs4 import BeautifulSoup
from bs4.element import Tag
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.cli import cli
from kg.corpus import Report, formats, ingest, read_bytes, read_report, read_text, sandbox
from kg.corpus.html import _SKIP, _text_sizes, extract_html
from kg.corpus.sandbox import UNEXPECTED, Budget, default_budget
from kg.corpus.segment import MAX_SENTENCE_CHARS, sentence_bounds
from kg.errors import IngestError, KGError
from kg.store import open_store
from tests import hostile as h

ROOT = Path(__file__).resolve().parent.parent
BUDGET = Budget(seconds=30, memory_mib=1024)


def _read(data: bytes, name: str, budget: Budget = BUDGET) -> tuple[str, float]:
    """The error (or "read") and the seconds it took."""
    started = time.monotonic()
    try:
        read_bytes(data, path=name, budget=budget)
    except IngestError as err:
        assert err.path == name
        return err.reason, time.monotonic() - started
    return "read", time.monotonic() - started


# --- PDF: reference cycles and Flate bombs, found at their root --------------------------------

PDF_CASES = [
    ("cycle1.pdf", h.cycle_pdf(1), "refer to each other in a cycle (4 -> 4)"),
    ("cycle2.pdf", h.cycle_pdf(2), "refer to each other in a cycle (4 -> 6 -> 4)"),
    ("cycle4.pdf", h.cycle_pdf(4), "refer to each other in a cycle (4 -> 6 -> 7 -> 8 -> 4)"),
    ("length-cycle.pdf", h.length_cycle_pdf(), "refer to each other in a cycle (6 -> 6)"),
    ("bomb.pdf", h.flate_bomb_pdf(80 << 20), "inflates to over 64 MiB (a decompression bomb?)"),
    ("kids-cycle.pdf", h.kids_cycle_pdf(), "read"),  # pdfminer skips a page tree loop itself
    ("plain.pdf", h.text_pdf(), "read"),
    ("flate.pdf", h.text_pdf(compressed=True), "read"),
]


@pytest.mark.parametrize(("name", "data", "phrase"), PDF_CASES, ids=[c[0] for c in PDF_CASES])
@pytest.mark.parametrize("where", ["sandbox", "in-process"])
def test_pdf_cycles_and_bombs_are_refused_at_once(
    name: str, data: bytes, phrase: str, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if where == "in-process":  # the root checks work without the sandbox's budget
        monkeypatch.setattr(sandbox, "_IN_CHILD", True)
    outcome, seconds = _read(data, name)
    assert phrase in outcome
    assert seconds < 10  # found, not timed out


def test_a_flate_bomb_with_a_damaged_checksum_is_capped_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # zlib.decompress fails on the checksum, and pdfminer retries byte by byte (quadratic).
    monkeypatch.setattr(formats, "MAX_PDF_STREAM", 1 << 20)
    monkeypatch.setattr(sandbox, "_IN_CHILD", True)
    packed = bytearray(zlib.compress(bytes(8 << 20), 9))
    packed[-4:] = b"\0\0\0\0"
    data = h.pdf({**h.pdf_page(), 4: h.stream(bytes(packed), b"/Filter /FlateDecode ")})
    outcome, seconds = _read(data, "bomb.pdf")
    assert "inflates to over 1 MiB" in outcome
    assert seconds < 5


def test_pdf_stream_cap_is_restored_after_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    from pdfminer import pdftypes

    monkeypatch.setattr(sandbox, "_IN_CHILD", True)
    _read(h.flate_bomb_pdf(80 << 20), "bomb.pdf")
    assert pdftypes.zlib is zlib


# --- the budget: whatever a reader does, one per-file error, and nothing left running ----------


def _sleep() -> None:
    time.sleep(60)


def _eat_memory() -> None:
    hog = [bytearray(64 << 20) for _ in range(64)]  # 4 GiB
    assert hog


def _crash() -> None:
    faulthandler.disable()  # pytest's handler would print the child's stack
    os.kill(os.getpid(), signal.SIGSEGV)


def _bug() -> None:
    raise ZeroDivisionError("a bug\nover two lines")


def _refuse() -> None:
    raise IngestError("x", "a reason of the reader's own")


SANDBOX_CASES: list[tuple[str, Callable[[], None], str]] = [
    ("hang", _sleep, "reading the file took over 1 s and was stopped"),
    ("memory", _eat_memory, "reading the file needed over 300 MiB of memory and was stopped"),
    ("crash", _crash, "the reader crashed on this file (signal SIGSEGV)"),
    ("bug", _bug, f"{UNEXPECTED} (ZeroDivisionError: a bug over two lines)"),
    ("refusal", _refuse, "a reason of the reader's own"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("what", "reader", "phrase"), SANDBOX_CASES,
                         ids=[c[0] for c in SANDBOX_CASES])
def test_a_reader_that_hangs_bloats_or_crashes_is_one_files_error(
    what: str, reader: Callable[[], None], phrase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "extract_txt", lambda data, path: reader())
    before = {p.pid for p in psutil.Process().children()}
    outcome, seconds = _read(h.text_file(), "r.txt", Budget(seconds=1, memory_mib=300))
    assert outcome.startswith(phrase)
    assert seconds < 5
    assert {p.pid for p in psutil.Process().children()} == before  # the child is gone


@pytest.mark.slow
def test_the_next_file_is_read_after_one_that_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "extract_pdf", lambda data, path: _sleep())
    monkeypatch.setenv("KG_READ_TIMEOUT", "1")
    (tmp_path / "a.pdf").write_bytes(h.text_pdf())
    (tmp_path / "b.txt").write_bytes(h.text_file())
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 1
    assert "b.txt," in result.stdout
    assert "a.pdf: reading the file took over 1 s" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "soon"])
def test_a_bad_budget_in_the_environment_is_refused(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_READ_TIMEOUT", value)
    with pytest.raises(KGError, match="KG_READ_TIMEOUT must be a positive number"):
        default_budget()


def test_the_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_READ_TIMEOUT", "2.5")
    monkeypatch.setenv("KG_READ_MEMORY", "512")
    assert default_budget() == Budget(seconds=2.5, memory_mib=512)


def test_the_reader_is_cheap() -> None:
    data = h.text_file()
    read_bytes(data, path="r.txt")
    started = time.perf_counter()
    for _ in range(10):
        read_bytes(data, path="r.txt")
    assert (time.perf_counter() - started) / 10 < 0.1  # about 10 ms here


# --- one very long sentence --------------------------------------------------------------------

UNIT = "县司法局会同县公安局贯彻落实《中华人民共和国行政处罚法》，"


def test_a_200_kb_sentence_is_cut_at_commas_into_bounded_sentences() -> None:
    body = UNIT * (200_000 // len(UNIT))
    report = read_text(f"{h.TITLE}\n{body}。\n")
    pieces = [s.text for s in report.sentences[1:]]
    assert max(map(len, pieces)) <= MAX_SENTENCE_CHARS
    assert all(p.endswith(("，", "。")) for p in pieces)
    assert "".join(pieces) == body + "。"


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="法治，、；。 \n\u3000ab", max_size=400),
    st.integers(min_value=4, max_value=60),
)
def test_sentences_are_never_longer_than_the_limit(text: str, limit: int) -> None:
    bounds = sentence_bounds(text, limit)
    assert all(0 < end - start <= limit for start, end in bounds)
    assert all(b[1] <= a[0] for b, a in itertools.pairwise(bounds))
    kept = "".join(text[s:e] for s, e in bounds)
    assert [c for c in kept if not c.isspace()] == [c for c in text if not c.isspace()]


def test_what_each_mention_carries_is_bounded() -> None:
    from kg.nlp import tag_report

    body = UNIT * 700  # 21,000 characters without a full stop
    tags = tag_report(read_text(f"{h.TITLE}\n{body}。\n"))
    assert len(tags.mentions) > 1000
    assert max(len(m.sentence) for m in tags.mentions) <= MAX_SENTENCE_CHARS
    assert all(m.text in m.sentence for m in tags.mentions)


# --- HTML nested deep ----------------------------------------------------------------------


@pytest.mark.slow
def test_20000_nested_furniture_containers_read_in_linear_time() -> None:
    started = time.perf_counter()
    extracted = extract_html(h.deep_html(20_000), "deep.html")
    assert time.perf_counter() - started < 3  # 0.6 s here; 32 s when quadratic
    assert h.SENTENCE in extracted.text


@pytest.mark.slow
@pytest.mark.parametrize("tag", ["div", "span", "table"])
def test_nesting_50000_deep_is_read_or_refused_without_a_crash(tag: str) -> None:
    outcome, _ = _read(h.deep_html(50_000, cls="share", tag=tag), "deep.html")
    assert outcome == "read" or "nested too deeply" in outcome


@settings(max_examples=50, deadline=None)
@given(st.recursive(
    st.text(alphabet="法治 ab", max_size=5),
    lambda inner: st.tuples(
        st.sampled_from(["div", "p", "span", "script", "td"]), st.lists(inner, max_size=3)
    ).map(lambda t: f'<{t[0]} class="nav">{"".join(t[1])}<!--c--></{t[0]}>'),
    max_leaves=20,
))
def test_text_sizes_are_those_get_text_gives(markup: str) -> None:
    soup = BeautifulSoup(f"<html><body>{markup}</body></html>", "lxml")
    sizes = _text_sizes(soup)
    for tag in [soup, *soup.find_all(True)]:
        assert isinstance(tag, Tag)
        if tag.name not in _SKIP:  # a <script>'s own text is its code; it is never rendered
            assert sizes[id(tag)] == len(tag.get_text())


# --- FIFOs, devices, sockets, directories --------------------------------------------------


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.txt")
    return tmp / "pipe.txt"


def _socket(tmp: Path) -> Path:
    path = tmp / "sock.txt"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    return path


NOT_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("fifo", _fifo, "is a named pipe (FIFO), not a regular file"),
    ("dev-zero", lambda tmp: Path("/dev/zero"), "is a character device, not a regular file"),
    ("dev-null", lambda tmp: Path("/dev/null"), "is a character device, not a regular file"),
    ("socket", _socket, "is a socket, not a regular file"),
    ("directory", lambda tmp: tmp, "is a directory"),
]


@pytest.mark.parametrize(("what", "make", "phrase"), NOT_FILES, ids=[c[0] for c in NOT_FILES])
def test_only_regular_files_are_read(
    what: str, make: Callable[[Path], Path], phrase: str, tmp_path: Path
) -> None:
    path = make(tmp_path)
    started = time.monotonic()
    with pytest.raises(IngestError, match=re.escape(phrase)):
        read_report(path)
    assert time.monotonic() - started < 2


@pytest.mark.slow
@pytest.mark.parametrize(
    ("what", "make", "phrase"), NOT_FILES[:3], ids=[c[0] for c in NOT_FILES[:3]]
)
def test_build_refuses_a_fifo_or_device_and_builds_the_rest(
    what: str, make: Callable[[Path], Path], phrase: str, tmp_path: Path
) -> None:
    odd = make(tmp_path)
    good = tmp_path / "good.txt"
    good.write_bytes(h.text_file())
    with open_store(None) as store:
        summary = build([odd, good], store, jobs=1)
    assert summary.built == 1
    assert [(path, reason.split(",")[0]) for path, reason in summary.failures] == [
        (str(odd), phrase.split(",")[0])
    ]


def test_tag_reads_no_more_of_stdin_than_one_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 1000)
    result = CliRunner().invoke(cli, ["tag", "-"], input=b"a" * 5000)
    assert result.exit_code == 1
    assert "over the 0 MiB limit" in result.stderr


# --- file names that are not UTF-8 -------------------------------------------------------------

BAD_NAME = os.fsdecode(b"r\xff\xfe.txt")
SHOWN = "r%FF%FE.txt"


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    (tmp_path / BAD_NAME).write_bytes(h.text_file())
    (tmp_path / "good.txt").write_bytes(h.text_file())
    return tmp_path


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    """``kg`` in a child whose stdout is strict UTF-8 (as under most locales)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def test_a_non_utf8_name_is_read_and_shown_escaped(odd_names: Path) -> None:
    report = read_report(odd_names / BAD_NAME)
    assert isinstance(report, Report)
    assert report.name == SHOWN
    with pytest.raises(IngestError) as caught:
        read_report(odd_names / os.fsdecode(b"missing-\xff.txt"))
    assert caught.value.path.endswith("missing-%FF.txt")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["ingest", "tag", "build"])
def test_every_command_reads_a_non_utf8_name(command: str, odd_names: Path) -> None:
    if command == "ingest":
        done = _kg("ingest", str(odd_names), "--format", "csv")
    elif command == "tag":
        done = _kg("tag", str(odd_names / BAD_NAME), "--format", "json")
    else:
        done = _kg("build", str(odd_names), "--store", str(odd_names / "store"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if command == "ingest":
        assert f"{SHOWN}," in done.stdout
        assert "good.txt," in done.stdout
    elif command == "build":
        assert "2 built" in done.stdout


@pytest.mark.slow
def test_a_reader_whose_parent_is_killed_ends_by_itself(tmp_path: Path) -> None:
    script = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from kg.corpus import ingest, read_bytes
from kg.corpus.sandbox import Budget
ingest.extract_txt = lambda data, path: time.sleep(600)
read_bytes(b"x", path="r.txt", budget=Budget(seconds=1))
"""
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while not psutil.Process(parent.pid).children() and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = psutil.Process(parent.pid).children()
    parent.kill()
    parent.wait()
    child.wait(timeout=10)  # psutil.TimeoutExpired if it is still reading


def test_the_reader_tables_are_loaded_once_in_the_parent(tmp_path: Path) -> None:
    # Each file is read in a forked child; tables the child loads die with it. The reader's
    # tables (gazetteers, department names) must be loaded in the parent so that every child
    # inherits them (otherwise every file paid about 0.6 s to load them again).
    from kg.corpus import infer, read_report

    report = tmp_path / "r.txt"
    report.write_text("某县人民政府关于2022年度法治政府建设情况的报告\n\n2022年,我县依法行政。\n")
    read_report(report)
    from kg.nlp import places

    assert infer._abbreviations.cache_info().currsize == 1
    assert places.gazetteer.cache_info().currsize == 1
