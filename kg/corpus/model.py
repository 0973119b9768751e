"""Plain data produced by ingestion: a :class:`Report` and its parts.

All offsets are character offsets into ``Report.text`` (the cleaned text) unless a name says
``source``; :class:`OffsetMap` maps cleaned offsets back to ``Report.source_text``.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Piecewise map from cleaned-text offsets to source-text offsets.

    ``clean_starts[i]`` in the cleaned text corresponds to ``source_starts[i]`` in the source,
    and the following ``lengths[i]`` characters are copied one to one.
    """

    clean_starts: tuple[int, ...] = ()
    source_starts: tuple[int, ...] = ()
    lengths: tuple[int, ...] = ()

    def to_source(self, offset: int) -> int:
        """The source offset of cleaned offset ``offset`` (an end offset maps past its run)."""
        if not self.clean_starts:
            return offset
        i = max(bisect_right(self.clean_starts, offset) - 1, 0)
        delta = offset - self.clean_starts[i]
        if i + 1 < len(self.clean_starts) and delta > self.lengths[i]:
            delta = self.lengths[i]
        return self.source_starts[i] + delta


@dataclass(frozen=True, slots=True)
class Section:
    """A heading (一、 / (一) / 1.) and the text it governs."""

    heading: str  # the heading as written, up to its first full stop: "(一)坚持党的领导"
    level: int  # 1 for 一、, 2 for (一), 3 for 1., 4 for (1)
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Metadata:
    """Header fields of a saved government page, as written (dates as ISO strings)."""

    title: str | None = None
    index_number: str | None = None  # 索引号
    doc_number: str | None = None  # the report's own 文号, e.g. 惠政文〔2023〕8号
    damaged_doc_number: str | None = None  # as left by scraping, e.g. 惠政文20238
    issuing_body: str | None = None  # 发布机构
    generated: str | None = None  # 公文生成日期
    published: str | None = None  # 发布时间 / 时间 (date part), else the signature's date
    source: str | None = None  # 来源
    author: str | None = None  # 作者
    publisher: str | None = None  # best judgement of who published the report
    signed: str | None = None  # the date under the report's signature


@dataclass(frozen=True, slots=True)
class Report:
    """One ingested report: cleaned text with structure, metadata and inferred facts."""

    path: str
    format: str  # "txt" | "html" | "pdf" | "docx"
    encoding: str | None  # the encoding the bytes were decoded with (None for pdf/docx)
    source_text: str
    text: str
    offsets: OffsetMap
    metadata: Metadata
    region: str | None = None
    level: str | None = None  # province | city | county | district | town
    year_covered: int | None = None
    sections: tuple[Section, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    sentences: tuple[Sentence, ...] = field(default=())
    region_chain: tuple[str, ...] = ()  # the units named down to region, e.g. (太原市, 迎泽区)

    @property
    def name(self) -> str:
        """The file name the gold files and manifests use to refer to this report."""
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]
