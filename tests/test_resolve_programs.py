"""Programs as entities: one per program however its name is quoted."""

from __future__ import annotations

from itertools import permutations
from pathlib import Path

import pytest
from conftest import manifest

from kg.corpus import read_report
from kg.nlp import tag_report
from kg.nlp.model import PROGRAM, Mention
from kg.resolve import ProgramEntity, resolve_programs
from kg.resolve.programs import canonical_program_name, program_key, read_program_name
from kg.text import normalize


def mention(text: str, sentence: str = "") -> Mention:
    return Mention(PROGRAM, text, 0, len(text), sentence or text)


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (
            [
                "“放管服”改革",
                '"放管服"改革',
                "＂放管服＂改革",
                "「放管服」改革",
                "『放管服』改革",
                "‘放管服’改革",
                "“放管服” 改革",
                "“ 放管服 ”改革",
                "“放管服”机制",  # a head variant: the quoted core is the same
                "“放管服”",
            ],
            "放管服",
        ),
        (["“八五”普法", "“八五”普法规划", "「八五」普法规划"], "八五"),
        # a modifier before the quotes: the quoted name is the program
        (["行政执法“三项制度”", "“三项制度”", "行政执法「三项制度」"], "三项制度"),
        (["“一村(社区)一法律顾问”", "“一村（社区）一法律顾问”"], "一村(社区)一法律顾问"),
        (
            [
                "“谁执法谁普法”",
                "“谁执法,谁普法”",
                "“谁执法，谁普法”",
                '"谁执法，谁普法"',
                "“谁执法谁普法”工作机制",
                "“谁执法谁普法”普法责任制",
                "“谁执法谁普法”责任制",
            ],
            "谁执法谁普法",
        ),
        (["‘枫桥经验’", "“枫桥经验”", "枫桥经验"], "枫桥经验"),
        (["“互联网+政务服务”", "“互联网＋政务服务”"], "互联网+政务服务"),
        (["“万人助万企”活动", "“万人助万企”"], "万人助万企"),
        (["“复议为民促和谐”专项行动", "「复议为民促和谐」"], "复议为民促和谐"),
        (["“十四五”规划", "“十四五”"], "十四五"),
    ],
)
def test_spellings_share_a_key(spellings: list[str], key: str) -> None:
    assert {program_key(s) for s in spellings} == {key}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("“八五”普法", "“七五”普法"),
        ("“一件事”集成服务套餐", "“一件事”"),  # narrower: its own program
        ("“枫桥经验”保定模式", "“枫桥经验”"),
        ("执法监督“云平台”", "“云平台”"),  # 云平台 alone names nothing in particular
        ("“双随机、一公开”监管制度", "“双随机、一公开”"),
        ("“马上办”", "“马上办、网上办、就近办、一次办、自助办”"),
        ("法律顾问制度", "政府法律顾问制度"),  # unquoted names keep their words
    ],
)
def test_different_names_keep_different_keys(first: str, second: str) -> None:
    assert program_key(first) != program_key(second)


@pytest.mark.parametrize(
    ("written", "name", "broader"),
    [
        ("“枫桥经验”保定模式", "“枫桥经验”保定模式", "“枫桥经验”"),
        ("「一件事」集成服务套餐", "“一件事”集成服务套餐", "“一件事”"),
        ("行政执法“三项制度”推进协调机制", "行政执法“三项制度”推进协调机制", "“三项制度”"),
        ("“接诉即办”数字化监管平台", "“接诉即办”数字化监管平台", "“接诉即办”"),
        ("“法律明白人”培养工程", "“法律明白人”培养工程", "“法律明白人”"),
        ("“三项制度”", "“三项制度”", None),
        ("行政执法“三项制度”", "“三项制度”", None),
        ("“谁执法谁普法”普法责任制", "“谁执法谁普法”", None),
        ("执法监督“云平台”", "执法监督“云平台”", None),
        ("重大行政决策程序", "重大行政决策程序", None),
    ],
)
def test_narrower_programs(written: str, name: str, broader: str | None) -> None:
    read = read_program_name(written)
    assert (read.name, read.broader_name) == (name, broader)
    if broader is not None:
        assert read.broader_key == program_key(broader)


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("“放管服”改革", "“放管服”改革"),
        ('"放管服"改革', "“放管服”改革"),
        ("＂放管服＂改革", "“放管服”改革"),
        ("「八五」普法规划", "“八五”普法规划"),
        ("『最多跑一趟』", "“最多跑一趟”"),
        ("“ 一件事 ”集成服务套餐", "“一件事”集成服务套餐"),
        ("‘枫桥经验’", "“枫桥经验”"),
        (
            "“‘枫桥经验’在福建深化常态化矛盾纠纷排查化解”专项活动",
            "“‘枫桥经验’在福建深化常态化矛盾纠纷排查化解”专项活动",
        ),
        ("「『枫桥经验』在福建」专项活动", "“‘枫桥经验’在福建”专项活动"),
        ('"‘枫桥经验’"', "“‘枫桥经验’”"),
        ("“一村（社区）一法律顾问”", "“一村(社区)一法律顾问”"),
        ("“谁执法，谁普法”", "“谁执法谁普法”"),
        ("“马上办、网上办、就近办、一次办、自助办”", "“马上办、网上办、就近办、一次办、自助办”"),
        ("“司企共建·法治护航”专项行动", "“司企共建·法治护航”专项行动"),
        ("行政执法“三项制度”", "行政执法“三项制度”"),
        ("“马上办”“就近办”", "“马上办”“就近办”"),
        ("重大行政决策程序", "重大行政决策程序"),
        # A mark without its partner is dropped.
        ("放管服”改革", "放管服改革"),
        ("“放管服改革", "放管服改革"),
    ],
)
def test_canonical_name(written: str, name: str) -> None:
    assert canonical_program_name(written) == name
    assert program_key(name) == program_key(written)


