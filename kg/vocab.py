"""The policy-kg vocabulary in Python: closed rdflib namespaces for every term the graph uses.

``KG`` mirrors ``ontology/kg.ttl`` term for term (a test keeps the two equal), so a misspelt
property fails at import time instead of writing a triple no query will find::

    from kg.vocab import KG, ACTION, ID
    graph.add((citation, KG.action, ACTION.implemented))

Reused vocabularies come from :mod:`rdflib.namespace` (``DCTERMS``, ``SKOS``, ``PROV``, ``ORG``,
``QB``, ``SH``, ``XSD`` …); only NIF, which rdflib lacks, is defined here. ``LEVEL``, ``ACTION``,
``DOCTYPE`` and ``INDICATOR`` hold the concepts of ``ontology/schemes.ttl``; a concept's name is
its ``skos:notation`` and the code the pipeline uses (``Report.level == "province"`` →
``LEVEL.province``; a mention's action ``"issued"`` → ``ACTION.issued``).

Datatypes the shapes require: years (``KG.yearCovered``, ``KG.docNumberYear``) ``xsd:integer``
(``Literal(2022)``); outcome values (``KG.value``) ``xsd:decimal`` (``Literal(Decimal("28.8"))``,
never a float); offsets (``NIF.beginIndex``, ``NIF.endIndex``) ``xsd:nonNegativeInteger``
(``Literal(5, datatype=XSD.nonNegativeInteger)``); names and titles ``@zh`` language-tagged
strings; quoted text (sentence, anchor, raw indicator, unit, 文号) plain ``xsd:string``.
"""

from inspect import get_annotations
from pathlib import Path
from typing import Final

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
)

__all__ = [
    "ACTION",
    "CHINA",
    "DOCTYPE",
    "ID",
    "INDICATOR",
    "KG",
    "KGSH",
    "KG_TTL",
    "LEVEL",
    "NIF",
    "ONTOLOGY_DIR",
    "OUTCOMES_DATASET",
    "OUTCOMES_STRUCTURE",
    "PREFIXES",
    "SCHEME",
    "SCHEMES_TTL",
    "SHAPES_TTL",
    "bind_prefixes",
    "terms",
]


class KG(DefinedNamespace):
    """The policy-kg vocabulary, https://policy-kg.org/ns# (ontology/kg.ttl)."""

    _fail = True
    _NS = Namespace("https://policy-kg.org/ns#")

    # Classes
    Region: URIRef  # 行政区: administrative area with kg:level, kg:adminCode, kg:partOf
    Report: URIRef  # 法治政府建设报告: one source report (one corpus file)
    PolicyDocument: URIRef  # 政策文件: a document that reports cite
    Citation: URIRef  # 引用: one place where a report cites a document (sentence, offsets, action)
    Mention: URIRef  # 提及: one place where a report names an institution or program
    Institution: URIRef  # 机构: subclass of org:Organization
    Program: URIRef  # 工作项目: a named program or campaign, subclass of skos:Concept
    Outcome: URIRef  # 工作成效: a quantified result, a qb:Observation
    Indicator: URIRef  # 指标: what an outcome counts, subclass of skos:Concept

    # Object properties
    partOf: URIRef  # region -> immediately enclosing region (kg:partOf+ up to the province)
    level: URIRef  # region -> LEVEL concept
    region: URIRef  # report / outcome -> region
    cites: URIRef  # report -> document (shortcut of a kg:Citation)
    citation: URIRef  # report -> citation
    citedDocument: URIRef  # citation -> document
    inReport: URIRef  # citation / mention / outcome -> report (sub-property of prov:wasQuotedFrom)
    action: URIRef  # citation -> ACTION concept
    documentType: URIRef  # document -> DOCTYPE concept
    jurisdiction: URIRef  # document / institution -> region
    implements: URIRef  # document -> document it implements (贯彻落实)
    transmits: URIRef  # document -> document it forwards (转发)
    mentions: URIRef  # report -> institution / program (shortcut of a kg:Mention)
    refersTo: URIRef  # mention -> institution / program / region
    indicator: URIRef  # outcome -> kg:Indicator concept

    # Datatype properties
    adminCode: URIRef  # GB/T 2260 code, xsd:string "350521"
    yearCovered: URIRef  # xsd:integer
    sentence: URIRef  # xsd:string, the sentence as written
    docNumber: URIRef  # 文号, canonical xsd:string "惠政文〔2023〕8号"
    docNumberIssuer: URIRef  # xsd:string "惠政文"
    docNumberYear: URIRef  # xsd:integer 2023
    docNumberSerial: URIRef  # xsd:integer 8
    value: URIRef  # xsd:decimal, as written
    unit: URIRef  # xsd:string, as written ("件", "%", "万元")
    indicatorKind: URIRef  # xsd:string: count, rate, duration or money (an indicator concept)
    indicatorUnit: URIRef  # xsd:string: the unit an indicator is usually given in
    approximate: URIRef  # xsd:boolean
    rawIndicator: URIRef  # xsd:string, the indicator phrase as written
    reviewStatus: URIRef  # xsd:string: accepted | added | relabelled | edited | rejected


