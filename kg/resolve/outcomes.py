"""Outcome indicators linked to the indicator scheme (``scheme:indicator`` in schemes.ttl).

An OUTCOME mention's ``indicator`` attribute is the phrase as written (``受理行政复议案件``,
``纠错率``); :func:`link_indicator` maps it to the ``skos:notation`` of one concept of the
scheme, or to None. The rules are few and deterministic:

*Forms.* A concept is known by its labels (``skos:prefLabel`` and ``skos:altLabel``, @zh)
under :func:`kg.text.normalize`, and by each label without a trailing 数 (``行政复议案件数`` →
``行政复议案件``). The raw phrase is normalised the same way and loses its quotation marks
(``首批选聘“法律明白人”`` → ``首批选聘法律明白人``). The areas of the scheme (no
``kg:indicatorKind``) are never linked.

*Kind.* Each concept has a ``kg:indicatorKind``: a rate fits only a percent-like unit (%, ‰,
个百分点), money only a unit in 元, a duration only a unit of time (天, 小时 …), a count any
other unit; without a unit all fit.

*Head.* A Chinese noun phrase ends in its head, so a form counts only where it ends the
phrase, or is followed by a generic head noun (案件, 事项, 数, 活动 …), a level (省级, 县级 …), a
change (同比下降 …) or by the next item of a list (、, 和, 及): ``重大行政决策合法性审查`` is a
合法性审查, not a 重大行政决策.

Then the first of these rules that finds anything decides:

1. exact: the phrase is a form;
2. object then verb: the phrase ends in the object of a form made of a verb and its object,
   and the verb follows the number in the clause (``对…135件现行有效的行政规范性文件全面清理``);
   a phrase that ends in 的 is a modifier whose object follows the number;
2a. verb then object: the phrase, right before its number, ends in the object of such a form
   whose verb stands earlier in its clause (``共审查以县政府名义下发的|规范性文件|14件``);
3. contained: the longest form inside the phrase, at its head (``依法办理行政复议案件``);
4. verb and object apart: a form made of a verb and its object (``审查|规范性文件``) where
   words come between the two (``审查以县政府名义下发的规范性文件``, ``排查出矛盾纠纷``);
5. object alone: the object of such a form, three characters or more, at the head without
   its verb (``行政执法案卷`` from ``评查行政执法案卷``);
5a. subject: a phrase that goes on after its subject with a predicate (均, 都, 已经, 进行 …)
   links by its subject alone, exactly or at the subject's head
   (``条例均已经省人大研究通过`` → ``条例``);
6a. people, then what they did; 6b. the verb before the number (``主动对接625个重点企业``);
6. share: a phrase that ends in 占比, 比例, 比重 or starts with 占 (a percent) is the rate of
   the count that it names, or of the count that the clause before linked to
   (``“一趟不用跑”占比``, ``…1481项审批服务事项实现全流程网办,占比82.2%``);
6d. a total reached: a phrase with no noun of its own (``达到49项``, ``累计达``) counts the
   concept whose form ends last in the sentence before it (``…对告知承诺制事项进行扩容,增加7项,``);
7. topic: a ``skos:hiddenLabel`` (``败诉``, ``结案``, ``办结率``) at the head, of a concept whose
   topic (its collection) the sentence named last before the phrase;
8. part of a total: after 其中 or inside an open parenthesis, or for a level word alone
   (县级, 村级), the concept of the total that the sentence linked just before
   (``精品法治文化阵地121个,其中县级6个``).

Rules 2 and 6–8 need the sentence, given as an :class:`OutcomeContext`. Never guess: where two
different concepts tie at the best length of a rule, the answer is None (``报送的规范性文件``
could be reviewed, filed or cleaned up).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.nlp.outcome_indicators import PERCENT_UNITS
from kg.text import normalize
from kg.vocab import KG, SCHEME, SCHEMES_TTL

__all__ = ["IndicatorConcept", "OutcomeContext", "indicator_concepts", "link_indicator"]

_PERCENT: Final = frozenset(normalize(u) for u in PERCENT_UNITS)
_TIME_UNITS: Final = frozenset(
    {"天", "日", "个工作日", "工作日", "小时", "个小时", "分钟", "秒", "个月", "月", "年", "周"}
)
_QUOTES: Final = str.maketrans("", "", "“”‘’「」『』\"'")
# Verbs that open labels of the scheme (受理|行政复议案件); longest first, so that 调处化解
# is taken before 调处 and 主动公开 before 公开.
_VERBS: Final = tuple(
    sorted(
        {
            "受理", "办理", "新收", "收到", "接收", "审结", "办结", "审查", "审核", "备案",
            "报备", "备案审查", "审查备案", "清理", "废止", "修改", "修订", "排查", "摸排",
            "化解", "调处", "调处化解", "调解", "聘请", "聘任", "出具", "提供", "解答", "接待",
            "培养", "培育", "评查", "发放", "开展", "作出", "查处", "立案查处", "培训",
            "主动公开", "公开", "依申请公开", "取得", "参加", "精简", "核减", "减少", "缩减",
            "压减", "压缩", "缩短", "兑现", "注销", "清退", "研究", "组织", "制定", "出台",
            "对接", "包联", "走访", "帮扶",
        },
        key=lambda v: (-len(v), v),
    )
)  # fmt: skip
# What may follow a form at the head of a phrase: a generic head noun, a level, a change, or
# the next list item.
_GENERIC_HEADS: Final = frozenset(
    {
        "案件", "事项", "数", "总数", "数量", "人数", "人次", "件次", "活动", "项目", "工作",
        "省级", "市级", "县级", "区级", "镇级", "乡级", "村级",
        "同比下降", "同比上升", "同比增长", "同比减少", "下降", "上升", "增长", "减少",
    }
)  # fmt: skip
_LIST_JOINERS: Final = ("、", "以及", "和", "及", "与", ",")
_MIN_OBJECT: Final = 3  # shortest object that matches without its verb (rule 5)
_LEVELS: Final = frozenset({"省级", "市级", "县级", "区级", "镇级", "乡级", "村级", "国家级"})
_SHARE_END: Final = re.compile(r"(?:所占比例|占比|比例|比重)$")
_SHARE_START: Final = re.compile(r"^占")
_CLAUSE_END: Final = re.compile(r"[,;。!?；，]")
_PEOPLE: Final = frozenset({"人", "名", "人次", "万人", "万名", "万人次", "位"})
# The words before a number that comes first: its verb (``主动对接|625个|重点企业``).
_NUMBER_AT_END: Final = re.compile(r"[0-9０-９.]+[^0-9０-９.,;。、]{0,3}$")
# Words that open the predicate after a subject (``条例|均已经…通过``, ``人员|进行…培训``);
# longest first.
_PREDICATE: Final = re.compile(r"均已经|均已|都已|已经|全部|进行|均|都|也|已")
# A total reached, with no noun of its own (``增加7项,达到49项``).
_TOTAL: Final = re.compile(
    r"^(?=累计|总计|共计|合计|总共|共|达)(?:累计|总计|共计|合计|总共|共)?(?:达到|达)?"
    r"(?:[0-9０-９.]+[^0-9０-９.]{0,3})?$"
)
_NUMBER_FIRST: Final = re.compile(r"^\s*[0-9０-９]")
_OPEN: Final = "(（〔[【"
_CLOSE: Final = ")）〕]】"

COUNT, RATE, DURATION, MONEY = "count", "rate", "duration", "money"


@dataclass(frozen=True, slots=True)
class IndicatorConcept:
    """One concept of ``scheme:indicator``."""

    notation: str  # e.g. "reconsideration_cases"
    label_zh: str  # the prefLabel@zh as written in the scheme
    labels: tuple[str, ...]  # prefLabel@zh and altLabels@zh, normalised
    is_rate: bool  # a rate/share concept (expects %, ‰, 个百分点 …)
    kind: str = COUNT  # count, rate, duration, money; "" for an area (never linked)
    hidden: tuple[str, ...] = ()  # hiddenLabels@zh, normalised: only with the topic named
    topic: str = ""  # the collection the concept belongs to
    related: str | None = None  # a rate: the count it is a share of
    unit: str = ""  # kg:indicatorUnit, the unit reports usually give


@dataclass(frozen=True, slots=True)
class OutcomeContext:
    """Where an outcome stands in its sentence: what the rules 2 and 6–8 read.

    ``before`` is the sentence up to the indicator phrase; ``after`` the rest of the sentence
    after the phrase (its number first where the phrase comes before it); ``previous`` the
    outcomes before it in the sentence that were linked, as (offset of their span's end in
    the sentence, notation), in order.
    """

    before: str = ""
    after: str = ""
    previous: tuple[tuple[int, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class _Form:
    """One string a concept is known by, split into its opening verb (may be "") and object."""

    text: str
    verb: str
    notation: str
    kind: str

    @property
    def object(self) -> str:
        return self.text[len(self.verb) :]


def _zh_labels(graph: Graph, concept: URIRef, predicate: URIRef) -> list[str]:
    return sorted(
        str(o)
        for o in graph.objects(concept, predicate)
        if isinstance(o, Literal) and o.language == "zh"
    )


def _concept(graph: Graph, concept: URIRef, topics: dict[URIRef, str]) -> IndicatorConcept:
    notation = str(graph.value(concept, SKOS.notation))
    label_zh = _zh_labels(graph, concept, SKOS.prefLabel)[0]
    alts = _zh_labels(graph, concept, SKOS.altLabel)
    labels = tuple(dict.fromkeys(_clean(label) for label in [label_zh, *alts]))
    hidden = tuple(_clean(h) for h in _zh_labels(graph, concept, SKOS.hiddenLabel))
    kind = str(graph.value(concept, KG.indicatorKind) or "")
    related = graph.value(concept, SKOS.related)
    return IndicatorConcept(
        notation,
        label_zh,
        labels,
        is_rate=kind == RATE,
        kind=kind,
        hidden=hidden,
        topic=topics.get(concept, ""),
        related=str(graph.value(related, SKOS.notation)) if related is not None else None,
        unit=str(graph.value(concept, KG.indicatorUnit) or ""),
    )


@cache
def indicator_concepts() -> tuple[IndicatorConcept, ...]:
    """The concepts of ``scheme:indicator``, by notation; read from SCHEMES_TTL once."""
    graph = Graph().parse(SCHEMES_TTL, format="turtle")
    topics = {
        member: str(collection)
        for collection in graph.subjects(RDF.type, SKOS.Collection)
        for member in graph.objects(collection, SKOS.member)
        if isinstance(member, URIRef)
    }
    members = (c for c in graph.subjects(SKOS.inScheme, SCHEME.indicator) if isinstance(c, URIRef))
    return tuple(sorted((_concept(graph, c, topics) for c in members), key=lambda c: c.notation))


@cache
def _topic_cues() -> tuple[tuple[str, str], ...]:
    """(cue, topic): the words that name a topic in a sentence, longest first."""
    graph = Graph().parse(SCHEMES_TTL, format="turtle")
    cues: dict[str, set[str]] = {}
    for collection in graph.subjects(RDF.type, SKOS.Collection):
        if not isinstance(collection, URIRef):
            continue
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            for label in _zh_labels(graph, collection, predicate):
                cues.setdefault(_clean(label), set()).add(str(collection))
    for concept in _linkable():
        for label in concept.labels:
            cues.setdefault(label, set()).add(concept.topic)
    return tuple(
        (cue, topic)
        for cue, topics in sorted(cues.items(), key=lambda item: (-len(item[0]), item[0]))
        if len(topics) == 1
        for topic in topics
    )


def _linkable() -> tuple[IndicatorConcept, ...]:
    return tuple(c for c in indicator_concepts() if c.kind)


def _by_notation() -> dict[str, IndicatorConcept]:
    return {c.notation: c for c in indicator_concepts()}


def _opening_verb(text: str) -> str:
    return next((v for v in _VERBS if text.startswith(v) and len(text) > len(v) + 1), "")


def _concept_forms(concept: IndicatorConcept) -> Iterator[_Form]:
    texts = list(concept.labels)
    texts += [t[:-1] for t in concept.labels if t.endswith("数") and len(t) > 2]
    for text in dict.fromkeys(texts):
        yield _Form(text, _opening_verb(text), concept.notation, concept.kind)


@cache
def _forms() -> tuple[_Form, ...]:
    return tuple(f for c in _linkable() for f in _concept_forms(c))


def _clean(raw: str) -> str:
    return normalize(raw).translate(_QUOTES)


def _unit_kind(unit: str | None) -> str | None:
    """The kind of concept a unit fits: rate, money, duration or count; None without a unit."""
    if unit is None or not unit.strip():
        return None
    text = normalize(unit)
    if text in _PERCENT:
        return RATE
    if text.endswith("元"):
        return MONEY
    if text in _TIME_UNITS:
        return DURATION
    return COUNT


def _fits(form: _Form, unit: str | None) -> bool:
    kind = _unit_kind(unit)
    return kind is None or form.kind == kind


def _at_head(phrase: str, end: int) -> bool:
    rest = phrase[end:]
    return not rest or rest in _GENERIC_HEADS or rest.startswith(_LIST_JOINERS)


def _head_match(phrase: str, part: str, start: int = 0) -> bool:
    """Whether ``part`` occurs in ``phrase`` at or after ``start`` at the phrase's head."""
    at = phrase.find(part, start)
    while at >= 0:
        if _at_head(phrase, at + len(part)):
            return True
        at = phrase.find(part, at + 1)
    return False


