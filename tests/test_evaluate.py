"""The scorer: normalisation, greedy pairing, strict vs relaxed, outcomes, actions, metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import GoldError
from kg.evaluate import (
    combine,
    file_slices,
    load_gold,
    normalize,
    read_sources,
    score_file,
    slice_row,
    slices_dict,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("法治政府建设实施纲要(2021—2025年)", "法治政府建设实施纲要(2021-2025年)"),
        ("法治政府建设实施纲要（2021－2025年）", "法治政府建设实施纲要(2021-2025年)"),
        ("累计精简申报材料 148份", "累计精简申报材料148份"),
        ("惠委办明电〔2021〕13号", "惠委办明电〔2021〕13号"),
        ("１２３", "123"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def gold(**parts: object) -> dict[str, object]:
    base: dict[str, object] = {"file": "x.txt", "report": {}, "documents": []}
    base.update(parts)
    return base


def test_strict_and_relaxed_strings() -> None:
    g = gold(institutions=["县司法局", "惠安县人民政府", "市中院"])
    p = {"institutions": ["县司法局", "惠安县人民政府办公室", "各部门"]}
    fs = score_file(p, g)
    strict, relaxed = fs.counts[("institutions", "strict")], fs.counts[("institutions", "relaxed")]
    assert (strict.tp, strict.fp, strict.fn) == (1, 2, 2)
    assert (relaxed.tp, relaxed.fp, relaxed.fn) == (2, 1, 1)
    assert fs.misses["institutions"].false_negatives == ["惠安县人民政府", "市中院"]


def test_pairing_is_one_to_one() -> None:
    # Two predictions that both contain one gold string: only one may pair with it.
    fs = score_file(
        {"programs": ["“放管服”改革", "深化“放管服”改革"]}, gold(programs=["“放管服”改革"])
    )
    relaxed = fs.counts[("programs", "relaxed")]
    assert (relaxed.tp, relaxed.fp, relaxed.fn) == (1, 1, 0)


def test_dash_variants_match_documents() -> None:
    g = gold(documents=[{"title": "法治政府建设实施纲要(2021-2025年)", "action": "implemented"}])
    p = {"documents": [{"title": "法治政府建设实施纲要(2021—2025年)", "action": "implemented"}]}
    fs = score_file(p, g)
    assert fs.counts[("documents", "strict")].tp == 1
    assert (fs.actions_correct, fs.actions_total) == (1, 1)


def test_action_accuracy_counts_found_documents_only() -> None:
    g = gold(
        documents=[
            {"title": "甲", "action": "issued"},
            {"title": "乙", "action": "implemented"},
            {"title": "丙", "action": "mentioned"},
        ]
    )
    p = {"documents": [{"title": "甲", "action": "issued"}, {"title": "乙", "action": "mentioned"}]}
    fs = score_file(p, g)
    assert (fs.actions_correct, fs.actions_total) == (1, 2)


OUTCOME = {"text": "纠错率28.8%", "indicator": "纠错率", "value": 28.8, "unit": "%"}


@pytest.mark.parametrize(
    ("predicted", "strict", "relaxed"),
    [
        (OUTCOME, True, True),
        ({**OUTCOME, "value": 28.80000000001}, True, True),
        ({**OUTCOME, "indicator": "行政复议纠错率", "text": "行政复议纠错率28.8%"}, False, True),
        ({**OUTCOME, "unit": "个"}, False, False),
        ({**OUTCOME, "value": 28}, False, False),
        # Same number, texts that do not overlap: not the same outcome.
        ({**OUTCOME, "indicator": "出庭率", "text": "出庭率28.8%"}, False, False),
    ],
)
def test_outcome_matching(predicted: dict[str, object], strict: bool, relaxed: bool) -> None:
    fs = score_file({"outcomes": [predicted]}, gold(outcomes=[OUTCOME]))
    assert fs.counts[("outcomes", "strict")].tp == int(strict)
    assert fs.counts[("outcomes", "relaxed")].tp == int(relaxed)


def test_optional_items_count_neither_way() -> None:
    g = gold(programs=["“放管服”改革"], programs_optional=["“练兵场”"])
    fs = score_file({"programs": ["“放管服”改革", "“练兵场”"]}, g)
    c = fs.counts[("programs", "strict")]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_names_only_inside_titles_are_not_counted() -> None:
    text = "认真落实《惠安县人民政府重大行政决策若干规定》。县司法局牵头。"
    g = gold(institutions=["县司法局"])
    fs = score_file({"institutions": ["县司法局", "惠安县人民政府"]}, g, text=text)
    c = fs.counts[("institutions", "strict")]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_metadata_and_micro_average() -> None:
    g1 = gold(
        report={"region": "惠安县", "level": "county", "year_covered": 2022}, doc_numbers=["a"]
    )
    g2 = gold(
        report={"region": "保定市", "level": "city", "year_covered": 2022}, doc_numbers=["b", "c"]
    )
    p1 = {
        "report": {"region": "惠安县", "level": "county", "year_covered": 2022},
        "doc_numbers": ["a"],
    }
    p2 = {"report": {"region": "保定", "level": "city", "year_covered": 2021}, "doc_numbers": ["b"]}
    total = combine([score_file(p1, g1), score_file(p2, g2)])
    c = total.counts[("doc_numbers", "strict")]
    assert (c.tp, c.fp, c.fn) == (2, 0, 1)
    assert total.f1("doc_numbers") == pytest.approx(0.8)
    assert total.metadata["region"] == 1 and total.metadata["level"] == 2
    assert total.metadata["year_covered"] == 1


def test_empty_categories_score_perfect() -> None:
    fs = score_file({}, gold())
    assert fs.counts[("aliases", "strict")].f1 == 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "has no 'documents' list"),
        ('{"file": "x"}', "has no 'documents' list"),
    ],
)
def test_bad_gold_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.gold.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GoldError, match=message):
        load_gold(path)


def test_shipped_gold_files_load(gold_dir: Path) -> None:
    files = sorted(gold_dir.glob("*.gold.json"))
    assert len(files) == 5
    for f in files:
        data = load_gold(f)
        assert data["file"] == f.name.removesuffix(".gold.json") + ".txt"
        json.dumps(data)


# -- slices: by level, script and province ----------------------------------------------------


def test_file_slices_from_the_gold_report_and_the_sources_row() -> None:
    g = gold(report={"level": "county", "region_path": ["福建省", "泉州市", "惠安县"]})
    assert file_slices(g, "县司法局。", {"script": "traditional"}) == {
        "level": "county",
        "script": "traditional",
        "province": "福建省",
    }
    # No row: the script is read from the text; no level or path: left out.
    assert file_slices(gold(), "縣司法局開展行政執法監督,完善複議應訴機制。") == {
        "script": "traditional"
    }
    assert file_slices(gold(), "县司法局开展行政执法监督。", {"level": "town"}) == {
        "level": "town",
        "script": "simplified",
    }


def test_breakdown_micro_averages_each_slice() -> None:
    g1 = gold(report={"region": "甲县", "level": "county"}, institutions=["甲", "乙"])
    g2 = gold(report={"region": "乙市", "level": "city"}, institutions=["丙"])
    g3 = gold(report={"region": "丙县", "level": "county"}, institutions=["丁"])
    files = []
    for g, p, level in (
        (g1, {"institutions": ["甲"], "report": {"region": "甲县"}}, "county"),
        (g2, {"institutions": ["丙"], "report": {"region": "乙市"}}, "city"),
        (g3, {"institutions": ["戊"], "report": {"region": "x"}}, "county"),
    ):
        fs = score_file(p, g)
        fs.slices = {"level": level}
        files.append(fs)
    by_level = combine(files).by("level")
    assert list(by_level) == ["city", "county"]
    county = by_level["county"].counts[("institutions", "strict")]
    assert (county.tp, county.fp, county.fn) == (1, 1, 2)
    assert by_level["county"].metadata["region"] == 1 and by_level["city"].metadata["region"] == 1
    assert list(combine(files).by("script")) == ["?"]
    assert slice_row(by_level["city"])[0] == 1
    assert slices_dict(combine(files))["level"]["county"]["files"] == 2


def test_slice_row_shows_a_dash_for_a_category_without_items() -> None:
    row = slice_row(combine([score_file({}, gold(report={"level": "town"}))]))
    assert row[1:6] == ("-",) * 5


def test_metadata_values_keep_prediction_and_gold() -> None:
    fs = score_file({"report": {"region": "保定"}}, gold(report={"region": "保定市"}))
    assert fs.metadata == {"region": False}
    assert fs.metadata_values == {"region": ("保定", "保定市")}


def test_optional_outcomes_and_institutions() -> None:
    extra = {"text": "4个方面", "indicator": "方面", "value": 4, "unit": "个"}
    g = gold(outcomes=[OUTCOME], outcomes_optional=[extra], institutions_optional=["中心组"])
    fs = score_file({"outcomes": [OUTCOME, extra], "institutions": ["中心组", "县委"]}, g)
    o, i = fs.counts[("outcomes", "strict")], fs.counts[("institutions", "strict")]
    assert (o.tp, o.fp, o.fn) == (1, 0, 0)
    assert (i.tp, i.fp, i.fn) == (0, 1, 0)


def test_read_sources_in_or_beside_the_gold_dir(tmp_path: Path) -> None:
    gdir = tmp_path / "gold"
    gdir.mkdir()
    assert read_sources(gdir) == {}
    (tmp_path / "sources.jsonl").write_text(
        '{"id": "x1", "script": "traditional"}\n\n{"id": "x2", "level": "town"}\n',
        encoding="utf-8",
    )
    assert read_sources(gdir) == {
        "x1": {"id": "x1", "script": "traditional"},
        "x2": {"id": "x2", "level": "town"},
    }
    (gdir / "sources.jsonl").write_text("{bad\n", encoding="utf-8")
    with pytest.raises(GoldError, match="line 1 is not valid JSON"):
        read_sources(gdir)
