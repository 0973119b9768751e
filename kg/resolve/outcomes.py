"""Outcome indicators linked to the indicator scheme (``scheme:indicator`` in schemes.ttl).

An OUTCOME mention's ``indicator`` attribute is the phrase as written (``受理行政复议案件``,
``纠错率``); :func:`link_indicator` maps it to the ``skos:notation`` of one concept of the
scheme, or to None. The rules are few and deterministic:

*Forms.* A concept is known by its labels (``skos:prefLabel`` and ``skos:altLabel``, @zh)
under :func:`kg.text.normalize`, and by each label without a trailing 数 (``行政复议案件数`` →
``行政复议案件``). The raw phrase is normalised the same way and loses its quotation marks
(``首批选聘“法律明白人”`` → ``首批选聘法律明白人``).

*Kind.* A rate concept (prefLabel …率) fits only a percent-like unit (%, ‰, 个百分点); a
count concept fits any other unit and never a percent; without a unit both fit.

*Head.* A Chinese noun phrase ends in its head, so a form counts only where it ends the
phrase, or is followed by a generic head noun (案件, 事项, 数 …) or by the next item of a
list (、, 和, 及): ``重大行政决策合法性审查`` is a 合法性审查, not a 重大行政决策, and
``行政处罚赋权事项清单`` is no 行政处罚.

Then the first of these rules that finds anything decides:

1. exact: the phrase is a form;
2. contained: the longest form inside the phrase, at its head (``依法办理行政复议案件``);
3. verb and object apart: a form made of a verb and its object (``审查|规范性文件``) where
   words come between the two (``审查以县政府名义下发的规范性文件``, ``排查出矛盾纠纷``);
4. object alone: the object of such a form, three characters or more, at the head without
   its verb (``行政执法案卷`` from ``评查行政执法案卷``).

Never guess: where two different concepts tie at the best length of a rule, the answer is
None (``报送的规范性文件`` could be reviewed, filed or cleaned up).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.nlp.outcome_indicators import PERCENT_UNITS
from kg.text import normalize
from kg.vocab import SCHEME, SCHEMES_TTL

__all__ = ["IndicatorConcept", "indicator_concepts", "link_indicator"]

_PERCENT: Final = frozenset(normalize(u) for u in PERCENT_UNITS)
_QUOTES: Final = str.maketrans("", "", "“”‘’「」『』\"'")
# Verbs that open labels of the scheme (受理|行政复议案件); longest first, so that 调处化解
# is taken before 调处 and 主动公开 before 公开.
_VERBS: Final = tuple(
    sorted(
        {
            "受理", "办理", "新收", "收到", "接收", "审结", "办结", "审查", "审核", "备案",
            "报备", "备案审查", "清理", "废止", "排查", "摸排", "化解", "调处", "调处化解",
            "调解", "聘请", "聘任", "出具", "提供", "解答", "接待", "培养", "培育", "评查",
            "发放", "开展", "作出", "查处", "立案查处", "培训", "主动公开", "公开",
            "依申请公开", "取得",
        },
        key=lambda v: (-len(v), v),
    )
)  # fmt: skip
# What may follow a form at the head of a phrase: a generic head noun, or the next list item.
_GENERIC_HEADS: Final = frozenset({"案件", "事项", "数", "总数", "数量", "人数", "人次", "件次"})
_LIST_JOINERS: Final = ("、", "以及", "和", "及", "与", ",")
_MIN_OBJECT: Final = 3  # shortest object that matches without its verb (rule 4)


@dataclass(frozen=True, slots=True)
class IndicatorConcept:
    """One concept of ``scheme:indicator``."""

    notation: str  # e.g. "reconsideration_cases"
    label_zh: str  # the prefLabel@zh as written in the scheme
    labels: tuple[str, ...]  # prefLabel@zh and altLabels@zh, normalised
    is_rate: bool  # a rate/share concept (expects %, ‰, 个百分点 …)


@dataclass(frozen=True, slots=True)
class _Form:
    """One string a concept is known by, split into its opening verb (may be "") and object."""

    text: str
    verb: str
    notation: str
    is_rate: bool

    @property
    def object(self) -> str:
        return self.text[len(self.verb) :]


def _zh_labels(graph: Graph, concept: URIRef, predicate: URIRef) -> list[str]:
    return sorted(
        str(o)
        for o in graph.objects(concept, predicate)
        if isinstance(o, Literal) and o.language == "zh"
    )


def _concept(graph: Graph, concept: URIRef) -> IndicatorConcept:
    notation = str(graph.value(concept, SKOS.notation))
    label_zh = _zh_labels(graph, concept, SKOS.prefLabel)[0]
    alts = _zh_labels(graph, concept, SKOS.altLabel)
    labels = tuple(dict.fromkeys(normalize(label) for label in [label_zh, *alts]))
    return IndicatorConcept(notation, label_zh, labels, is_rate=label_zh.endswith("率"))


@cache
def indicator_concepts() -> tuple[IndicatorConcept, ...]:
    """The concepts of ``scheme:indicator``, by notation; read from SCHEMES_TTL once."""
    graph = Graph().parse(SCHEMES_TTL, format="turtle")
    members = (c for c in graph.subjects(SKOS.inScheme, SCHEME.indicator) if isinstance(c, URIRef))
    return tuple(sorted((_concept(graph, c) for c in members), key=lambda c: c.notation))


def _opening_verb(text: str) -> str:
    return next((v for v in _VERBS if text.startswith(v) and len(text) > len(v) + 1), "")


def _concept_forms(concept: IndicatorConcept) -> Iterator[_Form]:
    texts = list(concept.labels)
    texts += [t[:-1] for t in concept.labels if t.endswith("数") and len(t) > 2]
    for text in dict.fromkeys(texts):
        yield _Form(text, _opening_verb(text), concept.notation, concept.is_rate)


@cache
def _forms() -> tuple[_Form, ...]:
    return tuple(f for c in indicator_concepts() for f in _concept_forms(c))


def _clean(raw: str) -> str:
    return normalize(raw).translate(_QUOTES)


def _fits(form: _Form, unit: str | None) -> bool:
    """A rate concept only for a percent-like unit, a count concept never for one."""
    if unit is None or not unit.strip():
        return True
    return form.is_rate == (normalize(unit) in _PERCENT)


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
    return [
        (len(f.object), f.notation)
        for f in forms
        if f.verb and len(f.object) >= _MIN_OBJECT and _head_match(phrase, f.object)
    ]


_RULES: Final[tuple[Callable[[str, Sequence[_Form]], list[Match]], ...]] = (
    _exact,
    _contained,
    _verb_apart,
    _object_alone,
)


def _decide(matches: list[Match]) -> str | None:
    """The notation of the longest match; None where two concepts tie."""
    best = max(length for length, _ in matches)
    notations = {notation for length, notation in matches if length == best}
    return notations.pop() if len(notations) == 1 else None


def link_indicator(raw: str | None, unit: str | None = None) -> str | None:
    """The notation of the concept the raw indicator phrase maps to, or None.

    >>> link_indicator("受理行政复议案件", "件")
    'reconsideration_cases'
    >>> link_indicator("纠错率", "%")
    'reconsideration_correction_rate'
    >>> link_indicator("纠错率", "件") is None
    True
    """
    phrase = _clean(raw or "")
    if not phrase:
        return None
    forms = [f for f in _forms() if _fits(f, unit)]
    for rule in _RULES:
        matches = rule(phrase, forms)
        if matches:
            return _decide(matches)
    return None
