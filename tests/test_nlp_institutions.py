"""kg_institutions: named bodies, from real sentences of the reports in corpus/ (and a few
general ones), positives and negatives side by side."""

from __future__ import annotations

import pytest
from spacy.language import Language

from kg.nlp.institutions import find_institutions
from kg.nlp.model import INSTITUTION
from kg.nlp.pipeline import build_pipeline
from kg.nlp.places import gazetteer


def institutions(text: str) -> list[str]:
    return [text[c.start : c.end] for c in find_institutions(text, gazetteer().find(text))]


# (sentence, every institution it names, in order)
CORPUS_CASES = [
    # place + body, longest name as written; 中共 before a place
    ("中共太原市迎泽区委", ["中共太原市迎泽区委"]),
    ("太原市迎泽区人民政府", ["太原市迎泽区人民政府"]),
    ("2020年,迎泽区委、区政府在市委、市政府的正确领导下", ["迎泽区委", "区政府", "市委", "市政府"]),
    ("蓬溪县天福镇人民政府在县委、县政府的坚强领导下", ["蓬溪县天福镇人民政府", "县委", "县政府"]),
    ("惠安县人民政府办公室                     202327日印发", ["惠安县人民政府办公室"]),
    ("保定市司法局因工作突出,被司法部通报表扬", ["保定市司法局", "司法部"]),
    # abbreviated offices of the rule-of-law committees
    (
        "全力做好中央依法治国办、省委依法治省办开展的法治政府建设督察迎检工作。"
        "县委依法治县办部署开展全面自查",
        ["中央依法治国办", "省委依法治省办", "县委依法治县办"],
    ),
    ("抄送:市委依法治市办,市司法局。", ["市委依法治市办", "市司法局"]),
    ("主要依靠市委依法治市办公室协调", ["市委依法治市办公室"]),
    (
        "市委全面依法治市委员会办公室在广泛调研的基础上",
        ["市委全面依法治市委员会办公室"],
    ),
    (
        "重点学习习近平法治思想和习近平总书记在中央全面依法治国委员会系列会议上的重要讲话精神",
        ["中央全面依法治国委员会"],
    ),
    # parts of bodies: offices, standing committees, study groups, inspection teams
    (
        "共审查以县政府及县政府办名义下发的规范性文件 14件,"
        "并按规定程序向市政府和县人大常委会及时提交备案报告。",
        ["县政府", "县政府办", "市政府", "县人大常委会"],
    ),
    ("立法质量和效率受到省人大常委会法工委的充分肯定", ["省人大常委会法工委"]),
    # a body named before its meeting is that body (the meeting itself is none; GUIDELINES)
    (
        "区委常委会、区政府常务会和区委中心组组织法治专题学习34次",
        ["区委常委会", "区政府", "区委中心组"],
    ),
    ("已召开24次县政府常务会集体研究", ["县政府"]),
    ("把宪法法律列入区政府常务会议学习内容", ["区政府"]),
    ("办理信访案件12件,县委巡察二组转交9件", ["县委巡察二组"]),
    ("12345热线办共受理有效工单642件", ["12345热线办"]),
    ("将法治内容纳入县委党校教学培训内容,在党校各培训班次中积极开展", ["县委党校"]),
    # departments named after a bare level
    (
        "区委办副主任、区政府办主任、区纪委、区组织部、区宣传部、区统战部、区政法委副职",
        ["区委办", "区政府办", "区纪委", "区组织部", "区宣传部", "区统战部", "区政法委"],
    ),
    ("与市中院联合建立行政机关负责人出庭应诉工作通报机制", ["市中院"]),
    (
        "向市纪委监委和驻市直机关纪检监察组及各县(市、区)纪检委打通端口",
        ["市纪委监委", "驻市直机关纪检监察组"],
    ),
    ("受到了司法部、司法厅通报表彰", ["司法部", "司法厅"]),
    ("相关做法受到省厅主要领导肯定", ["省厅"]),
    ("主动向区人大及其常委会报告工作,向区政协通报情况", ["区人大", "区政协"]),
    ("镇党委政府多次召开专题会议", ["镇党委"]),
    ("镇人大在行政执法工作中充分发挥主导监督作用", ["镇人大"]),
    ("认真贯彻落实党中央、国务院决策部署", ["党中央", "国务院"]),
    ("严格执行国务院办公厅《关于加强行政规范性文件制定和监督管理工作的通知》", ["国务院办公厅"]),
    # bodies named by their task
    ("天福镇党委调整法治建设领导小组,以党委书记、镇长为组长", ["天福镇党委", "法治建设领导小组"]),
    (
        "同时根据河北省全面推进依法行政工作领导小组办公室关于2021年度依法行政考核结果反馈",
        ["河北省全面推进依法行政工作领导小组办公室"],
    ),
    (
        "市委组织部、保定市法治宣传教育领导小组办公室等五部门在全市开展",
        ["市委组织部", "保定市法治宣传教育领导小组办公室"],
    ),
    (
        "创建期间,创建工作领导小组办公室与区法治政府建设领导小组办公室合署办公。",
        ["创建工作领导小组办公室", "区法治政府建设领导小组办公室"],
    ),
    (
        "成立漯河市源汇区法治政府示范创建领导小组,由区委副书记、区政府区长任组长",
        ["漯河市源汇区法治政府示范创建领导小组", "区政府"],
    ),
    ("特邀省社会科学院法学研究所教授进行专题授课辅导", ["省社会科学院法学研究所"]),
    ("保定市人民政府。依托法治保定研究院,联合驻保高校", ["保定市人民政府", "法治保定研究院"]),
    ("今年市本级、徐水区、顺平县法律援助机构代表河北省参加", ["顺平县法律援助机构"]),
    ("建成高标准市级公共法律援助中心;市仲裁庭迁入新址", ["市级公共法律援助中心", "市仲裁庭"]),
    # the body that decides is named; the meeting of its party group is not
    ("对拟由县政府决策事项通过县政府党组会、常务会集体讨论决定", ["县政府"]),
    # a committee's numbered meeting still names the committee
    ("召开区委全面依法治区委员会第三次会议,制定履责清单", ["区委全面依法治区委员会"]),
    # the bare 党委 of a report on one unit
    ("一是党委高度重视。", ["党委"]),
]

