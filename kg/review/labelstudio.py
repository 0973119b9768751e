"""Label Studio: tasks to import (text with pre-filled spans) and its JSON export read back.

Import format (Label Studio's "Basic JSON format" with predictions): a JSON list of tasks, each

    {"data": {"text": "<cleaned report text>", "file": "…", "region": "…", "year": 2022,
              "kg": {"digest": "sha256:…", "spans": […], "report": {…}}},
     "predictions": [{"model_version": "policy-kg/…", "score": 0.97,
                      "result": [{"id": "s0", "from_name": "label", "to_name": "text",
                                  "type": "labels",
                                  "value": {"start": 0, "end": 3, "text": "漯河市",
                                            "labels": ["PLACE"]}}, …]}]}

Per-span attributes are per-region results with the span's ``id`` (``choices`` for a
document's ``action``; ``textarea`` for an outcome's ``indicator``, ``value`` and ``unit``);
report metadata are results without a span (``textarea`` for ``region``, ``year``, ``title``,
``publisher``, ``published``, ``doc_number``; ``choices`` for ``level``). The labelling config
(:data:`LABEL_CONFIG`) declares them all; ``kg review export`` writes it beside the tasks.

``data.kg`` keeps what the reviewer was shown, so the export (a JSON list of tasks, each with
``annotations`` holding ``result``, ``completed_by``, ``created_at``/``updated_at`` and
``was_cancelled``) can be compared with it span by span. Offsets are code points; an export
whose offsets count UTF-16 units (older Label Studio versions, text with characters outside the
BMP) is read as such when its ``text`` says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from kg.nlp.model import DOCUMENT, LABELS, OUTCOME
from kg.review.corrections import (
    ACTIONS,
    METADATA_FIELDS,
    Correction,
    ReviewError,
    clean_attributes,
    normalize_time,
    now,
)
from kg.review.tasks import Sheet, Span, diff

_COLOURS = ("#1f77b4", "#aec7e8", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf")
_LEVELS = ("province", "city", "county", "district", "town")


def _config() -> str:
    labels = "\n".join(
        f"    <Label value={quoteattr(label)} background={quoteattr(colour)}/>"
        for label, colour in zip(LABELS, _COLOURS, strict=True)
    )
    actions = "".join(f'<Choice value="{a}"/>' for a in ACTIONS)
    levels = "".join(f'<Choice value="{level}"/>' for level in _LEVELS)
    outcome = "\n".join(
        f'  <TextArea name="{name}" toName="text" perRegion="true" maxSubmissions="1" '
        f'editable="true" placeholder="{name}" visibleWhen="region-selected" '
        f'whenLabelValue="{OUTCOME}"/>'
        for name in ("indicator", "value", "unit")
    )
    report = "\n".join(
        f'  <TextArea name="{name}" toName="text" maxSubmissions="1" editable="true" '
        f'placeholder="{name}"/>'
        for name in METADATA_FIELDS
        if name != "level"
    )
    return f"""<View>
  <Header value="$file: $region $year"/>
  <Labels name="label" toName="text">
{labels}
  </Labels>
  <Text name="text" value="$text" granularity="symbol"/>
  <Choices name="action" toName="text" perRegion="true" choice="single-radio"
           visibleWhen="region-selected" whenLabelValue="{DOCUMENT}">{actions}</Choices>
{outcome}
  <Header value="Report metadata (correct only what is wrong)"/>
  <Choices name="level" toName="text" choice="single-radio">{levels}</Choices>
{report}
</View>
"""


#: The labelling config for the tasks ``kg review export`` writes (Label Studio XML).
LABEL_CONFIG = _config()
_ATTRIBUTE_NAMES = ("action", "indicator", "value", "unit")


def _result(region_id: str, name: str, kind: str, value: Any, span: Span | None) -> dict[str, Any]:
    inner: dict[str, Any] = {} if span is None else {"start": span.start, "end": span.end}
    inner["choices" if kind == "choices" else "text"] = [value]
    return {"id": region_id, "from_name": name, "to_name": "text", "type": kind, "value": inner}


def task(sheet: Sheet, model_version: str) -> dict[str, Any]:
    """One Label Studio task with the sheet's spans as a prediction."""
    result: list[dict[str, Any]] = []
    for i, span in enumerate(sheet.spans):
        rid = f"s{i}"
        item: dict[str, Any] = {
            "id": rid,
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {
                "start": span.start,
                "end": span.end,
                "text": span.text,
                "labels": [span.label],
            },
        }
        if sheet.span_confidence:
            item["score"] = sheet.span_confidence[i]
        result.append(item)
        for name, value in span.attributes:
            kind = "choices" if name == "action" else "textarea"
            result.append(_result(rid, name, kind, value, span))
    for name, value in sheet.report.items():
        kind = "choices" if name == "level" else "textarea"
        result.append(_result(f"report-{name}", name, kind, value, None))
    return {
        "data": {
            "text": sheet.text,
            "file": sheet.file,
            "region": sheet.report.get("region", ""),
            "year": sheet.report.get("year", ""),
            "kg": {
                "file": sheet.file,
                "digest": sheet.digest,
                "spans": [s.to_dict() for s in sheet.spans],
                "report": dict(sheet.report),
            },
        },
        "predictions": [
            {"model_version": model_version, "score": sheet.confidence, "result": result}
        ],
    }


