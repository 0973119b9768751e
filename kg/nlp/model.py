"""Plain data leaving the tagging stage: :class:`Mention` and :class:`Tags`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kg.corpus.model import Report

# Labels of mentions, one per thing the tagger finds.
DOCUMENT = "DOCUMENT"  # title inside the outermost 《…》 (or an alias defined by 以下简称)
NESTED_DOCUMENT = "NESTED_DOCUMENT"  # title inside 〈…〉 or an inner 《…》 of a title
DOC_NUMBER = "DOC_NUMBER"  # 文号, e.g. 惠委办明电〔2021〕13号
DAMAGED_DOC_NUMBER = "DAMAGED_DOC_NUMBER"  # 文号 whose brackets were lost, e.g. 惠政文20238
INSTITUTION = "INSTITUTION"
PROGRAM = "PROGRAM"
OUTCOME = "OUTCOME"
PLACE = "PLACE"

LABELS = (
    DOCUMENT,
    NESTED_DOCUMENT,
    DOC_NUMBER,
    DAMAGED_DOC_NUMBER,
    INSTITUTION,
    PROGRAM,
    OUTCOME,
    PLACE,
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One tagged span of ``Report.text`` with the sentence it stands in."""

    label: str
    text: str
    start: int
    end: int
    sentence: str
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "attributes": dict(self.attributes),
        }


def _distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


@dataclass(frozen=True, slots=True)
class Tags:
    """Everything the tagger found in one report, in text order."""

    report: Report
    mentions: tuple[Mention, ...]

    def of(self, label: str) -> list[Mention]:
        return [m for m in self.mentions if m.label == label]

    def report_info(self) -> dict[str, Any]:
        meta = self.report.metadata
        return {
            "title": meta.title,
            "region": self.report.region,
            "level": self.report.level,
            "year_covered": self.report.year_covered,
            "published": meta.generated or meta.published,
            "publisher": meta.publisher,
            "doc_number": meta.doc_number,
        }

    def to_gold_dict(self) -> dict[str, Any]:
        """The gold files' shape: distinct strings per category, documents with action."""
        documents: dict[str, dict[str, Any]] = {}
        aliases: dict[str, dict[str, str]] = {}
        for m in self.of(DOCUMENT):
            title = m.attributes.get("title", m.text)
            # The action comes from the sentence where the title first appears.
            entry = documents.setdefault(
                title,
                {
                    "title": title,
                    "doc_number": None,
                    "action": m.attributes.get("action", "mentioned"),
                },
            )
            if m.attributes.get("doc_number") and not entry["doc_number"]:
                entry["doc_number"] = m.attributes["doc_number"]
            alias_of = m.attributes.get("alias_of")
            if alias_of:
                aliases.setdefault(title, {"alias": title, "title": alias_of})
        outcomes = [
            {
                "text": m.text,
                "indicator": m.attributes.get("indicator"),
                "value": m.attributes.get("value"),
                "unit": m.attributes.get("unit"),
                "approximate": bool(m.attributes.get("approximate", False)),
            }
            for m in self.of(OUTCOME)
        ]
        return {
            "file": self.report.name,
            "report": self.report_info(),
            "documents": list(documents.values()),
            "nested_documents": _distinct([m.text for m in self.of(NESTED_DOCUMENT)]),
            "aliases": list(aliases.values()),
            "doc_numbers": _distinct([m.text for m in self.of(DOC_NUMBER)]),
            "damaged_doc_numbers": _distinct([m.text for m in self.of(DAMAGED_DOC_NUMBER)]),
            "institutions": _distinct([m.text for m in self.of(INSTITUTION)]),
            "programs": _distinct([m.text for m in self.of(PROGRAM)]),
            "outcomes": outcomes,
            "places": _distinct([m.text for m in self.of(PLACE)]),
            "mentions": [m.to_dict() for m in self.mentions],
        }
