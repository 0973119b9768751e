"""PROGRAM tagging: real sentences from the reports in corpus/, positives and negatives."""

from __future__ import annotations

import re

import pytest

from kg.nlp.patterns import read_lexicon, read_sections
from kg.nlp.programs import Found, ProgramFinder, find_programs

_TITLE = re.compile(r"《([^《》\n]*)》")


def titles(text: str) -> list[tuple[int, int]]:
    """Ranges of the cited titles (what ``kg_documents`` gives the component in the pipeline)."""
    return [m.span(1) for m in _TITLE.finditer(text)]


def programs(text: str) -> list[str]:
    """Program strings found in ``text``, cited titles blocked as the pipeline does."""
    return [text[f.start : f.end] for f in find_programs(text, titles(text))]


# (sentence from the corpus, programs it must yield)
POSITIVES: list[tuple[str, list[str]]] = [
    # a quoted name and the head noun attached to it
    ("二、深化“放管服”改革,依法全面履行政府职能", ["“放管服”改革"]),
    ("纳入全县“八五”普法规划。各镇和各部门", ["“八五”普法规划"]),
    ("开展“万人助万企”活动,组织全市6.9万名各级党员干部", ["“万人助万企”活动"]),
    ("二是完善“三调联动”机制,化解社会矛盾纠纷。", ["“三调联动”机制"]),
    ("突出坚持“两个列席”制度,不断向乡镇延伸", ["“两个列席”制度"]),
    ("实施“法律明白人”培养工程,培养法律明白人4520人", ["“法律明白人”培养工程"]),
    ("积极开展“减证便民”行动,减少审批事项", ["“减证便民”行动"]),
    ("开展“三零”单位创建活动,信访工作", ["“三零”单位创建活动"]),
    ("探索运用“点菜式”宣传模式,通过深入调研", ["“点菜式”宣传模式"]),
    # modifiers between the quote and the head; the longest head wins
    ("二是推进“一件事”集成服务套餐改革。", ["“一件事”集成服务套餐改革"]),
    ("累计已编制完成73件“一件事”集成服务套餐,累计办件", ["“一件事”集成服务套餐"]),
    ("2022年发挥“头雁效应”领导干部学法用法专项行动,在全市", ["“头雁效应”领导干部学法用法专项行动"]),
    ("坚持和发展新时代“枫桥经验”保定模式,加强平台建设", ["“枫桥经验”保定模式"]),
    ("全省首个“政企通”助企服务平台上线运行", ["“政企通”助企服务平台"]),
    (
        "在长坪村开展“积分制、清单制+数字化”智慧乡村治理试点工作",
        ["“积分制、清单制+数字化”智慧乡村治理试点"],
    ),
    ("落实“谁执法谁普法”普法责任制,建立了", ["“谁执法谁普法”普法责任制"]),
    ("以县域为单位,“鉴调一体”中心建设在全省率先实现全覆盖", ["“鉴调一体”中心"]),
    # numeral plan names: 普法 is their head, and a bare numeral is not a name
    ("确保“八五”普法工作扎实推进", ["“八五”普法"]),
    ("将法治政府建设纳入区“十四五”规划和年度工作计划", ["“十四五”规划"]),
    # a quoted name with no head
    (
        "持续推动“最多跑一趟”和“一趟不用跑”,加大“马上办”“就近办”向“网上办”“一次办”的转化力度。",
        ["“最多跑一趟”", "“一趟不用跑”", "“马上办”", "“就近办”", "“网上办”", "“一次办”"],
    ),
    (
        "推行审批服务“马上办、网上办、就近办、一次办、自助办”。",
        ["“马上办、网上办、就近办、一次办、自助办”"],
    ),
    ("同步做好其中5支县级综合行政执法队伍的“三定”工作。", ["“三定”"]),
    ("以及部法律法规的“谁执法谁普法”责任清单,并健全完善", ["“谁执法谁普法”"]),
    ("按照“有件必备、有备必审、有错必纠”的要求,对市政府", ["“有件必备、有备必审、有错必纠”"]),
    ("全面推进“证照分离”“多证合一”等改革举措,优化营商环境。", ["“证照分离”", "“多证合一”"]),
    # a quoted name inside another is a program of its own
    (
        "深入开展“‘枫桥经验’在福建深化常态化矛盾纠纷排查化解”专项活动,突出做好",
        ["“‘枫桥经验’在福建深化常态化矛盾纠纷排查化解”专项活动", "‘枫桥经验’"],
    ),
    # a domain word before a quoted name that ends in a head
    ("二是行政执法“三项制度”推行工作不平衡。", ["行政执法“三项制度”"]),
    ("将落实“三项制度”、行政诉讼应诉等工作纳入绩效考评", ["“三项制度”"]),
    ("以两个平台(政务服务平台、执法监督“云平台”)建设为载体", ["执法监督“云平台”"]),
    (
        "建立健全行政执法“三项制度”推进协调机制,全面推行行政执法公示制度、"
        "执法全过程记录制度、重大执法决定法制审核制度,落实",
        [
            "行政执法“三项制度”推进协调机制",
            "行政执法公示制度",
            "执法全过程记录制度",
            "重大执法决定法制审核制度",
        ],
    ),
    # unquoted names, from the verb that governs them
    ("二是推行法律顾问制度。对照全面落实普遍建立法律顾问制度的工作要求", ["法律顾问制度"] * 2),
    ("分级分类推进行政审批制度改革。", ["行政审批制度改革"]),
    (
        "深化商事制度改革,落实企业投资项目承诺制,进一步压缩企业开办时间。",
        ["商事制度改革", "企业投资项目承诺制"],
    ),
    ("四是实行“目录之外无证明”和告知承诺制。", ["“目录之外无证明”", "告知承诺制"]),
    ("严格落实重大行政决策程序。按照", ["重大行政决策程序"]),
    ("建立月总结、年报告制度,并在全区", ["月总结、年报告制度"]),
    (
        "严格执法人员持证上岗和资格管理制度,推行重大行政执法决定法制审核制度。",
        ["执法人员持证上岗和资格管理制度", "重大行政执法决定法制审核制度"],
    ),
    (
        "建立健全日常法治宣传制度、集中宣传制度、执法办案与普法宣传结合制度。",
        ["日常法治宣传制度", "集中宣传制度", "执法办案与普法宣传结合制度"],
    ),
    (
        "并落实好重大行政决策全过程记录、材料归档和档案管理制度。",
        ["重大行政决策全过程记录、材料归档和档案管理制度"],
    ),
    ("三是加强监督,确保行政执法责任制的实施。", ["行政执法责任制"]),
    ("实行错案责任倒查问责制,进一步规范执法行为。", ["错案责任倒查问责制"]),
    ("纵深推进乡镇综合行政执法体制改革,进一步", ["乡镇综合行政执法体制改革"]),
    # list items and clause starts
    ("研究全面依法治县、法治政府建设、执法、行政复议体制改革等事项", ["行政复议体制改革"]),
    ("重大建设项目、公共资源交易、三大攻坚战等重点领域的信息公开力度", ["三大攻坚战"]),
    ("刑事辩护全覆盖和轻刑快审认罪认罚从宽机制建设全面推进。", ["轻刑快审认罪认罚从宽机制"]),
    ("分别就我市法治政府建设和法治政府建设示范创建活动进行研究", ["法治政府建设示范创建活动"]),
    ("特别是在全省法治政府建设示范创建活动推进大会上", ["法治政府建设示范创建活动"]),
    ("开展法治政府建设示范创建,公安执法规范化建设", ["法治政府建设示范创建"]),
    ("二是积极开展法治示范村(社区)创建活动。", ["法治示范村(社区)创建活动"]),
    (
        "依托区依法行政督导平台加强对重点工作的日常督导,将依法行政督导平台向乡镇(街道)层面延伸",
        ["区依法行政督导平台", "依法行政督导平台"],
    ),
    # 法治X建设 / 平安X建设 with a place name
    ("全面推进平安迎泽建设,坚持和发展", ["平安迎泽建设"]),
    ("全力提升法治漯河建设水平。", ["法治漯河建设"]),
]

