"""The corrections file, reading Label Studio and JSONL exports, applying corrections."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.corpus import read_text
from kg.nlp.model import Mention, Tags
from kg.review.apply import apply_corrections
from kg.review.corrections import (
    Correction,
    ReviewError,
    from_dict,
    load,
    merge,
    save,
)
from kg.review.labelstudio import _offsets, read_task

GOOD: dict[str, Any] = {
    "op": "accept",
    "file": "a.txt",
    "digest": "sha256:00",
    "by": "li",
    "at": "2026-12-01T10:00:00+08:00",
    "start": 2,
    "end": 6,
    "text": "县司法局",
    "label": "INSTITUTION",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"op": "approve"}, "op 'approve' must be one of"),
        ({"label": "PERSON"}, "label 'PERSON' must be one of"),
        ({"end": 7}, "does not have the length"),
        ({"start": -1}, "non-negative integer"),
        ({"by": ""}, "'by' must be a non-empty string"),
        ({"at": "yesterday"}, "not an ISO 8601 time"),
        ({"op": "relabel"}, "'was' must be a non-empty string"),
        ({"attributes": {"colour": "red"}}, "has no attribute 'colour'"),
        (
            {"label": "DOCUMENT", "attributes": {"action": "signed"}},
            "action 'signed' must be one of",
        ),
        (
            {"label": "OUTCOME", "attributes": {"value": "many"}},
            "value 'many' is not a number",
        ),
        ({"op": "metadata", "field": "colour", "value": "x"}, "field 'colour' must be one of"),
        ({"op": "metadata", "field": "level", "value": "village"}, "level 'village'"),
        ({"op": "metadata", "field": "year", "value": "22"}, "year '22'"),
    ],
)
def test_bad_corrections_are_refused_with_the_reason(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        from_dict({**GOOD, **change}, "c.jsonl line 1")


def test_times_are_kept_in_utc() -> None:
    assert from_dict(GOOD, "x").at == "2026-12-01T02:00:00Z"


corrections = st.builds(
    Correction,
    op=st.sampled_from(["accept", "reject", "add", "edit"]),
    file=st.sampled_from(["a.txt", "b.txt"]),
    digest=st.just("sha256:00"),
    by=st.text(min_size=1, max_size=5).filter(str.strip),
    at=st.just("2026-12-01T10:00:00Z"),
    start=st.integers(0, 50),
    end=st.just(-1),
    text=st.text(alphabet='县司法局“”"\\\n', min_size=1, max_size=4),
    label=st.sampled_from(["INSTITUTION", "PROGRAM"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(corrections, max_size=8))
def test_the_corrections_file_reads_back_what_was_written_sorted(
    tmp_path_factory: pytest.TempPathFactory, items: list[Correction]
) -> None:
    items = [
        Correction(**{**_fields(c), "end": c.start + len(c.text)})  # type: ignore[arg-type]
        for c in items
    ]
    merged = merge([], items).corrections
    path = tmp_path_factory.mktemp("c") / "corrections.jsonl"
    save(path, merged)
    first = path.read_bytes()
    assert load(path) == merged
    save(path, reversed(load(path)))
    assert path.read_bytes() == first  # sorted: the same corrections, the same bytes


def _fields(c: Correction) -> dict[str, object]:
    return {f: getattr(c, f) for f in Correction.__slots__}


def _c(op: str, label: str, was: str = "") -> Correction:
    return Correction(op, "a.txt", "d", "li", "t", 2, 6, "县司法局", label, was=was)


def test_a_relabel_replaces_what_was_said_of_the_old_label_and_back() -> None:
    accepted = _c("accept", "INSTITUTION")
    relabel = _c("relabel", "PROGRAM", was="INSTITUTION")
    assert merge([accepted], [relabel]).corrections == [relabel]
    back = _c("relabel", "INSTITUTION", was="PROGRAM")
    assert merge([relabel], [back]).corrections == [back]


def test_offsets_in_utf16_units_are_read_as_such() -> None:
    text = "𠀀𠀁县司法局开展"  # two characters outside the BMP: two UTF-16 units each
    assert _offsets(text, {"start": 2, "end": 6, "text": "县司法局"}, "x") == (2, 6)
    assert _offsets(text, {"start": 4, "end": 8, "text": "县司法局"}, "x") == (2, 6)
    with pytest.raises(ReviewError, match="not '司法局开展'"):
        _offsets(text, {"start": 2, "end": 6, "text": "司法局开展"}, "x")


def _task(annotations: list[dict[str, Any]], kg: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"text": "县司法局开展"}
    if kg:
        data["kg"] = {"file": "a.txt", "digest": "d", "spans": [], "report": {}}
    return {"id": 4, "data": data, "annotations": annotations}


LABELLED = {
    "id": "r1",
    "type": "labels",
    "from_name": "label",
    "to_name": "text",
    "value": {"start": 0, "end": 4, "text": "县司法局", "labels": ["INSTITUTION"]},
}


def test_reading_label_studio_tasks() -> None:
    with pytest.raises(ReviewError, match=r"no data\.kg"):
        read_task(_task([], kg=False), "t", None)
    assert read_task(_task([]), "t", None) is None  # not reviewed
    cancelled = {"was_cancelled": True, "completed_by": 1, "result": [LABELLED]}
    assert read_task(_task([cancelled]), "t", None) is None
    review = read_task(_task([{"completed_by": 3, "result": [LABELLED]}]), "t", None)
    assert review is not None and review.by == "label-studio-user-3"
    assert [(s.start, s.end, s.label) for s in review.spans] == [(0, 4, "INSTITUTION")]
    with pytest.raises(ReviewError, match="pass --reviewer"):
        read_task(_task([{"result": [LABELLED]}]), "t", None)
    named = read_task(_task([{"result": [LABELLED]}]), "t", "wang")
    assert named is not None and named.by == "wang"


def test_apply_adds_rejects_sets_aside_and_corrects_metadata() -> None:
    report = read_text("惠安县司法局开展普法。全年受理案件35件。", path="a.txt")
    tagged = Mention("INSTITUTION", "惠安县司法局", 0, 6, "惠安县司法局开展普法。")
    tags = Tags(report=report, mentions=(tagged,))
    fix = [
        Correction("reject", "a.txt", "d", "li", "2026-12-01T10:00:00Z", 0, 6, "惠安县司法局",
                   "INSTITUTION"),
        Correction("add", "a.txt", "d", "li", "2026-12-01T10:00:00Z", 11, 20, "全年受理案件35件",
                   "OUTCOME", attributes=(("unit", "件"),)),
        Correction("add", "a.txt", "d", "li", "2026-12-01T10:00:00Z", 3, 6, "普法开展",
                   "PROGRAM"),
        Correction("metadata", "a.txt", "d", "li", "2026-12-01T10:00:00Z", field="year",
                   value="2021"),
    ]  # fmt: skip
    applied = apply_corrections(tags, fix)
    assert [c.op for c in applied.set_aside] == ["add"]  # 普法开展 is not the text at 3-6
    (outcome,) = applied.tags.mentions
    assert outcome.label == "OUTCOME" and outcome.attributes["value"] == 35
    assert outcome.sentence == "全年受理案件35件。"
    assert outcome.attributes["review"]["status"] == "added"
    assert applied.tags.report.year_covered == 2021
    assert [c.label for c, _ in applied.rejected] == ["INSTITUTION"]


def test_a_reviewed_jsonl_file_is_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "r.txt").write_text("2022年，惠安县司法局开展普法。", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(
        cli, ["review", "export", "corpus", "--format", "jsonl", "-o", "s.jsonl"]
    )
    assert out.exit_code == 0, out.output
    lines = [json.loads(x) for x in Path("s.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines and all(line["file"] == "r.txt" for line in lines)
    lines[0]["op"] = "reject"
    Path("s.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = CliRunner().invoke(cli, ["review", "import", "s.jsonl", "--reviewer", "wang"])
    assert out.exit_code == 0, out.output
    (saved,) = load("corrections.jsonl")
    assert (saved.op, saved.by, saved.start) == ("reject", "wang", lines[0]["start"])
    refused = CliRunner().invoke(cli, ["review", "import", "s.jsonl"])
    assert refused.exit_code == 1 and "pass --reviewer" in refused.output
