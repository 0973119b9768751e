"""``kg_documents``: titles in 《…》, nested titles, 文号 after titles, short forms."""

from __future__ import annotations

import time

import pytest

from kg.nlp.documents import find_documents
from kg.nlp.model import DOCUMENT, NESTED_DOCUMENT
from kg.nlp.pipeline import build_pipeline
from kg.nlp.titles import TITLE_MAX, find_titles


def _titles(text: str) -> list[str]:
    return [text[t.start : t.end] for t in find_titles(text)]


def _of(text: str, label: str) -> list[str]:
    return [text[f.start : f.end] for f in find_documents(text) if f.label == label]


# (text, outer titles)
TITLES: list[tuple[str, list[str]]] = [
    # Real sentences from corpus/.
    (
        "编印《惠安县乡镇综合行政执法问答手册》,出台《惠安县行政执法人员规范》"
        "《惠安县行政执法调查取证工作规则》《惠安县行政执法程序流程图》,进一步完善行政执法程序",
        [
            "惠安县乡镇综合行政执法问答手册",
            "惠安县行政执法人员规范",
            "惠安县行政执法调查取证工作规则",
            "惠安县行政执法程序流程图",
        ],
    ),
    (
        "制定《保定市行政审批与行政监管衔接管理办法(试行)》《“一窗综合受理”若干规定(试行)》,"
        "首创推出“一链办”改革",
        ["保定市行政审批与行政监管衔接管理办法(试行)", "“一窗综合受理”若干规定(试行)"],
    ),
    (
        "认真贯彻落实《法治政府建设实施纲要(2021—2025年)》,结合保定实际",
        ["法治政府建设实施纲要(2021—2025年)"],
    ),
    (
        "认真落实《贯彻落实〈四川省法治政府建设实施方案(2021-2025年)〉责任分工方案》和"
        "《蓬溪县法治政府建设工作领导小组办公室关于印发〈蓬溪县2023年度法治政府建设重点工作安排〉"
        "的通知》,大力推进依法行政",
        [
            "贯彻落实〈四川省法治政府建设实施方案(2021-2025年)〉责任分工方案",
            "蓬溪县法治政府建设工作领导小组办公室关于印发〈蓬溪县2023年度法治政府建设重点工作安排〉"
            "的通知",
        ],
    ),
    # An inner 《…》 stays inside the outer title.
    (
        "印发《关于印发《惠安县法治政府建设工作要点》的通知》。",
        ["关于印发《惠安县法治政府建设工作要点》的通知"],
    ),
    # White space inside the brackets is not part of the title.
    ("出台《 惠安县行政执法人员规范 》", ["惠安县行政执法人员规范"]),
    # Unbalanced or broken brackets: no runaway titles.
    ("《未闭合的标题,认真落实《法治政府建设实施纲要》。", ["法治政府建设实施纲要"]),
    ("《未闭合的标题。认真落实“放管服改革", []),
    ("出台《惠安县行政执法\n人员规范》", []),
    ("》》》《《《““””〈〈〉〉", []),
    ("《》《 》", []),
    ("《" + "很长的标题" * 30 + "》", []),
    ("《" + "很长的标题" * 30 + "《内部标题》" + "》", ["内部标题"]),
    ("学习《宪法》。《民法典》!《行政处罚法》", ["宪法", "民法典", "行政处罚法"]),
]


@pytest.mark.parametrize(("text", "expected"), TITLES)
def test_outer_titles(text: str, expected: list[str]) -> None:
    assert _titles(text) == expected
    assert _of(text, DOCUMENT) == expected
    assert all(len(t) <= TITLE_MAX for t in _titles(text))


# (text, nested titles)
NESTED: list[tuple[str, list[str]]] = [
    (
        "制发《关于落实河北省全面推进依法行政工作领导小组办公室〈关于进一步规范乡镇和街道行政执法"
        "工作的通知〉的通知》,规范乡镇和街道行政执法工作。",
        ["关于进一步规范乡镇和街道行政执法工作的通知"],
    ),
    (
        "认真落实《贯彻落实〈四川省法治政府建设实施方案(2021-2025年)〉责任分工方案》",
        ["四川省法治政府建设实施方案(2021-2025年)"],
    ),
    ("印发《关于印发《惠安县法治政府建设工作要点》的通知》", ["惠安县法治政府建设工作要点"]),
    ("印发《关于印发<惠安县法治政府建设工作要点>的通知》", ["惠安县法治政府建设工作要点"]),
    ("印发《关于印发＜A办法＞和〈B规定〉的通知》", ["A办法", "B规定"]),
    ("〈不在标题里〉不算", []),
]