Match = tuple[int, str]  # (length matched, notation)


def _exact(phrase: str, forms: Sequence[_Form]) -> list[Match]:
    return [(len(f.text), f.notation) for f in forms if f.text == phrase]


def _contained(phrase: str, forms: Sequence[_Form]) -> list[Match]:
    return [(len(f.text), f.notation) for f in forms if _head_match(phrase, f.text)]


def _verb_apart(phrase: str, forms: Sequence[_Form]) -> list[Match]:
    found: list[Match] = []
    for form in forms:
        at = phrase.find(form.verb) if form.verb else -1
        if at >= 0 and _head_match(phrase, form.object, at + len(form.verb) + 1):
            found.append((len(form.text), form.notation))
    return found


def _object_alone(phrase: str, forms: Sequence[_Form]) -> list[Match]:
    # a bare rate word (成功率 of 调解成功率) names no topic: 信用修复成功率 is no mediation
    return [
        (len(f.object), f.notation)
        for f in forms
        if f.verb
        and len(f.object) >= _MIN_OBJECT
        and not (f.kind == RATE and len(f.object) <= _MIN_OBJECT)
        and _head_match(phrase, f.object)
    ]


_RULES: Final[tuple[Callable[[str, Sequence[_Form]], list[Match]], ...]] = (
    _contained,
    _verb_apart,
    _object_alone,
)


