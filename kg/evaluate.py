"""Score tags against hand-made gold files (rules in ``tests/gold/GUIDELINES.md``).

Strings are compared after NFKC normalisation, with every dash variant read as ``-`` and white
space removed. Per category, predictions and gold items are paired one to one, greedily, and
precision/recall/F1 are micro-averaged over files.

- strict: equal strings; outcomes: equal value, unit and indicator.
- relaxed: one string contains the other; outcomes: equal value and unit, and the clause texts
  overlap (one contains the other, or one contains the other's indicator).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import GoldError
from kg.text import normalize, script_of

_TITLE = re.compile(r"《[^《》]*》")

STRING_CATEGORIES = (
    "nested_documents",
    "doc_numbers",
    "damaged_doc_numbers",
    "institutions",
    "programs",
)
CATEGORIES = ("documents", *STRING_CATEGORIES, "aliases", "outcomes")
METADATA_FIELDS = (
    "region",
    "level",
    "year_covered",
    "title",
    "published",
    "publisher",
    "doc_number",
)
MODES = ("strict", "relaxed")


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Misses:
    """What a category got wrong in one file: unmatched predictions and gold items."""

    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FileScore:
    file: str
    counts: dict[tuple[str, str], Counts]  # (category, mode) -> counts
    misses: dict[str, Misses]  # category -> strict misses
    metadata: dict[str, bool]
    actions_correct: int
    actions_total: int
    # field -> (predicted, gold) for the report fields
    metadata_values: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    slices: dict[str, str] = field(default_factory=dict)  # slice -> value, e.g. level -> city


@dataclass(slots=True)
class Score:
    files: list[FileScore]
    counts: dict[tuple[str, str], Counts]
    metadata: dict[str, int]  # field -> files correct
    actions_correct: int
    actions_total: int

    @property
    def action_accuracy(self) -> float:
        return self.actions_correct / self.actions_total if self.actions_total else 1.0

    def f1(self, category: str, mode: str = "strict") -> float:
        return self.counts[(category, mode)].f1

    def by(self, slice_name: str) -> dict[str, Score]:
        """The files grouped by the value they have for ``slice_name`` (level, script,
        province), each group micro-averaged on its own; files without it go under ``?``."""
        groups: dict[str, list[FileScore]] = {}
        for fs in self.files:
            groups.setdefault(fs.slices.get(slice_name) or "?", []).append(fs)
        return {key: combine(groups[key]) for key in sorted(groups)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": len(self.files),
            "categories": {
                cat: {
                    mode: {
                        "precision": round(c.precision, 4),
                        "recall": round(c.recall, 4),
                        "f1": round(c.f1, 4),
                        "tp": c.tp,
                        "fp": c.fp,
                        "fn": c.fn,
                    }
                    for (cat2, mode), c in self.counts.items()
                    if cat2 == cat
                }
                for cat in CATEGORIES
            },
            "metadata": {k: f"{v}/{len(self.files)}" for k, v in self.metadata.items()},
            "action_accuracy": round(self.action_accuracy, 4),
            "actions": f"{self.actions_correct}/{self.actions_total}",
        }


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read one ``*.gold.json`` file."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise GoldError(f"cannot read gold file {p}: {err.strerror}") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GoldError(f"gold file {p} is not valid JSON: {err}") from err
    if not isinstance(data, dict) or "documents" not in data:
        raise GoldError(f"gold file {p} has no 'documents' list; is it a policy-kg gold file?")
    return data


def _pair(
    predicted: Sequence[Any],
    gold: Sequence[Any],
    match: Callable[[Any, Any], bool],
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Greedy one-to-one pairing: (pairs, unmatched predictions, unmatched gold)."""
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    lonely: list[int] = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            if j not in used and match(p, g):
                used.add(j)
                pairs.append((i, j))
                break
        else:
            lonely.append(i)
    return pairs, lonely, [j for j in range(len(gold)) if j not in used]


