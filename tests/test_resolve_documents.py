"""Cited documents as entities: variants, types, jurisdiction, implements/transmits."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.corpus import read_report
from kg.nlp import tag_report
from kg.nlp.model import DOCUMENT, NESTED_DOCUMENT, Mention
from kg.resolve import LinkedRegion, link_region
from kg.resolve.documents import NATIONAL, document_types, jurisdiction_of, resolve_documents


def doc(title: str, **attrs: object) -> Mention:
    return Mention(DOCUMENT, title, 0, len(title), title, {"title": title, **attrs})


@pytest.mark.parametrize(
    ("title", "types", "where"),
    [
        ("中华人民共和国行政处罚法", ("law",), NATIONAL),
        ("法治政府建设实施纲要(2021—2025年)", ("outline",), None),
        ("重大行政决策程序暂行条例", ("regulations",), None),
        ("河北省政府部门权责清单管理办法(试行)", ("measures",), "河北省"),
        ("保定市行政许可事项清单", ("list",), "保定市"),
        ("四川省法治政府建设实施方案(2021-2025年)", ("work_plan",), "四川省"),
        ("中国共产党党内法规制定条例", ("party_regulation", "regulations"), None),
        ("党政主要负责人履行推进法治建设第一责任人职责规定", ("provisions",), None),
        ("2022年度保定市政府学法计划", ("work_plan",), "保定市"),  # the place after a year
    ],
)
def test_types_and_jurisdiction(title: str, types: tuple[str, ...], where: str | None) -> None:
    found = jurisdiction_of(title)
    name = found if isinstance(found, str) or found is None else found.name
    assert name == where
    assert document_types(title, found) == types


def test_local_regulation_rank() -> None:
    where = jurisdiction_of("福建省行政执法条例")
    assert document_types("福建省行政执法条例", where) == ("local_regulation", "regulations")


def test_spellings_are_one_document() -> None:
    entities = resolve_documents(
        [
            doc("法治政府建设实施纲要(2021—2025年)", action="implemented"),
            doc("法治政府建设实施纲要（2021-2025年）", action="mentioned"),
            doc("重大决策合法性审查工作机制", doc_number="惠委办明电〔2021〕13号"),
        ]
    )
    assert [e.title for e in entities] == [
        "法治政府建设实施纲要(2021—2025年)",
        "重大决策合法性审查工作机制",
    ]
    assert entities[0].variants == ("法治政府建设实施纲要（2021-2025年）",)
    assert entities[0].actions == ("implemented", "mentioned")
    assert entities[1].doc_number == "惠委办明电〔2021〕13号"


def test_nested_titles_give_links(corpus_dir: Path) -> None:
    report = read_report(corpus_dir / "003_93de1b03becaf1ca.txt")
    region = link_region(report.region or "", chain=report.region_chain, text=report.text)
    entities = {e.title: e for e in resolve_documents(tag_report(report).mentions, region)}
    plan = entities["贯彻落实〈四川省法治政府建设实施方案(2021-2025年)〉责任分工方案"]
    assert plan.implements and plan.transmits == ()
    notice = next(e for t, e in entities.items() if t.endswith("的通知"))
    assert notice.transmits and notice.implements == ()
    assert [entities[t].key for t in entities if t.startswith("四川省")] == list(plan.implements)
    sichuan = entities["四川省法治政府建设实施方案(2021-2025年)"].jurisdiction
    assert not isinstance(sichuan, str) and sichuan is not None and sichuan.code == "510000"


def test_nested_mention_without_outer_is_still_a_document() -> None:
    inner = Mention(NESTED_DOCUMENT, "甲方案", 0, 3, "", {"nested_in": "关于印发〈甲方案〉的通知"})
    entities = resolve_documents([doc("关于印发〈甲方案〉的通知"), inner])
    assert [e.title for e in entities] == ["关于印发〈甲方案〉的通知", "甲方案"]
    assert entities[0].transmits == (entities[1].key,)


def test_nothing_in_nothing_out() -> None:
    assert resolve_documents([]) == []


@pytest.mark.parametrize(
    ("sentence", "title", "expected"),
    [
        ("按照中央《法治政府建设实施纲要》和省、市部署要求", "法治政府建设实施纲要", "national"),
        ("认真贯彻中共中央、国务院《法治政府建设实施纲要》", "法治政府建设实施纲要", "national"),
        ("认真落实省委、省政府《关于加强法治建设的意见》", "关于加强法治建设的意见", "山西省"),
        ("贯彻市《重大行政决策程序规定》", "重大行政决策程序规定", "太原市"),
        ("落实全省《行政执法公示办法》", "行政执法公示办法", "山西省"),
        ("根据城市《管理办法》", "管理办法", None),
        # a central body named just before the title
        ("按照中央依法治国办《市县法治政府建设示范指标体系》要求", "市县法治政府建设示范指标体系",
         "national"),
        ("对照中央全面依法治国委员会办公室《工作要点》", "工作要点", "national"),
        ("严格执行《重大决策合法性审查工作机制》", "重大决策合法性审查工作机制", None),
    ],
)
def test_jurisdiction_from_the_words_before_a_title(
    sentence: str, title: str, expected: str | None
) -> None:
    from kg.resolve.documents import jurisdiction_cue

    found = jurisdiction_cue(sentence, title, link_region("迎泽区"))
    name = found.name if isinstance(found, LinkedRegion) else found
    assert name == expected


@pytest.mark.parametrize(
    ("sentence", "title", "expected"),
    [
        # a task-division document that the report's own departments work through is its own
        ("组织各街道、区直各部门对照《法治政府建设任务分解表》,逐项提供材料",
         "法治政府建设任务分解表", "迎泽区"),
        ("督促区直各单位按照《2023年度法治建设责任分工方案》抓好落实",
         "2023年度法治建设责任分工方案", "迎泽区"),
        ("要求市直各部门对照《依法行政重点任务分工方案》开展自查",
         "依法行政重点任务分工方案", "太原市"),
        # 县直 units: 迎泽区 has no county above it
        ("要求县直各部门对照《法治政府建设任务分解表》自查", "法治政府建设任务分解表", None),
        # not a task-division document: a rule the departments apply may be anyone's
        ("区直各部门对照《行政执法公示办法》自查", "行政执法公示办法", None),
        # no own units named: whose 责任分工方案 it is stays open
        ("认真落实《贯彻落实〈山西省法治政府建设实施方案〉责任分工方案》",
         "贯彻落实〈山西省法治政府建设实施方案〉责任分工方案", None),
        # the units come after the title: they are not the ones working through it
        ("对照《法治政府建设任务分解表》,区直各部门要提供材料", "法治政府建设任务分解表", None),
    ],
)  # fmt: skip
def test_task_division_worked_through_by_own_departments(
    sentence: str, title: str, expected: str | None
) -> None:
    from kg.resolve.documents import jurisdiction_cue

    found = jurisdiction_cue(sentence, title, link_region("迎泽区"))
    name = found.name if isinstance(found, LinkedRegion) else found
    assert name == expected
