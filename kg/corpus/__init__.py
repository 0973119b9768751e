"""Ingestion: a report file in, a :class:`Report` out."""

from __future__ import annotations

from kg.corpus.ingest import SUPPORTED_SUFFIXES, find_reports, read_bytes, read_report, read_text
from kg.corpus.model import Metadata, OffsetMap, Paragraph, Report, Section, Sentence

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Metadata",
    "OffsetMap",
    "Paragraph",
    "Report",
    "Section",
    "Sentence",
    "find_reports",
    "read_bytes",
    "read_report",
    "read_text",
]
