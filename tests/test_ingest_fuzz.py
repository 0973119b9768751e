"""Fuzz: random, damaged and hostile bytes as .txt/.html/.pdf/.docx give a report or one
clear per-file error, within the reading budget: never a hang, a traceback or an exception
that no reader handled (the sandbox's catch-all message).

The inputs are random bytes; valid files of each format, truncated and mutated (bytes
flipped, inserted, deleted, repeated; a .docx's XML mutated and zipped again); and known
hostile files (PDF reference cycles, a Flate bomb, a zip bomb, deeply nested HTML).
``KG_FUZZ_EXAMPLES`` raises the number of examples for a longer run.
"""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.corpus import Report, read_bytes
from kg.corpus.sandbox import UNEXPECTED, Budget
from kg.errors import IngestError
from tests import hostile as h

BUDGET = Budget(seconds=20, memory_mib=1024)
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "60"))

SEEDS: dict[str, list[bytes]] = {
    ".txt": [h.text_file(), h.text_file("gb18030"), h.text_file("utf-16")],
    ".html": [h.html_page(), h.deep_html(40)],
    ".pdf": [h.text_pdf(), h.text_pdf(compressed=True)],
    ".docx": [h.docx_file()],
}
HOSTILE: list[tuple[str, bytes]] = [
    (".pdf", h.cycle_pdf(1)),
    (".pdf", h.cycle_pdf(2)),
    (".pdf", h.cycle_pdf(5)),
    (".pdf", h.kids_cycle_pdf()),
    (".pdf", h.length_cycle_pdf()),
    (".pdf", h.flate_bomb_pdf(80 << 20)),
    (".docx", h.zip_bomb_docx()),
    (".html", h.deep_html(20_000)),
    (".html", h.deep_html(5_000, cls="footer", tag="section")),
    (".html", b"<table>" * 10_000),
    (".txt", b"\xff\xfe" + b"\x00" * 1000),
]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not out:
            break
        at = draw(st.integers(0, len(out) - 1))
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "repeat"]))
        if op == "truncate":
            del out[at:]
        elif op == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del out[at : at + draw(st.integers(1, 64))]
        else:
            out[at:at] = out[at : at + draw(st.integers(1, 256))] * draw(st.integers(2, 50))
    return bytes(out)


@st.composite
def mutated_docx(draw: st.DrawFn) -> bytes:
    """A valid .docx whose word/document.xml is mutated, zipped again (so the zip is fine
    and python-docx meets the damage)."""
    source = zipfile.ZipFile(io.BytesIO(SEEDS[".docx"][0]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                data = draw(mutated(data))
            archive.writestr(name, data)
    return out.getvalue()


SUFFIXES = st.sampled_from(sorted(SEEDS))
INPUTS = st.one_of(
    st.tuples(SUFFIXES, st.binary(max_size=2048)),
    SUFFIXES.flatmap(lambda s: st.tuples(st.just(s), st.sampled_from(SEEDS[s]).flatmap(mutated))),
    st.tuples(st.just(".docx"), mutated_docx()),
    st.sampled_from(HOSTILE),
)


def check_one(suffix: str, data: bytes) -> str:
    """Read ``data`` as a ``suffix`` file; what happened, for the assertion messages."""
    path = f"fuzz{suffix}"
    started = time.monotonic()
    try:
        report = read_bytes(data, path=path, budget=BUDGET)
    except IngestError as err:
        assert err.path == path
        assert err.reason and "Traceback" not in err.reason
        assert UNEXPECTED not in err.reason, f"no reader handled it: {err.reason}"
        assert "took over" not in err.reason, f"a hang: {err.reason}"
        outcome = err.reason
    else:
        assert isinstance(report, Report)
        assert report.text.strip()
        outcome = "read"
    assert time.monotonic() - started < BUDGET.seconds
    return outcome


@pytest.mark.slow
@pytest.mark.parametrize(("suffix", "data"), HOSTILE, ids=lambda v: v if isinstance(v, str)
                         else None)
def test_each_hostile_file_is_refused_or_read(suffix: str, data: bytes) -> None:
    check_one(suffix, data)


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 60,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(INPUTS)
def test_fuzzed_bytes_give_a_report_or_one_clear_error(case: tuple[str, bytes]) -> None:
    check_one(*case)
