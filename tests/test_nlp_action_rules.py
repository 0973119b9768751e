"""The citation actions of the updated GUIDELINES (ACTION): transmitted (转发), who acts, and
negation. Sentences written for these tests, in the language of the reports."""

from __future__ import annotations

import pytest

from kg.nlp.documents import ACTIONS, find_documents
from kg.nlp.model import DOCUMENT
from kg.nlp.places import gazetteer


def action(text: str, title: str) -> tuple[str, str | None]:
    found = find_documents(text, places=gazetteer().find(text))
    got = next(f.action for f in found if f.label == DOCUMENT and f.title == title)
    assert got is not None
    return got.kind, got.verb


CASES = [
    # 转发 forwards a document down the hierarchy
    ("县政府办公室转发《省政府办公厅关于加强行政执法协调监督的通知》", "transmitted", "转发"),
    ("2023年3月,转发了《甲市行政执法公示办法》,要求各部门抓好落实", "transmitted", "转发"),
    # who acts: a central body, a named place other than the report's own, a province body in
    # a city's report
    ("甲市2022年法治政府建设报告。国务院印发《优化营商环境条例》以来,我市", "mentioned", "印发"),
    ("乙县年度报告。中央全面依法治国委员会办公室印发了《某某督察工作规定》", "mentioned", "印发"),
    ("乙县年度报告。司法部发布《某某工作指引》,我县", "mentioned", "发布"),
    ("上海市2021年法治政府建设情况。如浦东新区印发《某区实施意见》,明确责任", "mentioned", "印发"),
    ("保定市2022年度报告。省委、省政府出台《某省法治建设规划》后,我市", "mentioned", "出台"),
    # ... but the reporting body's own bodies, and bodies acting with it, issue
    ("保定市2022年度报告。保定市委、市政府印发《某市法治建设规划》", "issued", "印发"),
    ("河北省2022年度报告。省委、省政府出台《某省法治建设规划》", "issued", "出台"),
    ("甲市年度报告。市司法局与省司法厅联合印发《某某工作办法》", "issued", "印发"),
    ("成为全省首个制定出台《某县行政应诉规则》的县", "issued", "出台"),
    # a verb of the reporting body governing the whole phrase still decides
    ("认真贯彻落实中共中央、国务院印发的《某某实施纲要》", "implemented", "贯彻落实"),
    # negation
    ("个别单位没有根据《某某条例》制定实施细则", "mentioned", "根据"),
    ("部分乡镇尚未出台《某镇行政执法公示办法》", "mentioned", "出台"),
    ("有的部门未按照《某某规定》执行", "mentioned", "按照"),
    # 现将《…》印发给你们: the verb after the title
    ("现将《某县2024年法治政府建设工作要点》印发给你们,请认真贯彻落实。", "issued", "印发"),
    # an implementing verb that ends the title's clause
    ("强力推动《某某实施纲要》和省十项重点任务落地落实,为发展提供保障", "implemented", "落实"),
]


@pytest.mark.parametrize(("text", "kind", "verb"), CASES)
def test_action_rules(text: str, kind: str, verb: str) -> None:
    title = text[text.index("《") + 1 : text.index("》")]
    assert action(text, title) == (kind, verb)


def test_a_short_form_is_mentioned() -> None:
    text = "印发《甲市行政执法办法》(以下简称《办法》),严格执行《办法》。"
    found = [f for f in find_documents(text) if f.label == DOCUMENT]
    assert [(f.title, f.action.kind if f.action else None) for f in found] == [
        ("甲市行政执法办法", "issued"),
        ("办法", "mentioned"),  # defined: the verb is 简称
        ("办法", "implemented"),  # each citation keeps its own action
    ]


def test_every_citation_keeps_its_own_action() -> None:
    text = "印发《甲办法》。认真落实《甲办法》。转发《甲办法》。"
    found = [f.action.kind for f in find_documents(text) if f.action is not None]
    assert found == ["issued", "implemented", "transmitted"]
    assert set(found) <= set(ACTIONS)
