"""Texts in traditional characters: tagged through the simplified view, reported as written."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg.nlp as nlp_module
from kg.nlp import tag_text
from kg.text import to_simplified

TRADITIONAL = (
    "2022年,本縣認真貫徹《關於加強行政執法協調監督工作體系建設的意見》,縣司法局牽頭制定"
    "《行政執法監督辦法》(縣政發〔2022〕15號)。全年辦理行政複議案件35件,"
    "開展“八五”普法宣傳活動120場,參與群眾3.5萬餘人。"
)


def test_mentions_are_the_simplified_tags_written_as_the_source() -> None:
    simplified = to_simplified(TRADITIONAL)
    assert simplified != TRADITIONAL and len(simplified) == len(TRADITIONAL)
    got = tag_text(TRADITIONAL)
    want = tag_text(simplified)
    assert [(m.label, m.start, m.end) for m in got] == [(m.label, m.start, m.end) for m in want]
    labels = {m.label for m in got}
    assert {"DOCUMENT", "DOC_NUMBER", "INSTITUTION", "OUTCOME"} <= labels
    for m in got:
        assert m.text == TRADITIONAL[m.start : m.end]
        assert m.text in m.sentence and m.sentence in TRADITIONAL
    titles = {m.attributes.get("title") for m in got if m.label == "DOCUMENT"}
    assert "行政執法監督辦法" in titles
    assert any(m.text == "縣司法局" for m in got if m.label == "INSTITUTION")
    units = {m.attributes.get("unit") for m in got if m.label == "OUTCOME"}
    assert "萬人" in units  # 3.5萬餘人: the unit's characters as the source writes them
    indicators = {m.attributes.get("indicator") for m in got if m.label == "OUTCOME"}
    assert "辦理行政複議案件" in indicators or "行政複議案件" in indicators


def test_simplified_text_is_not_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(text: str) -> object:
        raise AssertionError("a simplified text was converted")

    monkeypatch.setattr(nlp_module, "simplified_view", boom)
    mentions = tag_text(to_simplified(TRADITIONAL))
    assert any(m.label == "DOCUMENT" for m in mentions)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TRADITIONAL.split("。")), min_size=1, max_size=4))
def test_every_mention_is_a_slice_of_the_source(parts: list[str]) -> None:
    text = "。".join(parts) + "。"
    for m in tag_text(text):
        assert m.text == text[m.start : m.end]
