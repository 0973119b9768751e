"""The corrections file: what reviewers said about the tagger's spans and reports' metadata.

One JSON object per line, keys sorted, lines sorted by file, offsets, label and field, so the
file reads and diffs well under version control. A span correction::

    {"at": "2026-12-04T17:00:00Z", "attributes": {"action": "issued"}, "by": "li.wei",
     "digest": "sha256:…", "end": 87, "file": "004_….txt", "label": "DOCUMENT",
     "op": "edit", "start": 65, "text": "漯河市创建…实施方案"}

- ``op`` — ``accept`` (the span, label and attributes are right), ``reject`` (no such fact),
  ``add`` (a span the tagger missed), ``relabel`` (the span is right, its label was ``was``),
  ``edit`` (the span is right, its attributes are ``attributes``); or ``metadata`` (the
  report's ``field`` is ``value``);
- ``file`` and ``digest`` — the report's file name and the SHA-256 of its bytes when it was
  reviewed (what ``kg build`` calls the file's content digest);
- ``start``/``end``/``text``/``label`` — the span in the report's cleaned text (the offsets
  ``kg tag`` prints); ``text`` is checked against the report at every build, so a correction
  whose report text has changed under it is set aside, never applied to the wrong words;
- ``by`` and ``at`` — who, and when (ISO 8601, UTC).

One correction per key (file, start, end, label) or (file, field): a later review replaces an
earlier one, whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.nlp.model import DOCUMENT, LABELS, OUTCOME

#: Where ``kg review import`` writes and ``kg build`` reads corrections, in the project folder.
DEFAULT_CORRECTIONS = "corrections.jsonl"
SPAN_OPS = ("accept", "reject", "add", "relabel", "edit")
OPS = (*SPAN_OPS, "metadata")
#: Attributes a reviewer may check or change, by label.
REVIEWED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    DOCUMENT: ("action",),
    OUTCOME: ("indicator", "value", "unit"),
}
ACTIONS = ("issued", "implemented", "mentioned")
#: Report fields a reviewer may correct (those of ``kg build --metadata``).
METADATA_FIELDS = ("region", "level", "year", "title", "publisher", "published", "doc_number")
MAX_LINES = 1_000_000


class ReviewError(KGError):
    """A corrections file or an annotation tool's export that cannot be read."""