@dataclass(frozen=True, slots=True)
class Review:
    """One reviewed task read back: what was shown and what the reviewer submitted."""

    file: str
    digest: str
    baseline: tuple[Span, ...]
    baseline_report: Mapping[str, str]
    spans: list[Span]
    report: dict[str, str]
    by: str
    at: str

    def corrections(
        self, existing: Mapping[tuple[str, int, int, str, str], Correction]
    ) -> list[Correction]:
        return diff(
            self.file,
            self.digest,
            self.baseline,
            self.baseline_report,
            self.spans,
            self.report,
            by=self.by,
            at=self.at,
            existing=existing,
        )


def _utf16_to_index(text: str, units: int) -> int | None:
    count = 0
    for i, ch in enumerate(text):
        if count == units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text) if count == units else None


def _offsets(text: str, value: Mapping[str, Any], where: str) -> tuple[int, int]:
    start, end, said = value.get("start"), value.get("end"), value.get("text")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
        raise ReviewError(f"{where}: a labelled region needs integer start < end offsets")
    if said is None or text[start:end] == said:
        if end > len(text):
            raise ReviewError(f"{where}: offsets {start}-{end} run past the end of the text")
        return start, end
    s16, e16 = _utf16_to_index(text, start), _utf16_to_index(text, end)
    if s16 is not None and e16 is not None and text[s16:e16] == said:
        return s16, e16
    raise ReviewError(
        f"{where}: the text at {start}-{end} is {text[start:end]!r}, not {said!r} as the "
        "region says; was the task's text changed?"
    )


def _reviewer(annotation: Mapping[str, Any], reviewer: str | None, where: str) -> str:
    if reviewer:
        return reviewer
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        for key in ("email", "username", "id"):
            if who.get(key):
                return str(who[key])
    if isinstance(who, (int, str)) and str(who):
        return f"label-studio-user-{who}"
    raise ReviewError(f"{where}: the annotation does not say who made it; pass --reviewer NAME")


def _latest(task: Mapping[str, Any]) -> Mapping[str, Any] | None:
    annotations = [
        a
        for a in task.get("annotations") or []
        if isinstance(a, dict) and not a.get("was_cancelled")
    ]
    if not annotations:
        return None
    return max(annotations, key=lambda a: str(a.get("updated_at") or a.get("created_at") or ""))


