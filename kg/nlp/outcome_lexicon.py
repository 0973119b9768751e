"""Word lists of the outcome tagger, read from ``kg/nlp/lexicons/`` and compiled once.

``units.txt`` holds measure words, one per line; ``outcome_words.txt`` holds the other lists
in ``[section]`` blocks. Entries are plain strings; this module escapes them into regexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kg.nlp.numerals import (
    ARABIC_DIGIT,
    ARABIC_PATTERN,
    CHINESE_DIGITS,
    CHINESE_PATTERN,
    CHINESE_SMALL_UNITS,
)
from kg.nlp.patterns import alternation, read_lexicon, read_sections


def _group(words: Iterable[str]) -> str:
    """A regex group matching any of ``words``, longest first."""
    return f"(?:{alternation(words)})"


class OutcomeLexicon:
    """Compiled patterns built from the lexicon files."""

    def __init__(self, units: list[str], words: dict[str, list[str]]) -> None:
        def group(name: str) -> str:
            return _group(words.get(name, []))

        unit = _group(units)
        approx_after = group("approx_after")
        not_unit = group("not_unit")
        digit = ARABIC_DIGIT
        # One pattern finds every candidate: a number with a unit, a multiplier, or 百分之.
        # The leading lookahead lets the engine skip quickly to where a number can start.
        self.number = re.compile(
            rf"(?=[百{digit}{CHINESE_DIGITS}{CHINESE_SMALL_UNITS}])"
            rf"(?:百分之(?P<pnum>{ARABIC_PATTERN}|{CHINESE_PATTERN})"
            rf"|(?:(?<![{digit}.．A-Za-z])(?P<ar>{ARABIC_PATTERN})"
            rf"|(?<![〇零一二两三四五六七八九十百千万亿])(?P<cn>{CHINESE_PATTERN}))"
            r"[ \u3000\xa0]?(?P<ap1>余|多)?"
            rf"(?:(?P<mult>[万亿])(?P<ap2>余|多)?(?:(?!{not_unit})(?P<unit>{unit}))?"
            rf"|(?!{not_unit})(?P<unit2>{unit})))"
        )
        self.chinese_after = re.compile(
            rf"(?:{group('cn_before')}|{group('verb')}|{group('approx_before')})$"
        )
        self.approx_after = re.compile(approx_after)
        self.approx_before = re.compile(group("approx_before") + r"\s*$")
        self.not_before = re.compile(group("not_before") + r"\s*$")
        self.ok_before = re.compile(group("ok_before") + r"\s*$")
        self.not_before_chinese = re.compile(group("not_before_chinese") + r"$")
        self.plan_clause = re.compile(group("plan_clause"))
        self.plan_sentence = re.compile(group("plan_sentence"))
        # 共 is the adverb "in all" unless it is part of a word of [not_cut] (共享, 公共).
        ahead = {w[w.index("共") + 1 :] for w in words.get("not_cut", []) if "共" in w}
        behind = {w[: w.index("共")] for w in words.get("not_cut", []) if "共" in w}
        guards = "".join(f"(?!{re.escape(a)})" for a in sorted(ahead) if a)
        guards_behind = "".join(f"(?<!{re.escape(b)})" for b in sorted(behind) if b)
        cuts = [w for w in words.get("cut", []) if w != "共"]
        self.cut = re.compile(f"{_group(cuts)}|{guards_behind}共{guards}")
        self.leading = re.compile(
            r"^(?:\s+|[、,，]"
            r"|[(（][一二三四五六七八九十0-9]+[)）]|[0-9]{1,2}[.．、](?![0-9])|[一二三四五六七八九十]+[、是]"
            rf"|(?:[{digit}]{{4}}|[〇零一二三四五六七八九]{{4}})年度?(?:以来|上半年|下半年)?"
            rf"|[{digit}]{{1,2}}月份?(?:[{digit}]{{1,2}}日)?(?:以来|底|末|初)?"
            r"|截至[^,，;；。]{0,12}?(?:底|末|止)"
            r"|在[^,，;；。]{1,15}?(?:上|中|里|内|期间|方面|过程中)(?=.)"
            r"|以[^,，;；。]{1,12}?名义"
            # 提请市人大常委会|审议…: the body asked to act is no part of what is counted
            r"|[提报]请[^,，;；。]{1,12}?(?:人大常委会|常委会|人大|政府|委员会|会议)(?=.)"
            rf"|{group('leading')})"
        )
        # Longest first, so that 达到 goes before 达.
        self.trailing_words = tuple(sorted(set(words.get("trailing", [])), key=len, reverse=True))
        self.keep_trailing = tuple(words.get("keep_trailing", []))
        self.measure_units = frozenset(words.get("measure_units", []))
        self.light = re.compile(rf"^{group('light')}(?=.)")
        self.light_alone = re.compile(group("light"))
        self.light_always = re.compile(rf"^{group('light_always')}(?=.)")
        # A subject before the verb: a body (…常务会|研究…) or an enumeration (社区、农村|开展…).
        verb = group("verb")
        # Neither starts with a verb (开展…研讨、部署…工作: a list of things done, no subject)
        # nor ends in 性 (合法性审查 is one noun).
        self.subject = re.compile(
            rf"^(?![对在以经为向将把从])(?!{verb})"
            rf"(?:[^,，;；。“”《》()（）]{{0,30}}?{group('subject')}"
            rf"|[^,，;；。“”《》()（）]{{0,30}}?、[^,，;；。“”《》()（）、]{{0,15}}?)(?<!性)(?={verb})"
        )
        self.stop = re.compile(group("stop"))
        # After a count of people: the stops less the words that carry on what they did.
        carry_on = set(words.get("person_continue", []))
        self.person_stop = re.compile(_group(w for w in words.get("stop", []) if w not in carry_on))
        self.from_change = re.compile(rf"\s*{group('from_change')}\s*$")
        # A clause opened by a coverb (对…, 围绕…) and the verbs after which its indicator
        # starts (对…组织开展|业务培训).
        self.coverb = re.compile(rf"^{group('coverb')}")
        self.verbs_run = re.compile(rf"(?:(?:{verb}|{group('light')})了?)+")
        # Headings: 一、… (top), (一)… (second), or a short bare line (下一步工作打算).
        start = r"^[ \t\u3000\xa0]*"
        top, second = r"[一二三四五六七八九十]+[、.．]", r"[(（][一二三四五六七八九十]+[)）]"
        future = group("future_heading")
        future_end = rf"{group('future_heading_end')}[。.:：]?[ \t\u3000\xa0]*$"
        self.future_heading = re.compile(
            rf"{start}(?:(?P<top>{top})|(?P<second>{second}))"
            rf"(?:[^\n]*?{future}|[^\n]*?{future_end})"
            rf"|{start}(?=[^\n,，。;；]{{2,30}}$)(?:[^\n]*?{future}|[^\n]*?{future_end})",
            re.MULTILINE,
        )
        self.top_heading = re.compile(start + top, re.MULTILINE)
        self.any_heading = re.compile(f"{start}(?:{top}|{second})", re.MULTILINE)
        self.plan_title = re.compile(group("plan_title") + r"\s*$")
        self.report_title = re.compile(group("report_title") + r"\s*$")


@lru_cache(maxsize=1)
def lexicon() -> OutcomeLexicon:
    """The lexicon shipped with the package."""
    return OutcomeLexicon(
        list(read_lexicon("units.txt")),
        read_sections("outcome_words.txt"),
    )