@pytest.mark.parametrize(("text", "expected"), NESTED)
def test_nested_titles(text: str, expected: list[str]) -> None:
    assert _of(text, NESTED_DOCUMENT) == expected
    outer = [f.title for f in find_documents(text) if f.label == DOCUMENT]
    assert all(f.nested_in in outer for f in find_documents(text) if f.label == NESTED_DOCUMENT)


# (text, [(title, doc_number)])
NUMBERS: list[tuple[str, list[tuple[str, str | None]]]] = [
    (
        "严格执行《重大决策合法性审查工作机制》(惠委办明电〔2021〕13号),推动行政机关内部建立",
        [("重大决策合法性审查工作机制", "惠委办明电〔2021〕13号")],
    ),
    (
        "关于《漯河市创建全国法治政府建设示范市工作实施方案》(漯法〔2021〕2号)文件精神",
        [("漯河市创建全国法治政府建设示范市工作实施方案", "漯法〔2021〕2号")],
    ),
    ("印发《A办法》（ 惠政办［２０２２］１５号 ）", [("A办法", "惠政办［２０２２］１５号")]),
    ("印发《A办法》（惠政办〔2022〕15号、惠政办〔2022〕16号）", [("A办法", "惠政办〔2022〕15号")]),
    ("印发《A办法》（惠政文20238）", [("A办法", None)]),  # damaged: not a document's number
    ("印发《A办法》，惠政办〔2022〕15号", [("A办法", None)]),
    ("印发《A办法》(试行)", [("A办法", None)]),
    ("印发《A办法》（文号：惠政〔2022〕15号）", [("A办法", "惠政〔2022〕15号")]),
]


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_doc_number_after_title(text: str, expected: list[tuple[str, str | None]]) -> None:
    found = [(f.title, f.doc_number) for f in find_documents(text) if f.label == DOCUMENT]
    assert found == expected


# (text, [(DOCUMENT text, kg_title, kg_alias_of)])
ALIASES: list[tuple[str, list[tuple[str, str | None, str | None]]]] = [
    (
        "认真贯彻落实中共中央、国务院印发的《法治政府建设实施纲要（2021－2025年）》"
        "（以下简称《纲要》），对照《纲要》要求逐项落实。",
        [
            ("法治政府建设实施纲要（2021－2025年）", "法治政府建设实施纲要（2021－2025年）", None),
            ("纲要", "纲要", "法治政府建设实施纲要（2021－2025年）"),
            ("纲要", "纲要", "法治政府建设实施纲要（2021－2025年）"),
        ],
    ),
    (
        "印发《关于加强行政规范性文件制定和监督管理工作的通知》(惠政办〔2021〕5号,以下简称"
        "“规范性文件通知”),各单位严格落实“规范性文件通知”。",
        [
            ("关于加强行政规范性文件制定和监督管理工作的通知", None, None),
            ("规范性文件通知", "规范性文件通知", "关于加强行政规范性文件制定和监督管理工作的通知"),
            ("规范性文件通知", "规范性文件通知", "关于加强行政规范性文件制定和监督管理工作的通知"),
        ],
    ),
    (
        "出台《惠安县重大行政决策程序规定》(简称“决策规定”)。",
        [
            ("惠安县重大行政决策程序规定", None, None),
            ("决策规定", "决策规定", "惠安县重大行政决策程序规定"),
        ],
    ),
    (
        "出台《惠安县重大行政决策程序规定》（下称《规定》）",
        [
            ("惠安县重大行政决策程序规定", None, None),
            ("规定", "规定", "惠安县重大行政决策程序规定"),
        ],
    ),
    (
        "出台《惠安县重大行政决策程序规定》（以下简称决策规定）",
        [
            ("惠安县重大行政决策程序规定", None, None),
            ("决策规定", "决策规定", "惠安县重大行政决策程序规定"),
        ],
    ),
    # One short form defined twice: each quotation stands for the latest definition.
    (
        "印发《甲办法》(简称“办法”),落实“办法”。印发《乙办法》(简称“办法”),落实“办法”。",
        [
            ("甲办法", None, None),
            ("办法", "办法", "甲办法"),
            ("办法", "办法", "甲办法"),
            ("乙办法", None, None),
            ("办法", "办法", "乙办法"),
            ("办法", "办法", "乙办法"),
        ],
    ),
    (
        "印发《甲办法》(以下简称《办法》),落实《办法》。印发《乙办法》(以下简称《办法》),落实《办法》。",
        [
            ("甲办法", None, None),
            ("办法", "办法", "甲办法"),
            ("办法", "办法", "甲办法"),
            ("乙办法", None, None),
            ("办法", "办法", "乙办法"),
            ("办法", "办法", "乙办法"),
        ],
    ),
    # A short form of something that is not a cited title is no document.
    ("中央全面依法治国委员会办公室(以下简称“中央依法治国办”)", []),
    # 《纲要》 before any definition is a document of its own.
    ("学习《纲要》。", [("纲要", "纲要", None)]),
]