def _contains(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


def _same_number(a: Any, b: Any) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False


def _outcome_strict(p: dict[str, Any], g: dict[str, Any]) -> bool:
    return (
        _same_number(p.get("value"), g.get("value"))
        and normalize(str(p.get("unit") or "")) == normalize(str(g.get("unit") or ""))
        and normalize(str(p.get("indicator") or "")) == normalize(str(g.get("indicator") or ""))
    )


def _outcome_relaxed(p: dict[str, Any], g: dict[str, Any]) -> bool:
    if not (
        _same_number(p.get("value"), g.get("value"))
        and normalize(str(p.get("unit") or "")) == normalize(str(g.get("unit") or ""))
    ):
        return False
    pt, gt = normalize(str(p.get("text") or "")), normalize(str(g.get("text") or ""))
    pi, gi = normalize(str(p.get("indicator") or "")), normalize(str(g.get("indicator") or ""))
    return _contains(pt, gt) or (bool(gi) and gi in pt) or (bool(pi) and pi in gt)


def _strings(items: Iterable[Any], key: str | None = None) -> list[str]:
    out = []
    for item in items:
        value = item.get(key) if key and isinstance(item, dict) else item
        if isinstance(value, str):
            out.append(value)
    return list(dict.fromkeys(normalize(s) for s in out))


def _outside_titles(text: str) -> str:
    """The report text with every 《…》 title blanked out."""
    return _TITLE.sub("《》", normalize(text))


def score_file(
    predicted: dict[str, Any], gold: dict[str, Any], *, text: str | None = None
) -> FileScore:
    """Score one file's predictions (the ``kg tag --format json`` shape) against its gold.

    With ``text`` (the report), predicted institutions and programs that occur only inside a
    cited title are not counted, as the guidelines say.
    """
    counts: dict[tuple[str, str], Counts] = {}
    misses: dict[str, Misses] = {}
    outside = _outside_titles(text) if text is not None else None

    for cat in CATEGORIES:
        optional: list[Any] = list(gold.get(f"{cat}_optional") or [])
        if cat == "outcomes":
            preds: list[Any] = [o for o in predicted.get(cat) or [] if isinstance(o, dict)]
            golds: list[Any] = [o for o in gold.get(cat) or [] if isinstance(o, dict)]
            matchers: dict[str, Callable[[Any, Any], bool]] = {
                "strict": _outcome_strict,
                "relaxed": _outcome_relaxed,
            }
            show: Callable[[Any], str] = lambda o: (  # noqa: E731
                f"{o.get('text')} [{o.get('indicator')}|{o.get('value')}|{o.get('unit')}]"
            )
        else:
            if cat == "documents":
                preds, golds = (
                    _strings(predicted.get(cat) or [], "title"),
                    _strings(gold.get(cat) or [], "title"),
                )
                optional = _strings(optional, "title")
            elif cat == "aliases":
                preds = [
                    f"{normalize(a.get('alias', ''))}={normalize(a.get('title', ''))}"
                    for a in predicted.get(cat) or []
                ]
                golds = [
                    f"{normalize(a.get('alias', ''))}={normalize(a.get('title', ''))}"
                    for a in gold.get(cat) or []
                ]
            else:
                preds, golds = _strings(predicted.get(cat) or []), _strings(gold.get(cat) or [])
                optional = _strings(optional)
                if outside is not None and cat in ("institutions", "programs"):
                    preds = [p for p in preds if p in outside or p in golds]
            matchers = {"strict": str.__eq__, "relaxed": _contains}
            show = str
        for mode in MODES:
            match = matchers[mode]
            pairs, lonely_p, lonely_g = _pair(preds, golds, match)
            fp = [i for i in lonely_p if not any(match(preds[i], o) for o in optional)]
            counts[(cat, mode)] = Counts(tp=len(pairs), fp=len(fp), fn=len(lonely_g))
            if mode == "strict":
                misses[cat] = Misses(
                    false_positives=[show(preds[i]) for i in fp],
                    false_negatives=[show(golds[j]) for j in lonely_g],
                )

    # Action accuracy over the documents found (strictly matched titles).
    pred_actions = {
        normalize(d["title"]): d.get("action")
        for d in predicted.get("documents") or []
        if isinstance(d, dict) and isinstance(d.get("title"), str)
    }
    correct = total = 0
    for d in gold.get("documents") or []:
        title = normalize(d.get("title", ""))
        if title in pred_actions:
            total += 1
            correct += pred_actions[title] == d.get("action")

    report_p = predicted.get("report") or {}
    report_g = gold.get("report") or {}
    fields = [f for f in METADATA_FIELDS if f in report_g]
    metadata = {f: _same_meta(report_p.get(f), report_g.get(f)) for f in fields}
    return FileScore(
        file=str(gold.get("file", "?")),
        counts=counts,
        misses=misses,
        metadata=metadata,
        actions_correct=correct,
        actions_total=total,
        metadata_values={f: (report_p.get(f), report_g.get(f)) for f in fields},
    )


def _same_meta(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return normalize(a) == normalize(b)
    return bool(a == b)


def combine(files: list[FileScore]) -> Score:
    """Micro-average file scores."""
    counts: dict[tuple[str, str], Counts] = {(c, m): Counts() for c in CATEGORIES for m in MODES}
    metadata: dict[str, int] = {f: 0 for f in METADATA_FIELDS}
    correct = total = 0
    for fs in files:
        for key, c in fs.counts.items():
            counts[key].add(c)
        for f, ok in fs.metadata.items():
            metadata[f] += ok
        correct += fs.actions_correct
        total += fs.actions_total
    return Score(
        files=files, counts=counts, metadata=metadata, actions_correct=correct, actions_total=total
    )


# -- slices ------------------------------------------------------------------------------------

SLICES = ("level", "script", "province")
SLICE_CATEGORIES = ("documents", "doc_numbers", "institutions", "programs", "outcomes")
SLICE_FIELDS = ("region", "level", "year_covered")
SLICE_HEADERS = (
    "files",
    *(f"{c} F1" for c in SLICE_CATEGORIES),
    "actions",
    *SLICE_FIELDS,
)


def read_sources(gold_dir: str | Path) -> dict[str, dict[str, Any]]:
    """Rows of a ``sources.jsonl`` in ``gold_dir`` or beside it (its parent), by ``id``.

    Each row may say ``level``, ``script`` and ``region`` of one passage; a gold folder
    without the file gives ``{}``.
    """
    gdir = Path(gold_dir)
    for candidate in (gdir / "sources.jsonl", gdir.parent / "sources.jsonl"):
        if candidate.is_file():
            break
    else:
        return {}
    rows: dict[str, dict[str, Any]] = {}
    try:
        lines = candidate.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise GoldError(f"cannot read {candidate}: {err}") from err
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise GoldError(f"{candidate} line {number} is not valid JSON: {err}") from err
        if isinstance(row, dict) and isinstance(row.get("id"), str):
            rows[row["id"]] = row
    return rows


def file_slices(
    gold: dict[str, Any], text: str | None = None, source: dict[str, Any] | None = None
) -> dict[str, str]:
    """The slices a gold file falls in: ``level`` and ``province`` from its report (else from
    its ``sources.jsonl`` row), ``script`` from the row, else detected from ``text``."""
    report = gold.get("report") or {}
    row = source or {}
    out: dict[str, str] = {}
    level = report.get("level") or row.get("level")
    if isinstance(level, str) and level:
        out["level"] = level
    script = row.get("script")
    if not (isinstance(script, str) and script) and text is not None:
        script = script_of(text)
    if isinstance(script, str) and script:
        out["script"] = script
    path = report.get("region_path")
    if isinstance(path, list) and path and isinstance(path[0], str):
        out["province"] = path[0]
    return out


def slice_row(score: Score) -> tuple[Any, ...]:
    """One row of a slice table (:data:`SLICE_HEADERS`)."""
    n = len(score.files)
    return (
        n,
        *(_f1_cell(score.counts[(c, "strict")]) for c in SLICE_CATEGORIES),
        f"{score.actions_correct}/{score.actions_total}",
        *(f"{score.metadata.get(f, 0)}/{n}" for f in SLICE_FIELDS),
    )


def _f1_cell(c: Counts) -> str:
    return f"{c.f1:.3f}" if c.tp + c.fp + c.fn else "-"


def slices_dict(score: Score) -> dict[str, dict[str, dict[str, Any]]]:
    """The per-slice breakdown in JSON shape."""
    return {
        name: {
            value: {
                "files": len(sub.files),
                "f1": {c: round(sub.f1(c), 4) for c in SLICE_CATEGORIES},
                "actions": f"{sub.actions_correct}/{sub.actions_total}",
                "metadata": {f: f"{sub.metadata.get(f, 0)}/{len(sub.files)}" for f in SLICE_FIELDS},
            }
            for value, sub in score.by(name).items()
        }
        for name in SLICES
    }
