"""Read a report file (.txt .html .pdf .docx) into a :class:`Report`.

Stages: bytes -> text (:mod:`kg.corpus.decode`, :mod:`kg.corpus.formats`, :mod:`kg.corpus.html`)
-> cleaned text with an offset map (:mod:`kg.corpus.clean`) -> metadata
(:mod:`kg.corpus.header`) -> region, level and year (:mod:`kg.corpus.infer`) -> sections,
paragraphs and sentences (:mod:`kg.corpus.segment`). Every failure is one
:class:`~kg.errors.IngestError` naming the file and the reason.
"""

from __future__ import annotations

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
from kg.corpus.segment import paragraph_bounds, section_bounds, sentence_bounds
from kg.errors import IngestError

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")
assert set(SUPPORTED_SUFFIXES) <= set(SUFFIX_FORMATS)


def find_reports(paths: list[str | Path]) -> list[Path]:
    """Files named in ``paths``, with directories expanded to their report files, sorted."""
    found: list[Path] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found += sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
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


def read_bytes(data: bytes, *, path: str = "-", fmt: str | None = None) -> Report:
    """A :class:`Report` from a file's bytes; ``fmt`` (txt/html/pdf/docx) defaults from the
    content's magic bytes, then ``path``'s suffix."""
    check_size(len(data), path)
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


def read_report(path: str | Path) -> Report:
    """Read one report file."""
    p = Path(path)
    name = str(p)
    if p.is_dir():
        raise IngestError(name, "is a directory, not a report file; use find_reports() on it")
    try:
        check_size(p.stat().st_size, name)
        with p.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise IngestError(name, f"cannot read the file ({err.strerror})") from err
    return read_bytes(data, path=name)