def _decide(matches: list[Match]) -> str | None:
    """The notation of the longest match; None where two concepts tie."""
    best = max(length for length, _ in matches)
    notations = {notation for length, notation in matches if length == best}
    return notations.pop() if len(notations) == 1 else None


def _clause_after(after: str) -> str:
    """The words after the phrase up to the end of its clause (number and unit included)."""
    end = _CLAUSE_END.search(after)
    return normalize(after[: end.start()] if end else after).translate(_QUOTES)


def _object_then_verb(phrase: str, after: str, forms: Sequence[_Form]) -> list[Match]:
    """Rule 2: ``[对]…<object> N件 … <verb>``, or ``…的 N件 <object> … <verb>``."""
    found: list[Match] = []
    for form in forms:
        if not form.verb or len(form.object) < 2:
            continue
        if phrase.endswith("的"):
            at = after.find(form.object)
            if at >= 0 and form.verb in after[at + len(form.object) :]:
                found.append((len(form.text), form.notation))
        elif _head_match(phrase, form.object) and form.verb in after:
            found.append((len(form.text), form.notation))
    return found


def _people_then_act(phrase: str, unit: str | None, after: str) -> list[Match]:
    """Rule 6a: people (``92名|县处级干部``) whose clause goes on with what they did, a whole
    form of a concept counted in people (``全部参加法律知识考试``)."""
    if unit is None or normalize(unit) not in _PEOPLE:
        return []
    people = {c.notation for c in _linkable() if c.unit in _PEOPLE}
    rest = after[after.find(phrase) + len(phrase) :] if phrase in after else after
    return [
        (len(f.text), f.notation)
        for f in _forms()
        if f.notation in people and f.verb and _head_match(rest, f.text)
    ]