def _first(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    texts = [str(v).strip() for v in items if v is not None and str(v).strip()]
    return texts[-1] if texts else None


def read_task(item: Any, where: str, reviewer: str | None) -> Review | None:
    """The review in one exported task (None when no one submitted one)."""
    if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
        raise ReviewError(f"{where}: a task must be an object with 'data'")
    data = item["data"]
    meta = data.get("kg")
    if not isinstance(meta, dict) or "digest" not in meta or "spans" not in meta:
        raise ReviewError(f"{where}: the task has no data.kg; was it made by 'kg review export'?")
    text = data.get("text")
    if not isinstance(text, str):
        raise ReviewError(f"{where}: data.text must be the report's text")
    annotation = _latest(item)
    if annotation is None:
        return None
    file = str(meta.get("file") or data.get("file") or "")
    baseline = tuple(
        Span(
            s["start"],
            s["end"],
            s["text"],
            s["label"],
            clean_attributes(s["label"], s.get("attributes") or {}),
        )
        for s in meta["spans"]
    )
    regions: dict[str, list[Span]] = {}
    attrs: dict[str, dict[str, str]] = {}
    report: dict[str, str] = {}
    for n, r in enumerate(annotation.get("result") or []):
        here = f"{where} result {n}"
        if not isinstance(r, dict) or not isinstance(r.get("value"), dict):
            raise ReviewError(f"{here}: a result must be an object with a 'value'")
        rid, kind, name, value = str(r.get("id", "")), r.get("type"), r.get("from_name"), r["value"]
        if kind == "labels":
            start, end = _offsets(text, value, here)
            for label in value.get("labels") or []:
                if label not in LABELS:
                    raise ReviewError(f"{here}: unknown label {label!r}")
                regions.setdefault(rid, []).append(Span(start, end, text[start:end], label))
        elif (
            kind in ("choices", "textarea", "number")
            and name in _ATTRIBUTE_NAMES
            and "start" in value
        ):
            picked = _first(value.get("choices") or value.get("text") or value.get("number"))
            if picked is not None:
                attrs.setdefault(rid, {})[str(name)] = picked
        elif kind in ("choices", "textarea", "number") and name in METADATA_FIELDS:
            picked = _first(value.get("choices") or value.get("text") or value.get("number"))
            if picked is not None:
                report[str(name)] = picked
    spans = [
        Span(s.start, s.end, s.text, s.label, clean_attributes(s.label, attrs.get(rid, {})))
        for rid, group in regions.items()
        for s in group
    ]
    when = annotation.get("updated_at") or annotation.get("created_at")
    return Review(
        file=file,
        digest=str(meta["digest"]),
        baseline=baseline,
        baseline_report={k: str(v) for k, v in (meta.get("report") or {}).items()},
        spans=spans,
        report=report,
        by=_reviewer(annotation, reviewer, where),
        at=normalize_time(str(when), where) if when else now(),
    )


def read_export(path: str | Path, reviewer: str | None = None) -> tuple[list[Review], int]:
    """The reviews in a Label Studio JSON export, and the number of tasks no one reviewed."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise ReviewError(f"cannot read {p}: {err.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ReviewError(f"{p} is not a JSON file: {err}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ReviewError(f"{p}: a Label Studio JSON export is a list of tasks")
    reviews: list[Review] = []
    skipped = 0
    for i, item in enumerate(data):
        review = read_task(
            item, f"{p} task {item.get('id', i) if isinstance(item, dict) else i}", reviewer
        )
        if review is None:
            skipped += 1
        else:
            reviews.append(review)
    return reviews, skipped


def write_tasks(sheets: Iterable[Sheet], path: Path, model_version: str) -> Path:
    """The tasks as a JSON list at ``path`` and the labelling config beside it
    (``<stem>.config.xml``); returns the config's path."""
    tasks = [task(s, model_version) for s in sheets]
    config = path.with_name(f"{path.stem}.config.xml")
    write_text(path, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    write_text(config, LABEL_CONFIG)
    return config


def write_text(path: Path, text: str) -> None:
    """``text`` to ``path`` through a temporary file (a failed write leaves nothing half done)."""
    from kg.export.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