@pytest.mark.parametrize(("text", "expected"), ALIASES)
def test_aliases(text: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    found = [f for f in find_documents(text) if f.label == DOCUMENT]
    assert [(text[f.start : f.end], f.alias_of) for f in found] == [(t, a) for t, _, a in expected]
    for f, (_, title, _) in zip(found, expected, strict=True):
        if title is not None:
            assert f.title == title


def test_a_short_form_is_mentioned_and_the_list_runs_on() -> None:
    """The verb of a short form where it first appears is 简称 (GUIDELINES: ACTION); the title
    after the definition still shares the action of the title before it."""
    text = "认真贯彻落实《法治政府建设实施纲要（2021－2025年）》（以下简称《纲要》）和《A规定》"
    actions = [(f.title, f.action.kind if f.action else None) for f in find_documents(text)]
    assert actions == [
        ("法治政府建设实施纲要（2021－2025年）", "implemented"),
        ("纲要", "mentioned"),
        ("A规定", "implemented"),
    ]


def test_variant_spellings_share_the_first_title() -> None:
    text = (
        "深入学习贯彻《法治政府建设实施纲要(2021—2025年)》,"
        "全面落实《法治政府建设实施纲要（2021-2025 年）》。"
    )
    titles = [f.title for f in find_documents(text)]
    assert titles == ["法治政府建设实施纲要(2021—2025年)"] * 2


def test_component_spans_and_gold_shape() -> None:
    nlp = build_pipeline()
    text = (
        "制发《关于落实〈关于进一步规范乡镇行政执法工作的通知〉的通知》(保政办〔2022〕3号),"
        "印发《A办法》（以下简称《办法》）。"
    )
    doc = nlp(text)
    spans = {(s.label_, s.text): s for s in doc.spans["kg_documents"]}
    outer = spans[(DOCUMENT, "关于落实〈关于进一步规范乡镇行政执法工作的通知〉的通知")]
    assert outer._.kg_title == outer.text
    assert outer._.kg_doc_number == "保政办〔2022〕3号"
    assert (outer._.kg_action, outer._.kg_verb) == ("issued", "制发")
    nested = spans[(NESTED_DOCUMENT, "关于进一步规范乡镇行政执法工作的通知")]
    assert nested._.kg_nested_in == outer.text
    assert nested._.kg_action is None
    alias = spans[(DOCUMENT, "办法")]
    assert alias._.kg_alias_of == "A办法"
    assert (alias._.kg_action, alias._.kg_verb) == ("mentioned", "简称")


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "",
        "No Chinese at all, just 2022 and 28.8% and (2021) 13.",
        "《" * 200_000,
        "》" * 200_000,
        "《a" * 200_000,
        "《" + "a" * 1_000_000,
        ("《" + "长" * 119) * 10_000,
        "《《a》" * 100_000,
        "《A》（以下简称" * 50_000,
        "《A》（以下简称《B》）" * 50_000,
        "《A》(简称“B”),“B”" * 50_000,
        "".join(f"《A{i}》(简称“B{i}”),“B{i}”" for i in range(50_000)),
        "“" * 100_000 + "《A》",
        "认真落实\x00\x01\x07《法治\x1b[31m政府》\u200b\ufeff。" * 10_000,
        ("认真落实《法治政府建设实施纲要》,县司法局受理行政复议案件79件" * 120_000)[:5_000_000],
    ],
)
def test_hostile_text_is_fast(text: str) -> None:
    started = time.perf_counter()
    for f in find_documents(text):
        assert 0 <= f.start < f.end <= len(text)
    assert time.perf_counter() - started < 20.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t",
        "《 》《\u3000》",
        "出台《 \u200b惠安县规范\x00》（ 惠政〔2021〕1号 ）",
        "《A》(以下简称《 》)《B》(简称“ ”)",
        "惠政文\n20238 《\n》 〔2021〕\n1号",
    ],
)
def test_component_on_odd_text(text: str) -> None:
    doc = build_pipeline()(text)
    for key in ("kg_doc_numbers", "kg_documents"):
        for span in doc.spans[key]:
            assert span.text == text[span.start_char : span.end_char]
            assert span.text.strip() == span.text
