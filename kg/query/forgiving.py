"""Forgiving parameters: a saved query's value is looked up among the store's labels the way the
resolver compares names, and bound to what the store holds.

A user types ``法治政府建设实施纲要(2021-2025年)`` (ASCII hyphen), ``（2021—2025年）`` (full-width
brackets), ``《…》``, ``保定`` or ``河北省``; the graph writes ``法治政府建设实施纲要(2021—2025年)``
and ``保定市``, and the saved queries compare strings. So, before the query runs, each parameter
whose name says what it holds is looked up:

- ``title`` (words of a document's title) and ``indicator`` (words of what an outcome counts):
  the value and every title (or raw indicator and indicator label) are reduced to one key —
  NFKC, one dash, no white space, brackets of every kind as ``()``, no quotation or book-title
  marks (:func:`match_key`) — and the value is bound to the words of each label whose key
  holds the value's key, as the label writes them. A document's ``skos:altLabel`` (a short
  name, a variant) binds the document's title.
- ``region``: a region's name, its short name (``保定`` → 保定市, ``河北`` → 河北省) or an
  altLabel; the value is bound to that region and every region the store places under it
  (``kg:partOf``), so ``region=河北省`` covers 保定市's and its counties' reports.

A value that matches nothing is bound as written; when the answer is then empty,
:func:`empty_answer_note` says on stderr what was looked for and the closest labels.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import pyoxigraph as ox

from kg.query.run import Answer
from kg.store import KGStore

_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\uff0d\ufe63\u2212-")
_OPEN = frozenset("([{【〔〖〘〚")
_CLOSE = frozenset(")]}】〕〗〙〛")
_MARKS = frozenset("《》〈〉<>“”‘’\"'「」『』〝〞〟«»‹›")
_PRC = "中华人民共和国"
_REGION_SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "街道", "林区",
    "省", "市", "县", "区", "旗", "盟", "镇", "乡",
)  # fmt: skip
_CLOSEST = 5


def _keyed(text: str) -> tuple[str, list[int]]:
    """:func:`match_key` of ``text`` and, for each of its characters, where it came from."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            if c.isspace() or c in _MARKS:
                continue
            c = "-" if c in _DASHES else "(" if c in _OPEN else ")" if c in _CLOSE else c
            chars.append(c.lower())
            where.append(i)
    return "".join(chars), where


def match_key(text: str) -> str:
    """The key under which spellings of one name agree.

    >>> match_key("《实施纲要（2021—2025年）》") == match_key("实施纲要(2021-2025年)")
    True
    """
    return _keyed(text)[0]


def surface(value: str, label: str) -> str | None:
    """The words of ``label`` that ``value`` stands for (compared by :func:`match_key`)."""
    key = match_key(value)
    label_key, where = _keyed(label)
    at = label_key.find(key) if key else -1
    if at < 0:
        return None
    return label[where[at] : where[at + len(key) - 1] + 1]


@dataclass
class Lookup:
    """One parameter looked up: what was given, and what it was bound to."""

    name: str
    value: str
    bound: list[str] = field(default_factory=list)  # the store's words it stands for
    labels: list[str] = field(default_factory=list)  # what it was compared with

    @property
    def matched(self) -> bool:
        return bool(self.bound)


def _strings(store: KGStore, query: str) -> list[tuple[str, ...]]:
    rows = store.select(query, union=True)
    return [tuple(term.value if term is not None else "" for term in row) for row in rows]


def _minimal(forms: Iterable[str]) -> list[str]:
    """``forms`` without any that holds another (it would match the same labels twice)."""
    unique = sorted(set(forms), key=len)
    kept: list[str] = []
    for form in unique:
        if not any(k in form for k in kept):
            kept.append(form)
    return kept


def _words(value: str, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """The bound forms for ``value`` among (label, what binding it binds) pairs."""
    found: list[str] = []
    for label, binds in pairs:
        words = surface(value, label)
        if words is not None:
            found.append(words if label == binds else binds)
    return _minimal(found)


def _lookup_words(store: KGStore, name: str, value: str, query: str) -> Lookup:
    pairs = [(row[0], row[1] or row[0]) for row in _strings(store, query) if row[0]]
    found = _words(value, pairs)
    if not found and match_key(value).startswith(_PRC):
        found = _words(value.replace(_PRC, "", 1), pairs)
    return Lookup(name, value, found, sorted({p[1] for p in pairs}))


_TITLES = """
    SELECT DISTINCT ?label ?title WHERE {
      { ?d a kg:PolicyDocument ; dcterms:title ?title . BIND(?title AS ?label) }
      UNION { ?d a kg:PolicyDocument ; dcterms:title ?title ; skos:altLabel ?label }
    }"""
_INDICATORS = """
    SELECT DISTINCT ?label ?binds WHERE {
      { ?o kg:rawIndicator ?label }
      UNION { ?o kg:indicator ?c . ?c skos:notation|skos:prefLabel|skos:altLabel ?label }
    }"""
_REGIONS = """
    SELECT DISTINCT ?label ?name ?under WHERE {
      { ?r a kg:Region ; skos:prefLabel ?name . BIND(?name AS ?label) }
      UNION { ?r a kg:Region ; skos:prefLabel ?name ; skos:altLabel ?label }
      ?u kg:partOf* ?r ; skos:prefLabel ?under .
    }"""


def _short(name: str) -> str:
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _lookup_region(store: KGStore, name: str, value: str) -> Lookup:
    rows = _strings(store, _REGIONS)
    key = match_key(value)
    names = {n for label, n, _u in rows if match_key(label) == key}
    if not names:  # a short name: 保定 for 保定市, 河北 for 河北省
        names = {n for label, n, _u in rows if match_key(_short(label)) == key}
    under = sorted({u for _label, n, u in rows if n in names})
    return Lookup(name, value, under, sorted({n for _l, n, _u in rows}))


def lookup(store: KGStore, name: str, value: str) -> Lookup | None:
    """``value`` of parameter ``name`` looked up in ``store``; None for a name that says
    nothing of what it holds."""
    if name == "title":
        return _lookup_words(store, name, value, _TITLES)
    if name == "indicator":
        return _lookup_words(store, name, value, _INDICATORS)
    if name == "region":
        return _lookup_region(store, name, value)
    return None


def forgive(
    store: KGStore, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal]
) -> tuple[dict[ox.Variable, list[ox.NamedNode | ox.Literal]], list[Lookup]]:
    """The rows to bind for each parameter (:func:`kg.query.params.with_rows`), and what each
    looked-up parameter was bound to."""
    rows: dict[ox.Variable, list[ox.NamedNode | ox.Literal]] = {}
    lookups: list[Lookup] = []
    for variable, term in substitutions.items():
        found = None
        if isinstance(term, ox.Literal) and term.datatype.value.endswith("#string"):
            found = lookup(store, variable.value, term.value)
        if found is None:
            rows[variable] = [term]
            continue
        lookups.append(found)
        rows[variable] = [ox.Literal(w) for w in found.bound] or [ox.Literal(term.value)]
    return rows, lookups


