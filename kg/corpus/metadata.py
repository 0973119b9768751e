"""Facts about reports that a user supplies: ``kg build --metadata FILE``.

Inference reads a report's region, level and year from its text (:mod:`kg.corpus.infer`); a
report whose text does not say them would drop out of every region or year question. A
metadata file supplies or corrects them, and wins over inference. It is a CSV file with a
header row; ``file`` (the report's file name, as ``kg build`` lists it) is required, every other
column optional, and an empty cell leaves the inferred value as it is:

- ``region`` — the region's name (惠安县); ``region_path`` — the units from the province down,
  ``/``-separated (福建省/泉州市/惠安县), which settles names several divisions share;
- ``level`` — province, city, county, district or town;
- ``year`` (or ``year_covered``) — the year the report covers;
- ``title``, ``publisher``, ``published``, ``doc_number`` — the report's own header facts.

The columns are those of ``corpus/manifest.csv``, so a manifest can be passed as it is.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from kg.corpus.model import Report
from kg.errors import KGError

LEVELS = ("province", "city", "county", "district", "town")
_COLUMNS = (
    "file", "region", "region_path", "level", "year", "year_covered",
    "title", "publisher", "published", "doc_number",
)  # fmt: skip
_YEARS = range(1949, 2101)
MAX_ROWS = 100_000


class MetadataError(KGError):
    """A metadata file that cannot be read or holds a bad value."""


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """What a metadata row says of one report (None: nothing, keep what was inferred)."""

    region: str | None = None
    region_chain: tuple[str, ...] = ()
    level: str | None = None
    year_covered: int | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    doc_number: str | None = None

    def digest(self) -> str:
        """A short digest of the facts: a report built with other facts is built again."""
        text = "\x1f".join(str(getattr(self, f.name)) for f in fields(self))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def apply(self, report: Report) -> Report:
        """``report`` with these facts in place of what was inferred."""
        if self == ReportFacts():
            return report
        meta = report.metadata
        return replace(
            report,
            region=self.region if self.region is not None else report.region,
            region_chain=(self.region_chain or (self.region,))
            if self.region is not None
            else report.region_chain,
            level=self.level if self.level is not None else report.level,
            year_covered=self.year_covered
            if self.year_covered is not None
            else report.year_covered,
            metadata=replace(
                meta,
                title=self.title if self.title is not None else meta.title,
                publisher=self.publisher if self.publisher is not None else meta.publisher,
                published=self.published if self.published is not None else meta.published,
                doc_number=self.doc_number if self.doc_number is not None else meta.doc_number,
            ),
        )


def _row_facts(row: dict[str, str], where: str) -> ReportFacts:
    def cell(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    path = cell("region_path")
    chain = tuple(p.strip() for p in path.split("/") if p.strip()) if path else ()
    region = cell("region") or (chain[-1] if chain else None)
    if region and chain and chain[-1] != region:
        raise MetadataError(f"{where}: region {region!r} is not the last unit of {path!r}")
    level = cell("level")
    if level is not None and level not in LEVELS:
        raise MetadataError(f"{where}: level {level!r} must be one of {', '.join(LEVELS)}")
    year_text = cell("year") or cell("year_covered")
    year = None
    if year_text is not None:
        if not year_text.isdigit() or int(year_text) not in _YEARS:
            raise MetadataError(f"{where}: year {year_text!r} must be a year such as 2022")
        year = int(year_text)
    return ReportFacts(
        region=region,
        region_chain=chain,
        level=level,
        year_covered=year,
        title=cell("title"),
        publisher=cell("publisher"),
        published=cell("published"),
        doc_number=cell("doc_number"),
    )


def load_metadata(path: str | Path) -> dict[str, ReportFacts]:
    """The facts of ``path``'s rows, by report file name; a bad file or value is an error
    naming the line."""
    name = str(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in reader.fieldnames or []]
            if "file" not in columns:
                raise MetadataError(
                    f"{name}: the first row must name the columns, among them 'file' "
                    f"(known columns: {', '.join(_COLUMNS)})"
                )
            unknown = [c for c in columns if c not in _COLUMNS]
            if unknown:
                raise MetadataError(
                    f"{name}: unknown column {unknown[0]!r}; known columns: {', '.join(_COLUMNS)}"
                )
            reader.fieldnames = columns
            facts: dict[str, ReportFacts] = {}
            for row in reader:
                where = f"{name} line {reader.line_num}"
                if len(facts) >= MAX_ROWS:
                    raise MetadataError(f"{name}: more than {MAX_ROWS:,} rows")
                file = Path((row.get("file") or "").strip()).name
                if not file:
                    raise MetadataError(f"{where}: the 'file' cell is empty")
                if file in facts:
                    raise MetadataError(f"{where}: {file} is listed twice")
                facts[file] = _row_facts(row, where)
    except OSError as err:
        raise MetadataError(f"cannot read the metadata file {name}: {err.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise MetadataError(f"{name} is not a UTF-8 CSV file: {err}") from None
    return facts


def missing_facts(report: Report) -> list[str]:
    """What a built report lacks that region and year questions need: its region (none, or
    one that cannot be placed in the hierarchy), its level, its year."""
    from kg.resolve.regions import link_region

    missing = []
    if report.region is None:
        missing.append("region")
    elif link_region(report.region, chain=report.region_chain, text=report.text) is None:
        missing.append(f"region ({report.region!r} cannot be placed)")
    if report.level is None:
        missing.append("level")
    if report.year_covered is None:
        missing.append("year")
    return missing
