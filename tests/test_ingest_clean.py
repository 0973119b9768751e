"""Cleaning: furniture out, report text (header lines included) in, white space normalised,
and the offset map exact for every character."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.corpus import read_bytes, read_text
from kg.corpus.clean import BREAKS, clean
from kg.corpus.model import OffsetMap
from kg.errors import IngestError

BODY = "2022年,我县坚持以习近平新时代中国特色社会主义思想为指导,全面贯彻落实党的二十大精神。"


def _lines(source: str) -> list[str]:
    return clean(source).text.split("\n")


def _copies(source: str) -> bool:
    """Every cleaned character is a copy of the source character the offset map gives (a line
    break of any kind is written ``"\\n"``)."""
    cleaned = clean(source)
    for i, ch in enumerate(cleaned.text):
        was = source[cleaned.offsets.to_source(i)]
        if was != ch and not (ch == "\n" and was in BREAKS):
            return False
    return True


@pytest.mark.parametrize(
    "line",
    [
        "返回首页",
        "政府信息公开",
        "扫一扫在手机上查看当前页面",
        "扫一扫在手机打开当前页",
        "附件下载",
        "浏览次数: 字体: [ ] 打印",
        "【字体:大 中 小】 【打印本页】 【关闭窗口】",
        "分享到: 微信 微博 QQ空间",
        "当前位置:首页 > 政府信息公开 > 法治政府建设",
        "首页 > 信息公开 > 法治政府建设",
        "上一篇:惠安县2021年度法治政府建设工作情况的报告",
        "版权所有:惠安县人民政府 闽ICP备05000000号",
        "网站标识码:3505210001",
        "主办单位:惠安县人民政府办公室",
        "- 3 -",
        "第 2 页 共 5 页",
        "无障碍 长者模式 繁體",
    ],
)
def test_furniture_lines_go(line: str) -> None:
    assert _lines(f"{BODY}\n{line}\n{BODY}") == [BODY, BODY]


@pytest.mark.parametrize(
    "line",
    [
        "• 索 引 号:QZ08101-3000-2023-00017",
        "备注/文号:惠政文〔2023〕8号",
        "发布机构:惠安县人民政府办公室",
        "公文生成日期:2023-02-07",
        "惠安县人民政府关于2022年度法治政府建设工作情况的报告",
        "时间:2021-09-03 作者:区司法局",
        "惠政文20238 签发人:庄稼祥",
        "惠安县人民政府",
        "2023年3月16日",
        "抄送:市委依法治市办,市司法局。",
        "附件:1.全国法治政府示范创建指标体系及源汇区任务分解",
        "2.漯河市源汇区法治政府示范创建工作台账",
        "联 系 人:吴雪雯",
        "(三)规范打印复印服务",  # 打印 inside words is not a tool button
        "一、指导思想",
    ],
)
def test_report_lines_stay(line: str) -> None:
    assert _lines(f"{BODY}\n{line}\n{BODY}") == [BODY, line.removeprefix("• "), BODY]


def test_furniture_inside_a_header_line_goes() -> None:
    source = "来源:天福镇 发布时间:2024-07-04 10:14 浏览次数: 字体: [ ] 打印"
    assert _lines(source) == ["来源:天福镇 发布时间:2024-07-04 10:14"]


def test_related_block_goes_up_to_report_text() -> None:
    source = "\n".join([BODY, "相关解读", "文字解读", "一图读懂2022年度法治政府建设工作情况的报告",
                        "图片解读", "媒体报道", BODY])
    assert _lines(source) == [BODY, BODY]


def test_white_space_is_normalised() -> None:
    source = ("\ufeff    惠政文20238 \xa0\xa0\xa0\xa0签发人:庄稼祥\xa0\xa0\n\n \xa0\n\r\n"
              "\t一、指导思想\u3000\u3000\n")
    cleaned = clean(source)
    assert cleaned.text == "惠政文20238 签发人:庄稼祥\n一、指导思想"


# What cleaned text never holds: controls but tab and LF, DEL, C1, U+FFFE/U+FFFF.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\u2028\u2029]")


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("第一页末尾。\x0c第二页开头。", "第一页末尾。\n第二页开头。"),  # pdftotext page break
        ("第一页末尾。\n\x0c第二页开头。", "第一页末尾。\n第二页开头。"),
        ("第一页末尾。\x0c\n第二页开头。\x0c", "第一页末尾。\n第二页开头。"),
        ("法治\x07政府\x1b[2J建设\x00报告\ufffe", "法治政府[2J建设报告"),
        ("依法\x9b行政\x7f", "依法行政"),
        ("一、总体情况\x1f二、主要举措", "一、总体情况二、主要举措"),
        ("上半年\u2028下半年", "上半年\n下半年"),
        ("年度\x0b报告", "年度\n报告"),
        ("甲 \x0c 乙", "甲\n乙"),
    ],
)
def test_form_feeds_break_lines_and_controls_go(source: str, text: str) -> None:
    assert clean(source).text == text
    assert _copies(source)


def test_offset_map_of_a_known_text() -> None:
    source = "返回首页\n   惠安县人民政府\xa0 \xa0关于\n\n报告"
    cleaned = clean(source)
    assert cleaned.text == "惠安县人民政府 关于\n报告"
    assert [cleaned.offsets.to_source(i) for i in range(len(cleaned.text))] == [
        *range(8, 15), 16, 18, 19, 20, 22, 23,
    ]
    assert cleaned.offsets.to_source(len(cleaned.text)) == len(source)


def test_empty_offset_map_is_the_identity() -> None:
    assert OffsetMap().to_source(7) == 7


# Text built from report pieces, furniture and every kind of white space.
PIECES = st.sampled_from([
    "惠安县人民政府", "关于", "2022年度", "报告", "。", ",", "一、", "(一)", "索 引 号:", "QZ08101",
    "返回首页", "扫一扫在手机打开当前页", "相关解读", "字体:", "[ ]", "打印", "浏览次数:", "•",
    " ", "  ", "\xa0", "\u3000", "\t", "\n", "\n\n", "\r\n", "\u200b", "\ufeff", "a", "Z", "—",
    "\x0c", "\x07", "\x1b[2J", "\x00", "\x85", "\x9b", "\x7f", "\ufffe", "\u2028", "\x1f",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_offset_map_round_trips(source: str) -> None:
    cleaned = clean(source)
    text, offsets = cleaned.text, cleaned.offsets
    assert _copies(source)
    positions = [offsets.to_source(i) for i in range(len(text))]
    assert positions == sorted(set(positions))  # increasing: order kept, nothing duplicated
    for line in text.split("\n") if text else []:
        assert line and line == line.strip() and "  " not in line


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_offset_map_round_trips_on_any_text(source: str) -> None:
    assert _copies(source)
    assert not CONTROL.search(clean(source).text)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_any_text_reads_with_consistent_structure(source: str) -> None:
    try:
        r = read_text(source)
    except IngestError as err:
        assert "no report text" in err.reason
        return
    assert all(r.text[s.start : s.end] == s.text for s in r.sentences)
    assert all(0 <= p.start < p.end <= len(r.text) for p in r.paragraphs)
    assert all(r.text.startswith(s.heading, s.start) for s in r.sections)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["x.txt", "x.html", "x.pdf", "x.docx", "x"]))
def test_any_bytes_read_or_give_an_ingest_error(data: bytes, name: str) -> None:
    try:
        read_bytes(data, path=name)
    except IngestError as err:
        assert err.path == name and err.reason
