"""Shared text helpers: the CJK class, script detection and the simplified view's offset map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.text import SimplifiedView, is_cjk, script_of, simplified_view, to_simplified

TRADITIONAL = "本縣堅持依法行政,縣司法局開展行政執法監督,完善行政複議應訴機制,辦理案件30件。"
SIMPLIFIED = "本县坚持依法行政,县司法局开展行政执法监督,完善行政复议应诉机制,办理案件30件。"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        (TRADITIONAL, "traditional"),
        (SIMPLIFIED, "simplified"),
        ("", "simplified"),
        ("2023 ABC", "simplified"),
        # A few characters t2s would change in a long simplified text: still simplified.
        (SIMPLIFIED * 5 + "乾隆年间的乾坤", "simplified"),
        # Traditional text after a simplified heading.
        ("县司法局\n" + TRADITIONAL * 3, "traditional"),
    ],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


@pytest.mark.parametrize(
    ("ch", "cjk"),
    [("县", True), ("㐀", True), ("﨑", True), ("A", False), ("，", False), ("〔", False)],
)
def test_is_cjk(ch: str, cjk: bool) -> None:
    assert is_cjk(ch) is cjk


def test_view_of_a_traditional_text_is_simplified_and_one_for_one() -> None:
    view = simplified_view(TRADITIONAL)
    assert view.text == SIMPLIFIED
    start = view.text.index("县司法局")
    assert view.source_span(start, start + 4) == (start, start + 4)
    assert TRADITIONAL[start : start + 4] == "縣司法局"


def test_offset_map_where_lengths_differ() -> None:
    # source "a縣b": 縣 rendered as two characters in the view "aXYb".
    view = SimplifiedView("a縣b", "aXYb", (1,), (3,), (1,), (2,))
    assert [view.to_source(i) for i in range(5)] == [0, 1, 1, 2, 3]
    assert [view.to_source(i, end=True) for i in range(5)] == [0, 1, 2, 2, 3]
    assert view.source_span(1, 3) == (1, 2)
    assert view.source_span(3, 4) == (2, 3)


def test_view_falls_back_to_characters_when_a_conversion_changes_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pretend t2s turns 縣 into two characters: the map must still point at the source.
    import kg.text as text_module

    real = text_module.to_simplified
    monkeypatch.setattr(text_module, "to_simplified", lambda s: real(s).replace("县", "县县"))
    source = "甲縣乙\n丙縣司法局"
    view = text_module.simplified_view(source)
    assert view.text == "甲县县乙\n丙县县司法局"
    at = view.text.index("司法局")
    assert source[slice(*view.source_span(at, at + 3))] == "司法局"
    at = view.text.index("丙县县")
    assert source[slice(*view.source_span(at, at + 3))] == "丙縣"
    assert source[slice(*view.source_span(at + 1, at + 2))] == "縣"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=TRADITIONAL + SIMPLIFIED + "\n 《》“”", max_size=80))
def test_view_maps_every_span_back_into_the_source(source: str) -> None:
    view = simplified_view(source)
    assert view.text == to_simplified(source)
    for start in range(len(view.text) + 1):
        s, e = view.source_span(start, len(view.text))
        assert 0 <= s <= e <= len(source)
        assert to_simplified(source[s:e]) == view.text[start:]
