"""Outcome indicators linked to the indicator scheme: rules, negatives and the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.corpus import read_report
from kg.nlp import tag_report
from kg.nlp.model import OUTCOME
from kg.nlp.outcome_indicators import PERCENT_UNITS
from kg.resolve.outcomes import IndicatorConcept, indicator_concepts, link_indicator
from kg.text import normalize
from kg.vocab import INDICATOR, terms

RATES = {
    "reconsideration_correction_rate",
    "reconsideration_settlement_rate",
    "litigation_loss_rate",
    "head_court_appearance_rate",
    "mediation_success_rate",
    "legal_adviser_coverage",
    "law_exam_participation_rate",
    "online_service_rate",
    "satisfaction_rate",
    "dispute_mediation_rate",
    "petition_completion_rate",
    "petition_change_rate",
    "legal_adviser_attendance_rate",
    "normative_document_filing_rate",
    "zero_visit_rate",
    "instant_service_rate",
    "hazard_rectification_rate",
    "hotline_completion_rate",
    "law_exam_pass_rate",
    "model_village_rate",
}
# Measured: 112 of 193 outcome mentions of the corpus link from the phrase and unit alone (58 %;
# 45 with the starter scheme); with the sentence (tests/test_indicator_linking.py) 157.
LINKED_SHARE_FLOOR = 0.55


def _notations() -> set[str]:
    return {c.notation for c in indicator_concepts()}


def test_concepts_are_the_scheme() -> None:
    concepts = indicator_concepts()
    assert concepts is indicator_concepts()  # read once
    assert _notations() == {str(t).rsplit("/", 1)[-1] for t in terms(INDICATOR)}
    assert {c.notation for c in concepts if c.is_rate} == RATES
    cases = next(c for c in concepts if c.notation == "reconsideration_cases")
    assert cases.label_zh == "行政复议案件数"
    assert cases.labels[0] == "行政复议案件数"
    assert {"受理行政复议案件", "办理行政复议案件", "新收行政复议案件"} <= set(cases.labels)


@pytest.mark.parametrize(
    "concept", [c for c in indicator_concepts() if c.kind], ids=lambda c: c.notation
)
def test_every_label_links_to_its_concept(concept: IndicatorConcept) -> None:
    assert all(label == normalize(label) for label in concept.labels)
    unit = concept.unit
    for label in concept.labels:
        assert link_indicator(label, unit) == concept.notation, label
        assert link_indicator(label) == concept.notation, label


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        # exact: a label, a prefLabel without 数, a full-width percent
        ("受理行政复议案件", "件", "reconsideration_cases"),
        ("新收行政复议案件", "件", "reconsideration_cases"),
        ("行政复议案件审结", "件", "reconsideration_concluded"),
        ("行政复议纠错", "件", "reconsideration_corrections"),
        ("行政诉讼败诉", "件", "litigation_losses"),
        ("纠错率", "%", "reconsideration_correction_rate"),
        ("复议纠错率", "%", "reconsideration_correction_rate"),
        ("调解成功率", "％", "mediation_success_rate"),
        ("行政机关负责人出庭应诉率", "%", "head_court_appearance_rate"),
        ("执法检查", "次", "inspections"),
        ("纠错率", None, "reconsideration_correction_rate"),
        # contained at the head; the longest label wins
        ("依法办理行政复议案件", "件", "reconsideration_cases"),
        ("全市共受理各类行政复议案件", "件", "reconsideration_cases"),
        ("依法审结行政复议案件", "件", "reconsideration_concluded"),
        ("以市政府为被告的行政诉讼案件", "件", "litigation_cases"),
        ("重大行政决策合法性审查", "件", "decision_legality_reviews"),
        ("合同合法性审查", "件", "legality_reviews"),
        ("政务服务满意度", "%", "satisfaction_rate"),
        ("办理各类法律援助案件", "起", "legal_aid_cases"),
        ("办理省、市人大代表建议政协提案", "件", "proposals_handled"),
        ("从各县(市、区)、市直各执法部门随机抽查行政执法案卷", "份", "enforcement_file_reviews"),
        ("首批选聘“法律明白人”", "名", "legally_literate_residents"),
        ("“公调对接”调解纠纷案件", "起", "disputes_mediated"),  # generic head 案件
        ("法律意见、建议", "条", "legal_opinions"),  # first item of a list
        # verb and object apart
        ("审查以县政府及县政府办名义下发的规范性文件", "件", "normative_document_reviews"),
        ("排查出矛盾纠纷", "件", "disputes_screened"),
        ("调解各类民间纠纷", "起", "disputes_mediated"),
        ("主动公开市政府信息", "条", "information_disclosed"),
        ("依申请公开市政府信息", "件", "disclosure_requests"),
        # object alone (from 受理群众诉求 / 办理群众诉求)
        ("转办群众诉求", "件", "hotline_requests"),
        # what the starter scheme lacked: powers delegated, money, changes, one-thing services
        ("各镇“迫切需要”的行政处罚赋权事项清单", "项", "powers_delegated"),
        ("乡镇党委政府有关会议法律顾问列席覆盖率", "%", "legal_adviser_attendance_rate"),
        ("兑现惠企资金", "亿元", "business_relief_funds"),
        ("赴省走访批次同比下降", "%", "petition_change_rate"),
        ("“一件事”集成服务套餐", "件", "one_thing_services"),
        ("压缩审批时限", "天", "approval_time_cut"),
        ("“一趟不用跑”占比", "%", "zero_visit_rate"),  # a share of the count it names
    ],
)
def test_links(raw: str, unit: str | None, expected: str) -> None:
    assert link_indicator(raw, unit) == expected
    assert expected in _notations()


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        # a rate phrase with a count unit, a count phrase with a percent
        ("行政复议纠错率", "件"),
        ("纠错率", "件"),
        ("受理行政复议案件", "%"),
        ("行政机关负责人出庭应诉", "个百分点"),
        # the label is not the head of the phrase
        ("行政诉讼案件审结", "%"),
        # the kind does not fit: money, a duration, a count
        ("兑现惠企资金", "件"),
        ("压缩审批时限", "件"),
        ("受理行政复议案件", "万元"),
        ("受理行政复议案件", "天"),
        # shorter than any label: the context is missing
        ("审结", "件"),
        ("败诉", "件"),
        # two concepts tie: never guess
        ("行政复议案件和行政诉讼案件", "件"),
        ("各县(市区)报送的规范性文件", "件"),
        ("各类矛盾纠纷", "件"),
        # an area of the scheme is no indicator
        ("行政执法严格规范公正文明", None),
        ("法治社会建设", "件"),
        # a share of nothing named
        ("占比", "%"),
        # a bare rate word is no topic (成功率 of 调解成功率)
        ("信用修复成功率", "%"),
        # unrelated
        ("办公面积", "平方米"),
        ("刑事类警情同比下降", "%"),
        ("", "件"),
        (None, None),
    ],
)
def test_no_link(raw: str | None, unit: str | None) -> None:
    assert link_indicator(raw, unit) is None


def test_corpus_outcomes_link(corpus_dir: Path) -> None:
    concepts = {c.notation: c for c in indicator_concepts()}
    percent = {normalize(u) for u in PERCENT_UNITS}
    total = 0
    linked: list[str] = []
    for path in sorted(corpus_dir.glob("*.txt")):
        for mention in tag_report(read_report(path)).of(OUTCOME):
            total += 1
            unit = mention.attributes.get("unit")
            notation = link_indicator(mention.attributes.get("indicator"), unit)
            if notation is None:
                continue
            linked.append(notation)
            assert notation in concepts, notation
            assert concepts[notation].kind, notation  # never an area
            assert concepts[notation].is_rate == (normalize(unit or "") in percent), mention
    assert total > 0
    assert len(linked) / total >= LINKED_SHARE_FLOOR, (len(linked), total)
    assert len(set(linked)) >= 15  # many different concepts, not one catch-all