def _verb_before_number(phrase: str, before: str, forms: Sequence[_Form]) -> list[Match]:
    """Rule 6b: a phrase after its number, whose verb stands before the number
    (``主动对接|625个|重点企业``): the verb of a form before the number, its object at the
    phrase's head."""
    clause = _CLAUSE_END.split(_clean(before))[-1]
    number = _NUMBER_AT_END.search(clause)
    if number is None or number.start() == 0:
        return []
    words = clause[: number.start()]
    return [
        (len(f.text), f.notation)
        for f in forms
        if f.verb and f.verb in words and _head_match(phrase, f.object)
    ]


def _verb_in_clause(phrase: str, context: OutcomeContext, forms: Sequence[_Form]) -> list[Match]:
    """Rule 2a: a phrase right before its number, whose verb stands earlier in the clause
    (``共审查以县政府名义下发的|规范性文件|14件``): the verb of a form in the clause before
    the phrase, its object at the phrase's head."""
    if not _NUMBER_FIRST.match(context.after):
        return []
    words = _CLAUSE_END.split(_clean(context.before))[-1]
    return [
        (len(f.text), f.notation)
        for f in forms
        if f.verb and f.verb in words and _head_match(phrase, f.object)
    ]


def _subject(phrase: str, forms: Sequence[_Form]) -> list[Match]:
    """Rule 5a: a subject and its predicate (``条例均已经省人大研究通过``): the number counts
    the subject, the words before the first predicate word, as a form or one at its head."""
    found = _PREDICATE.search(phrase)
    if found is None or found.start() == 0:
        return []
    subject = phrase[: found.start()]
    return _exact(subject, forms) or _contained(subject, forms)


