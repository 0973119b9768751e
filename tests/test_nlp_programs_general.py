"""PROGRAM tagging on kinds of names the five shipped reports never use (issue 15): unquoted
campaigns, heads a quoted name keeps, the field before a quoted name, quotes that list several
names, and quoted slogans that are no program. Sentences written for these tests."""

from __future__ import annotations

import pytest

from kg.nlp.programs import find_programs


def programs(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find_programs(text)]


CASES = [
    # unquoted campaigns: …学习教育, …教育整顿, …攻坚战, …专项行动, …三年行动, 脱贫攻坚
    ("全面开展党史学习教育,引导干部学史明理", ["党史学习教育"]),
    ("扎实开展政法队伍教育整顿,查纠整改问题", ["政法队伍教育整顿"]),
    ("坚决打好污染防治攻坚战。", ["污染防治攻坚战"]),
    ("组织开展严打专项行动,形成高压态势", ["严打专项行动"]),
    ("实施行政执法质量三年行动,提升执法水平", ["行政执法质量三年行动"]),
    ("巩固拓展脱贫攻坚成果", ["脱贫攻坚"]),
    # a quoted name keeps the head noun right after it; a name with a head of its own does not
    # take 建设 as a second one
    ("全面推行“不见面”审批,企业办事更便捷", ["“不见面”审批"]),
    ("培育“甲地服务”品牌。", ["“甲地服务”品牌"]),
    ("推进“法治山村”建设,提升基层治理水平", ["“法治山村”建设"]),
    ("持续深化“三项制度”建设", ["“三项制度”"]),
    # the field right before a quoted name belongs to it, a body running it does not
    ("举办行政执法“开放日”活动,接受群众监督", ["行政执法“开放日”活动"]),
    ("县直部门“谁主管谁负责”责任制全面落实", ["“谁主管谁负责”责任制"]),
    # a short noun phrase a verb bounds belongs to the name; a time, an ordinal, a verb not
    ("严格落实常务会“第一议题”制度。", ["常务会“第一议题”制度"]),
    ("坚持和发展新时代“枫桥经验”模式", ["“枫桥经验”模式"]),
    ("打造全省首个“邻里通”服务平台", ["“邻里通”服务平台"]),
    ("开展评估,法治政府建设“双评议”制度获评先进", ["法治政府建设“双评议”制度"]),
    ("结合“八五”普法规划组织宣讲", ["“八五”普法规划"]),
    # a quote that lists names each with its head
    (
        "要求“安全生产工作责任制、河湖管护责任制”同部署同落实",
        ["安全生产工作责任制", "河湖管护责任制"],
    ),
    # a count right before the head is part of the name
    ("全面推行行政执法三项制度", ["行政执法三项制度"]),
    # national campaigns and working rules named without quotes; a list marker is no part
    ("(二)全力配合中央环保督察。", ["中央环保督察"]),
    ("结合平安建设开展宣传", ["平安建设"]),
    ("落实行政首长出庭应诉制,提升应诉能力", ["行政首长出庭应诉制"]),
    ("健全行政机关负责人出庭应诉制度", ["行政机关负责人出庭应诉制度"]),
    # a reform of a mechanism; a count without a verb before it stays a name
    ("深化行政审批运行机制改革", ["行政审批运行机制改革"]),
    ("推行“一件事一次办”,方便群众", ["“一件事一次办”"]),
    # unquoted five-year plans
    ("编制全县十四五规划时同步谋划法治建设", ["十四五规划"]),
]

NEGATIVES = [
    # quoted slogans: a clause of long parts, opposite words joined by +, …化, metaphors
    ("以“践行法治思想理念,提升依法履职能力”为主题开展培训", []),
    ("推行“线上+线下”相结合的办理方式", []),
    ("推进政务服务“一体化”办理", []),
    ("明确“时间表”“路线图”,压实责任", []),
    # a target of zero, a verb phrase with a count
    ("提供“零距离”服务", []),
    ("实现从“解决一个案件”向“规范一类案件”转变", []),
    # a quoted aim or theme
    ("为扛起“走在前列、勇当先锋”光荣使命作出贡献", []),
    # a count before a head is no name, nor a clause holding a count; a list is many things
    ("落实四项责任制,压紧压实责任", []),
    ("推荐东区和西区两个区参评综合示范创建", []),
    ("利用宣传栏、院坝会、知识竞赛、新媒体平台", []),
    # a team of an inspection is a body, not the campaign
    ("中央第二环保督察组进驻督察", []),
    # a whole field of work (+工作) before 机制/制度 is its machinery in general, not a name
    ("健全依法行政工作机制,提升履职水平", []),
    ("完善依法治县工作制度。", []),
    ("建立法治建设制度。", []),
    # ... a named kind of system within the field still is one
    ("建立依法行政工作报告制度。", ["依法行政工作报告制度"]),
    # heads that only say what a mechanism does
    ("建立部门之间信息共享沟通制度。", []),
    ("健全法治宣传统筹机制。", []),
    ("完善综合执法配套制度。", []),
    # a quoted field of work is a principle, not a program
    ("以“依法行政”为抓手,规范权力运行", []),
    ("开展“普法”宣传。", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES + NEGATIVES)
def test_kinds_of_programs(text: str, expected: list[str]) -> None:
    assert programs(text) == expected
