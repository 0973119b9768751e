"""Read a report file (.txt .html .pdf .docx) into a :class:`Report`.

Stages: bytes -> text (:mod:`kg.corpus.decode`, :mod:`kg.corpus.formats`, :mod:`kg.corpus.html`)
-> cleaned text with an offset map (:mod:`kg.corpus.clean`) -> metadata
(:mod:`kg.corpus.header`) -> region, level and year (:mod:`kg.corpus.infer`) -> sections,
paragraphs and sentences (:mod:`kg.corpus.segment`). Every failure is one
:class:`~kg.errors.IngestError` naming the file and the reason.

Reading a file's bytes into a report runs under a time and memory budget in a child process
(:mod:`kg.corpus.sandbox`); only regular files are opened, and never more than
:data:`~kg.corpus.formats.MAX_FILE_BYTES` of them is read.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from kg.corpus.clean import clean
from kg.corpus.formats import (
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    SUFFIX_FORMATS,
    Extracted,
    check_size,
    extract_docx,
    extract_pdf,
    extract_txt,
    normalise_newlines,
    resolve_format,
)
from kg.corpus.header import read_header
from kg.corpus.html import extract_html
from kg.corpus.infer import infer_region, infer_year
from kg.corpus.model import Paragraph, Report, Section, Sentence
from kg.corpus.sandbox import Budget, run_bounded
from kg.corpus.segment import paragraph_bounds, section_bounds, sentence_bounds
from kg.errors import IngestError, KGError

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")
assert set(SUPPORTED_SUFFIXES) <= set(SUFFIX_FORMATS)
#: Legacy binary formats found on government sites. A directory scan picks them up so each
#: gets its own error (or is read, when the file is really HTML or text under that name).
LEGACY_SUFFIXES = {".doc": "a legacy Word (.doc) file", ".wps": "a WPS Office (.wps) file"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def find_reports(paths: list[str | Path]) -> list[Path]:
    """Files named in ``paths``, with directories expanded to their report files, sorted."""
    found: list[Path] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found += sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and (f.suffix.lower() in SUPPORTED_SUFFIXES or f.suffix.lower() in LEGACY_SUFFIXES)
            )
        else:
            found.append(p)
    return found


def _build(extracted: Extracted, path: str) -> Report:
    source = extracted.text
    if len(source) > MAX_TEXT_CHARS:
        raise IngestError(path, f"the text has over {MAX_TEXT_CHARS} characters; split it")
    cleaned = clean(source)
    text = cleaned.text
    if not text:
        what = "only white space" if not source.strip() else "only web-page furniture"
        raise IngestError(path, f"no report text: the file holds {what}")
    paragraphs = paragraph_bounds(text)
    lines = [text[s:e] for s, e in paragraphs]
    header = read_header(lines, extracted.page_meta)
    region, level, chain = infer_region(header, text)
    return Report(
        path=path,
        format=extracted.format,
        encoding=extracted.encoding,
        source_text=source,
        text=text,
        offsets=cleaned.offsets,
        metadata=header.metadata,
        region=region,
        level=level,
        year_covered=infer_year(header, [ln for ln in lines if "。" in ln], text),
        sections=tuple(
            Section(text[start:head_end], level, start, end)
            for level, start, head_end, end in section_bounds(text, paragraphs)
        ),
        paragraphs=tuple(Paragraph(s, e) for s, e in paragraphs),
        sentences=tuple(Sentence(s, e, text[s:e]) for s, e in sentence_bounds(text)),
        region_chain=chain,
    )


def read_text(text: str, *, path: str = "-") -> Report:
    """A :class:`Report` from already decoded text."""
    return _build(Extracted(normalise_newlines(text), "txt"), path)


def read_bytes(
    data: bytes, *, path: str = "-", fmt: str | None = None, budget: Budget | None = None
) -> Report:
    """A :class:`Report` from a file's bytes; ``fmt`` (txt/html/pdf/docx) defaults from the
    content's magic bytes, then ``path``'s suffix. Reading runs under ``budget`` (default:
    :func:`kg.corpus.sandbox.default_budget`); going over it is an :class:`IngestError`."""
    path = display_path(path)
    check_size(len(data), path)
    _refuse_legacy(data, path, fmt)
    if data:
        _preload(resolve_format(data, path, fmt))
    _warm_up()
    return run_bounded(lambda: _read_bytes(data, path, fmt), path, budget)


#: A short report opening that makes the reader load every table it uses (gazetteers of
#: regions and towns, level suffixes, header patterns).
_SAMPLE = "某县人民政府关于2022年度法治政府建设情况的报告\n\n2022年,我县深入推进依法行政。\n"
_warm = False


def _warm_up() -> None:
    """Load the reader's tables here, once, so that every reader process inherits them
    instead of loading them again: without this each file pays about 0.6 s for the
    gazetteers (measured: 0.64 s a file against 3 ms)."""
    global _warm
    if _warm:
        return
    _warm = True
    with contextlib.suppress(KGError):
        read_text(_SAMPLE, path="warm-up.txt")


def _preload(kind: str) -> None:
    """Import a format's parser here, once, rather than in every reader process."""
    if kind == "pdf":
        import pdfminer.converter
        import pdfminer.pdfpage  # noqa: F401
    elif kind == "docx":
        import docx  # noqa: F401


