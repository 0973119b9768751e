"""The document authority: central documents with checked facts, and what a 文号 says.

``kg/data/document_authority.csv`` lists laws, administrative regulations and Party and State
Council documents the reports cite, each with where its facts were checked (``source``; see
``kg/data/README.md``). :func:`lookup` finds the entry for a title however it is written:
width, traditional characters, dashes (— – - ― ～), brackets, 《》 / 〈〉 marks, quotes, white
space, the ``中华人民共和国`` prefix, and the short names the table lists.

A 文号's issuer code also says whose document it is (:func:`doc_number_jurisdiction`): a
national code from ``kg/data/docnumber_issuers.csv`` (国发 → 国务院), or a code opening with a
region's abbreviation — a province's one-character name from
``kg/data/province_abbreviations.csv`` (冀政发 → 河北省), or the first character of a region
the report names or of a city of its province (石政发 in a 河北 report → 石家庄市).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opencc

from kg.nlp.docnumbers import find_doc_numbers
from kg.nlp.places import gazetteer
from kg.resolve.regions import LinkedRegion, link_region
from kg.text import normalize

DATA = Path(__file__).resolve().parent.parent / "data"
AUTHORITY_CSV = DATA / "document_authority.csv"
PROVINCES_CSV = DATA / "province_abbreviations.csv"
ISSUERS_CSV = DATA / "docnumber_issuers.csv"

COLUMNS = ("title", "variants", "issuers", "date", "doc_number", "type", "level", "source")
# The table's types → the document-type concept of the legal rank (kg/vocab.py DOCTYPE).
RANKS = {
    "法律": "law",
    "行政法规": "administrative_regulation",
    "党内法规": "party_regulation",
    "部门规章": "government_rules",
    "规范性文件": "normative_document",
}
LEVELS = ("national",)
NATIONAL_PREFIX = "中华人民共和国"
_MARKS = re.compile("[《》〈〉<>‹›＜＞“”‘’\"'「」『』]")
_TILDE = re.compile("[~～〜]")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@dataclass(frozen=True, slots=True)
class AuthorityEntry:
    """One row of the authority table."""

    title: str
    variants: tuple[str, ...]
    issuers: tuple[str, ...]
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD as the source gives it; "" when not checked
    doc_number: str
    type: str  # a key of RANKS
    level: str
    source: str

    @property
    def rank(self) -> str:
        return RANKS[self.type]


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters (some mirror sites serve reports in traditional ones)."""
    return str(_converter().convert(text))


def title_key(title: str) -> str:
    """The form under which two spellings of one title agree: normalised, simplified, without
    title marks or quotes, ``～`` as a dash, and without the ``中华人民共和国`` prefix.

    >>> title_key("《中华人民共和国行政处罚法》") == title_key("行政處罰法")
    True
    """
    key = _MARKS.sub("", _TILDE.sub("-", normalize(simplified(title))))
    key = _DASHLESS_RANGE.sub(_dashed_range, key)
    return key.removeprefix(NATIONAL_PREFIX) or key


# A bracketed year range whose dash a PDF extraction dropped: (20212025年) → (2021-2025年).
_DASHLESS_RANGE = re.compile(r"\(((?:19|20)\d\d)((?:19|20)\d\d)年\)")


def _dashed_range(m: re.Match[str]) -> str:
    start, end = m.group(1), m.group(2)
    return f"({start}-{end}年)" if start <= end else m.group(0)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in cell.split("|") if p.strip())


def read_authority(path: Path = AUTHORITY_CSV) -> tuple[AuthorityEntry, ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        AuthorityEntry(
            title=r["title"].strip(),
            variants=_split(r["variants"]),
            issuers=_split(r["issuers"]),
            date=r["date"].strip(),
            doc_number=r["doc_number"].strip(),
            type=r["type"].strip(),
            level=r["level"].strip(),
            source=r["source"].strip(),
        )
        for r in rows
    )


@cache
def _index() -> dict[str, AuthorityEntry]:
    index: dict[str, AuthorityEntry] = {}
    for entry in read_authority():
        for spelling in (entry.title, *entry.variants):
            index.setdefault(title_key(spelling), entry)
    return index


def lookup(title: str) -> AuthorityEntry | None:
    """The authority entry for ``title`` in any of its spellings, or None."""
    return _index().get(title_key(title))


def authority_size() -> int:
    return len(read_authority())


def is_date(text: str) -> bool:
    return bool(_DATE.fullmatch(text))


# --- 文号 -------------------------------------------------------------------------------------


@cache
def _national_issuers() -> dict[str, str]:
    with ISSUERS_CSV.open(encoding="utf-8", newline="") as fh:
        return {r["prefix"]: r["issuer"] for r in csv.DictReader(fh)}


@cache
def province_abbreviations() -> dict[str, str]:
    """One-character abbreviation → the province's name: {"冀": "河北省", "川": "四川省", …}."""
    with PROVINCES_CSV.open(encoding="utf-8", newline="") as fh:
        return {a: r["name"] for r in csv.DictReader(fh) for a in _split(r["abbreviations"])}


@dataclass(frozen=True, slots=True)
class NumberIssuer:
    """What a 文号's issuer code says: the national body, or the region whose code it is."""

    code: str  # the issuer code as written: 国办发, 冀政发, 惠委办明电
    issuer: str | None  # a national body's name, when the table knows the code
    region: LinkedRegion | None  # the region the code opens with (None for a national code)

    @property
    def national(self) -> bool:
        return self.issuer is not None


def _first_char_region(char: str, report_region: LinkedRegion | None) -> LinkedRegion | None:
    """The region the report names (itself or above) whose short name opens with ``char``,
    else the one city of the report's province whose short name does."""
    node = report_region
    while node is not None:
        region = gazetteer().by_code.get(node.code or "")
        short = region.short_name if region else ""
        if short.startswith(char) or (not short and node.name.startswith(char)):
            return node
        node = node.parent
    province = report_region.path[0] if report_region else None
    if province is None or char in province_abbreviations():
        return None
    province_region = link_region(province)
    code = province_region.code if province_region else None
    cities = [
        r
        for r in gazetteer().by_code.values()
        if r.parent_code == code and r.level == "city" and r.short_name.startswith(char)
    ]
    return link_region(cities[0].name, chain=(province,)) if len(cities) == 1 else None


def doc_number_issuer(
    number: str | None, report_region: LinkedRegion | None = None
) -> NumberIssuer | None:
    """Whose document a 文号 marks, from its issuer code, or None when the code says nothing
    this module can read.

    >>> doc_number_issuer("国办发〔2018〕118号").issuer
    '国务院办公厅'
    >>> doc_number_issuer("冀政发〔2021〕1号").region.name
    '河北省'
    """
    found = [n for n in find_doc_numbers(number or "") if not n.damaged]
    if not found:
        return None
    code = found[0].issuer
    national = _national_issuers()
    prefix = next((p for p in sorted(national, key=len, reverse=True) if code.startswith(p)), None)
    if prefix is not None:  # 国办发, and 司发通 under 司发
        return NumberIssuer(code, national[prefix], None)
    region = _first_char_region(code[0], report_region)
    if region is None and code[0] in province_abbreviations():
        region = link_region(province_abbreviations()[code[0]])
    return NumberIssuer(code, None, region) if region is not None else None
