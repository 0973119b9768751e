"""``kg.nlp.numerals``: Arabic and Chinese numerals as the reports write them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.nlp.numerals import (
    ARABIC_PATTERN,
    CHINESE_PATTERN,
    Number,
    parse_arabic,
    parse_chinese,
    parse_number,
    tidy,
)

ARABIC: list[tuple[str, Number]] = [
    ("79", 79),
    ("16201", 16201),
    ("28.8", 28.8),
    ("6.34", 6.34),
    ("99.8", 99.8),
    ("0", 0),
    ("100", 100),
    ("1,010", 1010),
    ("12,345,678", 12345678),
    ("１２３", 123),  # full-width digits
    ("４．５", 4.5),  # full-width decimal point
    ("2.0", 2),  # integral decimals become ints
    ("625.82", 625.82),
]


@pytest.mark.parametrize(("text", "value"), ARABIC)
def test_parse_arabic(text: str, value: Number) -> None:
    parsed = parse_arabic(text)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize("text", ["", ".", "1.2.3", "abc", "十二", "1e5", "-3"])
def test_parse_arabic_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_arabic(text)


CHINESE: list[tuple[str, int]] = [
    ("两", 2),
    ("二", 2),
    ("三", 3),
    ("十", 10),
    ("十二", 12),
    ("二十", 20),
    ("二十三", 23),
    ("百", 100),
    ("一百", 100),
    ("一百二十", 120),
    ("一百零五", 105),
    ("两百", 200),
    ("三千零五", 3005),
    ("一千二百三十四", 1234),
    ("三万五千", 35000),
    ("一亿三千万", 130_000_000),
    ("零", 0),
    ("〇", 0),
]


@pytest.mark.parametrize(("text", "value"), CHINESE)
def test_parse_chinese(text: str, value: int) -> None:
    assert parse_chinese(text) == value


# Not numerals: names of programs and plans (十四五, 八五), doubled digits, bad order.
@pytest.mark.parametrize(
    "text", ["", "十四五", "八五", "三五", "十百", "百十百", "一百零十", "万", "万万"]
)
def test_parse_chinese_rejects(text: str) -> None:
    assert parse_chinese(text) is None


def test_parse_number_takes_both_scripts() -> None:
    assert parse_number("79") == 79
    assert parse_number("两") == 2
    assert parse_number("八五") is None
    assert parse_number("abc") is None


def test_tidy() -> None:
    assert tidy(3.0) == 3 and isinstance(tidy(3.0), int)
    assert tidy(3.5) == 3.5


def test_patterns_match_whole_numerals() -> None:
    arabic = re.compile(ARABIC_PATTERN)
    chinese = re.compile(CHINESE_PATTERN)
    assert [m.group() for m in arabic.finditer("受理79件,纠错率28.8%,资金1,010万元")] == [
        "79",
        "28.8",
        "1,010",
    ]
    # A comma followed by more or fewer than three digits is a clause comma.
    assert [m.group() for m in arabic.finditer("结案66件,1234件")] == ["66", "1234"]
    assert [m.group() for m in chinese.finditer("开展为期两天的培训,一百二十人")] == [
        "两",
        "一百二十",
    ]


def test_long_digit_run_is_linear() -> None:
    text = "1" * 2_000_000
    m = re.compile(ARABIC_PATTERN).match(text)
    assert m is not None and m.end() == len(text)
    assert parse_arabic(text[:30]) == int("1" * 30)


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_round_trip(n: int) -> None:
    assert parse_arabic(str(n)) == n
    assert parse_arabic(f"{n:,}") == n


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_round_trip(n: int) -> None:
    assert parse_chinese(_to_chinese(n)) == n


def _to_chinese(n: int) -> str:
    """A plain writer of Chinese numerals (with 零 for gaps), for the round trip."""
    digits = "零一二三四五六七八九"

    def below_10000(x: int) -> str:
        out = ""
        zero = False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d, x = divmod(x, unit)
            if d:
                if zero and out:
                    out += "零"
                out += digits[d] + name
                zero = False
            else:
                zero = True
        return out

    high, low = divmod(n, 10_000)
    if not high:
        return below_10000(low)
    text = below_10000(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + below_10000(low)
    return text