class NIF(DefinedNamespace):
    """The terms of NIF 2.0 Core that policy-kg uses for text spans."""

    _fail = True
    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")

    String: URIRef  # a span of text
    beginIndex: URIRef  # start offset in the cleaned report text, xsd:nonNegativeInteger
    endIndex: URIRef  # end offset (exclusive), xsd:nonNegativeInteger
    anchorOf: URIRef  # the span as written, xsd:string


#: Data IRIs: ID[f"region/{code}"], ID[f"report/{name}"], ID[f"document/{hash}"] …
ID: Final = Namespace("https://policy-kg.org/id/")
#: The SHACL shapes (ontology/shapes.ttl), e.g. to tell which shape a validation result is from.
KGSH: Final = Namespace("https://policy-kg.org/shapes#")


class SCHEME(DefinedNamespace):
    """The concept schemes of ontology/schemes.ttl."""

    _fail = True
    _NS = Namespace("https://policy-kg.org/id/scheme/")

    level: URIRef  # administrative levels (kg:level)
    action: URIRef  # citation actions (kg:action)
    doctype: URIRef  # document types (kg:documentType)
    indicator: URIRef  # outcome indicators (kg:indicator)


class LEVEL(DefinedNamespace):
    """Administrative levels, the values of kg:level (``Report.level`` strings)."""

    _fail = True
    _NS = Namespace("https://policy-kg.org/id/level/")

    national: URIRef  # 国家
    province: URIRef  # 省级: 省, 自治区, 直辖市
    city: URIRef  # 地级: 地级市, 地区, 自治州, 盟
    county: URIRef  # 县级: 县, 县级市, 自治县, 旗
    district: URIRef  # 市辖区 (county level)
    town: URIRef  # 乡级: 镇, 乡, 街道
    village: URIRef  # 村级: 村, 社区


class ACTION(DefinedNamespace):
    """Citation actions, the values of kg:action."""

    _fail = True
    _NS = Namespace("https://policy-kg.org/id/action/")

    issued: URIRef  # 出台, 制定, 印发, 编制, 起草, 制发
    transmitted: URIRef  # 转发: forwarded another body's document down the hierarchy
    implemented: URIRef  # 贯彻, 落实, 执行, 按照, 根据, 依据, 对照, 遵循
    mentioned: URIRef  # anything else


class DOCTYPE(DefinedNamespace):
    """Document types, the values of kg:documentType (legal rank, then form, then other)."""

    _fail = True
    _NS = Namespace("https://policy-kg.org/id/doctype/")

    constitution: URIRef  # 宪法
    law: URIRef  # 法律
    administrative_regulation: URIRef  # 行政法规
    local_regulation: URIRef  # 地方性法规
    government_rules: URIRef  # 规章
    judicial_interpretation: URIRef  # 司法解释
    normative_document: URIRef  # 规范性文件
    party_regulation: URIRef  # 党内法规
    plan: URIRef  # 规划
    outline: URIRef  # 纲要
    work_plan: URIRef  # 方案
    opinion: URIRef  # 意见
    notice: URIRef  # 通知
    measures: URIRef  # 办法
    system: URIRef  # 制度, 机制
    list: URIRef  # 清单, 目录
    regulations: URIRef  # 条例
    provisions: URIRef  # 规定
    decision: URIRef  # 决定
    detailed_rules: URIRef  # 细则
    procedural_rules: URIRef  # 规则
    guidelines: URIRef  # 指引, 指南
    report: URIRef  # 报告
    other: URIRef  # 其他


