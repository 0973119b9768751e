"""Numbers as the reports write them: Arabic (half- or full-width, thousands separators,
decimals) and Chinese (``两``, ``十二``, ``一百二十``, ``三千零五``, ``百``).

Multipliers ``万``/``亿`` that follow a number are *not* folded into the value: the outcome
tagger keeps them in the unit as written (``4.4亿元`` → 4.4, ``亿元``). Inside a Chinese
numeral they are (``三万五千`` → 35000).

>>> parse_arabic("1,234.50"), parse_arabic("１２"), parse_chinese("一百二十"), parse_chinese("两")
(1234.5, 12, 120, 2)
"""

from __future__ import annotations

from typing import Final

Number = int | float

# Regex fragments (for callers that build one compiled pattern).
ARABIC_DIGIT: Final = "0-9０-９"
# Possessive quantifiers: a long run of digits is consumed once and never backtracked.
ARABIC_PATTERN: Final = (
    rf"[{ARABIC_DIGIT}]++(?:,[{ARABIC_DIGIT}]{{3}}(?![{ARABIC_DIGIT}]))*+"
    rf"(?:[.．][{ARABIC_DIGIT}]++)?+"
)
CHINESE_DIGITS: Final = "〇零一二两三四五六七八九"
CHINESE_SMALL_UNITS: Final = "十百千"
CHINESE_PATTERN: Final = (
    f"[{CHINESE_DIGITS}{CHINESE_SMALL_UNITS}]++"
    f"(?:[万亿][{CHINESE_DIGITS}{CHINESE_SMALL_UNITS}]++)*+"
)

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_DIGIT_VALUE: Final = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNIT: Final = {"十": 10, "百": 100, "千": 1000}
_BIG_UNIT: Final = {"万": 10_000, "亿": 100_000_000}


def tidy(value: float) -> Number:
    """``value`` as an int when it is integral, else as a float."""
    if value == int(value):
        return int(value)
    return value


def parse_arabic(text: str) -> Number:
    """Value of an Arabic numeral: ``"16201"`` → 16201, ``"1,010"`` → 1010, ``"28.8"`` → 28.8.

    Raises ValueError when ``text`` is not a numeral.
    """
    plain = text.translate(_FULL_WIDTH).replace(",", "")
    if not plain or plain.count(".") > 1 or not plain.replace(".", "").isdigit():
        raise ValueError(f"not an Arabic numeral: {text!r}")
    if "." in plain:
        return tidy(float(plain))
    return int(plain)


def _parse_section(text: str) -> int | None:
    """Value of a Chinese numeral below 万 (``一百二十`` → 120); None when malformed."""
    total = 0
    digit: int | None = None
    last_unit = 10_000
    zero_seen = False
    for ch in text:
        if ch in _DIGIT_VALUE:
            if digit is not None:  # two digits in a row (三五, 十四五): not a numeral
                return None
            digit = _DIGIT_VALUE[ch]
            if digit == 0:
                zero_seen = True
                digit = None
            continue
        unit = _SMALL_UNIT.get(ch)
        if unit is None or unit >= last_unit:
            return None
        if digit is None:
            if total or zero_seen:  # 一百零十 is malformed; 十 / 百 alone are fine
                return None
            digit = 1
        total += digit * unit
        last_unit = unit
        digit = None
        zero_seen = False
    if digit is not None:
        total += digit
    return total


def parse_chinese(text: str) -> int | None:
    """Value of a Chinese numeral (``两`` → 2, ``一百二十`` → 120, ``三万五千`` → 35000).

    None when ``text`` is not a well-formed numeral (``十四五``, ``三五``, empty).
    """
    if not text:
        return None
    total = 0
    rest = text
    for big_char, big in sorted(_BIG_UNIT.items(), key=lambda kv: -kv[1]):
        if big_char in rest:
            head, _, rest = rest.partition(big_char)
            if not head or big_char in rest:
                return None
            value = parse_chinese(head)
            if value is None:
                return None
            total += value * big
    if rest:
        value = _parse_section(rest)
        if value is None:
            return None
        total += value
    elif total == 0:
        return None
    return total


def parse_number(text: str) -> Number | None:
    """Value of an Arabic or Chinese numeral; None when it is neither."""
    try:
        return parse_arabic(text)
    except ValueError:
        return parse_chinese(text)
