"""Tagging: a :class:`~kg.corpus.Report` in, :class:`Tags` out."""

from __future__ import annotations

from spacy.language import Language

from kg.corpus.model import Report
from kg.nlp.model import LABELS, Mention, Tags
from kg.nlp.pipeline import build_pipeline, default_pipeline, doc_mentions, load_pipeline


def tag_report(report: Report, nlp: Language | None = None) -> Tags:
    """Tag one report with ``nlp`` (default: the built-in pipeline)."""
    pipeline = nlp if nlp is not None else default_pipeline()
    doc = pipeline(report.text)
    return Tags(report=report, mentions=tuple(doc_mentions(doc)))


__all__ = [
    "LABELS",
    "Mention",
    "Tags",
    "build_pipeline",
    "default_pipeline",
    "load_pipeline",
    "tag_report",
]