class INDICATOR(DefinedNamespace):
    """The starter outcome indicators (scheme:indicator); concepts a build adds go elsewhere
    under ``ID["indicator/…"]``."""

    _fail = True
    _NS = Namespace("https://policy-kg.org/id/indicator/")

    area_functions: URIRef  # 政府职能依法全面履行
    area_institutions: URIRef  # 依法行政制度体系完善
    area_decisions: URIRef  # 重大行政决策科学民主合法
    area_enforcement: URIRef  # 行政执法严格规范公正文明
    area_emergencies: URIRef  # 突发事件依法有效应对
    area_disputes: URIRef  # 社会矛盾纠纷依法有效化解
    area_oversight: URIRef  # 行政权力制约监督科学有效
    area_leadership: URIRef  # 法治政府建设组织领导落实到位
    area_society: URIRef  # 法治社会建设
    reconsideration_applications: URIRef  # 行政复议申请数
    reconsideration_cases: URIRef  # 行政复议案件数
    reconsideration_concluded: URIRef  # 行政复议审结数
    reconsideration_corrections: URIRef  # 行政复议纠错数
    reconsideration_correction_rate: URIRef  # 行政复议纠错率
    reconsideration_settlement_rate: URIRef  # 行政复议调解和解率
    litigation_cases: URIRef  # 行政诉讼案件数
    litigation_losses: URIRef  # 行政诉讼败诉数
    litigation_loss_rate: URIRef  # 行政诉讼败诉率
    head_court_appearances: URIRef  # 行政机关负责人出庭应诉数
    head_court_appearance_rate: URIRef  # 行政机关负责人出庭应诉率
    disputes_screened: URIRef  # 矛盾纠纷排查数
    disputes_resolved: URIRef  # 矛盾纠纷化解数
    disputes_mediated: URIRef  # 矛盾纠纷调解数
    mediation_success_rate: URIRef  # 调解成功率
    petitions: URIRef  # 信访事项数
    mediation_organisations: URIRef  # 人民调解组织数
    mediators: URIRef  # 人民调解员数
    legal_advisers: URIRef  # 法律顾问数
    public_sector_lawyers: URIRef  # 公职律师数
    legal_opinions: URIRef  # 法律意见书数
    legal_adviser_coverage: URIRef  # 村(社区)法律顾问覆盖率
    normative_document_reviews: URIRef  # 规范性文件审查数
    normative_document_filings: URIRef  # 规范性文件备案数
    normative_document_cleanups: URIRef  # 规范性文件清理数
    legality_reviews: URIRef  # 合法性审查数
    major_decisions: URIRef  # 重大行政决策数
    fair_competition_reviews: URIRef  # 公平竞争审查数
    enforcement_officers: URIRef  # 行政执法人员数
    enforcement_cases: URIRef  # 行政执法案件数
    administrative_penalties: URIRef  # 行政处罚案件数
    penalties_waived: URIRef  # 不予处罚案件数
    inspections: URIRef  # 行政检查数
    enforcement_file_reviews: URIRef  # 行政执法案卷评查数
    enforcement_training: URIRef  # 行政执法培训数
    legal_education_activities: URIRef  # 普法活动数
    legal_education_audience: URIRef  # 普法受众人数
    legal_materials: URIRef  # 普法资料发放数
    officials_law_study: URIRef  # 领导干部学法数
    law_exam_participation_rate: URIRef  # 学法考试参考率
    legally_literate_residents: URIRef  # 法律明白人数
    model_villages: URIRef  # 民主法治示范村(社区)数
    rule_of_law_culture_sites: URIRef  # 法治文化阵地数
    public_legal_services: URIRef  # 公共法律服务数
    legal_aid_cases: URIRef  # 法律援助案件数
    legal_consultations: URIRef  # 法律咨询数
    notarisations: URIRef  # 公证数
    legal_service_sites: URIRef  # 公共法律服务站点数
    information_disclosed: URIRef  # 主动公开政府信息数
    disclosure_requests: URIRef  # 政府信息公开申请数
    power_list_items: URIRef  # 权责清单事项数
    licensing_items: URIRef  # 行政许可事项数
    online_service_rate: URIRef  # 政务服务事项网上可办率
    recommendations_handled: URIRef  # 司法建议和检察建议数
    proposals_handled: URIRef  # 人大代表建议和政协提案数
    hotline_requests: URIRef  # 12345热线诉求数
    satisfaction_rate: URIRef  # 群众满意率
    reconsideration_settlements: URIRef  # 行政复议调解和解数
    reconsideration_opinion_letters: URIRef  # 行政复议意见书数
    litigation_concluded: URIRef  # 行政诉讼审结数
    mediation_successes: URIRef  # 调解成功数
    dispute_mediation_rate: URIRef  # 矛盾纠纷调解率
    petition_completion_rate: URIRef  # 信访事项办结率
    petition_change_rate: URIRef  # 信访量同比变化率
    legal_adviser_attendance_rate: URIRef  # 法律顾问列席会议覆盖率
    normative_documents_repealed: URIRef  # 规范性文件废止数
    normative_documents_amended: URIRef  # 规范性文件修改数
    normative_document_filing_rate: URIRef  # 规范性文件报备率
    local_legislation: URIRef  # 地方性法规和政府规章数
    decision_legality_reviews: URIRef  # 重大行政决策合法性审查数
    public_consultations: URIRef  # 决策公开征求意见数
    enforcement_bodies: URIRef  # 行政执法主体数
    enforcement_teams: URIRef  # 综合行政执法队伍数
    enforcement_auxiliaries: URIRef  # 行政执法辅助人员数
    enforcement_certificates: URIRef  # 行政执法证件申领换发数
    enforcement_staff_removed: URIRef  # 清理执法人员数
    inspection_problems: URIRef  # 检查发现问题数
    penalty_items: URIRef  # 行政处罚事项数
    filing_items: URIRef  # 行政备案事项数
    confirmation_items: URIRef  # 行政确认事项数
    powers_delegated: URIRef  # 向基层赋权事项数
    licences_granted: URIRef  # 准予行政许可数
    notification_commitment_items: URIRef  # 告知承诺制事项数
    service_items: URIRef  # 政务服务事项数
    service_cases: URIRef  # 政务服务办件量
    online_service_items: URIRef  # 全程网办事项数
    zero_visit_items: URIRef  # “最多跑一次”事项数
    zero_visit_rate: URIRef  # “最多跑一次”事项比率
    instant_service_items: URIRef  # 即办事项数
    instant_service_rate: URIRef  # 即办事项比率
    one_thing_services: URIRef  # “一件事”集成服务数
    cross_region_services: URIRef  # 跨域通办数
    materials_reduced: URIRef  # 精简申请材料数
    steps_reduced: URIRef  # 精简办事环节数
    approval_time_cut: URIRef  # 压缩审批时限
    enterprise_support_policies: URIRef  # 惠企政策数
    business_relief_funds: URIRef  # 惠企资金
    safety_hazards: URIRef  # 安全隐患排查数
    hazard_rectification_rate: URIRef  # 隐患整改率
    hotline_concluded: URIRef  # 12345热线办结数
    hotline_completion_rate: URIRef  # 12345热线办结率
    rule_of_law_meetings: URIRef  # 研究法治工作会议数
    constitutional_oaths: URIRef  # 宪法宣誓次数
    constitutional_oath_takers: URIRef  # 宪法宣誓人数
    law_training_sessions: URIRef  # 法治培训班期数
    enterprises_served: URIRef  # 包联服务企业数
    law_exam_candidates: URIRef  # 法律知识考试参考人数
    law_exam_passed: URIRef  # 考试合格人数
    law_exam_pass_rate: URIRef  # 考试通过率
    law_training_participants: URIRef  # 法治培训参训人数
    rule_of_law_leaders: URIRef  # 乡村法治带头人数
    model_village_rate: URIRef  # 民主法治示范村(社区)创建率


