"""Implementation and transmission chains between cited documents, each with its evidence.

From a title (the outer document carries out or passes on the one it embeds):

- ``贯彻落实〈X〉责任分工方案``, ``关于落实…〈X〉的通知``, ``关于贯彻〈X〉的实施意见``
  → implements X (a verb of carrying out anywhere between the title's start, or the previous
  inner title, and X);
- ``〈X〉实施细则`` / ``实施办法`` / ``实施方案`` / ``实施意见`` → implements X (and ``X实施细则``
  when X is another title the report cites or a title of the document authority);
- ``关于印发〈X〉的通知``, ``转发〈X〉的通知`` → transmits X.

From a sentence: ``根据《A》,制定《B》``, ``按照《A》的要求,结合实际,出台了《B》``,
``为贯彻《A》……印发《B》`` → B implements A; and ``为贯彻《A》精神……现制定如下实施方案`` → the
report's own document implements A. A negated verb (没有根据《A》制定…, 未按照…) gives no link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kg.nlp.model import DOCUMENT, Mention
from kg.text import normalize

IMPLEMENTS = "implements"
TRANSMITS = "transmits"

# Inside a title, before an inner title: the last such verb decides the link.
_TITLE_VERB = re.compile(r"(印发|转发|下发|颁布|发布)|(贯彻|落实|实施|执行)")
# After an inner title: 〈X〉实施细则 …
_IMPLEMENTING_TAIL = re.compile(
    r"^的?(?:实施细则|实施办法|实施方案|实施意见|贯彻意见|贯彻落实意见)"
)
_TAIL_FORMS = ("实施细则", "实施办法", "实施方案", "实施意见")

# In a sentence, before 《A》 (after the previous title): a verb saying the body acted under A.
_BASIS = re.compile(r"(根据|依据|依照|按照|遵照|贯彻|落实|执行)")
_NEGATION = re.compile(r"(没有|没|未|尚未|并未|不|未能)\s*$")
# Between 《A》 and 《B》: B was made (the clause ends with the verb).
_MAKES = re.compile(
    r"(?:制定|出台|印发|制发|起草|编制|下发|修订|研究制定)(?:了|并印发|下发|实施|出台)?(?:了)?$"
)
_MAKES_ANYWHERE = re.compile(r"制定|出台|印发|制发|起草|编制|下发")
# After 《A》, in its sentence or the next: the report itself is the document made.
_SELF = re.compile(
    r"^[^。《]*。?\s*[^。《]{0,12}?(?:现|特)?制定(?:如下|本)(?:实施)?(?:方案|办法|细则|意见|规定|计划)"
)


@dataclass(frozen=True, slots=True)
class Link:
    """``source`` implements or transmits ``target`` (document keys), as ``evidence`` says."""

    source: str
    relation: str  # IMPLEMENTS | TRANSMITS
    target: str
    evidence: str  # the sentence (or, for a title link, the title) it was read from


def title_link(outer: str, inner: str) -> str | None:
    """How the title ``outer`` relates to the title ``inner`` it embeds, or None.

    >>> title_link("关于落实河北省依法行政办公室〈关于规范执法的通知〉的通知", "关于规范执法的通知")
    'implements'
    >>> title_link("关于印发〈蓬溪县重点工作安排〉的通知", "蓬溪县重点工作安排")
    'transmits'
    """
    at = outer.find(inner)
    if at < 0:
        return None
    before = outer[:at]
    previous = max(before.rfind("〉"), before.rfind("》"))
    verbs = list(_TITLE_VERB.finditer(before[previous + 1 :]))
    if verbs:
        return TRANSMITS if verbs[-1].group(1) else IMPLEMENTS
    after = outer[at + len(inner) :].lstrip("〉》>›")
    return IMPLEMENTS if _IMPLEMENTING_TAIL.match(after) else None


def tail_target(title: str, known: Callable[[str], str | None]) -> str | None:
    """The key of X when ``title`` is ``X实施细则`` (…实施办法/实施方案/实施意见) and ``known``
    maps X to a document key; else None."""
    core = normalize(title)
    for form in _TAIL_FORMS:
        if core.endswith(form) and len(core) > len(form) + 3:
            return known(core[: -len(form)])
    return None


def _position(sentence: str, title: str) -> int:
    for opener in ("《", "〈", ""):
        at = sentence.find(opener + title)
        if at >= 0:
            return at + len(opener)
    return -1


def sentence_links(
    mentions: Iterable[Mention],
    key_of: Callable[[str], str],
    text: str = "",
    own_key: str | None = None,
) -> list[Link]:
    """The links the sentences of ``mentions`` state (see the module docstring).

    ``key_of`` maps a title to its document key; ``text`` is the report's text and ``own_key``
    the key of the report's own document, both needed only for the ``现制定如下实施方案`` form.
    """
    by_sentence: dict[str, list[tuple[int, Mention]]] = {}
    for m in mentions:
        if m.label != DOCUMENT or m.attributes.get("alias_of"):
            continue
        title = str(m.attributes.get("title", m.text))
        at = _position(m.sentence, title)
        if at >= 0:
            by_sentence.setdefault(m.sentence, []).append((at, m))
    links: list[Link] = []
    for sentence, found in by_sentence.items():
        found.sort(key=lambda p: p[0])
        titles = [(at, str(m.attributes.get("title", m.text)), m) for at, m in found]
        for i, (at, title, m) in enumerate(titles):
            start = 0 if i == 0 else titles[i - 1][0] + len(titles[i - 1][1]) + 1
            before = sentence[start : max(start, at - 1)]
            verbs = list(_BASIS.finditer(before))
            verb = verbs[-1] if verbs else None
            if verb is None or _NEGATION.search(before[: verb.start()]):
                continue
            if _MAKES_ANYWHERE.search(before[verb.end() :]):
                continue  # 根据…反馈,制定下发《A》: the verb before A makes A
            end = at + len(title) + 1
            for later_at, later, _ in titles[i + 1 :]:
                between = sentence[end : max(end, later_at - 1)]
                if "《" not in between and _MAKES.search(between.strip()):
                    links.append(Link(key_of(later), IMPLEMENTS, key_of(title), sentence))
                    break
            else:
                if own_key and text and m.end <= len(text):
                    rest = text[m.end : m.end + 200]
                    found_self = _SELF.match(rest)
                    if found_self:
                        evidence = sentence
                        if found_self.group(0).count("。"):
                            evidence = sentence + found_self.group(0).split("。", 1)[1] + "。"
                        links.append(Link(own_key, IMPLEMENTS, key_of(title), evidence.strip()))
    return links
