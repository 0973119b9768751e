"""``kg_action`` / ``kg_verb`` of cited documents, and the document categories on the gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.nlp.docnumbers import find_doc_numbers
from kg.nlp.documents import find_documents
from kg.nlp.model import DOCUMENT, NESTED_DOCUMENT
from kg.text import normalize as title_key

# (sentence, title, action, verb)
REAL: list[tuple[str, str, str, str | None]] = [
    # Sentences from corpus/.
    (
        "是全面部署推动法治建设出台《法治惠安建设规划(2021-2025年)》,深入推进法治惠安",
        "法治惠安建设规划(2021-2025年)",
        "issued",
        "出台",
    ),
    (
        "一是健全重大政策事前评估体系。严格执行《重大决策合法性审查工作机制》(惠委办明电〔2021〕"
        "13号),推动行政机关内部建立重大决策合法性审查机制。",
        "重大决策合法性审查工作机制",
        "implemented",
        "执行",
    ),
    (
        "二是持续推进行政执法规范化建设。编印《惠安县乡镇综合行政执法问答手册》,出台",
        "惠安县乡镇综合行政执法问答手册",
        "issued",
        "编印",
    ),
    (
        "编印《惠安县乡镇综合行政执法问答手册》,出台《惠安县行政执法人员规范》《惠安县行政执法"
        "调查取证工作规则》《惠安县行政执法程序流程图》,进一步完善行政执法程序",
        "惠安县行政执法程序流程图",
        "issued",
        "出台",
    ),
    (
        "市委全面依法治市委员会办公室在广泛调研的基础上,起草和出台了《关于进一步推进法治政府"
        "建设示范创建活动的实施意见》和《关于省级法治政府建设示范创建评选需改进提升的重点工作"
        "安排方案》,就市政府本级17个方面需要提升的工作",
        "关于省级法治政府建设示范创建评选需改进提升的重点工作安排方案",
        "issued",
        "出台",
    ),
    (
        "一是健全权责清单制度。2022年6月,转发了《河北省政府部门权责清单管理办法(试行)》,"
        "并结合我市实际提出了具体的工作要求",
        "河北省政府部门权责清单管理办法(试行)",
        "transmitted",
        "转发",
    ),
    (
        "组织市政府有关部门,依据法律法规规章“立改废释”、简政放权等情况,重点对照新调整规范的"
        "《保定市行政许可事项清单》《保定市行政备案事项目录》,对部门权责清单按规定程序进行动态调整",
        "保定市行政备案事项目录",
        "implemented",
        "对照",
    ),
    (
        "今年,《保定市城市园林绿化条例》《保定市快递业条例》《保定市接诉即办工作条例》三部条例"
        "均已经省人大研究通过。",
        "保定市快递业条例",
        "mentioned",
        None,
    ),
    (
        "中央依法治国办制定了《法治政府建设与责任落实督察工作规定》,授权地方各级党委",
        "法治政府建设与责任落实督察工作规定",
        "mentioned",  # another named body issued it (GUIDELINES: who acts)
        "制定",
    ),
    (
        "以深入学习贯彻党的二十大精神为主线,深入推进《保定市法治政府建设实施方案"
        "(2021-2025年)》落实,全力打造体系完备",
        "保定市法治政府建设实施方案(2021-2025年)",
        "implemented",
        "落实",
    ),
    (
        "按照中央《法治政府建设实施纲要(2015-2020年)》和省、市部署要求",
        "法治政府建设实施纲要(2015-2020年)",
        "implemented",
        "按照",
    ),
    (
        "完善落实重大行政决策程序,编制并公开《太原市迎泽区人民政府2020年度重大行政决策事项目录》,",
        "太原市迎泽区人民政府2020年度重大行政决策事项目录",
        "issued",
        "编制",
    ),
    (
        "依法办理行政复议案件15件,制定落实《太原市迎泽区人民政府行政机关负责人出庭应诉办法》,",
        "太原市迎泽区人民政府行政机关负责人出庭应诉办法",
        "issued",
        "制定",
    ),
    (
        "干部大会学法20次,先后学习《中华人民共和国监察法》《中华人民共和国土地管理法》"
        "《中华人民共和国行政处罚法》等10余部法律法规。",
        "中华人民共和国行政处罚法",
        "mentioned",
        "学习",
    ),
    (
        "为深入贯彻市委全面依法治市委员会关于《漯河市创建全国法治政府建设示范市工作实施方案》"
        "(漯法〔2021〕2号)文件精神",
        "漯河市创建全国法治政府建设示范市工作实施方案",
        "implemented",
        "贯彻",
    ),
    (
        "按照国家机构改革方案和《地方各级人民政府机构设置和编制管理条例》要求",
        "地方各级人民政府机构设置和编制管理条例",
        "implemented",
        "按照",
    ),
    (
        "组织各乡镇(街道)、区直各部门对照《法治政府建设示范创建指标体系任务分解表》,逐项提供",
        "法治政府建设示范创建指标体系任务分解表",
        "implemented",
        "对照",
    ),
]

SYNTHETIC: list[tuple[str, str, str, str | None]] = [
    ("深入学习贯彻《纲要》", "纲要", "implemented", "贯彻"),
    ("认真贯彻落实中共中央、国务院印发的《纲要》", "纲要", "implemented", "贯彻落实"),
    ("严格执行省政府新修订的《条例》。", "条例", "implemented", "执行"),
    ("今年新出台的《办法》已施行。", "办法", "issued", "出台"),
    ("县政府常务会议审议通过《办法》。", "办法", "issued", "审议通过"),
    ("修订《惠安县政府规章制定程序规定》", "惠安县政府规章制定程序规定", "issued", "修订"),
    ("完成《惠安县行政执法公示办法》修订工作。", "惠安县行政执法公示办法", "issued", "修订"),
    ("启动《惠安县城市管理条例》起草工作。", "惠安县城市管理条例", "issued", "起草"),
    ("对《惠安县政府信息公开指南》进行了修订。", "惠安县政府信息公开指南", "issued", "修订"),
    ("组织开展《民法典》宣传月活动", "民法典", "mentioned", "开展"),
    ("广泛宣传《宪法》《民法典》等法律法规", "民法典", "mentioned", "宣传"),
    (
        "以《法治中国建设规划(2020-2025年)》为遵循",
        "法治中国建设规划(2020-2025年)",
        "implemented",
        "为遵循",
    ),
    ("确保《规划》落地见效", "规划", "implemented", "落地"),
    ("抓好《纲要》的贯彻落实", "纲要", "implemented", "贯彻落实"),
    ("按《条例》要求开展复议工作", "条例", "implemented", "按"),
    ("依法按照程序公开《目录》", "目录", "mentioned", "公开"),
    ("在《法治日报》刊发报道3篇", "法治日报", "mentioned", None),
    ("《保定市快递业条例》正式施行。", "保定市快递业条例", "mentioned", None),
    ("《条例》出台后", "条例", "mentioned", None),
    ("报送《2022年度法治政府建设情况报告》", "2022年度法治政府建设情况报告", "mentioned", "报送"),
    ("出台了《A办法》、修订了《B规定》", "B规定", "issued", "修订"),
    ("严格落实《A办法》要求,组织学习《B规定》", "B规定", "mentioned", "学习"),
    ("根据《A办法》和《B规定》", "B规定", "implemented", "根据"),
    ("贯彻《A办法》精神和《B规定》", "B规定", "implemented", "贯彻"),
    ("印发《A办法》(惠政〔2021〕1号)和《B规定》", "B规定", "issued", "印发"),
    ("印发《A办法》。《B规定》", "B规定", "mentioned", None),
    ("制定印发《A办法》", "A办法", "issued", "印发"),
    ("全面推行《A办法》", "A办法", "implemented", "推行"),
    ("认真贯彻\n《A办法》", "A办法", "mentioned", None),
    ("制定出台了3个制度文件：《A办法》《B规定》", "B规定", "issued", "出台"),
    ("备注：《A办法》", "A办法", "mentioned", None),
]


@pytest.mark.parametrize(("text", "title", "action", "verb"), REAL + SYNTHETIC)
def test_action(text: str, title: str, action: str, verb: str | None) -> None:
    found = {f.title: f.action for f in find_documents(text) if f.label == DOCUMENT}
    got = found[title]
    assert got is not None
    assert (got.kind, got.verb) == (action, verb)


GOLD = Path(__file__).resolve().parent / "gold"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _key_set(items: list[str]) -> set[str]:
    return {title_key(s) for s in items}


@pytest.mark.parametrize("gold_file", sorted(GOLD.glob("*.gold.json")), ids=lambda p: p.name)
def test_shared_gold(gold_file: Path) -> None:
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    text = (CORPUS / gold["file"]).read_text(encoding="utf-8")
    found = find_documents(text)
    numbers = find_doc_numbers(text)
    first: dict[str, str] = {}
    for f in found:
        if f.label == DOCUMENT and f.title is not None and f.action is not None:
            first.setdefault(title_key(f.title), f.action.kind)
    assert set(first) == _key_set([d["title"] for d in gold["documents"]])
    nested = [text[f.start : f.end] for f in found if f.label == NESTED_DOCUMENT]
    assert _key_set(nested) == _key_set(gold["nested_documents"])
    full = [text[n.start : n.end] for n in numbers if not n.damaged]
    damaged = [text[n.start : n.end] for n in numbers if n.damaged]
    assert _key_set(full) == _key_set(gold["doc_numbers"])
    assert _key_set(damaged) == _key_set(gold["damaged_doc_numbers"])
    wrong = [d["title"] for d in gold["documents"] if first[title_key(d["title"])] != d["action"]]
    assert len(wrong) <= 0.1 * len(gold["documents"]), wrong