# sentences that name no body: generic or plural references, posts, meetings, principles
NEGATIVE_CASES = [
    "各镇党委、政府均能召开专题会议",
    "将习近平法治思想列入各级党委(党组)理论学习中心组必学内容",
    "各乡镇(街道)党委(党工委)、区直各单位党委(党组)要加强对法治政府建设的领导",
    "各乡镇(街道)、区直各部门要进行再动员再部署",
    "组织县直各部门梳理、修订年度普法责任清单",
    "截至目前,我市法律顾问列席市县党委常委会、市县政府常务会、市县委深改委会议",
    "乡镇党委政府有关会议法律顾问列席覆盖率达到了31.3%",
    "自觉接受人大法律监督和政协民主监督,支持法院、检察院依法独立公正地行使审判权和检察权",
    "支持人民法院依法受理和审理行政案件",
    "2022年各级共办理省、市人大代表建议政协提案756件",
    "市委书记党晓龙先后主持召开市委十二届36次常委会(扩大)会议",
    "深入学习宣传贯彻党的二十大和省委十届三次全会、市委十二届四次全会精神",
    "坚持落实党委会前学法、例会学法制度",
    "在党委统一领导下谋划和推动各项任务落实",
    "形成党委领导、政府负责、社会协同、公众参与、法制保障的新型社会治理格局",
    "省层面设定5项、省委托53项",
    "除县级部门派驻机构外,全镇已有18人取得执法证",
    "全市建成乡镇(街道办)联合调解中心158个",
    "加强12345政务服务便民热线建设",
    "领导小组下设办公室,并设综合协调组",
    "以党委书记、镇长为组长,政法委员为副组长",
    "完善行政复议委员会制度",
    "县长、法律顾问、党委书记出席",
]

