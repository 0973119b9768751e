"""Administrative levels: the one table of division types and name suffixes.

``Report.level`` and the graph's ``kg:level`` take the values province, city, county,
district and town (and ``department`` for a department's own report, see GUIDELINES REPORT).
"""

from __future__ import annotations

from typing import Final

# GB/T 2260 division types (``regions.csv`` column ``type``) -> level.
LEVEL_BY_TYPE: Final = {
    "省": "province",
    "自治区": "province",
    "直辖市": "province",
    "特别行政区": "province",
    "地级市": "city",
    "自治州": "city",
    "地区": "city",
    "盟": "city",
    "市辖区": "district",
    "县": "county",
    "自治县": "county",
    "县级市": "county",
    "旗": "county",
    "自治旗": "county",
    "林区": "county",
    "特区": "county",
}

# Name suffix -> level, for a name the gazetteer does not know. 市 is a city unless the
# gazetteer says otherwise (a municipality or a county-level city).
LEVEL_BY_SUFFIX: Final = {
    "特别行政区": "province",
    "自治区": "province",
    "省": "province",
    "自治州": "city",
    "地区": "city",
    "州": "city",
    "盟": "city",
    "市": "city",
    "自治县": "county",
    "自治旗": "county",
    "县": "county",
    "旗": "county",
    "新区": "district",
    "区": "district",
    "街道": "town",
    "苏木": "town",
    "镇": "town",
    "乡": "town",
}

# The suffixes as a regex alternation, longest first; "州" may not be followed by 市/县/区,
# so 泉州市 is one name.
UNIT_SUFFIX: Final = "|".join(
    "州(?![市县区])" if s == "州" else s for s in sorted(LEVEL_BY_SUFFIX, key=len, reverse=True)
)

# Ranks from the most specific level up.
RANK: Final = {"town": 0, "district": 1, "county": 1, "city": 2, "province": 3}
