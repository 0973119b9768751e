"""Linking outcomes to indicator concepts from their sentence, and how well the corpus links.

The first tests give :func:`kg.resolve.outcomes.link_indicator` the sentence around a phrase
(:class:`OutcomeContext`), one table per rule, with the cases where each rule must stay silent.

The last test is the hand-checked table: every outcome of the shipped corpus (the five reports
under corpus/), with the concept it should link to, decided by reading its sentence; None where
no concept of the scheme names what the number counts (departments, floor area, police calls …).
A part of a total (其中, a parenthesis, a level) is right when it links to the total's concept.
It measures the graph ``kg build`` writes: at least 80 % of the outcomes linked, and at least
90 % of the links right.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.resolve.outcomes import OutcomeContext, indicator_concepts, link_indicator
from kg.store import open_store

C = OutcomeContext


@pytest.mark.parametrize(
    ("raw", "unit", "context", "expected"),
    [
        # 2. object then verb: the verb follows the number
        (
            "现行有效的行政规范性文件",
            "件",
            C(before="对", after="全面清理"),
            "normative_document_cleanups",
        ),
        (
            "市政府规章",
            "件",
            C(after="2件、135件行政规范性文件全面清理,确定"),
            "normative_document_cleanups",
        ),
        ("规范性文件", "件", C(after="及时进行了审查备案"), "normative_document_filings"),
        (
            "市政府报送的",
            "件",
            C(after="16件、各部门报送的56件规范性文件进行了审查备案"),
            "normative_document_filings",
        ),
        # 6. share of a count: named in the phrase, or linked just before in the sentence
        ("“一趟不用跑”占比", "%", C(), "zero_visit_rate"),
        (
            "占比",
            "%",
            C(before="1481项事项实现全流程网办,", previous=((20, "online_service_items"),)),
            "online_service_rate",
        ),
        ("占总事项", "%", C(previous=((30, "zero_visit_items"),)), "zero_visit_rate"),
        # 6a. people, then what they did
        ("县处级干部和乡科级干部", "名", C(after="全部参加法律知识考试"), "law_exam_candidates"),
        # 6b. the verb before the number
        ("重点企业", "个", C(before="主动对接625个"), "enterprises_served"),
        # 2a. the verb earlier in the clause, the number right after the phrase
        (
            "规范性文件",
            "件",
            C(before="2022年,共审查以县政府及县政府办名义下发的", after=" 14件,并按规定"),
            "normative_document_reviews",
        ),
        # 5a. subject then predicate: the number counts the subject
        ("条例均已经省人大研究通过", "部", C(before="三部"), "local_legislation"),
        ("行政执法人员进行法律知识培训", "万名", C(before="对全市2万多名"), "enforcement_officers"),
        ("条例都已审议通过", "部", None, "local_legislation"),
        # 6d. a total reached, of the count the sentence named last
        (
            "达到49项",
            "项",
            C(before="并坚持原则对实行告知承诺制事项进行扩容,增加7项,"),
            "notification_commitment_items",
        ),
        ("累计达", "件", C(before="今年受理行政复议案件79件,"), "reconsideration_cases"),
        # 7. a hidden label, in the topic the sentence named last
        (
            "败诉",
            "件",
            C(before="以市政府为被告的行政诉讼案件164件,法院审结45件,"),
            "litigation_losses",
        ),
        (
            "审结",
            "件",
            C(
                before="受理行政复议案件316件,其中,经调解撤回23件;以市政府为被告的行政诉讼案件164件,"
            ),
            "litigation_concluded",
        ),
        ("结案", "件", C(before="受理行政复议案件79件,"), "reconsideration_concluded"),
        (
            "确认违法、撤销",
            "件",
            C(before="受理行政复议案件79件,结案66件,"),
            "reconsideration_corrections",
        ),
        ("办结率", "%", C(before="办理信访案件12件,"), "petition_completion_rate"),
        ("办结率", "%", C(before="12345热线共受理有效工单642件,"), "hotline_completion_rate"),
        ("合格", "人", C(before="参加综合法律考试225人,"), "law_exam_passed"),
        ("通过率", "%", C(before="参加综合法律考试225人,合格125人,"), "law_exam_pass_rate"),
        ("整改率", "%", C(before="排查一般隐患5399条,"), "hazard_rectification_rate"),
        (
            "清理出",
            "人",
            C(before="重点对执法人员中的临时人员进行清理,全市共"),
            "enforcement_staff_removed",
        ),
        # 8. part of a total
        (
            "县级",
            "个",
            C(before="法治文化阵地121个,其中", previous=((10, "rule_of_law_culture_sites"),)),
            "rule_of_law_culture_sites",
        ),
        (
            "中央层面设定",
            "项",
            C(before="行政许可事项293项(", previous=((10, "licensing_items"),)),
            "licensing_items",
        ),
        (
            "市级",
            "个",
            C(before="示范村省级7个、", previous=((10, "model_villages"),)),
            "model_villages",
        ),
    ],
)
def test_links_from_the_sentence(
    raw: str, unit: str, context: OutcomeContext, expected: str
) -> None:
    assert link_indicator(raw, unit, context) == expected


@pytest.mark.parametrize(
    ("raw", "unit", "context"),
    [
        # a total reached with no count named before it, or of another kind
        ("达到49项", "项", C(before="增加7项,")),
        ("达到49项", "项", None),
        ("达到98", "%", C(before="对实行告知承诺制事项进行扩容,")),
        ("达到标准", "项", C(before="对实行告知承诺制事项进行扩容,")),
        # a hidden label alone, or in another topic
        ("败诉", "件", None),
        ("败诉", "件", C()),
        ("败诉", "件", C(before="受理行政复议案件79件,")),
        ("合格", "人", C(before="调解各类纠纷3312起,")),
        ("整改率", "%", C(before="受理行政复议案件79件,")),
        # a hidden label of the right topic whose kind does not fit the unit
        ("通过率", "人", C(before="参加综合法律考试225人,")),
        # the verb after the number belongs to no form of the object
        ("规范性文件", "件", C(after="印发实施")),
        # a share of what has no rate
        ("占比", "%", C(previous=((5, "licensing_items"),))),
        ("占比", "%", C()),
        # not a part: no 其中, no parenthesis, not a level; a rate is no total
        ("试点单位", "个", C(before="行政许可事项293项,", previous=((14, "licensing_items"),))),
        ("县级", "个", C(before="其中", previous=())),
        ("县级", "%", C(before="满意率达98%,其中", previous=((3, "satisfaction_rate"),))),
        ("县级", "万元", C(before="阵地121个,其中", previous=((3, "rule_of_law_culture_sites"),))),
        # people whose clause goes on with no form; a verb before the number of another object
        ("驻企服务员", "名", C(before="发动630名", after="逐企定制红利账单")),
        ("重点项目", "个", C(before="主动对接625个重点企业和545个")),
        # 2a: the verb in another clause, or the number not right after the phrase
        ("规范性文件", "件", C(before="共审查3件,另下发的", after="14件")),
        ("规范性文件", "件", C(before="共审查以县政府名义下发的", after="印发14件")),
        # 5a: a subject that names no concept; a predicate marker opening the phrase
        ("县(市、区)也陆续召开推进大会", "个", None),
        ("均已经省人大研究通过", "部", None),
    ],
)
def test_no_link_from_the_sentence(raw: str, unit: str, context: OutcomeContext | None) -> None:
    assert link_indicator(raw, unit, context) is None


def test_areas_and_kinds() -> None:
    concepts = indicator_concepts()
    areas = [c for c in concepts if c.notation.startswith("area_")]
    assert len(areas) == 9 and all(not c.kind for c in areas)
    kinds = {c.kind for c in concepts if c.kind}
    assert kinds == {"count", "rate", "duration", "money"}
    assert all(c.unit for c in concepts if c.kind)
    by = {c.notation: c for c in concepts}
    for concept in concepts:  # a rate's related concept is a count
        if concept.related is not None:
            assert concept.kind == "rate" and by[concept.related].kind == "count", concept


# Every outcome of the corpus graph: raw indicator, value, unit, the concept it should link to.
CHECKED: list[tuple[str, str, str, str | None]] = [
    ("受理有效工单", "642", "件", "hotline_requests"),
    ("办结数", "635", "件", "hotline_concluded"),
    ("正在办理", "7", "件", "hotline_requests"),  # part of the 642 tickets (其中)
    ("退单数", "0", "件", "hotline_requests"),  # part of the 642 tickets (其中)
    ("处理度", "100", "%", "hotline_completion_rate"),
    ("办理“跨省通办”", "325", "件", "cross_region_services"),
    ("“省内通办”", "3251", "件", "cross_region_services"),
    ("规范性文件", "14", "件", "normative_document_reviews"),  # 共审查以…名义下发的规范性文件 14件
    ("受理行政复议案件", "79", "件", "reconsideration_cases"),
    ("结案", "66", "件", "reconsideration_concluded"),
    ("确认违法、撤销", "19", "件", "reconsideration_corrections"),
    ("纠错率", "28.8", "%", "reconsideration_correction_rate"),
    ("汇集各类惠企政策", "39", "份", "enterprise_support_policies"),
    ("办理企业复工复产相关办件", "2880", "件", "service_cases"),
    ("政务服务满意度", "100", "%", "satisfaction_rate"),
    ("评查案件", "446", "件", "enforcement_file_reviews"),
    ("部门自查案件", "220", "件", "enforcement_file_reviews"),
    ("集中评查", "226", "件", "enforcement_file_reviews"),
    ("调解各类民间纠纷", "3312", "起", "disputes_mediated"),
    ("调解成功", "3312", "起", "mediation_successes"),
    ("调解成功率", "100", "%", "mediation_success_rate"),
    ("办理省、市人大代表建议政协提案", "756", "件", "proposals_handled"),
    ("省建议提案", "92", "件", "proposals_handled"),
    ("市代表建议提案", "664", "件", "proposals_handled"),
    ("满意率", "100", "%", "satisfaction_rate"),
    ("党委会集中学法", "15", "次", "officials_law_study"),
    ("干部大会学法", "20", "次", "officials_law_study"),
    ("法律法规", "10", "部", None),
    ("县(市、区)、开发区", "20", "个", None),
    ("乡镇和街道", "284", "个", None),
    ("“跨省通办”", "134", "项", "cross_region_services"),
    ("“省内通办”", "37", "项", "cross_region_services"),
    ("行政机关负责人出庭应诉率", "100", "%", "head_court_appearance_rate"),
    (
        "行政执法人员进行法律知识培训",
        "2",
        "万名",
        "enforcement_officers",
    ),  # 对全市2万多名行政执法人员进行法律知识培训: the number counts the officers
    ("重点企业", "625", "个", "enterprises_served"),
    ("重点项目", "545", "个", None),  # projects, not firms
    ("条例均已经省人大研究通过", "3", "部", "local_legislation"),  # 三部条例均已经…通过
    ("主动公开市政府信息", "1670", "条", "information_disclosed"),
    ("受理依申请公开信息", "193", "件", "disclosure_requests"),
    ("审查行政决策事项", "172", "件", "decision_legality_reviews"),
    ("出具法律审查意见书", "64", "份", "legal_opinions"),
    ("从各县(市、区)、市直各执法部门随机抽查行政执法案卷", "319", "份", "enforcement_file_reviews"),
    ("准予行政许可申请", "46", "件", "licences_granted"),
    ("行政确认事项", "105", "件", "confirmation_items"),
    ("办公面积", "1100", "平方米", None),
    ("调处各类民间矛盾纠纷", "20563", "件", "disputes_mediated"),
    ("调解成功", "20405", "件", "mediation_successes"),
    ("调解成功率", "99", "%", "mediation_success_rate"),
    ("取得执法证", "18", "人", "enforcement_certificates"),
    ("办理各类法律援助案件", "879", "起", "legal_aid_cases"),
    ("县级综合行政执法队伍", "5", "支", "enforcement_teams"),
    ("重点行政部门", "10", "个", None),
    ("中、省驻保部门", "7", "个", None),
    ("市直执法部门", "34", "个", None),
    ("县直执法部门", "557", "个", None),
    ("乡镇(街道)", "284", "个", None),
    ("试点单位", "50", "个", None),
    ("县直执法部门、乡镇(街道)", "40", "个", None),
    ("市直执法部门", "10", "个", None),
    ("主题办事件", "22", "件", "one_thing_services"),
    ("开展法律大讲堂活动", "100", "场", "legal_education_activities"),
    ("驻企服务员", "630", "名", None),
    ("兑现惠企资金", "4.4", "亿元", "business_relief_funds"),
    ("退税减税降费", "6.34", "亿元", "business_relief_funds"),
    ("减免租金", "1010", "万元", "business_relief_funds"),
    ("清理规范性文件", "4", "件", "normative_document_cleanups"),
    ("办理信访案件", "12", "件", "petitions"),
    ("县委巡察二组转交", "9", "件", "petitions"),
    ("办结率", "100", "%", "petition_completion_rate"),
    ("执法检查", "475", "次", "inspections"),
    ("发现问题", "20", "起", "inspection_problems"),
    ("执法证申领换发", "215", "人", "enforcement_certificates"),
    ("“公调对接”调解纠纷案件", "60", "起", "disputes_mediated"),
    ("调解成功率", "100", "%", "mediation_success_rate"),
    ("办理行政复议案件", "15", "件", "reconsideration_cases"),
    ("组织法治专题学习", "34", "次", "officials_law_study"),
    ("法治政府建设和民法典专题讲座", "2", "次", "officials_law_study"),
    ("参加乡镇专业考试", "217", "人", "law_exam_candidates"),
    ("合格", "190", "人", "law_exam_passed"),
    ("通过率", "87.6", "%", "law_exam_pass_rate"),
    ("研究法治工作", "31", "次", "rule_of_law_meetings"),
    ("举办", "9", "期", "law_training_sessions"),
    ("参训", "500", "人", "law_training_participants"),
    ("建成乡镇(街道办)联合调解中心", "158", "个", "mediation_organisations"),
    ("首批选聘“法律明白人”", "113", "名", "legally_literate_residents"),
    ("劳动力“建档立卡”", "20", "万", None),
    ("发放技能提升补贴、临时价格补贴、社会保险补贴", "625.82", "万元", None),
    ("培养法律明白人", "4520", "人", "legally_literate_residents"),
    ("法治带头人", "2283", "人", "rule_of_law_leaders"),
    (
        "市政府规章",
        "2",
        "件",
        "normative_document_cleanups",
    ),  # rules cleaned up with the documents (对…全面清理)
    ("现行有效的行政规范性文件", "135", "件", "normative_document_cleanups"),
    ("废止", "2", "件", "normative_documents_repealed"),
    ("失效", "41", "件", "normative_documents_repealed"),
    ("修改", "10", "件", "normative_documents_amended"),
    ("拟修订", "5", "件", "normative_documents_amended"),
    (
        "市本级行政规范性文件报备率、报备规范率、及时率",
        "100",
        "%",
        "normative_document_filing_rate",
    ),
    ("处罚事项", "116", "项", "penalty_items"),
    ("具有罚没权的执法单位", "39", "家", "enforcement_bodies"),
    ("聘任法律顾问", "47", "人", "legal_advisers"),
    ("增加", "7", "项", None),  # an increase, not a count of items
    (
        "达到49项",
        "49",
        "项",
        "notification_commitment_items",
    ),  # the total the items under 告知承诺制 reached (rule 6d)
    ("方面需要提升的工作明确了目标、要求和责任单位", "17", "个", None),
    ("收到作品", "105", "篇", None),
    ("市本级行政许可事项", "293", "项", "licensing_items"),
    (
        "中央层面设定",
        "194",
        "项",
        "licensing_items",
    ),  # part of the 293 licensing items (in parentheses)
    ("国家部委委托", "9", "项", "licensing_items"),
    ("中直驻保事项", "32", "项", "licensing_items"),
    ("省层面设定", "5", "项", "licensing_items"),
    ("省委托", "53", "项", "licensing_items"),
    ("行政备案事项", "145", "项", "filing_items"),
    ("各级党员干部", "6.9", "万名", None),
    ("企业", "18.89", "万家", "enterprises_served"),
    ("赴省走访批次同比下降", "70", "%", "petition_change_rate"),
    ("赴市集体访批次同比下降", "32", "%", "petition_change_rate"),
    ("排查一般隐患", "5399", "条", "safety_hazards"),
    ("整改率", "92", "%", "hazard_rectification_rate"),
    ("刑事类警情同比下降", "14.02", "%", None),
    ("治安类警情同比下降", "15.04", "%", None),
    ("重点整治项目", "16", "项", None),
    ("全县依法行政专题培训班", "2", "天", None),
    ("换证", "256", "人", "enforcement_certificates"),
    ("综合执法(联合执法)演练", "1", "次", None),
    ("方面的工作", "3", "个", None),
    ("为企业办理出口退税", "12", "亿元", "business_relief_funds"),
    ("县直部门", "12", "个", None),
    ("镇行政执法案卷", "4", "个", None),  # the 4 counts towns whose files were reviewed, not files
    ("受理行政复议案件", "316", "件", "reconsideration_cases"),
    ("经调解申请人撤回申请", "23", "件", "reconsideration_settlements"),
    ("行政诉讼案件", "164", "件", "litigation_cases"),  # 以市政府为被告的行政诉讼案件164件
    ("审结", "45", "件", "litigation_concluded"),
    ("败诉", "1", "件", "litigation_losses"),
    ("败诉率", "2.22", "%", "litigation_loss_rate"),
    ("制发行政复议意见书", "3", "件", "reconsideration_opinion_letters"),
    ("乡镇党委政府有关会议法律顾问列席覆盖率", "31.3", "%", "legal_adviser_attendance_rate"),
    ("精品法治文化阵地项目", "21", "个", "rule_of_law_culture_sites"),
    ("补助资金", "105", "万元", None),
    ("精品法治文化阵地", "121", "个", "rule_of_law_culture_sites"),
    ("县级", "6", "个", "rule_of_law_culture_sites"),  # part of the 121 sites (其中)
    ("镇级", "13", "个", "rule_of_law_culture_sites"),
    ("村级", "102", "个", "rule_of_law_culture_sites"),
    ("“一件事”集成服务套餐", "73", "件", "one_thing_services"),
    ("办件", "16201", "件", "service_cases"),
    ("精简申报材料", "148", "份", "materials_reduced"),
    ("压缩审批时限", "61", "天", "approval_time_cut"),
    ("减少办理环节", "85", "个", "steps_reduced"),
    (
        "市政府报送的",
        "16",
        "件",
        "normative_document_filings",
    ),  # documents the city submitted, reviewed for filing (…进行了审查备案)
    ("规范性文件", "56", "件", "normative_document_filings"),
    ("排查出矛盾纠纷", "635", "件", "disputes_screened"),
    ("调解率", "100", "%", "dispute_mediation_rate"),
    ("参加并通过考试", "27", "人次", "law_exam_passed"),
    ("部门", "41", "个", None),
    ("“五级十五同”已绑定事项", "1759", "项", "service_items"),
    ("行政处罚赋权事项清单", "211", "项", "powers_delegated"),
    ("行政审批事项划转", "172", "项", "licensing_items"),
    ("行政执法主体单位", "25", "家", "enforcement_bodies"),
    ("“民主法治示范村(社区)”省级", "7", "个", "model_villages"),
    ("市级", "23", "个", "model_villages"),  # level breakdown of the model villages
    ("县级", "218", "个", "model_villages"),
    ("创建率", "100", "%", "model_village_rate"),
    ("县(市、区)也陆续召开推进大会", "20", "个", None),
    ("“最多跑一趟”和“一趟不用跑”事项总数", "1798", "项", "zero_visit_items"),
    ("“一趟不用跑”事项", "1610", "个", "zero_visit_items"),
    ("占总事项", "99.8", "%", "zero_visit_rate"),  # share of the 1798 items
    ("“一趟不用跑”占比", "89.4", "%", "zero_visit_rate"),
    ("审批服务事项实现全流程网办", "1481", "项", "online_service_items"),
    ("占比", "82.2", "%", "online_service_rate"),  # share of items handled fully online
    ("行政许可事项实现即办", "683", "项", "instant_service_items"),
    ("占比", "75.5", "%", "instant_service_rate"),
    ("行政许可事项", "904", "项", "licensing_items"),
    ("减少审批事项", "15", "项", "licensing_items"),
    ("核减申请材料", "46", "项", "materials_reduced"),
    ("缩减现场勘查环节", "14", "项", "steps_reduced"),
    ("参加综合法律考试", "225", "人", "law_exam_candidates"),
    ("合格", "125", "人", "law_exam_passed"),
    ("通过率", "55.6", "%", "law_exam_pass_rate"),
    ("办理人大代表建议", "101", "件", "proposals_handled"),
    ("政协提案", "135", "件", "proposals_handled"),
    ("法律法规", "400", "部", None),
    ("县政府常务会", "24", "次", None),
    ("重大行政决策合法性审查", "108", "件", "decision_legality_reviews"),
    ("各类项目征求意见", "45", "份", "public_consultations"),
    ("重大行政决策", "108", "条", "major_decisions"),
    ("提出法律意见、建议", "120", "条", "legal_opinions"),
    ("宪法宣誓", "13", "次", "constitutional_oaths"),
    ("参与", "60", "人次", "constitutional_oath_takers"),
    (
        "县处级干部和乡科级干部",
        "92",
        "名",
        "law_exam_candidates",
    ),  # officials who all sat the law examination
    ("事业编制", "60", "名", None),
    ("事业编制", "24", "名", None),
    ("法学岗位", "48", "个", None),
    ("县聘城管执法协管员", "140", "名", "enforcement_auxiliaries"),
    ("社区(村)被评为省级示范", "3", "个", "model_villages"),
    ("社区(村)被评为市级示范", "5", "个", "model_villages"),
    ("清理出", "4033", "人", "enforcement_staff_removed"),
]

OUTCOMES = """
PREFIX kg: <https://policy-kg.org/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?raw ?value ?unit ?notation WHERE {
  ?o a kg:Outcome ; kg:rawIndicator ?raw ; kg:value ?value .
  OPTIONAL { ?o kg:unit ?unit }
  OPTIONAL { ?o kg:indicator/skos:notation ?notation }
}
"""


def _text(term: object) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def _key(raw: str, value: str | Decimal, unit: str | None) -> tuple[str, Decimal, str]:
    return raw, Decimal(str(value)).normalize(), unit or ""


def test_corpus_outcomes_link_with_precision(corpus_store_path: Path) -> None:
    notations = {c.notation for c in indicator_concepts() if c.kind}
    truth: dict[tuple[str, Decimal, str], str | None] = {}
    for raw, value, unit, expected in CHECKED:
        assert expected is None or expected in notations, expected
        assert truth.setdefault(_key(raw, value, unit), expected) == expected, raw
    with open_store(corpus_store_path, read_only=True) as store:
        answer = [
            (str(_text(r["raw"])), str(_text(r["value"])), _text(r["unit"]), _text(r["notation"]))
            for r in store.select(OUTCOMES, union=True)
        ]
    assert answer
    linked = [row for row in answer if row[3] is not None]
    checked = [(row, truth[_key(*row[:3])]) for row in answer if _key(*row[:3]) in truth]
    assert len(checked) >= 100, "the table no longer matches the corpus graph"
    checked_links = [(row, want) for row, want in checked if row[3] is not None]
    right = [row for row, want in checked_links if row[3] == want]
    wrong = [(row, want) for row, want in checked_links if row[3] != want]
    assert len(linked) / len(answer) >= 0.8, (len(linked), len(answer))
    assert len(right) / len(checked_links) >= 0.9, wrong


_PHRASE = st.text(
    alphabet="受理行政复议案件审结败诉率占比其中县级(、的清理规范性文件%件人天元 ", max_size=24
)


@settings(max_examples=300, deadline=None)
@given(
    raw=st.one_of(st.none(), _PHRASE, st.text(max_size=20)),
    unit=st.one_of(st.none(), st.sampled_from(["件", "%", "个百分点", "天", "万元", "人", ""])),
    before=_PHRASE,
    after=_PHRASE,
    previous=st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from(["licensing_items", "petitions"])),
        max_size=3,
    ),
)
def test_any_input_links_to_nothing_or_a_fitting_indicator(
    raw: str | None, unit: str | None, before: str, after: str, previous: list[tuple[int, str]]
) -> None:
    context = OutcomeContext(before=before, after=after, previous=tuple(previous))
    notation = link_indicator(raw, unit, context)
    if notation is None:
        return
    concept = {c.notation: c for c in indicator_concepts()}[notation]
    assert concept.kind  # never an area
    kind = {"%": "rate", "个百分点": "rate", "天": "duration", "万元": "money"}.get(unit or "")
    if unit:
        assert concept.kind == (kind or "count"), (raw, unit, notation)
