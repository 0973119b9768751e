"""Linking report regions to the GB/T 2260 hierarchy."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import manifest

from kg.corpus import read_report
from kg.resolve import link_region


@pytest.mark.parametrize("row", manifest(), ids=lambda r: r["file"])
def test_shipped_reports_link_to_the_manifest_path(corpus_dir: Path, row: dict[str, str]) -> None:
    report = read_report(corpus_dir / row["file"])
    assert report.region is not None
    linked = link_region(report.region, chain=report.region_chain, text=report.text)
    assert linked is not None
    assert "/".join(linked.path) == row["region_path"]
    assert linked.county_code is not None and len(linked.county_code) == 6


@pytest.mark.parametrize(
    ("name", "chain", "text", "path", "code"),
    [
        ("惠安县", (), "", ("福建省", "泉州市", "惠安县"), "350521"),
        ("保定市", (), "", ("河北省", "保定市"), "130600"),
        ("迎泽区", ("太原市", "迎泽区"), "", ("山西省", "太原市", "迎泽区"), "140106"),
        # A town has no code of its own: it hangs under the county named with it.
        ("天福镇", ("蓬溪县", "天福镇"), "", ("四川省", "遂宁市", "蓬溪县", "天福镇"), None),
        (
            "粤海街道",
            ("深圳市", "南山区", "粤海街道"),
            "",
            ("广东省", "深圳市", "南山区", "粤海街道"),
            None,
        ),
        # Shared names are told apart by the units named with them …
        ("朝阳区", ("长春市", "朝阳区"), "", ("吉林省", "长春市", "朝阳区"), "220104"),
        # … or by the report's text.
        ("朝阳区", (), "北京市朝阳区人民政府 …… 北京市", ("北京市", "朝阳区"), "110105"),
    ],
)
def test_link_region(
    name: str, chain: tuple[str, ...], text: str, path: tuple[str, ...], code: str | None
) -> None:
    linked = link_region(name, chain=chain, text=text)
    assert linked is not None
    assert linked.path == path
    assert linked.code == code


def test_levels() -> None:
    town = link_region("天福镇", chain=("蓬溪县", "天福镇"))
    assert town is not None
    levels = []
    node = town
    while node is not None:
        levels.append(node.level)
        node = node.parent
    assert levels == ["town", "county", "city", "province"]
    district = link_region("迎泽区")
    assert district is not None and district.level == "district"


@pytest.mark.parametrize(
    ("name", "chain", "text"),
    [
        ("鼓楼区", (), ""),  # four 鼓楼区, nothing to tell them apart: no guess
        ("天福镇", (), ""),  # a town with no county named above it
        ("粤海街道", ("南山区", "粤海街道"), ""),  # 南山区 is in 深圳市 and in 鹤岗市
        ("不存在县", (), ""),
        ("", (), ""),
    ],
)
def test_unknown_or_ambiguous_gives_none(name: str, chain: tuple[str, ...], text: str) -> None:
    assert link_region(name, chain=chain, text=text) is None
