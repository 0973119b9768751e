"""OUTCOME indicators on kinds of clauses the five shipped reports seldom use (issue 15): what
a count of people did, a change 从X减少为Y, a level reached, a clause opened by 对/围绕, a
rate after a descriptive 的, words after a list of titles, 在…中 / 除…外 frames. Sentences
written for these tests."""

from __future__ import annotations

import pytest

from kg.nlp import tag_text
from kg.nlp.model import OUTCOME


def outcomes(text: str) -> list[tuple[str | None, float, str]]:
    return [
        (m.attributes.get("indicator"), m.attributes["value"], m.attributes["unit"])
        for m in tag_text(text)
        if m.label == OUTCOME
    ]


CASES = [
    # a count of people: what they did stays in the indicator; what they took part in names it
    ("组织全区320名网格员进行业务培训。", [("网格员进行业务培训", 320, "名")]),
    ("选派45名年轻干部参加法律知识考试。", [("参加法律知识考试", 45, "名")]),
    # ... but an adverb or a second verb still ends it
    ("新录用的30名公务员全部参加岗前培训。", [("公务员", 30, "名")]),
    # 从X减少为Y: one result, Y, named by the words before 从
    ("审批时限从20个工作日减少为5个工作日。", [("审批时限", 5, "个工作日")]),
    ("证明材料由45项压缩至12项。", [("证明材料", 12, "项")]),
    # a level reached: the change word is no part of the indicator
    ("劣质水体比例降至2.3%。", [("劣质水体比例", 2.3, "%")]),
    ("网上可办率提高到98.5%。", [("网上可办率", 98.5, "%")]),
    # a rate: a light verb stays (完成度), a phrase before 的 goes (…的满意度)
    ("年度任务完成度为92.4%。", [("年度任务完成度", 92.4, "%")]),
    ("企业对全区营商环境的满意度达96.2%。", [("满意度", 96.2, "%")]),
    ("建成具有地方特色的法治文化公园3个。", [("法治文化公园", 3, "个")]),
    # a clause opened by 对 / 围绕: what follows its last verb
    ("对各乡镇司法所工作人员组织开展业务培训6次。", [("业务培训", 6, "次")]),
    ("围绕新修订的法律法规开展专题辅导8场次。", [("专题辅导", 8, "场次")]),
    ("召开专题会议5次。", [("专题会议", 5, "次")]),
    # a count of meetings: the meeting, not what it discussed
    ("全年共召开7次常务会议研究部署法治工作。", [("常务会议", 7, "次")]),
    ("组织6次区政府常务会会前学法。", [("区政府常务会会前学法", 6, "次")]),
    # an adverb and a light verb alone say what was counted
    ("截至年底,已完成58项。", [("已完成", 58, "项")]),
    # after a list of cited titles: the noun after the last 等
    (
        "集中学习《甲条例》《乙规定》等党内法规和《丙法》等法律法规共21部。",
        [("法律法规", 21, "部")],
    ),
    # 在…中 / 除…外 frame the noun
    ("在年初确定的86项任务中,已完成80项。", [("任务", 86, "项"), ("已完成", 80, "项")]),
    # a clause that opens with its number: the rest of the clause is what was counted
    ("先后6次对法治建设作出部署。", [("对法治建设作出部署", 6, "次")]),
    ("其余12项正在推进中。", [("正在推进中", 12, "项")]),
    # the body asked to act, and a causative 推动, are no part of the indicator
    ("提请县人大常委会审议规范性文件2件。", [("审议规范性文件", 2, "件")]),
    ("推动各镇街开展法治讲座30场。", [("各镇街开展法治讲座", 30, "场")]),
    # a unit of transactions
    ("全年办理缴费业务3.2万笔。", [("办理缴费业务", 3.2, "万笔")]),
    # a verb that says what was done to the thing counted stays with its object; the light
    # verb 开展 ("carry out") does not
    ("全年开展送法进企业活动120场。", [("送法进企业活动", 120, "场")]),
    ("共提出整改建议45条。", [("提出整改建议", 45, "条")]),
    ("全县建成村级调解室210个。", [("建成村级调解室", 210, "个")]),
    # a cited title right before the number names what was counted
    ("下发《督办通知书》12份。", [("督办通知书", 12, "份")]),
    ("《甲条例》《乙条例》两部条例均已审议通过。", [("条例均已审议通过", 2, "部")]),
    # a number right after another counts the same thing
    ("公布典型案例3批15件。", [("公布典型案例", 3, "批"), ("公布典型案例", 15, "件")]),
    # a list of things done is no subject; X性审查 is one noun
    ("审查规范性文件、研究重大决策事项6次。", [("审查规范性文件、研究重大决策事项", 6, "次")]),
    ("完成行政许可、行政处罚等合法性审查80件。", [("行政许可、行政处罚等合法性审查", 80, "件")]),
    # a count of places that were given something: the places
    ("为全县9个村配备了专职调解员。", [("村", 9, "个")]),
    ("组织全系统210名执法人员参与业务测试。", [("参与业务测试", 210, "名")]),
    # a clause that opens with its number keeps its predicate, also when a later number in
    # brackets comments on it
    (
        "其余23项已完成(其中8项取得重大进展),6项正在推进中(其中2项取得阶段性成果)。",
        [
            ("已完成", 23, "项"),
            ("取得重大进展", 8, "项"),
            ("正在推进中", 6, "项"),
            ("取得阶段性成果", 2, "项"),
        ],
    ),
    # a 的-modifier before the number describes the subject of an adverb predicate
    ("实施方案中明确的86项任务全部完成。", [("任务全部完成", 86, "项")]),
    # a list closed by 等 and a Chinese count of its items; a relative clause before 的
    ("集中学习了宪法、民法典等十余部与履职密切相关的法律法规。", [("法律法规", 10, "部")]),
    # a connector before a year starts another item
    ("梳理出评估发现的18个问题和2020年考核发现的问题。", [("问题", 18, "个")]),
    # a bare verb repeating the activity of the clause before counts that activity
    ("开展安全生产法治专题培训,培训120人。", [("安全生产法治专题培训", 120, "人")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_indicators(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert outcomes(text) == expected