@dataclass(frozen=True, slots=True)
class Correction:
    """One reviewer's verdict on one span of one report, or on one of its metadata fields."""

    op: str
    file: str
    digest: str
    by: str
    at: str
    start: int = -1
    end: int = -1
    text: str = ""
    label: str = ""
    attributes: tuple[tuple[str, str], ...] = ()  # reviewed attributes, sorted by name
    was: str = ""  # relabel: the tagger's label
    field: str = ""  # metadata: which field
    value: str = ""  # metadata: its corrected value

    @property
    def is_span(self) -> bool:
        return self.op != "metadata"

    @property
    def key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.start, self.end, self.label, self.field)

    @property
    def attrs(self) -> dict[str, str]:
        return dict(self.attributes)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "op": self.op,
            "file": self.file,
            "digest": self.digest,
            "by": self.by,
            "at": self.at,
        }
        if self.is_span:
            out.update(start=self.start, end=self.end, text=self.text, label=self.label)
            if self.attributes:
                out["attributes"] = dict(self.attributes)
            if self.was:
                out["was"] = self.was
        else:
            out.update(field=self.field, value=self.value)
        return out

    def line(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    def describe(self, *, file: bool = True) -> str:
        where = f"{self.file}: " if file else ""
        if not self.is_span:
            return f"{where}{self.field} = {self.value!r} (by {self.by})"
        what = f"{self.label} {self.text!r} at {self.start}-{self.end}"
        return f"{where}{self.op} {what} (by {self.by}, {self.at})"


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def normalize_time(text: str, where: str) -> str:
    """An ISO 8601 time as UTC ``YYYY-MM-DDTHH:MM:SSZ`` (a time without a zone is UTC)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReviewError(f"{where}: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def clean_attributes(label: str, attributes: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The reviewed attributes of a span of ``label``, as sorted (name, string) pairs; empty
    values dropped."""
    names = REVIEWED_ATTRIBUTES.get(label, ())
    out = []
    for name in names:
        value = attributes.get(name)
        if value is None or value == "":
            continue
        out.append((name, value_text(value)))
    return tuple(out)


def value_text(value: Any) -> str:
    """A number as written without a needless ``.0`` (``28.8``, ``12``), anything else as str."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int(data: Mapping[str, Any], name: str, where: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ReviewError(f"{where}: {name!r} must be a non-negative integer offset")
    return value


def _str(data: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value):
        raise ReviewError(f"{where}: {name!r} must be a non-empty string")
    return value


def from_dict(data: Any, where: str) -> Correction:
    """A correction from one line's object; a bad value is an error naming ``where``."""
    if not isinstance(data, dict):
        raise ReviewError(f"{where}: each line must be a JSON object")
    op = _str(data, "op", where)
    if op not in OPS:
        raise ReviewError(f"{where}: op {op!r} must be one of {', '.join(OPS)}")
    base = Correction(
        op=op,
        file=Path(_str(data, "file", where)).name,
        digest=_str(data, "digest", where),
        by=_str(data, "by", where),
        at=normalize_time(_str(data, "at", where), where),
    )
    if op == "metadata":
        name = _str(data, "field", where)
        if name not in METADATA_FIELDS:
            raise ReviewError(
                f"{where}: field {name!r} must be one of {', '.join(METADATA_FIELDS)}"
            )
        return check_metadata(replace(base, field=name, value=_str(data, "value", where)), where)
    label = _str(data, "label", where)
    if label not in LABELS:
        raise ReviewError(f"{where}: label {label!r} must be one of {', '.join(LABELS)}")
    start, end = _int(data, "start", where), _int(data, "end", where)
    text = _str(data, "text", where)
    if end - start != len(text):
        raise ReviewError(f"{where}: the span {start}-{end} does not have the length of {text!r}")
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise ReviewError(f"{where}: 'attributes' must be an object")
    unknown = set(attributes) - set(REVIEWED_ATTRIBUTES.get(label, ()))
    if unknown:
        raise ReviewError(f"{where}: a {label} span has no attribute {sorted(unknown)[0]!r}")
    was = _str(data, "was", where, required=op == "relabel")
    if was and was not in LABELS:
        raise ReviewError(f"{where}: was {was!r} must be one of {', '.join(LABELS)}")
    correction = replace(
        base,
        start=start,
        end=end,
        text=text,
        label=label,
        was=was,
        attributes=clean_attributes(label, attributes),
    )
    check_attributes(correction, where)
    return correction


def check_attributes(c: Correction, where: str) -> None:
    attrs = c.attrs
    if "action" in attrs and attrs["action"] not in ACTIONS:
        raise ReviewError(
            f"{where}: action {attrs['action']!r} must be one of {', '.join(ACTIONS)}"
        )
    if "value" in attrs:
        try:
            float(attrs["value"])
        except ValueError:
            raise ReviewError(f"{where}: value {attrs['value']!r} is not a number") from None


def check_metadata(c: Correction, where: str) -> Correction:
    from kg.corpus.metadata import LEVELS

    if c.field == "level" and c.value not in LEVELS:
        raise ReviewError(f"{where}: level {c.value!r} must be one of {', '.join(LEVELS)}")
    if c.field == "year" and not (c.value.isdigit() and 1949 <= int(c.value) <= 2100):
        raise ReviewError(f"{where}: year {c.value!r} must be a year such as 2022")
    return c


def load(path: str | Path) -> list[Correction]:
    """The corrections in ``path`` (none when it does not exist)."""
    p = Path(path)
    if not p.exists():
        return []
    try:
        lines = p.read_text(encoding="utf-8").split("\n")  # not splitlines: NEL, U+2028 …
    except (OSError, UnicodeDecodeError) as err:
        raise ReviewError(f"cannot read the corrections file {p}: {err}") from None
    if len(lines) > MAX_LINES:
        raise ReviewError(f"{p}: more than {MAX_LINES:,} corrections")
    out: list[Correction] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise ReviewError(f"{p} line {n} is not JSON: {err.msg}") from None
        out.append(from_dict(data, f"{p} line {n}"))
    return out


def _sort_key(c: Correction) -> tuple[str, int, int, str, str]:
    return c.key


def save(path: str | Path, corrections: Iterable[Correction]) -> None:
    """Write ``corrections`` sorted, one per line, to ``path`` (a temporary file renamed, so
    a failed write leaves the old file whole)."""
    p = Path(path)
    text = "".join(c.line() + "\n" for c in sorted(corrections, key=_sort_key))
    fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".", prefix=f".{p.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, p)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ReviewError(f"cannot write the corrections file {p}: {err.strerror}") from None


@dataclass(slots=True)
class Merged:
    corrections: list[Correction]
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    by_op: dict[str, int] = field(default_factory=dict)


def merge(old: Iterable[Correction], new: Iterable[Correction]) -> Merged:
    """``old`` with ``new`` in place of any of the same key; counts of what changed."""
    table = {c.key: c for c in old}
    at_span: dict[tuple[str, int, int], set[tuple[str, int, int, str, str]]] = {}
    for k in table:
        at_span.setdefault(k[:3], set()).add(k)
    result = Merged([])
    for c in new:
        here = at_span.setdefault((c.file, c.start, c.end), set())
        if c.is_span:  # a relabel replaces what was said of the old label, and the reverse
            for k in sorted(here):
                o = table[k]
                if k != c.key and (o.label == c.was or (o.op == "relabel" and o.was == c.label)):
                    del table[k]
                    here.discard(k)
        here.add(c.key)
        prior = table.get(c.key)
        if prior == c:
            result.unchanged += 1
            continue
        if prior is None:
            result.new += 1
        else:
            result.replaced += 1
        result.by_op[c.op] = result.by_op.get(c.op, 0) + 1
        table[c.key] = c
    result.corrections = sorted(table.values(), key=_sort_key)
    return result


def by_file(corrections: Iterable[Correction]) -> dict[str, tuple[Correction, ...]]:
    out: dict[str, list[Correction]] = {}
    for c in corrections:
        out.setdefault(c.file, []).append(c)
    return {name: tuple(sorted(cs, key=_sort_key)) for name, cs in out.items()}


def corrections_digest(corrections: Iterable[Correction]) -> str:
    """16 hex digits over a report's corrections: a report whose corrections change is built
    again."""
    text = "\n".join(sorted(c.line() for c in corrections))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
