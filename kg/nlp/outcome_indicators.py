"""What an outcome's number counts: the indicator, read from the words around the number.

A clause may report one number or several. The words before a number (its *prefix*) usually
name what it counts (``受理行政复议案件|79件``); when the number comes first, the noun phrase
after the unit does (``发动630名|驻企服务员|逐企定制…``). Between two numbers of one clause the
words are split between the first one's noun phrase and the second one's prefix
(``41个|部门|“五级十五同”已绑定事项|1759项``).
"""

from __future__ import annotations

import re
from typing import Final

from kg.nlp.outcome_lexicon import OutcomeLexicon

PERCENT_UNITS: Final = frozenset({"%", "％", "‰", "个百分点", "百分点"})
PERSON_UNITS: Final = frozenset({"人", "人次", "万人", "万人次"})
# Counts of people named by what they are (150名科级干部进行集中培训): the noun phrase after
# the unit, carried on through 进行/参加.
NAMED_PERSON_UNITS: Final = frozenset({"名", "万名", "位"})
# What people counted by 名 took part in names the count (参加…考试, 参与…调解, 参训).
_TOOK_PART = re.compile(r"参加|参与|参训|参会|参考")
# A meeting that ends what a count of events counted (9次|常务会议|研究部署…), unless
# what follows is what happened before, at or after it (4次|常务会|会前学法).
_MEETING = re.compile(
    r"(?:常务会议|常务会|会议|全会|例会|座谈会|联席会)(?!会?[前上后])(?=[\u3400-\u9fff])"
)
_ADVERB_LIGHT = re.compile(r"(?:已经?|均已|全部|均)[\u3400-\u9fff]{2}")
_LOCALIZER = re.compile(r"(?:之中|之外|以外|中|外)$")
_LOCATIVE_FRAME = re.compile(r"(?:^|[^\u3400-\u9fff])?[在除]")

_CONNECTOR_END = re.compile(r"(?:以及|、|和|及|与|或)\s*$")
_CONNECTOR_START = re.compile(r"^\s*(?:以及|、|和|及|与)")
_OPEN = "(（〔[【"
_CLOSE = ")）〕]】"
# A parenthesis after a noun that only comments on it: (纳入县财预算), (不含镇级).
_ASIDE_START = re.compile(r"[(（〔\[【]\s*(?:不含|含|包括|其中|纳入|即|如|主要|具体|下同|以下)")
_ASIDE_MAX = 5  # longer parenthetical content ends the noun phrase too
# A noun and a predicate opened by an adverb of completion (任务|全部完成, 事项|均已办结).
_ADVERB_PREDICATE = re.compile(r"[\u3400-\u9fff]{1,12}?(?:全部|均已|均|已经|已)")
# A relative clause after a number opened by a preposition (十余部|与…相关的|法律文件).
_RELATIVE = re.compile(r"[与对为同跟向]")
# A connector before a number or year starts another item (22个问题|和2020年…发现的).
_NEXT_ITEM = re.compile(r"[和及与、](?=[0-9０-９])")