def _total_reached(phrase: str, before: str, forms: Sequence[_Form]) -> str | None:
    """Rule 6d: a total with no noun of its own (``达到49项``, ``累计达``) counts what the
    sentence named last before it: the form of a fitting concept that ends last there."""
    if not _TOTAL.match(phrase):
        return None
    text = _clean(before)
    best_end, matches = -1, []
    for form in forms:
        end = text.rfind(form.text)
        if end < 0:
            continue
        end += len(form.text)
        if end > best_end:
            best_end, matches = end, [(len(form.text), form.notation)]
        elif end == best_end:
            matches.append((len(form.text), form.notation))
    return _decide(matches) if matches else None


def _share(phrase: str, unit: str | None, context: OutcomeContext | None) -> str | None:
    """Rule 6: the rate of the count that the phrase, or the clause before, names."""
    if _unit_kind(unit) not in (RATE, None):
        return None
    stripped = _SHARE_END.sub("", phrase)
    if stripped == phrase and not _SHARE_START.match(phrase):
        return None
    counts = [f for f in _forms() if f.kind == COUNT]
    base: str | None = None
    if stripped and not _SHARE_START.match(stripped):
        matches = _exact(stripped, counts) or _contained(stripped, counts)
        base = _decide(matches) if matches else None
    elif context is not None and context.previous:
        base = context.previous[-1][1]
    if base is None:
        return None
    rates = [c.notation for c in _linkable() if c.kind == RATE and c.related == base]
    return rates[0] if len(rates) == 1 else None