# (sentence from the corpus, nothing in it is a program)
NEGATIVES: list[str] = [
    # quotations, slogans, honours, metaphors, statistics
    "满意度,打造“法治政府”“阳光政府”。",
    "将依法行政考核作为法治政府建设的“练兵场”,严格标准、责任到人",
    "建工作仍然是“常规动作”,主要依靠市委依法治市办推动",
    "以服务型政府为导向,“以人为本”为价值理念,建设服务、廉洁",
    "认真编制“十四五”时期的全区法治政府建设规划纲要",
    "深刻汲取“10.1”火灾事故教训,推动“15+”重点行业领域",
    "各单位每月报送“双率”数据以及败诉案件",
    "我区获评“省级食品安全示范县”。",
    "通过门户网站和“迎泽发布”公众号,及时发布",
    "专题讲授“习近平法治思想”“公职人员职务犯罪的预防”“公益诉讼检察制度与实践”等内容。",
    "牢固树立“政府就是服务”的意识,转变“重管理轻服务”的理念",
    "并坚持“能扩尽扩”的原则对实行",
    "形成“上下市县联动、左右部门配合”联合争创的生动局面",
    "推动普法工作由“主管部门独唱式”向“全社会合唱式”转变。",
    "是否存在“任性执法选择性执法一刀切式执法运动式执法”现象",
    "建立标准化的“法律明白人”工作站,充分发挥“法律明白人”工作站的职能作用",
    "首批选聘“法律明白人”113名,覆盖所有社区(村)。",
    "认真对照“坚持人民至上、紧紧依靠人民、不断造福人民、牢牢植根人民”的要求",
    # generic phrases with a head noun
    "三、健全工作机制,推进行政决策科学化",
    "构建行政权力网上公开透明运行的长效机制。",
    "完善考评机制,将依法行政情况纳入",
    "在党校各培训班次中积极开展各类法治宣传和教育活动。",
    "一是推进重点领域执法改革。先后完成",
    "建立常态化监督制度,继续开展",
    "运用法治思维和法治方式深化改革、推动发展",
    "全面依法治县、法治政府建设、法治社会建设",
    "二是健全行政决策制度体系,严格落实",
    "五是规范乡镇综合执法制度建设。",
    "对健全联席会议制度机制、成员单位职责分工、动态调整程序、申报材料、年度工作报告制度等内容进行",
    "及时召开了全市法治政府建设示范创建工作培训会",
    "法治政府建设是系统工程,涉及",
    "切实把增进人民福祉落实到示范创建活动中,",
    "做好机构改革后半篇文章",
    "持续推进司法领域涉企改革",
    "进一步完善行政执法程序,切实规范",
    "参加全省法治政府建设单项示范创建第三方评估",
    "依法健全以信用为基础的新型执法机制,规范",
    "严格落实领导干部干预司法活动、插手具体案件记录、通报和责任追究等制度,以有效",
    "在党校各班次开展形式多样的法治宣传教育活动",
    # inside a cited title
    "印发《保定市行政执法三项制度“三强化三提升”活动工作方案的通知》。",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_finds_programs(text: str, expected: list[str]) -> None:
    assert programs(text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_programs(text: str) -> None:
    assert programs(text) == []


FULL_WIDTH = str.maketrans(
    {",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "(": "\uff08", ")": "\uff09"}
)


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_full_width_punctuation(text: str, expected: list[str]) -> None:
    """Reports not normalised to ASCII punctuation give the same programs."""
    wide = text.translate(FULL_WIDTH)
    assert programs(wide) == [p.translate(FULL_WIDTH) for p in expected]


@pytest.mark.parametrize("text", NEGATIVES)
def test_full_width_negatives(text: str) -> None:
    assert programs(text.translate(FULL_WIDTH)) == []


def test_bare_quote_and_compound_are_distinct_programs() -> None:
    text = "二是行政执法“三项制度”推行工作不平衡。将落实“三项制度”、行政诉讼应诉等工作纳入考评。"
    assert programs(text) == ["行政执法“三项制度”", "“三项制度”"]


def test_found_carries_kind_and_head() -> None:
    text = "二、深化“放管服”改革,推行法律顾问制度,推动“最多跑一趟”。"
    found = find_programs(text)
    assert [(text[f.start : f.end], f.kind, f.head) for f in found] == [
        ("“放管服”改革", "reform", "改革"),
        ("法律顾问制度", "system", "制度"),
        ("“最多跑一趟”", "initiative", None),
    ]
    assert all(isinstance(f, Found) for f in found)


def test_blocked_ranges_are_skipped() -> None:
    text = "深化“放管服”改革,印发《关于深化“放管服”改革的意见》。"
    assert [text[f.start : f.end] for f in find_programs(text)] == ["“放管服”改革"] * 2
    assert programs(text) == ["“放管服”改革"]


@pytest.mark.parametrize(
    "quote",
    ["“放管服”改革", "「放管服」改革", '"放管服"改革', "‘放管服’改革"],
)
def test_quote_styles(quote: str) -> None:
    assert programs(f"深化{quote},依法全面履行政府职能") == [quote]


def test_quotes_are_bounded() -> None:
    long_quote = "“" + "放" * 60 + "”改革"
    assert programs(long_quote) == []


def test_lexicons_parse() -> None:
    finder = ProgramFinder()
    assert "改革" in finder.heads and finder.heads["告知承诺制"].min_modifier == 0
    assert finder.heads["示范创建"].clause_final
    for head in finder.heads.values():
        assert head.quoted in ("yes", "plan", "next", "no")
    sections = read_sections("program_cues.txt")
    for name in ("left", "adjacent", "right", "topics", "ending", "list-end", "after-head"):
        assert sections[name], name
    for name in ("program_verbs.txt", "program_strip.txt", "program_stop.txt"):
        entries = read_lexicon(name)
        assert entries and all(" " not in e for e in entries)
