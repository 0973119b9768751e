"""kg_institutions on kinds of bodies the five shipped reports never name (issue 15):
autonomous-region and prefecture bodies, department names from before the 2018 reform,
enforcement brigades, joint-meeting offices, studios, standing committees and party groups
named with their body, and a body named before its meeting. Sentences written for these tests."""

from __future__ import annotations

import pytest

from kg.nlp.institutions import find_institutions
from kg.nlp.places import gazetteer


def institutions(text: str) -> list[str]:
    return [text[c.start : c.end] for c in find_institutions(text, gazetteer().find(text))]


CASES = [
    # autonomous levels keep their 自治
    ("在自治区党委、自治区人民政府的坚强领导下", ["自治区党委", "自治区人民政府"]),
    ("自治州人民政府召开专题会议部署", ["自治州人民政府"]),
    ("报自治县委同意后实施", ["自治县委"]),
    # prefecture bodies named by the kind of place
    ("在地委、行署的统一部署下,全区上下", ["地委", "行署"]),
    ("盟委、盟行署高度重视依法行政工作", ["盟委", "盟行署"]),
    # names from before the 2018 reform, and short forms
    ("县工商局、县质监局、县食药监局联合开展检查", ["县工商局", "县质监局", "县食药监局"]),
    ("市国土资源局和市住建委分别制定了工作方案", ["市国土资源局", "市住建委"]),
    ("区卫计委、区安监局负责具体实施", ["区卫计委", "区安监局"]),
    # enforcement brigades and teams
    ("县城管综合执法大队查处违法建设", ["县城管综合执法大队"]),
    ("由市交通运输综合执法支队牵头", ["市交通运输综合执法支队"]),
    # offices of joint meetings, leading groups under other names, studios
    ("市推进依法行政工作联席会议办公室印发通知", ["市推进依法行政工作联席会议办公室"]),
    ("县法治政府建设领导工作小组每季度调度一次", ["县法治政府建设领导工作小组"]),
    ("依托老兵调解工作室化解纠纷", ["老兵调解工作室"]),
    # standing committees and party groups named with their body; a body before its meeting
    ("市委常委会会议、市政府常务会议定期研究法治工作", ["市委常委会", "市政府"]),
    ("局党组多次召开专题学习会议", ["局党组"]),
    ("纳入厅党委理论学习中心组学习计划", ["厅党委理论学习中心组"]),
    (
        "区委全面依法治区委暨法治政府建设领导小组召开会议",
        ["区委全面依法治区委", "法治政府建设领导小组"],
    ),
    ("市委全面依法治市办组织督察", ["市委全面依法治市办"]),
    # central bodies named alone
    ("学习中央政治局集体学习时的重要讲话精神", ["中央政治局"]),
    ("全国普法办将其作为典型经验推广", ["全国普法办"]),
]

NEGATIVES = [
    # a numbered plenary, a bare 会, the other name of a kind of body, a party's organisations
    ("学习贯彻省委十一届五次全会精神", []),
    ("各级党委(党组)要加强领导", []),
    ("加强基层党组织建设", []),
    # the party committee of each of many departments
    ("各市州生态环境局党委按照要求组织学习", []),
    # 中心 in 中心工作 is the central task, not a body
    ("围绕县委县政府中心工作开展法治宣传", ["县委", "县政府"]),
    # the departments of a government are many bodies
    ("市政府部门要依法履职", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES + NEGATIVES)
def test_kinds_of_bodies(text: str, expected: list[str]) -> None:
    assert institutions(text) == expected
