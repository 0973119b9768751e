"""Metadata, region, level and year on reports the rules were not written for, and the
section/paragraph split. Texts are short reports built from the shapes real ones take."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.corpus import read_text
from kg.corpus.header import parse_date
from kg.corpus.infer import level_of, region_chain
from kg.errors import IngestError

BODY = "{year}年,我{unit}坚持以习近平法治思想为指导,全面推进法治政府建设。现将有关情况报告如下:"


def _report(*header: str, year: int = 2022, unit: str = "县", tail: tuple[str, ...] = ()) -> str:
    return "\n".join([*header, BODY.format(year=year, unit=unit), "一、主要举措和成效",
                      "深入推进依法行政。", *tail])


CASES = [
    # (lines before the body, body unit, signature lines, expected region, level, year, publisher)
    # A county-level city (县级市) is county level (GUIDELINES, REPORT), even alone.
    (("南安市人民政府关于2021年度法治政府建设情况的报告",), "市", (),
     "南安市", "county", 2021, "南安市人民政府"),
    (("中共德化县委 德化县人民政府关于2022年度法治政府建设情况的报告",), "县", (),
     "德化县", "county", 2022, "中共德化县委、德化县人民政府"),
    (("鼓楼区法治政府建设年度报告",), "区", (),
     "鼓楼区", "district", 2022, "鼓楼区"),
    (("东街街道办事处2023年法治政府建设工作报告",), "街道", (),
     "东街街道", "town", 2023, "东街街道办事处"),
    (("泉州市丰泽区人民政府关于2020年度法治政府建设工作情况的报告",), "区", (),
     "丰泽区", "district", 2020, "泉州市丰泽区人民政府"),
    (("四川省人民政府关于2022年法治政府建设情况的报告",), "省", (),
     "四川省", "province", 2022, "四川省人民政府"),
    (("上海市人民政府关于2021年度法治政府建设情况的报告",), "市", (),
     "上海市", "province", 2021, "上海市人民政府"),
    (("甘孜藏族自治州人民政府关于2022年度法治政府建设情况的报告",), "州", (),
     "甘孜藏族自治州", "city", 2022, "甘孜藏族自治州人民政府"),
    (("福建省泉州市晋江市人民政府关于2022年度法治政府建设情况的报告",), "市", (),
     "晋江市", "county", 2022, "福建省泉州市晋江市人民政府"),
    (("沙县人民政府关于2022年度法治政府建设情况的报告",), "县", (),
     "沙县", "county", 2022, "沙县人民政府"),
    (("中共鼓楼区委", "福州市鼓楼区人民政府", "关于2021年度法治政府建设情况的报告"), "区", (),
     "鼓楼区", "district", 2021, "中共鼓楼区委、福州市鼓楼区人民政府"),
    (("2022年度法治政府建设情况报告",), "镇", ("洪濑镇人民政府", "2023年1月10日"),
     "洪濑镇", "town", 2022, "洪濑镇人民政府"),
    (("法治政府建设工作报告",), "县", (), None, "county", 2022, None),
]


@pytest.mark.parametrize(
    ("header", "unit", "tail", "region", "level", "year", "publisher"),
    CASES,
    ids=[case[0][-1] for case in CASES],
)
def test_region_level_year_and_publisher(
    header: tuple[str, ...], unit: str, tail: tuple[str, ...], region: str | None,
    level: str, year: int, publisher: str | None,
) -> None:
    r = read_text(_report(*header, year=year, unit=unit, tail=tail))
    assert (r.region, r.level, r.year_covered, r.metadata.publisher) == (
        region, level, year, publisher)


@pytest.mark.parametrize(
    ("title", "date", "year"),
    [
        ("源汇区法治政府建设示范创建工作实施方案", "2021-09-03", 2021),  # a plan: year published
        ("惠安县法治政府建设实施方案(2021-2025年)", "2021-05-06", 2021),  # a range is no year
        ("保定市2023年法治政府建设工作要点", "2023-02-20", 2023),  # the year it names
        ("天福镇法治政府建设年度报告", "2024-02-01", 2023),  # published early the next year
    ],
)
def test_year_covered(title: str, date: str, year: int) -> None:
    r = read_text(f"{title}\n发布时间:{date}\n深入推进依法行政,加快建设法治政府。")
    assert r.year_covered == year


def test_header_doc_number_line_and_chinese_numeral_signature() -> None:
    source = "\n".join([
        "德政文〔2023〕5号",
        "德化县人民政府关于2022年度法治政府建设情况的报告",
        "2022年,我县全面推进法治政府建设。",
        "德化县人民政府",
        "二〇二三年三月十六日",
    ])
    meta = read_text(source).metadata
    assert meta.doc_number == "德政文〔2023〕5号"
    assert meta.damaged_doc_number is None
    assert (meta.signed, meta.published) == ("2023-03-16", "2023-03-16")


def test_a_doc_number_cited_in_the_body_is_not_the_reports() -> None:
    source = ("漯河市源汇区法治政府建设示范创建工作 实施方案\n"
              "为深入贯彻《漯河市创建全国法治政府建设示范市工作实施方案》(漯法〔2021〕2号)文件精神。")
    assert read_text(source).metadata.doc_number is None


@pytest.mark.parametrize(
    ("name", "chain", "level"),
    [
        ("泉州市", ("泉州市",), "city"),
        ("太原市迎泽区人民政府", ("太原市", "迎泽区"), "district"),
        ("中共蓬溪县天福镇2023年度法治政府建设工作报告", ("蓬溪县", "天福镇"), "town"),
        ("漯河市源汇区法治政府建设示范创建工作 实施方案", ("漯河市", "源汇区"), "district"),
        ("上海市浦东新区人民政府", ("上海市", "浦东新区"), "district"),
        ("内蒙古自治区人民政府", ("内蒙古自治区",), "province"),
        ("市委依法治市办", (), None),
        ("全县", (), None),
        ("区司法局", (), None),
    ],
)
def test_region_chain(name: str, chain: tuple[str, ...], level: str | None) -> None:
    found = region_chain(name)
    assert tuple(unit for unit, _ in found) == chain
    assert level_of(found) == level


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023-02-08 10:10", "2023-02-08"),
        ("2023年3月16日", "2023-03-16"),
        ("2021/9/3", "2021-09-03"),
        ("二〇二三年十二月二十一日", "2023-12-21"),
        ("2023-02-30", None),
        ("202327日", None),  # damaged: 2023年2月7日 or 2023年2月27日? Not guessed.
        (None, None),
    ],
)
def test_parse_date(text: str | None, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_sections_paragraphs_and_sentences() -> None:
    source = "\n".join([
        "关于2022年度法治政府建设情况的报告",
        "一、主要举措",
        "(一)强化组织领导,推动法治职责履行。一是党委高度重视。二是党委依法执政。",
        "（二）深化改革",
        "1.梳理完善行政权力清单制度。",
        "(1)按照县级权力下放清单。",
        "二、存在问题",
        "附件:1.指标体系",
        "2.工作台账",
    ])
    r = read_text(source)
    got = [(s.level, s.heading, r.text[s.start : s.end].split("\n")[-1]) for s in r.sections]
    assert got == [
        (1, "一、主要举措", "(1)按照县级权力下放清单。"),
        (2, "(一)强化组织领导,推动法治职责履行",
         "(一)强化组织领导,推动法治职责履行。一是党委高度重视。二是党委依法执政。"),
        (2, "（二）深化改革", "(1)按照县级权力下放清单。"),
        (3, "1.梳理完善行政权力清单制度", "(1)按照县级权力下放清单。"),
        (4, "(1)按照县级权力下放清单", "(1)按照县级权力下放清单。"),
        (1, "二、存在问题", "2.工作台账"),
    ]
    assert len(r.paragraphs) == 9
    assert [s.text for s in r.sentences][2:5] == [
        "(一)强化组织领导,推动法治职责履行。", "一是党委高度重视。", "二是党委依法执政。"]


def test_full_width_header_of_an_unnormalised_page() -> None:
    source = "\n".join([
        "当前位置：首页 > 政府信息公开 > 法治政府建设",
        "索 引 号：11350500003/2023-00017　　发文字号：泉政文〔2023〕12号",
        "发布机构：泉州市人民政府办公室",
        "成文日期：2023年02月07日",
        "泉州市人民政府关于2022年度法治政府建设情况的报告",
        "发布时间：2023-02-10　作者：市司法局　来源：泉州市人民政府办公室　【字体：大 中 小】",
        "2022年，我市坚持以习近平法治思想为指导，全面推进法治政府建设。",
        "（一）强化组织领导。",
    ])
    r = read_text(source)
    meta = r.metadata
    lines = r.text.split("\n")
    assert lines[0] == "索 引 号：11350500003/2023-00017　发文字号：泉政文〔2023〕12号"
    assert lines[4] == "发布时间：2023-02-10　作者：市司法局　来源：泉州市人民政府办公室"
    assert (meta.index_number, meta.doc_number) == ("11350500003/2023-00017", "泉政文〔2023〕12号")
    assert (meta.issuing_body, meta.generated, meta.published) == (
        "泉州市人民政府办公室", "2023-02-07", "2023-02-10")
    assert (meta.author, meta.source, meta.publisher) == (
        "市司法局", "泉州市人民政府办公室", "泉州市人民政府")
    assert (r.region, r.level, r.year_covered) == ("泉州市", "city", 2022)
    assert [(s.level, s.heading) for s in r.sections] == [(2, "（一）强化组织领导")]


# -- region, level and year from titles, opening sentences and self-references ---------------
# Texts made up here, in the shapes reports take; every place is a real division.

INFER_CASES = [
    # (text, region, level, year)
    ("2021年度嘉兴市法治政府建设情况报告\n深入推进依法行政。", "嘉兴市", "city", 2021),
    ("关于绍兴市2020年度法治政府建设情况的报告\n深入推进依法行政。", "绍兴市", "city", 2020),
    ("遵义市人民政府2018年度法治政府建设工作报告\n深入推进依法行政。", "遵义市", "city", 2018),
    # A municipality is province level; a 盟 is a prefecture.
    ("北京市人民政府关于2019年度法治政府建设情况的报告\n我市深入推进依法行政。",
     "北京市", "province", 2019),
    ("兴安盟2020年法治政府建设工作报告\n全盟深入推进依法行政。", "兴安盟", "city", 2020),
    # Abbreviated names of autonomous areas and banners are given by their official name.
    ("西乌旗人民政府关于2021年度法治政府建设情况的报告\n全旗深入推进依法行政。",
     "西乌珠穆沁旗", "county", 2021),
    ("湘西州人民政府关于2022年度法治政府建设情况的报告\n全州深入推进依法行政。",
     "湘西土家族苗族自治州", "city", 2022),
    ("长阳土家族自治县2023年法治政府建设年度报告\n全县深入推进依法行政。",
     "长阳土家族自治县", "county", 2023),
    # A 街道 named after its district's government; a town whose name starts with 上.
    ("柯桥区人民政府湖塘街道办事处关于2022年度法治政府建设情况的报告\n深入推进依法行政。",
     "湖塘街道", "town", 2022),
    ("2023年,上庄镇坚持以习近平法治思想为指导,全面推进法治政府建设。\n我镇深入推进依法行政。",
     "上庄镇", "town", 2023),
    # No title: the subject of the opening sentence, after "在…领导下,".
    ("2020年,在市委、市政府的坚强领导下,昆山市坚持依法行政,建设法治政府。",
     "昆山市", "county", 2020),
    # A department's report: region is the place it belongs to.
    ("嘉兴市生态环境局2022年法治政府建设年度报告\n我局深入推进依法行政。",
     "嘉兴市", "department", 2022),
    ("2022年,在县委、县政府的领导下,县水利局坚持依法行政,服务长阳土家族自治县发展大局。"
     "\n全县水利系统深入推进依法行政,长阳土家族自治县水资源保护成效明显。",
     "长阳土家族自治县", "department", 2022),
    ("现将我局2024年法治政府建设工作情况报告如下:\n我局围绕绍兴市中心工作,服务绍兴市发展。",
     "绍兴市", "department", 2024),
    # A report that calls itself 我局 is a department's, whatever its opening subject.
    ("2021年,全市交通运输系统坚持依法行政。\n我局牵头制定《遵义市交通运输执法规范》。"
     "\n我局全年办结行政复议案件。", "遵义市", "department", 2021),
    # A place heading a document or a government of its own outweighs one the report visits.
    ("2022年,我区坚持依法行政。\n组织干部到余杭区学习经验。制定《鄞州区法治政府建设实施方案》。",
     "鄞州区", "district", 2022),
    # Only a self-reference: the level, and the place of that level the text names.
    ("2019年,我省坚持依法行政,深入学习贯彻习近平总书记考察浙江重要讲话精神。"
     "\n全省法治政府建设取得新成效,浙江营商环境持续优化。",
     "浙江省", "province", 2019),
]


@pytest.mark.parametrize(("text", "region", "level", "year"), INFER_CASES,
                         ids=[c[0][:12] for c in INFER_CASES])
def test_report_region_level_and_year(text: str, region: str, level: str, year: int) -> None:
    r = read_text(text)
    assert (r.region, r.level, r.year_covered) == (region, level, year)


def test_a_township_gets_its_county_from_the_township_gazetteer() -> None:
    r = read_text("柯桥区人民政府湖塘街道办事处关于2022年度法治政府建设情况的报告\n依法行政。")
    assert r.region_chain == ("柯桥区", "湖塘街道")
    # 上庄镇 is the name of several townships: the county the text names decides.
    r = read_text("2023年,上庄镇坚持依法行政。\n在绩溪县委的领导下,我镇推进法治建设。")
    assert r.region_chain == ("绩溪县", "上庄镇")


@pytest.mark.parametrize(
    ("text", "year"),
    [
        # A notice passing on a plan: the plan's year.
        ("各镇人民政府、街道办事处:\n现将《柯桥区2025年法治政府建设工作要点》印发给你们,请认真贯彻落实。"
         "\n2025年6月4日", 2025),
        ("各县(区)人民政府:\n《嘉兴市2023年度法治政府建设工作安排》已经市政府同意,现印发给你们。"
         "\n2023年6月19日", 2023),
        # A part heading names the year; the opening does not.
        ("为全面贯彻党的十九大精神,我街严格按照区委要求推进法治建设。\n一、2020年法治建设工作情况\n"
         "(一)加强统筹谋划。", 2020),
        # No title, date or opening year: the year the text names most often.
        ("一、主要举措\n市政府于2020年第2次学习会学习法治思想;2020年初制定了工作要点,2019年的问题已整改。",
         2020),
    ],
)
def test_year_without_a_title(text: str, year: int) -> None:
    assert read_text(text).year_covered == year


def test_traditional_header_is_read_through_simplified_and_kept_as_written() -> None:
    r = read_text("蘇州市2019年度法治政府建設工作報告\n2019年,我市堅持依法行政,推進法治政府建設。")
    assert (r.region, r.level, r.year_covered) == ("苏州市", "city", 2019)
    assert r.metadata.title == "蘇州市2019年度法治政府建設工作報告"


_PIECES = ["2022年,", "我县", "全区", "县司法局", "在市委的领导下,", "嘉兴市", "上庄镇", "西乌旗",
           "關於", "報告", "\n", "。", "现将", "《", "》", "工作要点", "人民政府", "街道", ":"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=4), min_size=1, max_size=30))
def test_inference_never_fails_on_odd_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    if not text.strip():
        return
    try:
        r = read_text(text)
    except IngestError:
        return
    assert r.level in (None, "province", "city", "county", "district", "town", "department")
    assert r.region is None or (r.region and not r.region.isspace())
    assert r.year_covered is None or 1900 <= r.year_covered <= 2099
