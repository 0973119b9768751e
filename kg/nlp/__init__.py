"""Tagging: a :class:`~kg.corpus.Report` in, :class:`Tags` out."""

from __future__ import annotations

from spacy.language import Language

from kg.corpus.model import Report
from kg.nlp.model import LABELS, Mention, Tags
from kg.nlp.pipeline import (
    build_pipeline,
    default_pipeline,
    doc_mentions,
    load_pipeline,
    text_chunks,
)


def tag_text(text: str, nlp: Language | None = None) -> list[Mention]:
    """Mentions in ``text``, tagged in chunks of whole sentences so memory stays bounded."""
    pipeline = nlp if nlp is not None else default_pipeline()
    chunks = list(text_chunks(text))
    mentions: list[Mention] = []
    for (offset, _end), doc in zip(
        chunks, pipeline.pipe(text[s:e] for s, e in chunks), strict=True
    ):
        mentions += doc_mentions(doc, offset=offset)
    return mentions


def tag_report(report: Report, nlp: Language | None = None) -> Tags:
    """Tag one report with ``nlp`` (default: the built-in pipeline)."""
    return Tags(report=report, mentions=tuple(tag_text(report.text, nlp)))


__all__ = [
    "LABELS",
    "Mention",
    "Tags",
    "build_pipeline",
    "default_pipeline",
    "load_pipeline",
    "tag_report",
    "tag_text",
]
