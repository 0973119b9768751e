"""PROGRAM tagging as a pipeline component: spans, gold scores, hostile input, speed."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import kg.nlp.documents
from kg.evaluate import combine, score_file
from kg.nlp.model import PROGRAM
from kg.nlp.pipeline import default_pipeline, doc_mentions
from kg.nlp.programs import find_programs

_TITLE = re.compile(r"《([^《》\n]*)》")


def corpus_texts(corpus_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("0*.txt"))}


@pytest.fixture(scope="module")
def nlp() -> Language:
    """Just the components the program tagger needs: sentences, titles, programs."""
    assert kg.nlp.documents  # the kg_documents factory
    pipeline = spacy.blank("zh")
    for name in ("kg_sentences", "kg_documents", "kg_programs"):
        pipeline.add_pipe(name)
    return pipeline


def test_component_writes_program_spans(nlp: Language) -> None:
    doc = nlp("二、深化“放管服”改革。印发《关于深化“放管服”改革的意见》,推行法律顾问制度。")
    spans = doc.spans["kg_programs"]
    assert [s.text for s in spans] == ["“放管服”改革", "法律顾问制度"]
    assert {s.label_ for s in spans} == {PROGRAM}
    assert [(s._.kg_kind, s._.kg_head) for s in spans] == [("reform", "改革"), ("system", "制度")]
    mentions = [m for m in doc_mentions(doc) if m.label == PROGRAM]
    assert mentions[0].attributes == {"kind": "reform", "head": "改革"}
    assert mentions[1].sentence == "印发《关于深化“放管服”改革的意见》,推行法律顾问制度。"


def test_default_pipeline_tags_programs() -> None:
    doc = default_pipeline()("二是推进“一件事”集成服务套餐改革。严格落实行政执法“三项制度”。")
    assert [s.text for s in doc.spans["kg_programs"]] == [
        "“一件事”集成服务套餐改革",
        "行政执法“三项制度”",
    ]


def test_nothing_inside_cited_titles(nlp: Language, corpus_dir: Path) -> None:
    for text in corpus_texts(corpus_dir).values():
        doc = nlp(text)
        titles = [(s.start_char, s.end_char) for s in doc.spans["kg_documents"]]
        for span in doc.spans["kg_programs"]:
            assert not any(s < span.end_char and span.start_char < e for s, e in titles)


def test_gold_programs_scores(corpus_dir: Path, gold_dir: Path) -> None:
    """The shared gold: strict F1 >= 0.85 and relaxed F1 >= 0.90 (bars: 0.80 and 0.90)."""
    files = []
    for name, text in corpus_texts(corpus_dir).items():
        gold = json.loads((gold_dir / name.replace(".txt", ".gold.json")).read_text("utf-8"))
        blocked = [m.span(1) for m in _TITLE.finditer(text)]
        predicted = {"programs": [text[f.start : f.end] for f in find_programs(text, blocked)]}
        files.append(score_file(predicted, gold, text=text))
    score = combine(files)
    assert score.f1("programs", "strict") >= 0.85
    assert score.f1("programs", "relaxed") >= 0.90


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t",
        "No Chinese at all, just 2022 and 28.8% and (2021) 13.",
        '"quoted" and "unbalanced',
        "《未闭合的标题,认真落实“放管服改革,推行法律顾问制度",
        "》》》《《《““””〈〈〉〉‘’’‘「」」「",
        "\x00\x01\x1b“放管服”\x7f改革\ufeff\u200b推行\x0c法律顾问制度",
        "“" * 10_000,
        "”" * 10_000 + "“",
        "制度" * 10_000,
        "、制度" * 10_000,
        "落实(社区)" * 10_000,
        "“放管服”" * 10_000,
        "法治" * 10_000 + "建设",
    ],
)
def test_hostile_input(text: str, nlp: Language) -> None:
    for f in find_programs(text):
        assert 0 <= f.start < f.end <= len(text)
    doc = nlp(text)
    assert all(s.label_ == PROGRAM for s in doc.spans["kg_programs"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "unit",
    [
        "推行法律顾问制度“放管服”改革,《“三项制度”》abc 123 “\x00",
        "“" + "制" * 50,
        "、制度",
        '‘“「"《',
    ],
)
def test_one_megabyte_lines_finish(unit: str) -> None:
    text = unit * (1_000_000 // len(unit))
    start = time.perf_counter()
    find_programs(text)
    assert time.perf_counter() - start < 60  # linear; backtracking would take hours


@pytest.mark.slow
def test_five_megabyte_single_line(corpus_dir: Path) -> None:
    line = "".join(corpus_texts(corpus_dir).values()).replace("\n", "")
    text = (line * (5_000_000 // len(line) + 1))[:5_000_000]
    start = time.perf_counter()
    found = find_programs(text)
    assert time.perf_counter() - start < 60
    assert len(found) > 1000
