"""Small synthetic rule-of-law reports for build tests: a title naming a place and a year, and a
few sentences from a pool that cite documents (some with a 省/市 cue, so the cited document's
jurisdiction depends on the report's place), name institutions and programs and give numbers.

A report is described by a :class:`Spec`; :func:`text` writes it. Reports of different places
that share a sentence share entities (the same document, program …), which is what incremental
builds must get right when one of them changes or goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: (place, its unit word, its province)
PLACES = (
    ("杭州市", "市", "浙江省"),
    ("成都市", "市", "四川省"),
    ("惠安县", "县", "福建省"),
    ("保定市", "市", "河北省"),
    ("蓬溪县", "县", "四川省"),
)

SENTENCES = (
    "{year}年,{place}认真落实省《法治政府建设实施方案》,推动依法行政各项工作落地见效。",
    "{place}司法局牵头深化“放管服”改革,全面推行“一网通办”。",
    "严格执行《中华人民共和国行政处罚法》和《{province}行政执法公示办法》,规范执法行为。",
    "全年共办理行政复议案件{n}件,行政诉讼案件{m}件,行政机关负责人出庭应诉率达到100%。",
    "{place}人民政府印发《关于加强行政规范性文件管理的通知》,开展规范性文件清理。",
    "深入推进证明事项告知承诺制改革,{place}市场监督管理局全面推行“双随机、一公开”监管。",
    "贯彻落实《法治政府建设实施纲要(2021-2025年)》,{unit}委、{unit}政府主要负责人履行推进法治建设第一责任人职责。",
)


@dataclass(frozen=True, slots=True)
class Spec:
    place: int  # index into PLACES
    year: int
    sentences: tuple[int, ...]  # indices into SENTENCES
    n: int = 12


def text(spec: Spec) -> str:
    place, unit, province = PLACES[spec.place]
    title = f"{place}人民政府关于{spec.year}年度法治政府建设情况的报告"
    body = [
        SENTENCES[i].format(
            year=spec.year, place=place, unit=unit, province=province, n=spec.n, m=spec.n // 3 + 1
        )
        for i in spec.sentences
    ]
    opening = f"{spec.year}年,{place}坚持以习近平法治思想为指导,加快建设法治政府。"
    return "\n\n".join([title, opening, *body, f"{place}人民政府\n{spec.year + 1}年3月1日"]) + "\n"


def write(folder: Path, files: dict[str, Spec]) -> Path:
    """``folder`` holding exactly ``files`` (other .txt files removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        if old.name not in files:
            old.unlink()
    for name, spec in files.items():
        path = folder / name
        data = text(spec)
        if not path.exists() or path.read_text(encoding="utf-8") != data:
            path.write_text(data, encoding="utf-8")
    return folder
