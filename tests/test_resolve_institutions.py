"""Institutions as entities: names completed from the report's region, one entity per body."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import manifest

from kg.corpus import read_report
from kg.nlp import tag_report
from kg.nlp.model import INSTITUTION, Mention
from kg.resolve import InstitutionEntity, LinkedRegion, link_region, resolve_institutions
from kg.resolve.documents import NATIONAL
from kg.resolve.institutions import complete_name
from kg.text import normalize

# Report regions as the manifest chains them (region_chain, down to the report's unit).
HUIAN = ("惠安县",)  # 福建省/泉州市/惠安县
QUANZHOU = ("泉州市",)
JINJIANG = ("泉州市", "晋江市")  # a county-level city
BAODING = ("保定市",)
YINGZE = ("太原市", "迎泽区")  # a district
CHAOYANG_BJ = ("北京市", "朝阳区")  # a district of a municipality
CHAOYANG_CC = ("长春市", "朝阳区")  # the same district name elsewhere
TIANFU = ("蓬溪县", "天福镇")  # a town
XICHANG = ("凉山彝族自治州", "西昌市")  # under an autonomous prefecture
NO_REGION: tuple[str, ...] = ()


def region_of(chain: tuple[str, ...]) -> LinkedRegion | None:
    if not chain:
        return None
    region = link_region(chain[-1], chain=chain)
    assert region is not None
    return region


def where(jurisdiction: LinkedRegion | str | None) -> str | None:
    """A jurisdiction as a comparable string: its path, ``NATIONAL`` or None."""
    if isinstance(jurisdiction, LinkedRegion):
        return "/".join(jurisdiction.path)
    return jurisdiction


def mention(text: str, sentence: str = "") -> Mention:
    return Mention(INSTITUTION, text, 0, len(text), sentence or text)


@pytest.mark.parametrize(
    ("chain", "written", "name", "jurisdiction"),
    [
        # A level character stands for the unit of that level in the report's chain.
        (HUIAN, "县司法局", "惠安县司法局", "福建省/泉州市/惠安县"),
        (HUIAN, "市司法局", "泉州市司法局", "福建省/泉州市"),
        (HUIAN, "县人大常委会", "惠安县人大常委会", "福建省/泉州市/惠安县"),
        (HUIAN, "县政府办", "惠安县人民政府办公室", "福建省/泉州市/惠安县"),
        (BAODING, "省人大常委会法工委", "河北省人大常委会法工委", "河北省"),
        (BAODING, "市中院", "保定市中级人民法院", "河北省/保定市"),
        # Party organs: 中共 + the unit + what follows the level.
        (HUIAN, "县委", "中共惠安县委", "福建省/泉州市/惠安县"),
        (HUIAN, "省委", "中共福建省委", "福建省"),
        (HUIAN, "县委办", "中共惠安县委办公室", "福建省/泉州市/惠安县"),
        (HUIAN, "市委依法治市办", "中共泉州市委全面依法治市委员会办公室", "福建省/泉州市"),
        (HUIAN, "省委依法治省办", "中共福建省委全面依法治省委员会办公室", "福建省"),
        (HUIAN, "县委党校", "中共惠安县委党校", "福建省/泉州市/惠安县"),
        (HUIAN, "县委政法委", "中共惠安县委政法委员会", "福建省/泉州市/惠安县"),
        (HUIAN, "县政法委", "中共惠安县委政法委员会", "福建省/泉州市/惠安县"),
        (HUIAN, "县纪委", "中共惠安县纪委", "福建省/泉州市/惠安县"),
        (BAODING, "市委全面依法治市委员会", "中共保定市委全面依法治市委员会", "河北省/保定市"),
        (BAODING, "市委组织部", "中共保定市委组织部", "河北省/保定市"),
        (HUIAN, "团县委", "共青团惠安县委", "福建省/泉州市/惠安县"),
        # Words that open with a level character without being one.
        (HUIAN, "市场监管局", "市场监管局", None),
        (HUIAN, "市市场监管局", "泉州市市场监管局", "福建省/泉州市"),
        (HUIAN, "县市场监管局", "惠安县市场监管局", "福建省/泉州市/惠安县"),
        (HUIAN, "县级行政调解委员会", "县级行政调解委员会", None),
        (BAODING, "市级公共法律援助中心", "市级公共法律援助中心", None),
        (HUIAN, "省级示范单位", "省级示范单位", None),
        (HUIAN, "区域协作中心", "区域协作中心", None),
        (HUIAN, "市县政府", "市县政府", None),
        (HUIAN, "乡镇党委", "乡镇党委", None),
        # Generic plurals and bodies named by task stay as written.
        (HUIAN, "各乡镇", "各乡镇", None),
        (HUIAN, "有关单位", "有关单位", None),
        (BAODING, "驻市直机关纪检监察组", "驻市直机关纪检监察组", None),
        (TIANFU, "法治建设领导小组", "法治建设领导小组", None),
        # A level the chain lacks is not guessed.
        (HUIAN, "区委", "区委", None),
        (HUIAN, "镇党委", "镇党委", None),
        (TIANFU, "乡政府", "乡政府", None),
        # Names that open with a place keep it; 中共 goes in front of a committee.
        (HUIAN, "惠安县司法局", "惠安县司法局", "福建省/泉州市/惠安县"),
        (HUIAN, "泉州市中级人民法院", "泉州市中级人民法院", "福建省/泉州市"),
        (HUIAN, "中共惠安县委", "中共惠安县委", "福建省/泉州市/惠安县"),
        (HUIAN, "惠安县委", "中共惠安县委", "福建省/泉州市/惠安县"),
        (BAODING, "顺平县法律援助机构", "顺平县法律援助机构", "河北省/保定市/顺平县"),
        (
            BAODING,
            "河北省全面推进依法行政工作领导小组办公室",
            "河北省全面推进依法行政工作领导小组办公室",
            "河北省",
        ),
        # National bodies.
        (HUIAN, "国务院", "国务院", NATIONAL),
        (HUIAN, "最高人民法院", "最高人民法院", NATIONAL),
        (HUIAN, "全国人大常委会", "全国人大常委会", NATIONAL),
        (BAODING, "司法部", "司法部", NATIONAL),
        (HUIAN, "中央依法治国办", "中央依法治国办", NATIONAL),
        (YINGZE, "党中央", "党中央", NATIONAL),
        # A province's department named alone is the report's province's.
        (BAODING, "司法厅", "河北省司法厅", "河北省"),
        (CHAOYANG_BJ, "司法厅", "司法厅", None),  # a municipality has 局, not 厅
        # A district: 市 is its city, 区 the district under its city's name.
        (YINGZE, "市委", "中共太原市委", "山西省/太原市"),
        (YINGZE, "区委", "中共太原市迎泽区委", "山西省/太原市/迎泽区"),
        (YINGZE, "区政府", "太原市迎泽区人民政府", "山西省/太原市/迎泽区"),
        (
            YINGZE,
            "区委全面依法治区委员会",
            "中共太原市迎泽区委全面依法治区委员会",
            "山西省/太原市/迎泽区",
        ),
        (YINGZE, "迎泽区委", "中共太原市迎泽区委", "山西省/太原市/迎泽区"),
        (YINGZE, "中共太原市迎泽区委", "中共太原市迎泽区委", "山西省/太原市/迎泽区"),
        (YINGZE, "省委", "中共山西省委", "山西省"),
        (CHAOYANG_BJ, "市委", "中共北京市委", "北京市"),
        (CHAOYANG_BJ, "区司法局", "北京市朝阳区司法局", "北京市/朝阳区"),
        (CHAOYANG_CC, "区司法局", "长春市朝阳区司法局", "吉林省/长春市/朝阳区"),
        # A county-level city is its own nearest 市.
        (JINJIANG, "市委", "中共晋江市委", "福建省/泉州市/晋江市"),
        (JINJIANG, "市司法局", "晋江市司法局", "福建省/泉州市/晋江市"),
        (JINJIANG, "省委", "中共福建省委", "福建省"),
        # A town: 镇 is the town, under its county's name.
        (TIANFU, "镇党委", "蓬溪县天福镇党委", "四川省/遂宁市/蓬溪县/天福镇"),
        (TIANFU, "天福镇党委", "蓬溪县天福镇党委", "四川省/遂宁市/蓬溪县/天福镇"),
        (TIANFU, "县委巡察二组", "中共蓬溪县委巡察二组", "四川省/遂宁市/蓬溪县"),
        # An autonomous prefecture.
        (XICHANG, "州委", "中共凉山彝族自治州委", "四川省/凉山彝族自治州"),
        (XICHANG, "市委", "中共西昌市委", "四川省/凉山彝族自治州/西昌市"),
        # No region: nothing to complete from, but a written place still places the body.
        (NO_REGION, "县司法局", "县司法局", None),
        (NO_REGION, "市委", "市委", None),
        (NO_REGION, "惠安县司法局", "惠安县司法局", "福建省/泉州市/惠安县"),
        (NO_REGION, "国务院", "国务院", NATIONAL),
    ],
)
def test_complete_name(
    chain: tuple[str, ...], written: str, name: str, jurisdiction: str | None
) -> None:
    full, found = complete_name(written, region_of(chain))
    assert (full, where(found)) == (name, jurisdiction)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((HUIAN, "市司法局"), (QUANZHOU, "市司法局")),
        ((HUIAN, "市司法局"), (BAODING, "泉州市司法局")),
        ((HUIAN, "县委"), (QUANZHOU, "中共惠安县委")),
        ((HUIAN, "县委"), (QUANZHOU, "惠安县委")),
        ((HUIAN, "省委"), (JINJIANG, "省委")),
        ((YINGZE, "区委"), (YINGZE, "迎泽区委")),
        ((TIANFU, "县政府"), (HUIAN, "蓬溪县政府")),
        ((HUIAN, "国务院"), (YINGZE, "国务院")),
    ],
)
def test_same_body_in_two_reports_has_one_key(
    first: tuple[tuple[str, ...], str], second: tuple[tuple[str, ...], str]
) -> None:
    (chain_a, written_a), (chain_b, written_b) = first, second
    [a] = resolve_institutions([mention(written_a)], region_of(chain_a))
    [b] = resolve_institutions([mention(written_b)], region_of(chain_b))
    assert a.key == b.key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((HUIAN, "县司法局"), (JINJIANG, "市司法局")),
        ((CHAOYANG_BJ, "区委"), (CHAOYANG_CC, "区委")),
        ((HUIAN, "市委"), (JINJIANG, "市委")),
    ],
)
def test_different_bodies_have_different_keys(
    first: tuple[tuple[str, ...], str], second: tuple[tuple[str, ...], str]
) -> None:
    (chain_a, written_a), (chain_b, written_b) = first, second
    [a] = resolve_institutions([mention(written_a)], region_of(chain_a))
    [b] = resolve_institutions([mention(written_b)], region_of(chain_b))
    assert a.key != b.key


def test_one_entity_per_body_in_order_with_surface_forms() -> None:
    sentence = (
        "县司法局对108条重大行政决策提出法律意见,按规定程序向市政府和县人大常委会提交备案报告。"
    )
    mentions = [
        mention("中共惠安县委", "在中共惠安县委的坚强领导下,县政府坚持依法行政。"),
        mention("县政府", "在中共惠安县委的坚强领导下,县政府坚持依法行政。"),
        mention("县司法局", sentence),
        mention("市政府", sentence),
        mention("县人大常委会", sentence),
        mention("县委", "县委常委会专题研究法治政府建设工作。"),
        Mention("PROGRAM", "法律顾问制度", 0, 6, "推行法律顾问制度。"),
    ]
    entities = resolve_institutions(mentions, region_of(HUIAN), publisher="惠安县人民政府")
    assert [e.name for e in entities] == [
        "惠安县人民政府",  # 县政府 is the same body
        "中共惠安县委",
        "惠安县司法局",
        "泉州市人民政府",
        "惠安县人大常委会",
    ]
    assert entities[0].surface_forms == ("惠安县人民政府", "县政府")
    assert entities[1].surface_forms == ("中共惠安县委", "县委")
    assert entities[2] == InstitutionEntity(
        key="惠安县司法局",
        name="惠安县司法局",
        jurisdiction=region_of(HUIAN),
        surface_forms=("县司法局",),
    )
    assert all(e.key == normalize(e.name) for e in entities)


def test_publisher_naming_two_bodies() -> None:
    entities = resolve_institutions(
        [mention("区委"), mention("区政府")],
        region_of(YINGZE),
        publisher="中共太原市迎泽区委、太原市迎泽区人民政府",
    )
    assert [e.name for e in entities] == ["中共太原市迎泽区委", "太原市迎泽区人民政府"]
    assert entities[0].surface_forms == ("中共太原市迎泽区委", "区委")
    assert entities[1].surface_forms == ("太原市迎泽区人民政府", "区政府")


def test_publisher_abbreviated_is_completed() -> None:
    entities = resolve_institutions(
        [mention("区司法局")], region_of(("漯河市", "源汇区")), "区司法局"
    )
    assert [(e.name, e.surface_forms) for e in entities] == [("漯河市源汇区司法局", ("区司法局",))]


def test_nothing_in_nothing_out() -> None:
    assert resolve_institutions([], region_of(HUIAN)) == []
    assert resolve_institutions([], None, publisher="") == []


HUIAN_ROW = next(row for row in manifest() if row["region"] == "惠安县")


def test_huian_report_completes_its_own_bodies(corpus_dir: Path) -> None:
    report = read_report(corpus_dir / HUIAN_ROW["file"])
    region = link_region(report.region or "", chain=report.region_chain, text=report.text)
    mentions = tag_report(report).of(INSTITUTION)
    entities = resolve_institutions(mentions, region, report.metadata.publisher)
    by_form = {form: e for e in entities for form in e.surface_forms}
    if "县司法局" in by_form:
        assert by_form["县司法局"].name == "惠安县司法局"
        assert where(by_form["县司法局"].jurisdiction) == HUIAN_ROW["region_path"]
    if "县委" in by_form:
        assert by_form["县委"].name == "中共惠安县委"
    if "市司法局" in by_form:
        assert by_form["市司法局"].name == "泉州市司法局"
    assert len({e.key for e in entities}) == len(entities)
    assert all(e.key == normalize(e.name) for e in entities)
    written = {m.text for m in mentions}
    assert written | {HUIAN_ROW["publisher"]} == set(by_form)


@pytest.mark.parametrize(
    ("written", "full"),
    [
        ("县法院", "惠安县人民法院"),
        ("县检察院", "惠安县人民检察院"),
        ("市中院", "泉州市中级人民法院"),
        ("市中级法院", "泉州市中级人民法院"),
        ("县政府办", "惠安县人民政府办公室"),
        ("县人民政府办公室", "惠安县人民政府办公室"),
        ("县委依法治县办", "中共惠安县委全面依法治县委员会办公室"),
        ("县司法局", "惠安县司法局"),
    ],
)
def test_short_forms_of_a_units_bodies_are_written_in_full(written: str, full: str) -> None:
    assert complete_name(written, region_of(HUIAN))[0] == full


@pytest.mark.parametrize("written", ["市县政府", "乡政府", "各级法院"])
def test_uncompleted_names_keep_their_short_forms(written: str) -> None:
    assert complete_name(written, None)[0] == written


# The committee for law-based governance and its office: the official name, however short the
# written one (a 依法治县办公室 of its own does not exist).
@pytest.mark.parametrize(
    ("chain", "written", "full"),
    [
        (HUIAN, "县委依法治县办", "中共惠安县委全面依法治县委员会办公室"),
        (HUIAN, "县依法治县办", "中共惠安县委全面依法治县委员会办公室"),
        (HUIAN, "惠安县委依法治县办", "中共惠安县委全面依法治县委员会办公室"),
        (HUIAN, "中共惠安县委依法治县办", "中共惠安县委全面依法治县委员会办公室"),
        (HUIAN, "县委全面依法治县委员会办公室", "中共惠安县委全面依法治县委员会办公室"),
        (HUIAN, "县委依法治县委", "中共惠安县委全面依法治县委员会"),
        (BAODING, "市委依法治市办公室", "中共保定市委全面依法治市委员会办公室"),
        (BAODING, "市委全面依法治市办", "中共保定市委全面依法治市委员会办公室"),
        (BAODING, "市委全面依法治市委员会", "中共保定市委全面依法治市委员会"),
        (HUIAN, "省委依法治省办", "中共福建省委全面依法治省委员会办公室"),
        # Other offices of a party committee, in full.
        (HUIAN, "县委办", "中共惠安县委办公室"),
        (HUIAN, "县委中心组", "中共惠安县委理论学习中心组"),
        # The joint discipline body is the party's and the state's: no 中共 in front.
        (BAODING, "市纪委监委", "保定市纪委监委"),
        # Names that name a body only by context stay as written.
        (BAODING, "省厅", "省厅"),
        (HUIAN, "依法治县办", "依法治县办"),
        (HUIAN, "中央依法治国办", "中央依法治国办"),
    ],
)
def test_rule_of_law_offices_get_their_official_name(
    chain: tuple[str, ...], written: str, full: str
) -> None:
    assert complete_name(written, region_of(chain))[0] == full


def test_corpus_graph_has_no_invented_institution_names(corpus_store_path: Path) -> None:
    """Every completed name in the corpus graph: none of the forms that do not exist."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(corpus_store_path))
    query = """
        SELECT DISTINCT ?name WHERE {
          ?i a <https://policy-kg.org/ns#Institution> ;
             <http://www.w3.org/2004/02/skos/core#prefLabel> ?name }"""
    names = {r[0].value for r in store.query(query, use_default_graph_as_union=True)}
    invented = {
        "中共惠安县委依法治县办公室",
        "中共泉州市委依法治市办公室",
        "中共福建省委依法治省办公室",
        "中共保定市委依法治市办公室",
        "河北省厅",
        "中共保定市纪委监委",
    }
    assert not names & invented
    assert {
        "中共惠安县委全面依法治县委员会办公室",
        "中共保定市委全面依法治市委员会办公室",
    } <= names
