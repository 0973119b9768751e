"""What a reviewer is shown of one report, and what a review says compared with it.

A :class:`Sheet` is one report as exported: its file name and content digest, its cleaned
text, its spans (label, offsets, reviewed attributes) and its metadata, after the corrections
already made (so a second review starts where the first ended). :func:`diff` turns a review —
the spans and metadata the reviewer submitted — into corrections against the sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kg.nlp.model import DAMAGED_DOC_NUMBER, DOCUMENT, OUTCOME, PLACE, Mention, Tags
from kg.review.corrections import METADATA_FIELDS, Correction, clean_attributes, value_text

Key = tuple[int, int, str]  # start, end, label


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str
    label: str
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> Key:
        return (self.start, self.end, self.label)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
        }
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        return out


def span_of(m: Mention) -> Span:
    return Span(m.start, m.end, m.text, m.label, clean_attributes(m.label, m.attributes))


def doubts(m: Mention) -> list[str]:
    """What the rules could not settle about a mention (empty: nothing)."""
    out = []
    if m.label == DAMAGED_DOC_NUMBER:
        out.append("文号 with its brackets lost")
    if m.label == DOCUMENT and not m.attributes.get("verb") and not m.attributes.get("alias_of"):
        out.append("action not read from a verb")
    if m.label == OUTCOME and not m.attributes.get("indicator"):
        out.append("no indicator found")
    if m.label == PLACE and not m.attributes.get("code"):
        out.append("place not found in GB/T 2260")
    return out


def report_values(tags: Tags) -> dict[str, str]:
    r, meta = tags.report, tags.report.metadata
    values = {
        "region": "/".join(r.region_chain) if len(r.region_chain) > 1 else r.region,
        "level": r.level,
        "year": r.year_covered,
        "title": meta.title,
        "publisher": meta.publisher,
        "published": meta.generated or meta.published,
        "doc_number": meta.doc_number,
    }
    return {k: value_text(v) for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True, slots=True)
class Sheet:
    file: str
    digest: str
    text: str
    spans: tuple[Span, ...]
    report: Mapping[str, str]
    confidence: float  # share of spans (and region, level, year) nothing is in doubt about
    span_confidence: tuple[float, ...] = ()

    @classmethod
    def of(cls, tags: Tags, digest: str) -> Sheet:
        from kg.corpus.metadata import missing_facts

        spans = tuple(span_of(m) for m in tags.mentions)
        doubtful = [bool(doubts(m)) for m in tags.mentions]
        missing = len(missing_facts(tags.report))
        total = len(doubtful) + 3
        confidence = 1 - (sum(doubtful) + missing) / total
        return cls(
            file=tags.report.name,
            digest=digest,
            text=tags.report.text,
            spans=spans,
            report=report_values(tags),
            confidence=round(confidence, 4),
            span_confidence=tuple(0.5 if d else 1.0 for d in doubtful),
        )


def diff(
    sheet_file: str,
    digest: str,
    baseline: tuple[Span, ...],
    baseline_report: Mapping[str, str],
    spans: list[Span],
    report: Mapping[str, str],
    *,
    by: str,
    at: str,
    existing: Mapping[tuple[str, int, int, str, str], Correction],
) -> list[Correction]:
    """The corrections that turn ``baseline`` into ``spans`` (and ``baseline_report`` into
    ``report``): a span left as it was is accepted (unless an earlier correction already
    covers it), a changed attribute is an edit, a new label on the same span a relabel, a new
    span an add, a missing one a reject."""
    base = {s.key: s for s in baseline}
    seen = {s.key: s for s in spans}
    out: list[Correction] = []

    def make(op: str, s: Span, was: str = "") -> Correction:
        return Correction(
            op=op,
            file=sheet_file,
            digest=digest,
            by=by,
            at=at,
            start=s.start,
            end=s.end,
            text=s.text,
            label=s.label,
            attributes=s.attributes,
            was=was,
        )

    relabelled: set[Key] = set()
    for key, s in seen.items():
        old = base.get(key)
        prior = existing.get((sheet_file, s.start, s.end, s.label, ""))
        if old is not None:
            if old.attributes == s.attributes:
                if prior is None or prior.op == "reject":
                    out.append(make("accept", s))
            else:
                out.append(make("add" if prior and prior.op == "add" else "edit", s))
            continue
        was = next(
            (
                b.label
                for b in baseline
                if (b.start, b.end) == (s.start, s.end)
                and b.key not in seen
                and b.key not in relabelled
            ),
            "",
        )
        if was:
            relabelled.add((s.start, s.end, was))
            out.append(make("relabel", s, was))
        else:
            out.append(make("add", s))
    for key, b in base.items():
        if key not in seen and key not in relabelled:
            out.append(make("reject", b))
    for name in METADATA_FIELDS:
        value = report.get(name)
        if value and value != baseline_report.get(name):
            out.append(
                Correction(
                    op="metadata",
                    file=sheet_file,
                    digest=digest,
                    by=by,
                    at=at,
                    field=name,
                    value=value,
                )
            )
    return out
