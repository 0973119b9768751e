"""Which year a report covers: from its title, its opening, its part headings or the plan it
passes on, else from its date or the year the text names most often. Text in traditional
characters is read through its simplified form."""

from __future__ import annotations

import re
from collections import Counter

from kg.corpus.header import Header
from kg.text import script_of, to_simplified

_TITLE_SPAN = re.compile(r"《[^《》]*》|〈[^〈〉]*〉")
# Years: "2022年度" (covered), "(2021-2025年)" (a range, ignored), "2023年" (single).
_YEAR_OF = re.compile(r"((?:19|20)\d{2})\s*年度")
_YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[-—–~～至到]\s*(?:19|20)?\d{2}\s*年?")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?![0-9])")
# A plan rather than a report on a year: "…示范创建工作 实施方案", "…工作要点".
_PLAN = re.compile(
    r"(?:方案|计划|规划|要点|安排|意见|办法|通知|纲要|细则)(?:[(（][^()（）]*[)）])?$"
)
# A body paragraph that opens with the year it reports on: "2022年,我县坚持…", "2022年以来,…".
_OPENING_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:以来|度)?\s*[,，]")
# "现将我厅2025年…报告如下", "现将《X区2025年…工作要点》印发给你们".
_NOW_REPORTING = re.compile(
    r"现将[^。]{0,40}?((?:19|20)\d{2})\s*年[^。]{0,60}?(?:报告如下|汇报如下|总结如下|印发|公布)"
)
# A part heading that names the year: "一、2020年法治建设工作情况".
_HEADING_YEAR = re.compile(r"^[一二三四五六七八九十]+[、.]\s*((?:19|20)\d{2})\s*年", re.M)
# A plan the report passes on: "《X市2023年度法治政府建设工作安排》".
_PLAN_TITLE_YEAR = re.compile(
    r"《[^《》]{0,30}?((?:19|20)\d{2})\s*年度?[^《》]{0,30}?(?:要点|安排|计划|方案)》"
)


def infer_year(header: Header, body_lines: list[str], text: str = "") -> int | None:
    """The year a report covers: "YYYY年度" in its title; else a single year its title names;
    else the year of "现将…YYYY年…报告如下/印发"; else, for a plan, the year it was
    published; else the year its body opens with or a part heading names; else the year of a
    plan it passes on; else the year before it was published (an annual report comes out
    early the next year); else the year the text names most often."""
    meta = header.metadata
    title = to_simplified(meta.title or "")
    if text and script_of(text) == "traditional":
        text = to_simplified(text)
        body_lines = [to_simplified(line) for line in body_lines]
    found = _YEAR_OF.search(title)
    if found:
        return int(found.group(1))
    years = {int(y) for y in _YEAR.findall(_YEAR_RANGE.sub("", title))}
    if len(years) == 1:
        return years.pop()
    head = _YEAR_RANGE.sub("", text[:5000])
    now = _NOW_REPORTING.search(head)
    if now:
        return int(now.group(1))
    date = meta.generated or meta.published or meta.signed
    if _PLAN.search(title) and date:
        return int(date[:4])
    for line in body_lines[:5]:
        opening = _OPENING_YEAR.match(line)
        if opening:
            return int(opening.group(1))
    heading = _HEADING_YEAR.search(head)
    if heading:
        return int(heading.group(1))
    plan = _PLAN_TITLE_YEAR.search(head)
    if plan:
        return int(plan.group(1))
    if date:
        year, month = int(date[:4]), int(date[5:7])
        return year - 1 if month <= 6 else year
    counts = Counter(_YEAR.findall(_TITLE_SPAN.sub("", head)))
    return int(counts.most_common(1)[0][0]) if counts else None
