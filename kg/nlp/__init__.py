"""Tagging: a :class:`~kg.corpus.Report` in, :class:`Tags` out."""

from __future__ import annotations

from dataclasses import replace

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
from kg.text import SimplifiedView, script_of, simplified_view

# Attributes that quote the text (a title, a 文号, an indicator …): given as the source writes
# them when a traditional text is tagged through its simplified view.
_QUOTING_ATTRIBUTES = (
    "title",
    "doc_number",
    "alias_of",
    "nested_in",
    "issuer",
    "head",
    "verb",
    "indicator",
    "unit",
)


def tag_text(text: str, nlp: Language | None = None) -> list[Mention]:
    """Mentions in ``text``, tagged in chunks of whole sentences so memory stays bounded.

    A text in traditional characters is tagged through its simplified form (OpenCC t2s), and
    every mention, its sentence and the attributes that quote the text are given back as the
    source writes them, with source offsets.
    """
    pipeline = nlp if nlp is not None else default_pipeline()
    if script_of(text) == "traditional":
        view = simplified_view(text)
        return [_as_written(m, view) for m in _tag(view.text, pipeline)]
    return _tag(text, pipeline)


def _as_written(mention: Mention, view: SimplifiedView) -> Mention:
    """``mention`` of ``view.text`` as a mention of ``view.source``."""
    start, end = view.source_span(mention.start, mention.end)
    sentence = mention.sentence
    at = view.text.find(
        sentence, max(0, mention.end - len(sentence)), mention.start + len(sentence)
    )
    if sentence and 0 <= at <= mention.start:
        sentence = _slice(view, at, at + len(sentence))
    attributes = dict(mention.attributes)
    for key in _QUOTING_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str) and value:
            attributes[key] = _quote(value, mention, view)
    return replace(
        mention,
        text=view.source[start:end],
        start=start,
        end=end,
        sentence=sentence,
        attributes=attributes,
    )


def _slice(view: SimplifiedView, start: int, end: int) -> str:
    s, e = view.source_span(start, end)
    return view.source[s:e]


def _quote(value: str, mention: Mention, view: SimplifiedView) -> str:
    """``value`` as the source writes it: found in the mention, else its characters in order
    in the mention (a unit "万个" of "3.5万余个"), else the nearest occurrence after the
    mention's start, else the first in the text; else unchanged."""
    at = view.text.find(value, mention.start, max(mention.end, mention.start + len(value)))
    if at >= 0:
        return _slice(view, at, at + len(value))
    picked: list[int] = []
    pos = mention.start
    for ch in value:
        pos = view.text.find(ch, pos, mention.end)
        if pos < 0:
            break
        picked.append(pos)
        pos += 1
    if len(picked) == len(value):
        return "".join(_slice(view, p, p + 1) for p in picked)
    at = view.text.find(value, mention.start)
    if at < 0:
        at = view.text.find(value)
    return _slice(view, at, at + len(value)) if at >= 0 else value


def _tag(text: str, pipeline: Language) -> list[Mention]:
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
