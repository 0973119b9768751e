"""``kg_doc_numbers``: document numbers (文号), complete and damaged."""

from __future__ import annotations

import time

import pytest

from kg.nlp.docnumbers import find_doc_numbers
from kg.nlp.model import DAMAGED_DOC_NUMBER, DOC_NUMBER
from kg.nlp.pipeline import build_pipeline

# (text, [(number as written, damaged, issuer, year, serial)])
Expected = list[tuple[str, bool, str, int, int]]

REAL: list[tuple[str, Expected]] = [
    # Header lines of the reports in corpus/.
    ("    • 备注/文号:惠政文〔2023〕8号", [("惠政文〔2023〕8号", False, "惠政文", 2023, 8)]),
    (
        "    惠政文20238                   签发人:庄稼祥   ",
        [("惠政文20238", True, "惠政文", 2023, 8)],
    ),
    # Running text.
    (
        "严格执行《重大决策合法性审查工作机制》(惠委办明电〔2021〕13号),推动行政机关内部建立"
        "重大决策合法性审查机制。",
        [("惠委办明电〔2021〕13号", False, "惠委办明电", 2021, 13)],
    ),
    (
        "为深入贯彻市委全面依法治市委员会关于《漯河市创建全国法治政府建设示范市工作实施方案》"
        "(漯法〔2021〕2号)文件精神",
        [("漯法〔2021〕2号", False, "漯法", 2021, 2)],
    ),
    # Numbers that are not 文号.
    ("办事项,累计已编制完成73件“一件事”集成服务套餐,累计办件16201件,累计精简申报材料", []),
    ("2022年,全市共调处各类民间矛盾纠纷20563件,调解成功20405件,调解成功率达9", []),
    ("加强12345政务服务便民热线建设,深化提升保定市民生事项12345“接诉即办”数字化监管平台", []),
    ("安县人民政府办公室                     202327日印发", []),
    ("• 索 引 号:QZ08101-3000-2023-00017", []),
    ("全市确定试点单位50个〔县直执法部门、乡镇(街道)共40个,市直执法部门10个〕。", []),
    ("时间:2021-09-03 作者:区司法局", []),
    ("《法治惠安建设规划(2021-2025年)》", []),
    ("(三)收集印证资料(七月中旬—8月10日)。", []),
    ("办公室电话: 0395-5607259", []),
]

SYNTHETIC: list[tuple[str, Expected]] = [
    # Every bracket pair, full-width digits, 第, spaces inside.
    ("国办发[2019]39号", [("国办发[2019]39号", False, "国办发", 2019, 39)]),
    ("豫政(2020)12号", [("豫政(2020)12号", False, "豫政", 2020, 12)]),
    ("川府发【2022】7号", [("川府发【2022】7号", False, "川府发", 2022, 7)]),
    ("冀政办字［2021］105号", [("冀政办字［2021］105号", False, "冀政办字", 2021, 105)]),
    ("漯法（２０２１）２号", [("漯法（２０２１）２号", False, "漯法", 2021, 2)]),
    ("国发〔2021〕第4号", [("国发〔2021〕第4号", False, "国发", 2021, 4)]),
    ("惠政 〔2021〕 3号", [("惠政 〔2021〕 3号", False, "惠政", 2021, 3)]),
    # The issuer starts after words that cannot be part of a code.
    ("严格执行豫政〔2020〕12号文件精神", [("豫政〔2020〕12号", False, "豫政", 2020, 12)]),
    ("根据国务院办公厅国办发〔2019〕39号", [("国办发〔2019〕39号", False, "国办发", 2019, 39)]),
    (
        "省政府办公厅冀政办字〔2020〕5号和冀政〔2021〕3号",
        [
            ("冀政办字〔2020〕5号", False, "冀政办字", 2020, 5),
            ("冀政〔2021〕3号", False, "冀政", 2021, 3),
        ],
    ),
    ("（保依法治市办〔2022〕3号）", [("保依法治市办〔2022〕3号", False, "保依法治市办", 2022, 3)]),
    # Damaged: brackets (or one of them, or the 号) lost; written as found.
    ("按照惠政文20238号要求", [("惠政文20238号", True, "惠政文", 2023, 8)]),
    ("惠政文2023〕8号", [("惠政文2023〕8号", True, "惠政文", 2023, 8)]),
    ("惠政文〔20238号", [("惠政文〔20238号", True, "惠政文", 2023, 8)]),
    ("惠政文〔2023〕8 签发", [("惠政文〔2023〕8", True, "惠政文", 2023, 8)]),
    ("国办发201939", [("国办发201939", True, "国办发", 2019, 39)]),
    ("惠政文２０２３８", [("惠政文２０２３８", True, "惠政文", 2023, 8)]),
    # Not damaged numbers: quantities, decimals, long digit runs, odd years, words.
    ("惠政文20238.5", []),
    ("惠政文120238", []),
    ("惠政文18238", []),
    ("惠政文2023812345", []),
    ("全年发文20235件", []),
    ("全面提升行政执法规范化水平惠政文20238", []),  # glued to a long run of words
    ("认真落实惠政文20238", [("惠政文20238", True, "惠政文", 2023, 8)]),  # after a stop word
    ("县政府20231次", []),
    ("办公室20238", []),
    ("", []),
    ("No Chinese at all, just 2022 and (2021) 13号.", []),
]