def _topic_named_last(before: str) -> str | None:
    """The topic (collection) whose cue ends last in ``before``; None if none or a tie."""
    text = _clean(before)
    best_end, topics = -1, set()
    for cue, topic in _topic_cues():
        end = text.rfind(cue)
        if end < 0:
            continue
        end += len(cue)
        if end > best_end:
            best_end, topics = end, {topic}
        elif end == best_end:
            topics.add(topic)
    return topics.pop() if len(topics) == 1 else None


def _by_topic(phrase: str, unit: str | None, context: OutcomeContext) -> str | None:
    """Rule 7: a hidden label at the head, of a concept of the topic named last."""
    topic = _topic_named_last(context.before)
    if topic is None:
        return None
    kind = _unit_kind(unit)
    matches = [
        (len(hidden), c.notation)
        for c in _linkable()
        if c.topic == topic and (kind is None or c.kind == kind)
        for hidden in c.hidden
        if _head_match(phrase, hidden)
    ]
    return _decide(matches) if matches else None


def _open_paren_at(text: str) -> int:
    """Where the last parenthesis left open in ``text`` opens; -1 if none is open."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in _CLOSE:
            depth += 1
        elif text[i] in _OPEN:
            if depth == 0:
                return i
            depth -= 1
    return -1


def _part_of_total(phrase: str, unit: str | None, context: OutcomeContext) -> str | None:
    """Rule 8: a part (after 其中, in parentheses, or a level) takes the total's concept."""
    if not context.previous:
        return None
    marker = max(context.before.rfind("其中"), _open_paren_at(context.before))
    if marker >= 0:
        totals = [notation for end, notation in context.previous if end <= marker]
    elif phrase in _LEVELS:
        totals = [context.previous[-1][1]]
    else:
        return None
    if not totals:
        return None
    concept = _by_notation().get(totals[-1])
    kind = _unit_kind(unit)
    if concept is None or concept.kind == RATE or (kind is not None and concept.kind != kind):
        return None
    return concept.notation


def link_indicator(
    raw: str | None, unit: str | None = None, context: OutcomeContext | None = None
) -> str | None:
    """The notation of the concept the raw indicator phrase maps to, or None.

    >>> link_indicator("受理行政复议案件", "件")
    'reconsideration_cases'
    >>> link_indicator("纠错率", "%")
    'reconsideration_correction_rate'
    >>> link_indicator("纠错率", "件") is None
    True
    >>> link_indicator("败诉", "件", OutcomeContext(before="行政诉讼案件164件,"))
    'litigation_losses'
    """
    phrase = _clean(raw or "")
    if not phrase:
        return None
    forms = [f for f in _forms() if _fits(f, unit)]
    matches = _exact(phrase, forms)
    if matches:
        return _decide(matches)
    after = _clause_after(context.after) if context is not None else ""
    if after:
        matches = _object_then_verb(phrase, after, forms)
        if matches:
            return _decide(matches)
    if context is not None:
        matches = _verb_in_clause(phrase, context, forms)
        if matches:
            return _decide(matches)
    for rule in (*_RULES, _subject):
        matches = rule(phrase, forms)
        if matches:
            return _decide(matches)
    if context is not None:
        matches = _people_then_act(phrase, unit, after) or _verb_before_number(
            phrase, context.before, forms
        )
        if matches:
            return _decide(matches)
    shared = _share(phrase, unit, context)
    if shared is not None or context is None:
        return shared
    total = _total_reached(phrase, context.before, forms)
    if total is not None:
        return total
    return _by_topic(phrase, unit, context) or _part_of_total(phrase, unit, context)
