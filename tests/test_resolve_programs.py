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
from kg.resolve.programs import canonical_program_name, program_key
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
                "放管服改革",
                "“放管服” 改革",
                "“ 放管服 ”改革",
            ],
            "放管服改革",
        ),
        (["“八五”普法规划", "「八五」普法规划", "八五普法规划"], "八五普法规划"),
        (["行政执法“三项制度”", "行政执法三项制度", "行政执法「三项制度」"], "行政执法三项制度"),
        (["“一村(社区)一法律顾问”", "“一村（社区）一法律顾问”"], "一村(社区)一法律顾问"),
        (["“谁执法,谁普法”", "“谁执法，谁普法”", '"谁执法，谁普法"'], "谁执法,谁普法"),
        (["‘枫桥经验’", "“枫桥经验”", "枫桥经验"], "枫桥经验"),
        (["“互联网+政务服务”", "“互联网＋政务服务”"], "互联网+政务服务"),
    ],
)
def test_spellings_share_a_key(spellings: list[str], key: str) -> None:
    assert {program_key(s) for s in spellings} == {key}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("行政执法“三项制度”", "“三项制度”"),  # the tagger gives both: two programs
        ("“八五”普法", "“八五”普法规划"),
        ("“谁执法谁普法”", "“谁执法,谁普法”"),
        ("“一件事”集成服务套餐", "“一件事”集成服务套餐改革"),
    ],
)
def test_different_names_keep_different_keys(first: str, second: str) -> None:
    assert program_key(first) != program_key(second)


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
        ("“谁执法，谁普法”", "“谁执法,谁普法”"),
        ("“马上办、网上办、就近办、一次办、自助办”", "“马上办、网上办、就近办、一次办、自助办”"),
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
        (["“放管服”改革", '"放管服"改革', "放管服改革", "「放管服」改革"], "“放管服”改革"),
        (["行政执法三项制度", "行政执法“三项制度”"], "行政执法“三项制度”"),
        (["‘枫桥经验’", "枫桥经验"], "“枫桥经验”"),
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
    ]
    entities = resolve_programs(mentions)
    assert [e.key for e in entities] == [
        "放管服改革",
        "马上办",
        "就近办",
        "行政执法三项制度",
        "三项制度",
    ]
    assert entities[0] == ProgramEntity(
        key="放管服改革",
        name="“放管服”改革",
        surface_forms=("“放管服”改革", '"放管服"改革'),
    )


def test_nothing_in_nothing_out() -> None:
    assert resolve_programs([]) == []


BAODING_ROW = next(row for row in manifest() if row["region"] == "保定市")


def test_baoding_report_programs(corpus_dir: Path) -> None:
    mentions = tag_report(read_report(corpus_dir / BAODING_ROW["file"])).of(PROGRAM)
    entities = resolve_programs(mentions)
    assert len(entities) == len({program_key(m.text) for m in mentions})
    assert len(entities) <= len({m.text for m in mentions})
    by_form = {form: e for e in entities for form in e.surface_forms}
    assert set(by_form) == {m.text for m in mentions}
    if {"行政执法三项制度", "行政执法“三项制度”"} <= set(by_form):
        assert by_form["行政执法三项制度"] is by_form["行政执法“三项制度”"]
        assert by_form["行政执法三项制度"].name == "行政执法“三项制度”"
    for e in entities:
        assert e.key == program_key(e.name) == normalize(e.key)
