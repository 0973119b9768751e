"""Who acts, and whether the verb is negated: the two rules that keep a citation's action true
to what the reporting body did (GUIDELINES.md, ACTION).

- Who acts: a document issued or forwarded by another named body (中央依法治国办制定了《…》,
  国务院印发《…》, 如浦东新区印发《…》 in a report of 上海市, 省政府出台《…》 in a city's report)
  is ``mentioned``. The subject is read from the words right before the verb: a central body
  (``actions_agents.txt`` [central], a ministry of ``institution_standalone.txt``, 中央…办/委,
  国家…局/委), a named place other than the report's own (the first place the text names,
  normally in its title), or a province-level short form (省委, 省政府 …) in a report below
  the province. A subject joined to the reporting body (与省委宣传部联合印发) stays its own.
- Negation: a negation word right before the governing verb (没有根据《…》制定, 未按照《…》)
  makes the citation ``mentioned``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kg.nlp.patterns import alternation, read_lexicon, read_sections, read_table
from kg.nlp.places import Place

_CJK = "\u3400-\u9fff"
_PLACE_TAIL = 8  # characters a body's name may run on after its place (…区人民政府办公室)
# What a subject ends with after its place when it names a body (浦东新区, 省司法厅, X市委):
# nothing, or a body's head; not 渭南市首个 (成为渭南市首个制定…的县).
_BODY_END = re.compile(
    r"(?:[^、，,]{0,7}(?:委|政府|人大|政协|办|局|厅|部|院|会|组|室|处|所|中心|队|机关))?"
)
_PROVINCE_LEVEL = re.compile(
    r"(?:^|[、和及与])(?:省|自治区)(?:委|政府|人民政府|人大|[^、和及与]{0,8}厅)(?:[、和及与]|$)"
)


@dataclass(frozen=True, slots=True)
class _Rules:
    central: re.Pattern[str]
    joint: re.Pattern[str]
    adverbs: re.Pattern[str]
    negation: re.Pattern[str]


# Kinds of institution_standalone.txt whose bodies stand above every reporting region (a
# province's 司法厅 and a prefecture's 行署 are listed there too, but are a region's own).
_CENTRAL_KINDS = frozenset({"government", "party", "legislature", "court", "procuratorate"})


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    words = read_sections("actions_agents.txt")
    central_names = [
        name
        for name, kind in read_table("institution_standalone.txt")
        if kind == "ministry"
        or (kind in _CENTRAL_KINDS and name.startswith(("中", "国", "全国", "最高", "党中央")))
    ]
    central = alternation([*words["central"], *central_names])
    return _Rules(
        central=re.compile(
            rf"(?:{central}|中央[{_CJK}]{{1,16}}?(?:办公室|[办委部组])"
            rf"|国家[{_CJK}]{{1,10}}?[局委部署])$"
        ),
        joint=re.compile(alternation(words["joint"])),
        adverbs=re.compile(rf"(?:{alternation(words['adverbs'])}|了)+$"),
        negation=re.compile(rf"(?:{alternation(read_lexicon('actions_negations.txt'))})$"),
    )


def negated(before_verb: str) -> bool:
    """Whether the words right before a verb negate it (没有, 未, 尚未 …)."""
    return _rules().negation.search(before_verb) is not None


@dataclass(frozen=True, slots=True)
class Agents:
    """What the rules need to know of a text: its places and its own place (the first)."""

    places: Sequence[Place] = ()

    @property
    def home(self) -> Place | None:
        return next((p for p in self.places if p.code and not p.short), None)

    def other_body(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]``, the words before an issuing verb, end with a named
        body other than the reporting one."""
        rules = _rules()
        subject = text[start:end]
        m = rules.adverbs.search(subject)
        if m is not None:
            subject, end = subject[: m.start()], start + m.start()
        subject = subject.rstrip()
        if not subject or rules.joint.search(subject):
            return False
        if rules.central.search(subject):
            return True
        home = self.home
        if home is None:
            return False
        for place in reversed(self.places):
            if place.end > end or place.start < start:
                continue
            if end - place.end > _PLACE_TAIL:
                break
            if place.start == home.start or not _BODY_END.fullmatch(text, place.end, end):
                return False
            return bool(place.code) and place.code != home.code and not place.short
        return home.kind != "province" and _PROVINCE_LEVEL.search(subject[-12:]) is not None
