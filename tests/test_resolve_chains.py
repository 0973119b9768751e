"""Implementation and transmission chains: from titles, from sentences, with their evidence; and
the jurisdiction rules of cited documents beyond the title's place."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.corpus import read_report
from kg.nlp import tag_report
from kg.nlp.model import DOCUMENT, NESTED_DOCUMENT, Mention
from kg.resolve import link_region
from kg.resolve.chains import IMPLEMENTS, TRANSMITS, sentence_links, title_link
from kg.resolve.documents import NATIONAL, document_key, resolve_documents


def doc(title: str, sentence: str = "", start: int = 0, **attrs: object) -> Mention:
    return Mention(
        DOCUMENT, title, start, start + len(title), sentence or title, {"title": title, **attrs}
    )


@pytest.mark.parametrize(
    ("outer", "inner", "relation"),
    [
        (
            "贯彻落实〈四川省法治政府建设实施方案(2021-2025年)〉责任分工方案",
            "四川省法治政府建设实施方案(2021-2025年)",
            IMPLEMENTS,
        ),
        (
            "关于落实河北省全面推进依法行政工作领导小组办公室〈关于进一步规范乡镇和街道行政执法工作的通知〉的通知",
            "关于进一步规范乡镇和街道行政执法工作的通知",
            IMPLEMENTS,
        ),
        (
            "蓬溪县法治政府建设工作领导小组办公室关于印发〈蓬溪县2023年度法治政府建设重点工作安排〉的通知",
            "蓬溪县2023年度法治政府建设重点工作安排",
            TRANSMITS,
        ),
        (
            "关于转发〈国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知〉的通知",
            "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知",
            TRANSMITS,
        ),
        (
            "关于贯彻〈法治政府建设实施纲要(2021-2025年)〉的实施意见",
            "法治政府建设实施纲要(2021-2025年)",
            IMPLEMENTS,
        ),
        (
            "〈中华人民共和国政府信息公开条例〉实施办法",
            "中华人民共和国政府信息公开条例",
            IMPLEMENTS,
        ),
        ("〈优化营商环境条例〉实施细则", "优化营商环境条例", IMPLEMENTS),
        ("关于〈保定市快递业条例〉的说明", "保定市快递业条例", None),
    ],
)
def test_title_links(outer: str, inner: str, relation: str | None) -> None:
    assert title_link(outer, inner) == relation


def sentence_doc(title: str, sentence: str, **attrs: object) -> Mention:
    return doc(title, sentence, **attrs)


@pytest.mark.parametrize(
    ("sentence", "source", "target"),
    [
        (
            "根据《中华人民共和国行政处罚法》,制定《保定市行政处罚裁量权基准》。",
            "保定市行政处罚裁量权基准",
            "中华人民共和国行政处罚法",
        ),
        (
            "按照《重大行政决策程序暂行条例》的要求,结合我县实际,出台了《惠安县人民政府重大行政决策若干规定》。",
            "惠安县人民政府重大行政决策若干规定",
            "重大行政决策程序暂行条例",
        ),
        (
            "为贯彻落实《法治政府建设实施纲要(2021-2025年)》,市委、市政府印发《保定市法治政府建设实施方案(2021-2025年)》。",
            "保定市法治政府建设实施方案(2021-2025年)",
            "法治政府建设实施纲要(2021-2025年)",
        ),
        (
            "依据《党政主要负责人履行推进法治建设第一责任人职责规定》,研究制定《蓬溪县党政主要负责人履行推进法治建设第一责任人职责清单》。",
            "蓬溪县党政主要负责人履行推进法治建设第一责任人职责清单",
            "党政主要负责人履行推进法治建设第一责任人职责规定",
        ),
    ],
)
def test_sentence_links(sentence: str, source: str, target: str) -> None:
    a, b = target, source
    mentions = [sentence_doc(a, sentence), sentence_doc(b, sentence)]
    links = sentence_links(mentions, document_key)
    assert [(x.source, x.relation, x.target) for x in links] == [
        (document_key(b), IMPLEMENTS, document_key(a))
    ]
    assert links[0].evidence == sentence


@pytest.mark.parametrize(
    ("sentence", "titles"),
    [
        # negated: the report says the rules were NOT made
        (
            "没有根据《法治政府建设与责任落实督察工作规定》制定《保定市法治督察实施细则》。",
            ("法治政府建设与责任落实督察工作规定", "保定市法治督察实施细则"),
        ),
        (
            "未按照《重大行政决策程序暂行条例》制定《某县重大行政决策事项目录》。",
            ("重大行政决策程序暂行条例", "某县重大行政决策事项目录"),
        ),
        # two documents carried out side by side: no link between them
        (
            "认真落实《贯彻落实〈四川省法治政府建设实施方案(2021-2025年)〉责任分工方案》和"
            "《蓬溪县2023年度法治政府建设重点工作安排》,大力推进依法行政。",
            (
                "贯彻落实〈四川省法治政府建设实施方案(2021-2025年)〉责任分工方案",
                "蓬溪县2023年度法治政府建设重点工作安排",
            ),
        ),
        # the basis governs what was made first: 根据…批示,制定下发《A》 links nothing
        (
            "同时根据省依法行政办公室的反馈,制定下发《关于2021年度依法行政考核反馈问题的整改方案》,"
            "对照《保定市行政许可事项清单》逐项整改。",
            ("关于2021年度依法行政考核反馈问题的整改方案", "保定市行政许可事项清单"),
        ),
    ],
)
def test_sentences_without_a_link(sentence: str, titles: tuple[str, str]) -> None:
    mentions = [sentence_doc(t, sentence) for t in titles]
    assert sentence_links(mentions, document_key) == []


def test_a_report_that_is_itself_the_plan_implements_what_it_carries_out() -> None:
    text = (
        "为深入贯彻市委全面依法治市委员会关于《漯河市创建全国法治政府建设示范市工作实施方案》"
        "(漯法〔2021〕2号)文件精神,结合我区实际,决定在全区深入开展示范创建活动。现制定如下实施方案。"
    )
    title = "漯河市创建全国法治政府建设示范市工作实施方案"
    start = text.index(title)
    sentence = text[: text.index("。") + 1]
    mention = doc(title, sentence, start)
    links = sentence_links([mention], document_key, text, "漯河市源汇区示范创建工作实施方案")
    assert [(x.source, x.target) for x in links] == [
        ("漯河市源汇区示范创建工作实施方案", document_key(title))
    ]
    assert links[0].evidence.endswith("现制定如下实施方案。")
    assert sentence_links([mention], document_key, text, None) == []


def test_authority_titles_are_one_national_document() -> None:
    entities = resolve_documents(
        [
            doc("法治政府建设实施纲要(2021-2025年)", action="implemented"),
            doc("法治政府建设实施纲要（2021—2025年）", action="mentioned"),
            doc("行政处罚法", action="implemented"),
            doc("中华人民共和国行政处罚法", action="mentioned"),
            doc("重大行政决策程序暂行条例", action="implemented"),
        ]
    )
    assert [e.title for e in entities] == [
        "法治政府建设实施纲要(2021—2025年)",
        "中华人民共和国行政处罚法",
        "重大行政决策程序暂行条例",
    ]
    outline, law, regulation = entities
    assert outline.variants == (
        "法治政府建设实施纲要(2021-2025年)",
        "法治政府建设实施纲要（2021—2025年）",
    )
    assert all(e.jurisdiction == NATIONAL and e.basis == "authority" for e in entities)
    assert outline.doc_types == ("normative_document", "outline")
    assert law.doc_types == ("law",) and law.actions == ("implemented", "mentioned")
    assert regulation.doc_types == ("administrative_regulation", "regulations")
    assert regulation.doc_number == "国务院令第713号"
    assert outline.authority is not None and outline.authority.issuers == ("中共中央", "国务院")


@pytest.mark.parametrize(
    ("mentions", "title", "where", "basis"),
    [
        (
            [doc("重大决策合法性审查工作机制", doc_number="惠委办明电〔2021〕13号")],
            "重大决策合法性审查工作机制",
            "惠安县",
            "doc_number",
        ),
        (
            [doc("县镇综合执法协调联动机制", action="issued")],
            "县镇综合执法协调联动机制",
            "惠安县",
            "issued",
        ),
        (
            [doc("关于进一步规范行政执法的通知", doc_number="国办发〔2018〕118号")],
            "关于进一步规范行政执法的通知",
            NATIONAL,
            "doc_number",
        ),
        (
            [
                doc("关于落实福建省依法治省办〈关于规范乡镇执法的通知〉的通知", action="issued"),
                Mention(
                    NESTED_DOCUMENT,
                    "关于规范乡镇执法的通知",
                    0,
                    0,
                    "",
                    {"nested_in": "关于落实福建省依法治省办〈关于规范乡镇执法的通知〉的通知"},
                ),
            ],
            "关于规范乡镇执法的通知",
            "福建省",
            "outer_title",
        ),
        (
            [doc("福建省政府部门权责清单管理办法(试行)"), doc("清单管理办法")],
            "清单管理办法",
            "福建省",
            "abbreviates",
        ),
        (
            [doc("2022年度惠安县政府学法计划")],
            "2022年度惠安县政府学法计划",
            "惠安县",
            "title",
        ),
    ],
)
def test_jurisdiction_rules(mentions: list[Mention], title: str, where: str, basis: str) -> None:
    region = link_region("惠安县")
    entity = next(e for e in resolve_documents(mentions, region) if e.title == title)
    found = entity.jurisdiction
    assert (found if isinstance(found, str) else found and found.name) == where
    assert entity.basis == basis and entity.note == ""


def test_a_document_without_jurisdiction_says_why() -> None:
    (entity,) = resolve_documents([doc("重大行政执法决定法制审核制度", action="implemented")])
    assert entity.jurisdiction is None
    assert entity.note.startswith("Jurisdiction unknown:")
    assert "does not say it issued it" in entity.note


def test_corpus_report_links_carry_their_sentence(corpus_dir: Path) -> None:
    report = read_report(corpus_dir / "001_d2cba6cb4c440230.txt")
    region = link_region(report.region or "", chain=report.region_chain, text=report.text)
    entities = resolve_documents(
        tag_report(report).mentions, region, text=report.text, report_title=report.metadata.title
    )
    by_title = {e.title: e for e in entities}
    notice = by_title[
        "关于落实河北省全面推进依法行政工作领导小组办公室〈关于进一步规范乡镇和街道行政执法工作的通知〉的通知"
    ]
    (link,) = notice.evidence
    assert (
        link.relation == IMPLEMENTS and link.target == "关于进一步规范乡镇和街道行政执法工作的通知"
    )
    assert link.evidence.startswith("制发《关于落实河北省")
    inner = by_title["关于进一步规范乡镇和街道行政执法工作的通知"].jurisdiction
    assert not isinstance(inner, str) and inner is not None and inner.name == "河北省"
    督察 = by_title["法治政府建设与责任落实督察工作规定"]
    assert 督察.jurisdiction == NATIONAL and 督察.implements == ()
    # 没有根据《督察工作规定》制定实施细则: negated, so nothing implements it
    assert not any(督察.key in e.implements for e in entities)


@pytest.mark.parametrize(
    ("sentence", "title", "where"),
    [
        (
            "中央依法治国办制定了《法治督察工作办法》,授权地方开展督察。",
            "法治督察工作办法",
            NATIONAL,
        ),
        ("认真学习福建省司法厅印发的《行政执法案卷评查标准》。", "行政执法案卷评查标准", "福建省"),
        ("严格执行市委、市政府出台的《重大事项决策规则》。", "重大事项决策规则", "泉州市"),
        ("2022年,我县制定《行政执法人员管理规定》。", "行政执法人员管理规定", "惠安县"),
        ("对照《行政执法人员管理规定》开展自查。", "行政执法人员管理规定", None),
    ],
)
def test_the_body_that_made_a_document(sentence: str, title: str, where: str | None) -> None:
    region = link_region("惠安县")
    (entity,) = resolve_documents([doc(title, sentence, action="mentioned")], region)
    found = entity.jurisdiction
    assert (found if isinstance(found, str) or found is None else found.name) == where
    assert entity.basis == ("cue" if where else "")


def test_an_unplaced_implementing_document_says_whose_it_carries_out() -> None:
    outer = "贯彻落实〈四川省法治政府建设实施方案(2021-2025年)〉责任分工方案"
    inner = Mention(
        NESTED_DOCUMENT, "四川省法治政府建设实施方案(2021-2025年)", 0, 0, "", {"nested_in": outer}
    )
    entity = resolve_documents([doc(outer, action="implemented"), inner])[0]
    assert entity.jurisdiction is None
    assert "it carries out a document of 四川省, so it is 四川省's or one below it" in entity.note
