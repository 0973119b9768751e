"""Bad input for kg_institutions and kg_places: no crash, no hang, sane spans."""

from __future__ import annotations

import time
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from kg.nlp.institutions import find_institutions
from kg.nlp.pipeline import build_pipeline
from kg.nlp.places import gazetteer

BAD_INPUTS = {
    "empty": "",
    "no Chinese": "hello world 12345 (a) [b] {c} " * 50,
    "control characters": "\x00\x01\x02县司法局\x1b[0m\x7f\u200b惠安县\r\n\x0c县委\t",
    "unbalanced title": "《" * 300 + "县司法局印发《惠安县人民政府关于" + "”" * 300,
    "unbalanced quote": "“县委依法治县办" * 200,
    "only levels": "县市区省镇乡街道社区村" * 500,
    "only heads": "领导小组委员会研究院中心机构纪检监察组" * 300,
    "surrogates and odd marks": "县\ud800委\udfff市政府\ufffd\U0001f600区人大",
}


def run(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    places = gazetteer().find(text)
    found = find_institutions(text, places)
    return [(p.start, p.end) for p in places], [(c.start, c.end) for c in found]


def assert_sane(text: str, ranges: list[tuple[int, int]]) -> None:
    for start, end in ranges:
        assert 0 <= start < end <= len(text)
    for (_s1, e1), (s2, _e2) in pairwise(ranges):
        assert e1 <= s2  # in text order, never overlapping


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input(name: str) -> None:
    text = BAD_INPUTS[name]
    place_ranges, institution_ranges = run(text)
    assert_sane(text, place_ranges)
    assert_sane(text, institution_ranges)


def test_control_characters_do_not_hide_names() -> None:
    text = BAD_INPUTS["control characters"]
    assert [text[s:e] for s, e in run(text)[1]] == ["县司法局", "县委"]


# spaCy's tokenizer itself cannot take lone surrogates (it encodes every token as UTF-8).
PIPELINE_INPUTS = [name for name in BAD_INPUTS if "surrogates" not in name]


@pytest.mark.parametrize("name", PIPELINE_INPUTS)
def test_bad_input_through_the_pipeline(nlp: Language, name: str) -> None:
    doc = nlp(BAD_INPUTS[name])
    assert "kg_institutions" in doc.spans and "kg_places" in doc.spans


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline()


def line(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.slow
def test_five_megabyte_line() -> None:
    unit = "惠安县人民政府办公室印发县司法局关于法治建设领导小组的通知，各镇党委"
    text = line(unit, 5_000_000)
    started = time.perf_counter()
    _place_ranges, institution_ranges = run(text)
    elapsed = time.perf_counter() - started
    # well under a second on an idle machine; the bound leaves room for a busy one
    assert elapsed < 120, f"{elapsed:.1f}s for a 5 MB line"
    # 惠安县人民政府办公室, 县司法局, 法治建设领导小组 in each unit; not 各镇党委
    assert abs(len(institution_ranges) - 3 * len(text) / len(unit)) < 4
    assert_sane(text[:2000], [r for r in institution_ranges if r[1] <= 2000])


def fastest(text: str, times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        run(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.slow
@pytest.mark.parametrize("unit", ["市委", "县", "领导小组", "中共", "《", "a", "惠安县"])
def test_dense_line_is_linear(unit: str) -> None:
    """A name (or a name's opener) at every character costs time in proportion to the text:
    ten times the text, not a hundred times the time (the fastest of three runs, with a floor,
    so that a busy machine does not fail it)."""
    t_small = fastest(line(unit, 10_000))
    t_large = fastest(line(unit, 100_000))
    assert t_large < 40 * max(t_small, 0.02), (t_small, t_large)


def test_doc_still_serialises_between_the_components(nlp: Language) -> None:
    doc = nlp.make_doc("惠安县人民政府办公室")
    for name in ("kg_sentences", "kg_doc_numbers", "kg_documents", "kg_institutions"):
        doc = nlp.get_pipe(name)(doc)
    assert doc.to_bytes()


ALPHABET = (
    "惠安县市区省镇乡街道社村委政府人民大常会办公室司法局党中央国务院领导小组"
    "各级全的和、。《》“”()12345 \n"
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120))
def test_random_text(text: str) -> None:
    place_ranges, institution_ranges = run(text)
    assert_sane(text, place_ranges)
    assert_sane(text, institution_ranges)