# general sentences (not from the corpus) for rules the corpus shows only partly
GENERAL_CASES = [
    (
        "县公安局、县市场监管局、县自然资源和规划局、县人社局等部门联合开展执法检查。",
        ["县公安局", "县市场监管局", "县自然资源和规划局", "县人社局"],
    ),
    (
        "马鞍山市和县人民政府召开会议,县委和县政府主要领导出席。",
        ["马鞍山市和县人民政府", "县委", "县政府"],
    ),
    ("中共泉州市委全面依法治市委员会办公室印发通知。", ["中共泉州市委全面依法治市委员会办公室"]),
    (
        "惠安县人民政府。泉州中院、惠安县人民法院、县检察院联合建立机制。",
        ["惠安县人民政府", "泉州中院", "惠安县人民法院", "县检察院"],
    ),
    ("延边朝鲜族自治州人民政府、凉山州委", ["延边朝鲜族自治州人民政府", "凉山州委"]),
    ("北京市朝阳区司法局、长春市朝阳区人民政府", ["北京市朝阳区司法局", "长春市朝阳区人民政府"]),
    ("县妇联、团县委、县总工会共同开展活动", ["县妇联", "团县委", "县总工会"]),
    ("积极配合省委巡视组、市委第三巡察组开展工作", ["省委巡视组", "市委第三巡察组"]),
    ("政协惠安县委员会、中国共产党惠安县委员会", ["政协惠安县委员会", "中国共产党惠安县委员会"]),
    ("由县委政法委牵头,县法院、县检察院配合", ["县委政法委", "县法院", "县检察院"]),
    (
        "郑州市中级人民法院、河南省高级人民法院、最高人民法院",
        ["郑州市中级人民法院", "河南省高级人民法院", "最高人民法院"],
    ),
    ("国家发展改革委、财政部联合印发", ["国家发展改革委", "财政部"]),
    ("县委组织部副部长、县司法局局长王五", ["县委组织部", "县司法局"]),
    ("成立以县长为组长的县法治政府建设工作领导小组", ["县法治政府建设工作领导小组"]),
    ("社区党委书记、村党支部书记参加培训", []),
    ("县人大代表、县政协委员视察", []),
    ("市政府部门权责清单,县政府工作部门", []),
    ("全市法院系统审结案件,全县公安机关破案", []),
    ("城市管理局加大执法力度,召开全县法治政府建设工作会议", []),
]


@pytest.mark.parametrize(("text", "expected"), CORPUS_CASES)
def test_corpus_sentences(text: str, expected: list[str]) -> None:
    assert institutions(text) == expected


@pytest.mark.parametrize("text", NEGATIVE_CASES)
def test_no_institution(text: str) -> None:
    assert institutions(text) == []


@pytest.mark.parametrize(("text", "expected"), GENERAL_CASES)
def test_general_sentences(text: str, expected: list[str]) -> None:
    assert institutions(text) == expected


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline()


def test_component_spans_and_attributes(nlp: Language) -> None:
    doc = nlp("受到省人大常委会法工委的充分肯定,县委依法治县办部署开展全面自查。")
    spans = list(doc.spans["kg_institutions"])
    assert [s.text for s in spans] == ["省人大常委会法工委", "县委依法治县办"]
    assert all(s.label_ == INSTITUTION for s in spans)
    assert (spans[0]._.kg_kind, spans[0]._.kg_head) == ("legislature", "法工委")
    assert spans[1]._.kg_head == "依法治县办"


@pytest.mark.parametrize(
    "text",
    [
        "认真落实《蓬溪县法治政府建设工作领导小组办公室关于印发"
        "〈蓬溪县2023年度法治政府建设重点工作安排〉的通知》",
        "制发《关于落实河北省全面推进依法行政工作领导小组办公室"
        "〈关于进一步规范乡镇和街道行政执法工作的通知〉的通知》",
        "落实《惠安县人民政府重大行政决策若干规定》",
    ],
)
def test_no_institution_inside_a_cited_title(nlp: Language, text: str) -> None:
    assert list(nlp(text).spans["kg_institutions"]) == []


def test_title_and_outside_in_one_sentence(nlp: Language) -> None:
    doc = nlp("县司法局印发《惠安县人民政府重大行政决策若干规定》")
    assert [s.text for s in doc.spans["kg_institutions"]] == ["县司法局"]
