"""Choosing reports to review, tagging them as the build would, and the plain JSONL format.

The JSONL export has one line per span: ``file``, ``digest``, ``start``, ``end``, ``text``,
``label``, ``attributes`` (the reviewable ones), ``sentence`` and ``doubts`` (what the rules
could not settle). A script reviews by adding ``op`` (accept, reject, add, relabel with
``was``, edit) to the lines it has a verdict on — and ``by``/``at``, or ``--reviewer`` — and
``kg review import`` reads the lines that have an ``op`` (those are corrections in the
corrections file's own shape; report metadata: ``{"op": "metadata", "field": …, "value": …}``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.corpus import find_reports, read_bytes
from kg.errors import IngestError, KGError
from kg.nlp.model import Tags
from kg.review.apply import apply_corrections
from kg.review.corrections import Correction, ReviewError, from_dict, now
from kg.review.tasks import Sheet, doubts, span_of
from kg.store import file_digest


@dataclass(frozen=True, slots=True)
class Chosen:
    sheet: Sheet
    tags: Tags
    set_aside: tuple[Correction, ...]


def _region_matches(tags: Tags, region: str) -> bool:
    from kg.resolve.regions import link_region

    r = tags.report
    if region in (r.region, *r.region_chain):
        return True
    linked = link_region(r.region, chain=r.region_chain, text=r.text) if r.region else None
    return linked is not None and region in linked.path


def choose(
    paths: list[str | Path],
    corrections: Mapping[str, tuple[Correction, ...]],
    *,
    region: str | None = None,
    year: int | None = None,
    below: float | None = None,
    failures: list[tuple[str, str]] | None = None,
) -> list[Chosen]:
    """The reports under ``paths`` of ``region`` (a name at any level of its path) and
    ``year``, tagged and with their corrections applied; with ``below``, only those whose
    confidence (:meth:`Sheet.of`) is below it. Unreadable files go to ``failures``."""
    from kg.nlp import tag_report

    files = find_reports(paths)
    if not files:
        raise KGError(f"no report files found in {', '.join(map(str, paths))}")
    out: list[Chosen] = []
    for path in files:
        try:
            data = path.read_bytes()
            report = read_bytes(data, path=str(path))
        except (OSError, IngestError) as err:
            if failures is not None:
                failures.append((str(path), str(getattr(err, "reason", err))))
            continue
        review = apply_corrections(tag_report(report), corrections.get(path.name, ()))
        tags = review.tags
        if region is not None and not _region_matches(tags, region):
            continue
        if year is not None and tags.report.year_covered != year:
            continue
        sheet = Sheet.of(tags, file_digest(data))
        if below is not None and sheet.confidence >= below:
            continue
        out.append(Chosen(sheet, tags, tuple(review.set_aside)))
    return out


def jsonl_lines(chosen: Iterable[Chosen]) -> Iterable[str]:
    for c in chosen:
        for m in c.tags.mentions:
            line: dict[str, Any] = {
                "file": c.sheet.file,
                "digest": c.sheet.digest,
                **span_of(m).to_dict(),
                "sentence": m.sentence,
                "doubts": doubts(m),
            }
            line.setdefault("attributes", {})
            yield json.dumps(line, ensure_ascii=False, sort_keys=True)


def read_jsonl(path: str | Path, reviewer: str | None) -> tuple[list[Correction], int]:
    """The corrections in a reviewed JSONL file (lines with an ``op``), and how many lines
    had none."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").split("\n")  # not splitlines: NEL, U+2028 …
    except (OSError, UnicodeDecodeError) as err:
        raise ReviewError(f"cannot read {p}: {err}") from None
    out: list[Correction] = []
    skipped = 0
    at = now()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{p} line {n}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise ReviewError(f"{where} is not JSON: {err.msg}") from None
        if not isinstance(data, dict) or not data.get("op"):
            skipped += 1
            continue
        data = {k: v for k, v in data.items() if k not in ("sentence", "doubts")}
        if reviewer:
            data["by"] = reviewer
        data.setdefault("at", at)
        if not data.get("by"):
            raise ReviewError(f"{where}: no 'by' says who reviewed it; pass --reviewer NAME")
        out.append(from_dict(data, where))
    return out, skipped
