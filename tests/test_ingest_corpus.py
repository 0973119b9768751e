"""The five shipped reports: metadata as in corpus/manifest.csv, furniture gone, header and
signature kept, structure and offsets consistent, and fast enough."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kg.corpus import Report, find_reports, read_report

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as _fh:
    MANIFEST = list(csv.DictReader(_fh))
FILES = [row["file"] for row in MANIFEST]


def _report(name: str) -> Report:
    return read_report(CORPUS / name)


def _manifest_view(r: Report) -> dict[str, str]:
    """A report's metadata in the manifest's columns and spelling ("" for none)."""
    meta = r.metadata
    values = {
        "title": meta.title,
        "region": r.region,
        "level": r.level,
        "year_covered": r.year_covered,
        "publisher": meta.publisher,
        "published": meta.generated or meta.published,
        "doc_number": meta.doc_number,
    }
    return {k: "" if v is None else str(v) for k, v in values.items()}


def test_the_manifest_lists_every_shipped_report() -> None:
    assert sorted(p.name for p in find_reports([CORPUS])) == sorted(FILES)


@pytest.mark.parametrize("row", MANIFEST, ids=FILES)
def test_metadata_matches_the_manifest(row: dict[str, str]) -> None:
    got = _manifest_view(_report(row["file"]))
    assert got == {k: row[k] for k in got}


@pytest.mark.parametrize("row", MANIFEST, ids=FILES)
def test_region_chain_ends_the_manifest_region_path(row: dict[str, str]) -> None:
    chain = _report(row["file"]).region_chain
    assert chain and chain[-1] == row["region"]
    assert row["region_path"].endswith("/".join(chain))


def test_damaged_doc_number_is_kept_as_written() -> None:
    meta = _report("000_b93acead5cfcaaf2.txt").metadata
    assert meta.damaged_doc_number == "惠政文20238"
    assert meta.doc_number == "惠政文〔2023〕8号"


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("000_b93acead5cfcaaf2.txt", "index_number", "QZ08101-3000-2023-00017"),
        ("000_b93acead5cfcaaf2.txt", "issuing_body", "惠安县人民政府办公室"),
        ("000_b93acead5cfcaaf2.txt", "generated", "2023-02-07"),
        ("000_b93acead5cfcaaf2.txt", "published", "2023-02-08"),
        ("001_d2cba6cb4c440230.txt", "signed", "2023-03-16"),
        ("003_93de1b03becaf1ca.txt", "source", "天福镇"),
        ("003_93de1b03becaf1ca.txt", "published", "2024-07-04"),
        ("004_31ab376823ec5560.txt", "author", "区司法局"),
        ("004_31ab376823ec5560.txt", "published", "2021-09-03"),
        ("002_f16352c250f01605.txt", "published", None),
    ],
)
def test_header_fields(name: str, field: str, value: str | None) -> None:
    assert getattr(_report(name).metadata, field) == value


# Page furniture in the shipped files: lines the cleaned text must not keep.
FURNITURE = [
    ("000_b93acead5cfcaaf2.txt", ["附件下载", "扫一扫在手机上查看当前页面", "相关解读", "文字解读",
                                  "图片解读", "视频解读", "访谈解读", "媒体报道"]),
    ("001_d2cba6cb4c440230.txt", ["返回首页"]),
    ("002_f16352c250f01605.txt", ["扫一扫在手机打开当前页面"]),
    ("003_93de1b03becaf1ca.txt", ["政府信息公开", "扫一扫在手机打开当前页"]),
]


@pytest.mark.parametrize(("name", "lines"), FURNITURE)
def test_furniture_is_gone(name: str, lines: list[str]) -> None:
    r = _report(name)
    kept = r.text.split("\n")
    for line in lines:
        assert line in r.source_text
        assert line not in kept
    assert not any(line.startswith("•") for line in kept)
    assert "浏览次数" not in r.text and "字体" not in r.text


# Report lines (header, title, signature, 抄送, 附件) that must stay, as whole lines.
KEPT_LINES = [
    ("000_b93acead5cfcaaf2.txt", "索 引 号:QZ08101-3000-2023-00017"),
    ("000_b93acead5cfcaaf2.txt", "备注/文号:惠政文〔2023〕8号"),
    ("000_b93acead5cfcaaf2.txt", "发布机构:惠安县人民政府办公室"),
    ("000_b93acead5cfcaaf2.txt", "惠政文20238 签发人:庄稼祥"),
    ("000_b93acead5cfcaaf2.txt", "中共惠安县委"),
    ("000_b93acead5cfcaaf2.txt", "惠安县人民政府"),
    ("000_b93acead5cfcaaf2.txt", "抄送:市委依法治市办,市司法局。"),
    ("001_d2cba6cb4c440230.txt", "保定市人民政府"),
    ("001_d2cba6cb4c440230.txt", "2023年3月16日"),
    ("002_f16352c250f01605.txt", "中共太原市迎泽区委"),
    ("003_93de1b03becaf1ca.txt", "来源:天福镇 发布时间:2024-07-04 10:14"),
    ("004_31ab376823ec5560.txt", "时间:2021-09-03 作者:区司法局"),
    ("004_31ab376823ec5560.txt", "联 系 人:吴雪雯"),
    ("004_31ab376823ec5560.txt", "附件:1.全国法治政府示范创建指标体系及源汇区任务分解"),
    ("004_31ab376823ec5560.txt", "3.创建工作联络员信息表"),
]


@pytest.mark.parametrize(("name", "line"), KEPT_LINES)
def test_report_lines_are_kept(name: str, line: str) -> None:
    assert line in _report(name).text.split("\n")


# Real sentences, exactly as the sentence splitter must return them.
SENTENCES = [
    ("000_b93acead5cfcaaf2.txt", "一是深入学习宣传贯彻习近平法治思想。"),
    ("001_d2cba6cb4c440230.txt", "现将具体情况报告如下:"),
    ("002_f16352c250f01605.txt", "坚持一体推动、一体落实。"),
    ("003_93de1b03becaf1ca.txt", "二是党委依法执政。"),
    ("004_31ab376823ec5560.txt", "现制定如下实施方案。"),
]


@pytest.mark.parametrize(("name", "sentence"), SENTENCES)
def test_real_sentences_are_found(name: str, sentence: str) -> None:
    assert sentence in [s.text for s in _report(name).sentences]


@pytest.mark.parametrize("name", FILES)
def test_offsets_map_every_character_back_to_the_source(name: str) -> None:
    r = _report(name)
    assert all(r.source_text[r.offsets.to_source(i)] == ch for i, ch in enumerate(r.text))


@pytest.mark.parametrize("name", FILES)
def test_structure_offsets_are_consistent(name: str) -> None:
    r = _report(name)
    assert r.paragraphs and r.sentences and r.sections
    for s in r.sentences:
        assert r.text[s.start : s.end] == s.text
    assert [r.text[p.start : p.end] for p in r.paragraphs] == r.text.split("\n")
    for section in r.sections:
        assert r.text.startswith(section.heading, section.start)
        assert section.start < section.end <= len(r.text)


def test_sections_of_a_plan() -> None:
    r = _report("004_31ab376823ec5560.txt")
    top = [(s.heading, s.level) for s in r.sections if s.level == 1]
    assert top[:3] == [("一、指导思想", 1), ("二、基本原则", 1), ("三、创建目标", 1)]
    first = next(s for s in r.sections if s.heading == "(一)坚持党的领导")
    assert first.level == 2
    governed = r.text[first.start : first.end]
    assert governed.endswith("党政主要负责人切实履行法治建设第一责任人职责。")
    headings = [s.heading for s in r.sections]
    assert "1.深化行政审批制度改革" in headings
    assert "2.漯河市源汇区法治政府示范创建工作台账" not in headings  # an attachment, not a heading