def _found(text: str) -> Expected:
    return [
        (text[n.start : n.end], n.damaged, n.issuer, n.year, n.serial)
        for n in find_doc_numbers(text)
    ]


@pytest.mark.parametrize(("text", "expected"), REAL + SYNTHETIC)
def test_doc_numbers(text: str, expected: Expected) -> None:
    assert _found(text) == expected


def test_component_sets_labels_and_extensions() -> None:
    nlp = build_pipeline()
    doc = nlp("备注/文号:惠政文〔2023〕8号\n惠政文20238 签发人")
    spans = list(doc.spans["kg_doc_numbers"])
    assert [(s.text, s.label_) for s in spans] == [
        ("惠政文〔2023〕8号", DOC_NUMBER),
        ("惠政文20238", DAMAGED_DOC_NUMBER),
    ]
    full, damaged = spans
    assert (full._.kg_issuer, full._.kg_year, full._.kg_serial, full._.kg_damaged) == (
        "惠政文",
        2023,
        8,
        None,
    )
    assert (damaged._.kg_issuer, damaged._.kg_year, damaged._.kg_serial) == ("惠政文", 2023, 8)
    assert damaged._.kg_damaged is True


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "惠政文" + "2" * 1_000_000,
        "〔2021〕" * 100_000,
        "惠政文〔2023〕8号" * 50_000,
        "惠政文20238 " * 50_000,
        "政" * 1_000_000 + "〔2021〕1号",
        "\x00\x01〔\x1b2021〕\u200b号" * 10_000,
    ],
)
def test_hostile_text_is_fast(text: str) -> None:
    started = time.perf_counter()
    find_doc_numbers(text)
    assert time.perf_counter() - started < 5.0


# Forms the shipped reports do not use (issue 15): decrees, traditional 號, lists of numbers.
MORE_FORMS: list[tuple[str, list[tuple[str, str, int | None, int]]]] = [
    ("依据《某某暂行条例》(国务院令第713号)", [("国务院令第713号", "国务院令", None, 713)]),
    ("根据省人民政府令第290号", [("省人民政府令第290号", "省人民政府令", None, 290)]),
    ("司法部令第1号公布", [("司法部令第1号", "司法部令", None, 1)]),
    ("主席令第十二号", [("主席令第十二号", "主席令", None, 12)]),
    ("依照某發〔2021〕33號文件", [("某發〔2021〕33號", "某發", 2021, 33)]),
    ("以甲政发〔2024〕4号、5号文件上报", [("甲政发〔2024〕4号", "甲政发", 2024, 4)]),
    ("按照甲政规〔2022〕第3号执行", [("甲政规〔2022〕第3号", "甲政规", 2022, 3)]),
]


@pytest.mark.parametrize(("text", "expected"), MORE_FORMS)
def test_more_forms(text: str, expected: list[tuple[str, str, int | None, int]]) -> None:
    found = [(text[n.start : n.end], n.issuer, n.year, n.serial) for n in find_doc_numbers(text)]
    assert found == expected


def test_a_decree_number_stays_out_of_the_graph() -> None:
    """The shapes describe bracketed 文号 only (issuer, year, serial): a decree number is
    tagged, but the graph states no kg:docNumber for it."""
    from rdflib import URIRef

    from kg.graph.writer import doc_number_triples

    subject = URIRef("https://policy-kg.org/id/document/x")
    assert doc_number_triples(subject, "国务院令第713号") == []
    assert len(doc_number_triples(subject, "国办发〔2019〕39号")) == 4