def after_open_paren(text: str) -> str:
    """The text after the last parenthesis left open: ``占比(其中X占比达`` → ``其中X占比达``."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
            if depth == 0:
                return text[i + 1 :]
            depth -= 1
    return text


def _strip_leading(text: str, lex: OutcomeLexicon) -> str:
    while True:
        m = lex.leading.match(text)
        if m is None or m.end() == 0 or m.end() >= len(text):
            return text
        text = text[m.end() :]


def strip_trailing(text: str, lex: OutcomeLexicon) -> str:
    """``text`` without the linking words before a number (``占比达`` → ``占比``); may be empty."""
    while text:
        stripped = text.rstrip()
        if stripped.endswith(lex.trailing_words) and not stripped.endswith(lex.keep_trailing):
            word = next(w for w in lex.trailing_words if stripped.endswith(w))
            stripped = stripped[: -len(word)]
        if stripped == text:
            return text
        text = stripped
    return text


def _after_lists(text: str) -> str:
    """The words after the last cited title, and after a 等 that closes a list of titles
    (学习《A》《B》等党内法规和《C》等国家法律法规 → 国家法律法规); a 等 at the end stays."""
    if "》" not in text:
        return text
    text = text[text.rindex("》") + 1 :]
    at = text.rfind("等", 0, len(text.rstrip()) - 1)
    if at >= 0:
        text = text[at + 1 :]
    return text.lstrip("和及与、")


_LAST_TITLE = re.compile(r"《([^《》]{2,40})》\s*$")


def _last_title(prefix: str) -> str:
    """The title that ends the words before a number (制发《…通知书》|15份), else ''."""
    m = _LAST_TITLE.search(prefix)
    return m.group(1) if m else ""


def _after_coverb_verbs(text: str, lex: OutcomeLexicon) -> str:
    """A clause opened by a coverb (对州直各部门组织开展业务培训): what follows its last run
    of verbs (业务培训); the text itself when no verb follows the coverb."""
    if lex.coverb.match(text) is None:
        return text
    ends = [m.end() for m in lex.verbs_run.finditer(text, 1) if m.end() < len(text)]
    return text[ends[-1] :] if ends else text


def clean_prefix(text: str, lex: OutcomeLexicon, *, rate: bool = False) -> str:
    """The indicator inside the words before a number; empty when none is left.

    ``rate`` (a percentage) keeps a leading subject (``行政机关负责人出庭应诉率``) and its
    light verb (``完成度``). A descriptive phrase before 的 is no part of it (``群众对…的满意度``,
    ``主持召开涉及…的省政府常务会议``).
    """
    text = strip_trailing(after_open_paren(_after_lists(text)), lex)
    last_cut = None
    for last_cut in lex.cut.finditer(text):  # noqa: B007 - we want the last one
        pass
    if last_cut is not None:
        text = text[last_cut.end() :]
    if not rate:
        text = _after_coverb_verbs(text.strip(), lex)
    if "的" in text[:-2]:
        text = text[text.rindex("的", 0, len(text) - 2) + 1 :]
    whole = text.strip()
    text = _strip_leading(whole, lex)
    if text != whole and lex.light_alone.fullmatch(text) and _ADVERB_LIGHT.fullmatch(whole):
        return whole  # 已完成|130项: an adverb and a light verb alone say what was counted
    subject = None if rate or text.endswith("的") else lex.subject.match(text)
    if subject is not None and subject.end() < len(text):
        text = text[subject.end() :]
        light = lex.light_always.match(text)
        if light is not None:
            text = text[light.end() :]
    elif not rate:
        light = lex.light.match(text)
        if light is not None:
            text = _strip_leading(text[light.end() :], lex)
    return strip_trailing(text, lex).strip()


def _aside_end(text: str) -> int:
    """Where a commenting parenthesis starts in ``text`` (``len(text)`` if none)."""
    for i, ch in enumerate(text):
        if ch not in _OPEN:
            continue
        close = min((j for j in (text.find(c, i + 1) for c in _CLOSE) if j >= 0), default=-1)
        if close < 0 or close - i - 1 > _ASIDE_MAX or _ASIDE_START.match(text, i):
            return i
    return len(text)


def clean_suffix(
    text: str, lex: OutcomeLexicon, *, whole: bool = False, person: bool = False
) -> str:
    """The noun phrase after a unit: ``县级综合行政执法队伍的“三定”工作`` → ``…队伍``.

    ``whole`` keeps the rest of the clause (a clause that opens with its number:
    ``1481项审批服务事项实现全流程网办``); an aside in parentheses still ends it.
    """
    text = text.strip()
    if text.startswith("的"):
        text = text[1:]
    if not text or text[0] in _CLOSE:
        return ""
    if _RELATIVE.match(text) and "的" in text[1:]:
        text = text[text.index("的") + 1 :]  # 十余部|与…相关的|法律文件: the noun after 的
    end = _aside_end(text)
    possessive = text.find("的“")
    if possessive > 0:
        end = min(end, possessive)
    next_item = _NEXT_ITEM.search(text)
    if next_item is not None:
        end = min(end, next_item.start())
    if not whole:
        stop = (lex.person_stop if person else lex.stop).search(text, 1, end)
        if stop is not None:
            end = stop.start()
        meeting = _MEETING.search(text, 0, end)
        if meeting is not None:
            end = meeting.end()  # 9次|常务会议|研究部署…: the meeting is what was counted
    noun = text[:end].strip()
    if noun and noun[-1] in _CLOSE and _unclosed_close(noun):
        noun = noun[:-1]  # (其中48项取得重大进展): the bracket closes around the clause
    return noun


def _unclosed_close(text: str) -> bool:
    """Whether ``text`` has more closing brackets than opening ones."""
    return sum(ch in _CLOSE for ch in text) > sum(ch in _OPEN for ch in text)


def _unclosed(text: str) -> int:
    """Where the first bracket left open in ``text`` starts; -1 if none."""
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch in _OPEN:
            opened.append(i)
        elif ch in _CLOSE and opened:
            opened.pop()
    return opened[0] if opened else -1


def split_between(region: str, lex: OutcomeLexicon, *, takes_noun: bool = True) -> tuple[int, int]:
    """Where the words between two numbers of a clause divide: ``(end of the first number's
    noun phrase, start of the second number's prefix)`` as offsets into ``region``.

    ``县直部门和`` → (4, 5); ``、集中评查`` → (0, 1); ``部门“五级十五同”已绑定事项`` → (2, 2).
    ``takes_noun`` False (a rate or an amount): everything goes to the second number.
    """
    m = _CONNECTOR_END.search(region)
    if m is not None and takes_noun:
        return m.start(), len(region)
    m = _CONNECTOR_START.match(region)
    if m is not None:
        return 0, m.end()
    if not takes_noun:
        return 0, 0
    cuts = [p for p in (region.find("“"), _unclosed(region)) if p >= 0]
    possessive = region.find("的“")
    if possessive > 0:
        cuts.append(possessive)
    # An adverb right after the first number opens its predicate (67项|已完成(其中48项…):
    # the predicate goes with it, up to the next cut.
    stop = None if lex.stop.match(region) else lex.stop.search(region)
    if stop is not None:
        cuts.append(stop.start())
    if not cuts:
        return len(region), len(region)
    at = min(cuts)
    return at, at


def unit_kind(unit: str, lex: OutcomeLexicon) -> str:
    """``rate`` (%, 个百分点), ``measure`` (元, 天, 平方米 …) or ``count`` (件, 个, 名 …)."""
    bare = unit.lstrip("万亿") or unit
    if unit in PERCENT_UNITS or bare in PERCENT_UNITS:
        return "rate"
    if bare in lex.measure_units or bare[-1:] in lex.measure_units:
        return "measure"
    return "count"


def indicator(
    prefix: str, suffix: str, unit: str, lex: OutcomeLexicon, *, alone: bool
) -> str | None:
    """The indicator of a number from the words before (``prefix``) and after (``suffix``) it.

    ``alone``: the number is the only one of its clause.
    """
    kind = unit_kind(unit, lex)
    if kind == "rate":
        return clean_prefix(prefix, lex, rate=True) or None
    before = clean_prefix(prefix, lex)
    if before.endswith("的") and alone and _ADVERB_PREDICATE.match(suffix):
        before = ""  # 方案中明确的|152项任务全部完成: a modifier of the clause's subject
    # A clause that opens with its number (其余|67项已完成): the rest of it is what was
    # counted, also when a later number comments on it, if an adverb starts the predicate.
    opening = not before and (alone or lex.stop.match(suffix.strip()) is not None)
    if kind == "measure" and before and not suffix.lstrip().startswith("的"):
        return before
    if unit in PERSON_UNITS and suffix.strip():
        after = clean_suffix(suffix, lex, whole=True)
        if after:
            return after
    if unit in NAMED_PERSON_UNITS and suffix.strip():
        after = clean_suffix(suffix, lex, person=True)
        took_part = _TOOK_PART.search(after, 1)
        if took_part is not None:  # 300名干部|参加法治理论考试: what the people counted did
            return after[took_part.start() :]
        if after:
            return _without_localizer(after, prefix)
    if before.endswith("”"):
        return before
    after = clean_suffix(suffix, lex, whole=opening)
    return _without_localizer(after, prefix) or before or _last_title(prefix) or None


def _without_localizer(noun: str, prefix: str) -> str:
    """``任务`` from ``任务中`` when the clause frames it with 在…中 or 除…外."""
    if _LOCALIZER.search(noun) and _LOCATIVE_FRAME.search(prefix) and len(noun) > 2:
        return _LOCALIZER.sub("", noun)
    return noun