#: The nation (schemes.ttl): the kg:jurisdiction of national laws; it has no GB/T 2260 code.
CHINA: Final = ID["region/china"]
#: The qb:DataSet every kg:Outcome belongs to (qb:dataSet), and its structure.
OUTCOMES_DATASET: Final = ID["dataset/outcomes"]
OUTCOMES_STRUCTURE: Final = ID["structure/outcomes"]

#: The ontology files, shipped inside the package (``ontology/`` at the top is a link to them).
ONTOLOGY_DIR: Final = Path(__file__).resolve().parent / "ontology"
KG_TTL: Final = ONTOLOGY_DIR / "kg.ttl"
SCHEMES_TTL: Final = ONTOLOGY_DIR / "schemes.ttl"
SHAPES_TTL: Final = ONTOLOGY_DIR / "shapes.ttl"

#: Prefixes for Turtle output and SPARQL queries.
PREFIXES: Final[dict[str, str]] = {
    "kg": str(KG),
    "kgid": str(ID),
    "region": f"{ID}region/",
    "report": f"{ID}report/",
    "document": f"{ID}document/",
    "level": str(LEVEL),
    "action": str(ACTION),
    "doctype": str(DOCTYPE),
    "indicator": str(INDICATOR),
    "scheme": str(SCHEME),
    "nif": str(NIF),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "prov": str(PROV),
    "org": str(ORG),
    "qb": str(QB),
    "sh": str(SH),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind :data:`PREFIXES` on ``graph`` (replacing other bindings of these prefixes)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def terms(namespace: type[DefinedNamespace]) -> frozenset[URIRef]:
    """Every term of a closed namespace such as :class:`KG`, as IRIs."""
    names = [name for name in get_annotations(namespace) if not name.startswith("_")]
    return frozenset(namespace[name] for name in names)
