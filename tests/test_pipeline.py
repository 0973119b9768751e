"""The spaCy pipeline as a whole: components, save/load, entry points, hostile input."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.corpus import read_report
from kg.nlp import LABELS, tag_report, tag_text
from kg.nlp.pipeline import (
    PIPE_NAMES,
    SPAN_EXTENSIONS,
    SPAN_KEYS,
    build_pipeline,
    default_pipeline,
    doc_mentions,
    doc_text,
)

REPORT = "004_31ab376823ec5560.txt"


def test_pipeline_has_every_component() -> None:
    assert tuple(default_pipeline().pipe_names) == PIPE_NAMES


def test_factories_are_declared_as_entry_points() -> None:
    declared = {ep.name for ep in entry_points(group="spacy_factories")}
    assert set(PIPE_NAMES) <= declared


def test_saved_pipeline_loads_with_spacy_load(tmp_path: Path, corpus_dir: Path) -> None:
    nlp = build_pipeline()
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    report = read_report(corpus_dir / REPORT)
    assert tag_report(report, loaded).mentions == tag_report(report, nlp).mentions


def test_spans_live_in_kg_groups(corpus_dir: Path) -> None:
    doc = default_pipeline()(read_report(corpus_dir / REPORT).text)
    assert set(SPAN_KEYS) <= set(doc.spans)
    assert any(len(doc.spans[key]) for key in SPAN_KEYS)


@pytest.mark.parametrize(
    "text",
    ["", " ", "县司法局", "a  b c\n\n  县 司法局 ", "\u3000\u3000一、总体情况\r\n", "x\t \ty "],
)
def test_char_tokenizer_keeps_the_text(text: str) -> None:
    doc = default_pipeline().make_doc(text)
    assert doc.text == text
    assert all(len(t.text) == 1 or t.is_space for t in doc)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_char_tokenizer_round_trips_any_text(text: str) -> None:
    doc = default_pipeline().make_doc(text)
    assert doc.text == text
    assert doc_text(doc) == text
    # Non-space tokens are single characters, as spacy.blank("zh") segments them.
    assert [t.text for t in doc if not t.is_space] == [c for c in text if not c.isspace()] or any(
        t.is_space and len(t.text) == 1 and not t.text.isspace() for t in doc
    )


def _check(text: str) -> None:
    for m in tag_text(text):
        assert m.label in LABELS
        assert 0 <= m.start <= m.end <= len(text)
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t",
        "No Chinese at all, just 2022 and 28.8% and (2021) 13.",
        "《未闭合的标题,认真落实“放管服改革,县司法局受理案件79件",
        "》》》《《《““””〈〈〉〉",
        "县司法局\x00\x01\x07受理\x1b[31m行政复议案件79件\u200b\ufeff。",
        "惠政文〔2023〕8号" * 200,
        "一" * 10_000,
    ],
)
def test_hostile_text_does_not_crash(text: str) -> None:
    _check(text)


@pytest.mark.slow
def test_five_megabyte_single_line(corpus_dir: Path) -> None:
    # The shipped reports with every line break removed, repeated to 5 MB: one huge line.
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.txt")))
    line = (text.replace("\n", "") * 200)[: 5 * 1024 * 1024]
    assert "\n" not in line and len(line) == 5 * 1024 * 1024
    mentions = tag_text(line)
    assert len(mentions) > 10_000
    assert all(line[m.start : m.end] == m.text for m in mentions[:: len(mentions) // 100])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=0, max_size=400))
def test_arbitrary_unicode(text: str) -> None:
    _check(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "《",
                "》",
                "〈",
                "〉",
                "“",
                "”",
                "〔",
                "〕",
                "(",
                ")",
                "号",
                "县",
                "市",
                "司法局",
                "改革",
                "制度",
                "件",
                "%",
                "余",
                "万元",
                "12",
                "2021",
                "。",
                "\n",
                "以下简称",
                "落实",
            ]
        ),
        max_size=80,
    ).map("".join)
)
def test_government_shaped_noise(text: str) -> None:
    _check(text)


def test_mention_attributes_equal_the_span_extensions(corpus_dir: Path) -> None:
    doc = default_pipeline()(read_report(corpus_dir / "000_b93acead5cfcaaf2.txt").text)
    by_range = {(m.start, m.end, m.label): m.attributes for m in doc_mentions(doc)}
    checked = 0
    for key in SPAN_KEYS:
        for span in doc.spans[key]:
            expected = {
                name[3:]: span._.get(name)
                for name, default in SPAN_EXTENSIONS.items()
                if span._.get(name) is not default
            }
            assert by_range[(span.start_char, span.end_char, span.label_)] == expected
            checked += 1
    assert checked > 100