def _read_bytes(data: bytes, path: str, fmt: str | None) -> Report:
    if not data:
        raise IngestError(path, "the file is empty (0 bytes)")
    kind = resolve_format(data, path, fmt)
    if kind == "pdf":
        extracted = extract_pdf(data, path)
    elif kind == "docx":
        extracted = extract_docx(data, path)
    elif kind == "html":
        extracted = extract_html(data, path)
    else:
        extracted = extract_txt(data, path)
    return _build(extracted, path)


def _refuse_legacy(data: bytes, path: str, fmt: str | None) -> None:
    """A binary .doc/.wps (an OLE2 compound file) is refused with the command that converts it."""
    suffix = Path(path).suffix.lower()
    if fmt is None and suffix in LEGACY_SUFFIXES and data.startswith(_OLE2):
        raise IngestError(
            path,
            f"the file is {LEGACY_SUFFIXES[suffix]}, which kg cannot read; convert it to .docx "
            "(LibreOffice: soffice --headless --convert-to docx FILE) and build again",
        )


def display_path(path: str | Path) -> str:
    """``path`` as text that prints and stores anywhere: each byte of a file name that is not
    UTF-8 (which Python keeps as a lone surrogate) becomes ``%XX``, as in a URL: the file
    ``b"r\\xff.txt"`` is shown and built as ``r%FF.txt``."""
    name = str(path)
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        return name
    out: list[str] = []
    for c in name:
        if 0xDC80 <= ord(c) <= 0xDCFF:  # a byte that surrogateescape kept
            out.append(f"%{ord(c) - 0xDC00:02X}")
        elif 0xD800 <= ord(c) <= 0xDFFF:  # any other lone surrogate
            out.append("".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass")))
        else:
            out.append(c)
    return "".join(out)


_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _check_regular(mode: int, name: str) -> None:
    if stat.S_ISDIR(mode):
        raise IngestError(name, "is a directory, not a report file; use find_reports() on it")
    if not stat.S_ISREG(mode):
        what = next((w for test, w in _NOT_REGULAR if test(mode)), "not a regular file")
        raise IngestError(name, f"is {what}, not a regular file; only report files are read")


def read_file(path: str | Path) -> bytes:
    """The bytes of the regular file ``path``, at most :data:`MAX_FILE_BYTES` of them.

    A FIFO, a device, a socket or a directory is refused without blocking on it (the file is
    opened non-blocking and checked after opening, so it cannot be swapped in between).
    """
    name = display_path(path)
    try:
        _check_regular(os.stat(path).st_mode, name)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as err:
        raise IngestError(name, f"cannot read the file ({err.strerror})") from err
    try:
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            _check_regular(info.st_mode, name)
            check_size(info.st_size, name)
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise IngestError(name, f"cannot read the file ({err.strerror})") from err
    check_size(len(data), name)  # it grew after it was measured
    return data


def read_report(path: str | Path, *, budget: Budget | None = None) -> Report:
    """Read one report file (under ``budget``, as :func:`read_bytes`)."""
    return read_bytes(read_file(path), path=display_path(path), budget=budget)
