"""``kg_outcomes`` on hostile input, on whole reports, and its speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp import docnumbers, documents  # noqa: F401 - registers the factories
from kg.nlp.outcome_lexicon import lexicon
from kg.nlp.outcomes import DENSE_COUNT, OutcomeTagger, find_candidates, is_plan_document
from kg.nlp.patterns import LEXICON_DIR, read_lexicon, read_sections


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.blank("zh")
    for name in ("kg_sentences", "kg_doc_numbers", "kg_documents", "kg_outcomes"):
        pipeline.add_pipe(name)
    return pipeline


def _one_token_doc(text: str) -> Doc:
    """A Doc of one token: builds in no time, so the tagger alone is timed on huge text."""
    return Doc(spacy.blank("zh").vocab, words=[text], spaces=[False])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t",
        "No Chinese at all, just 2022 and 28.8% and (2021) 13.",
        "《未闭合的标题,认真落实“放管服改革,县司法局受理案件79件",
        "》》》《《《““””〈〈〉〉〔〕(((",
        "\x00\x01受理案件79件\x07\x1b[31m纠错率28.8%\x7f",
        "件件件件%%%万万亿亿百分之百分之",
        "1.2.3.4件 5,,,6件 7..8件 ９９９９９%",
        "十四五件 八五项 三五个 一件 二十二十件",
        "受理案件" + "9" * 400 + "件",
        "\u200b\ufeff受理\u3000案件\xa079\u2002件",
    ],
)
def test_odd_input_does_not_crash(nlp: Language, text: str) -> None:
    doc = nlp(text)
    for span in doc.spans["kg_outcomes"]:
        assert span.text
        assert isinstance(span._.kg_value, int | float)
        assert span._.kg_unit


def test_unbalanced_marks_do_not_hide_results(nlp: Language) -> None:
    doc = nlp("《未闭合的标题,认真落实“放管服改革,县司法局受理案件79件")
    assert [s._.kg_value for s in doc.spans["kg_outcomes"]] == [79]


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "1" * 5_000_000,  # a 5 MB line of digits
        "1件" * 1_000_000,
        "1," * 1_000_000,
        "一二三四五六七八九十件" * 200_000,
        "“" * 500_000 + "受理案件12件",
        "《" * 500_000,
    ],
)
def test_huge_single_line_is_fast(text: str) -> None:
    start = time.process_time()
    OutcomeTagger()(_one_token_doc(text))
    assert time.process_time() - start < 20


def test_crowded_numbers_are_cut_short() -> None:
    # Past the first DENSE_COUNT of a crowd (a table, garbage) numbers are not looked at.
    assert len(list(find_candidates("1件" * 1000, lexicon()))) == DENSE_COUNT


_CHARS = "0123456789０１２３.,，、。;:()（）“”《》〔〕%％-—余多近约万亿两十百千一二三件项个人名次天"
_WORDS = ["受理", "案件", "占比达", "不少于", "第", "共", "其中", "\n", " "]
_ALPHABET = st.sampled_from([*_CHARS, *_WORDS])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_fuzz(nlp: Language, text: str) -> None:
    doc = nlp(text)
    spans = list(doc.spans["kg_outcomes"])
    # Distinct boundaries: span extensions are stored per (start, end).
    assert len({(s.start_char, s.end_char) for s in spans}) == len(spans)
    for span in spans:
        assert doc.text[span.start_char : span.end_char] == span.text
        assert isinstance(span._.kg_value, int | float)


@pytest.mark.parametrize(
    ("head", "plan"),
    [
        ("漯河市源汇区法治政府建设示范创建工作 实施方案\n\n时间:2021-09-03", True),
        ("返回首页\n保定市人民政府关于保定市2022年度法治政府建设情况的报告\n", False),
        ("中共太原市迎泽区委\n太原市迎泽区人民政府\n关于2020年度法治政府建设情况的报告\n", False),
        (
            "• 发布机构:惠安县人民政府办公室\n惠安县人民政府关于2022年度法治政府建设工作情况的报告",
            False,
        ),
        ("认真贯彻落实《法治政府建设实施方案》,受理案件79件。", False),
    ],
)
def test_plan_document(head: str, plan: bool) -> None:
    assert is_plan_document(head, lexicon()) is plan


def test_reports_in_the_corpus(nlp: Language, corpus_dir: Path) -> None:
    counts = {}
    for path in sorted(corpus_dir.glob("*.txt")):
        doc = nlp(path.read_text(encoding="utf-8"))
        counts[path.name[:3]] = len(doc.spans["kg_outcomes"])
    assert counts["004"] == 0  # a plan: its percentages are targets
    assert all(counts[name] > 10 for name in ("000", "001", "002", "003"))


def test_lexicon_files_parse(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# comment\n[a]\n件\n\n# more\n项\n[b]\n个百分点\n", encoding="utf-8")
    assert read_sections(path) == {"a": ["件", "项"], "b": ["个百分点"]}
    shipped = read_sections(LEXICON_DIR / "outcome_words.txt")
    for section in ("verb", "stop", "light", "cut", "leading", "trailing", "plan_clause"):
        assert shipped.get(section), section
    assert "个百分点" in read_lexicon(LEXICON_DIR / "units.txt")
