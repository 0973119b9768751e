"""Link a region name to China's administrative hierarchy (GB/T 2260 codes).

The divisions down to county level come from ``kg/data/regions.csv`` (see its README for the
source). A name that is not there — a town (镇/乡), a 街道 or a village — is placed under the
nearest unit the report names above it, without a code. A name shared by several divisions
(朝阳区 in 北京市 and in 长春市) is resolved by the units named with it (``chain``) and then
by which of the candidates' ancestors the report's text names; if that still does not decide,
nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.nlp.places import Region, gazetteer, region_level

_BELOW_COUNTY = (
    ("街道", "town"),
    ("镇", "town"),
    ("乡", "town"),
    ("村", "village"),
    ("社区", "village"),
)
_MAX_DEPTH = 6


@dataclass(frozen=True, slots=True)
class LinkedRegion:
    """A region placed in the hierarchy: ``parent`` runs up to the province."""

    name: str
    level: str  # province | city | county | district | town | village
    code: str | None  # GB/T 2260 code; None below county level
    parent: LinkedRegion | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """Names from the province down to this region: (福建省, 泉州市, 惠安县)."""
        names: list[str] = []
        node: LinkedRegion | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return tuple(reversed(names))

    @property
    def county_code(self) -> str | None:
        """The code of this region or of its nearest ancestor that has one."""
        node: LinkedRegion | None = self
        while node is not None and node.code is None:
            node = node.parent
        return node.code if node else None


def _level(region: Region) -> str:
    return region_level(region)


def _from_code(code: str, depth: int = 0) -> LinkedRegion | None:
    region = gazetteer().by_code.get(code)
    if region is None or depth > _MAX_DEPTH:
        return None
    parent = _from_code(region.parent_code, depth + 1) if region.parent_code else None
    return LinkedRegion(region.name, _level(region), region.code, parent)


def _ancestor_names(region: Region) -> list[str]:
    names: list[str] = []
    by_code = gazetteer().by_code
    current = by_code.get(region.parent_code)
    while current is not None and len(names) < _MAX_DEPTH:
        names += [current.name, current.short_name]
        current = by_code.get(current.parent_code)
    return [n for n in names if n]


def _choose(candidates: Sequence[Region], chain: Sequence[str], text: str) -> Region | None:
    if len(candidates) == 1:
        return candidates[0]
    named = [c for c in candidates if set(_ancestor_names(c)) & set(chain)]
    if len(named) == 1:
        return named[0]
    pool = named or list(candidates)
    scores = [sum(text.count(n) for n in _ancestor_names(c)) for c in pool]
    best = max(scores, default=0)
    if best > 0 and scores.count(best) == 1:
        return pool[scores.index(best)]
    return None


def _below_county_level(name: str) -> str | None:
    for suffix, level in _BELOW_COUNTY:
        if name.endswith(suffix) and len(name) > len(suffix):
            return level
    return None


def link_region(name: str, *, chain: Sequence[str] = (), text: str = "") -> LinkedRegion | None:
    """``name`` placed in the hierarchy, or None when it is unknown or stays ambiguous.

    ``chain`` is the units the report names down to the region, e.g. (蓬溪县, 天福镇);
    ``text`` is the report's text, used only to tell apart divisions that share a name.

    >>> link_region("惠安县").path
    ('福建省', '泉州市', '惠安县')
    >>> link_region("天福镇", chain=("蓬溪县", "天福镇")).county_code
    '510921'
    """
    candidates = gazetteer().by_name.get(name, [])
    if candidates:
        chosen = _choose(candidates, chain, text)
        return _from_code(chosen.code) if chosen else None
    level = _below_county_level(name)
    above = [unit for unit in chain if unit != name]
    if level is None or not above:
        return None
    parent = link_region(above[-1], chain=above, text=text)
    return LinkedRegion(name, level, None, parent) if parent else None