def closest(value: str, labels: Iterable[str], n: int = _CLOSEST) -> list[str]:
    """The labels nearest ``value`` by their keys: shared words first, then similarity."""
    key = match_key(value)
    if not key:
        return []

    def score(label: str) -> float:
        other = match_key(label)
        matcher = SequenceMatcher(None, key, other, autojunk=False)
        common = matcher.find_longest_match(0, len(key), 0, len(other)).size
        return common / len(key) + matcher.ratio()

    scored = sorted(((score(label), label) for label in set(labels)), key=lambda x: (-x[0], x[1]))
    return [label for s, label in scored[:n] if s >= 0.5]


def empty_answer_note(lookups: Sequence[Lookup]) -> str:
    """What an empty answer looked for, and the closest labels the store holds."""
    lines = []
    for lk in lookups:
        if lk.matched:
            shown = ", ".join(lk.bound[:_CLOSEST]) + (" …" if len(lk.bound) > _CLOSEST else "")
            lines.append(f"{lk.name}={lk.value!r} was looked for as: {shown}")
        else:
            near = closest(lk.value, lk.labels)
            tail = f"; closest in the store: {'; '.join(near)}" if near else ""
            lines.append(f"{lk.name}={lk.value!r} matches no {lk.name} in the store{tail}")
    return "no rows. " + "\n".join(lines) if lines else ""


_PLAIN_LITERAL = re.compile(
    r'(?<![\\\w])"((?:[^"\\\n]|\\.)*)"(?!\s*(?:@|\^\^))|'
    r"(?<![\\\w])'((?:[^'\\\n]|\\.)*)'(?!\s*(?:@|\^\^))"
)


def untagged_literal_hint(store: KGStore, text: str) -> str:
    """A hint when a plain string in ``text`` (no ``@zh``) is in the store only as ``@zh``."""
    from kg.query.params import _LEX  # strings are whole tokens there: no literal in a comment

    hints = []
    for token in _LEX.finditer(text):
        m = _PLAIN_LITERAL.fullmatch(token.group()) if token.lastgroup == "skip" else None
        after = text[token.end() : token.end() + 3].lstrip()
        if m is None or after.startswith(("@", "^^")):
            continue
        value = m.group(1) if m.group(1) is not None else m.group(2)
        if not value or "\\" in value:
            continue
        tagged = ox.Literal(value, language="zh")
        if store.ask(f"ASK {{ GRAPH ?g {{ ?s ?p {tagged} }} }}"):
            hints.append(
                f'"{value}" matches nothing, but the store has {tagged} — the graph\'s names '
                f'are tagged @zh: write {tagged}, or compare STR(?x) = "{value}"'
            )
    return "\n".join(dict.fromkeys(hints))


def answer_is_empty(answer: Answer) -> bool:
    """Whether a SELECT answer has no rows (read from the rendered text where its format does
    not count them)."""
    if answer.kind != "select":
        return False
    if answer.rows >= 0:
        return answer.rows == 0
    text = answer.text.lstrip()
    if text.startswith("{"):
        try:
            return not json.loads(text)["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            return False
    return "<result>" not in text and "<result " not in text


def explain_empty(
    store: KGStore | None, answer: Answer, inline: str | None, lookups: Sequence[Lookup]
) -> str | None:
    """None when ``answer`` is not empty; else why it may be (see :func:`empty_answer_note`
    and :func:`untagged_literal_hint`), "" when there is nothing to say or no store to ask."""
    if not answer_is_empty(answer):
        return None
    if store is None:
        return ""
    if inline is not None:
        return untagged_literal_hint(store, inline)
    return empty_answer_note(lookups)


def bind_saved(
    store: KGStore, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal]
) -> tuple[str, list[Lookup]]:
    """A saved query's ``text`` with its parameters looked up (:func:`forgive`) and bound
    (:func:`kg.query.params.with_rows`): what ``kg query`` runs, and ``kg serve`` may."""
    from kg.query.params import with_rows

    rows, lookups = forgive(store, substitutions)
    return with_rows(text, rows), lookups
