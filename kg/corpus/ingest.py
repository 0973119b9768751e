"""Read a report file into a :class:`Report` (provisional: UTF-8 text only)."""

from __future__ import annotations

from pathlib import Path

from kg.corpus.model import Metadata, OffsetMap, Report, Sentence
from kg.corpus.segment import sentence_bounds
from kg.errors import IngestError


SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")


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


def read_text(text: str, *, path: str = "-") -> Report:
    """A :class:`Report` from already decoded text."""
    sentences = tuple(Sentence(s, e, text[s:e]) for s, e in sentence_bounds(text))
    return Report(
        path=path,
        format="txt",
        encoding=None,
        source_text=text,
        text=text,
        offsets=OffsetMap((0,), (0,), (len(text),)),
        metadata=Metadata(),
        sentences=sentences,
    )


def read_bytes(data: bytes, *, path: str = "-", fmt: str | None = None) -> Report:
    """A :class:`Report` from a file's bytes; ``fmt`` (txt/html/pdf/docx) defaults from ``path``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise IngestError(path, "not UTF-8 text") from err
    return read_text(text, path=path)


def read_report(path: str | Path) -> Report:
    """Read one report file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise IngestError(str(p), f"cannot read the file ({err.strerror})") from err
    return read_bytes(data, path=str(p))