@pytest.mark.parametrize(
    ("spellings", "name"),
    [
        (["“放管服”改革", '"放管服"改革', "放管服改革", "「放管服」机制"], "“放管服”"),
        (["行政执法三项制度", "行政执法“三项制度”", "“三项制度”"], "“三项制度”"),
        (["‘枫桥经验’", "枫桥经验"], "“枫桥经验”"),
        (["“八五”普法规划", "八五普法", "“八五”普法"], "“八五”"),
    ],
)
def test_entity_name_does_not_depend_on_order(spellings: list[str], name: str) -> None:
    for order in permutations(spellings):
        [entity] = resolve_programs(mention(s) for s in order)
        assert entity.name == name
        assert entity.surface_forms == order


def test_one_entity_per_program_in_order() -> None:
    sentence = "深化“放管服”改革,推行“马上办”“就近办”,落实行政执法“三项制度”。"
    mentions = [
        mention("“放管服”改革", sentence),
        mention("“马上办”", sentence),
        Mention("INSTITUTION", "县司法局", 0, 4, "县司法局"),
        mention("“就近办”", sentence),
        mention("行政执法“三项制度”", sentence),
        mention('"放管服"改革', '持续深化"放管服"改革。'),
        mention("“放管服”改革", "持续深化“放管服”改革。"),
        mention("“三项制度”", "全面推行“三项制度”。"),
        mention("“枫桥经验”保定模式", "打造“枫桥经验”保定模式。"),
    ]
    entities = resolve_programs(mentions)
    assert [e.key for e in entities] == [
        "放管服",
        "马上办",
        "就近办",
        "三项制度",
        "枫桥经验保定模式",
    ]
    assert entities[0] == ProgramEntity(
        key="放管服", name="“放管服”", surface_forms=("“放管服”改革", '"放管服"改革')
    )
    assert entities[3].surface_forms == ("行政执法“三项制度”", "“三项制度”")
    assert (entities[4].broader_key, entities[4].broader_name) == ("枫桥经验", "“枫桥经验”")


def test_unquoted_spelling_joins_only_within_a_report() -> None:
    """放管服改革 written without quotes is the quoted program when the report quotes it too,
    and its own program (its words as the key) when it does not."""
    [joined] = resolve_programs([mention("“放管服”改革"), mention("放管服改革")])
    assert joined.key == "放管服"
    [alone] = resolve_programs([mention("放管服改革")])
    assert alone.key == "放管服改革"


def test_nothing_in_nothing_out() -> None:
    assert resolve_programs([]) == []


BAODING_ROW = next(row for row in manifest() if row["region"] == "保定市")


def test_baoding_report_programs(corpus_dir: Path) -> None:
    mentions = tag_report(read_report(corpus_dir / BAODING_ROW["file"])).of(PROGRAM)
    entities = resolve_programs(mentions)
    assert len(entities) <= len({program_key(m.text) for m in mentions})
    assert len(entities) <= len({m.text for m in mentions})
    by_form = {form: e for e in entities for form in e.surface_forms}
    assert set(by_form) == {m.text for m in mentions}
    if {"“谁执法谁普法”", "“谁执法谁普法”责任制"} <= set(by_form):
        assert by_form["“谁执法谁普法”"] is by_form["“谁执法谁普法”责任制"]
    for e in entities:
        assert e.key == program_key(e.name) == normalize(e.key)


def _labels(store_path: Path, words: str) -> set[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    query = (
        "SELECT DISTINCT ?name WHERE { ?p a <https://policy-kg.org/ns#Program> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name . "
        f'FILTER(CONTAINS(STR(?name), "{words}")) }}'
    )
    return {row[0].value for row in store.query(query, use_default_graph_as_union=True)}


@pytest.mark.parametrize(
    ("words", "labels"),
    [
        ("谁执法", {"“谁执法谁普法”"}),  # 5 spellings in the corpus, one program
        ("三项制度", {"“三项制度”", "行政执法“三项制度”推进协调机制"}),
        ("八五", {"“八五”"}),  # “八五”普法 and “八五”普法规划
        ("放管服", {"“放管服”"}),  # “放管服”改革 and “放管服”机制
        (
            "枫桥经验",
            {"“枫桥经验”", "“枫桥经验”保定模式", "“‘枫桥经验’在福建深化常态化矛盾纠纷排查化解”"},
        ),
    ],
)
def test_corpus_graph_has_one_node_per_program(
    corpus_store_path: Path, words: str, labels: set[str]
) -> None:
    assert _labels(corpus_store_path, words) == labels


def test_corpus_graph_links_narrower_programs(corpus_store_path: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(corpus_store_path))
    query = """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?narrow ?broad WHERE {
          ?n skos:broader ?b . ?n skos:prefLabel ?narrow . ?b skos:prefLabel ?broad }"""
    pairs = {(r[0].value, r[1].value) for r in store.query(query, use_default_graph_as_union=True)}
    assert ("“枫桥经验”保定模式", "“枫桥经验”") in pairs
    assert ("行政执法“三项制度”推进协调机制", "“三项制度”") in pairs
    assert ("“一件事”集成服务套餐", "“一件事”") in pairs
