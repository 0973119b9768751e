"""Report metadata from the header block a government page puts above the report and from the
report's own title, 文号 and signature.

Works on the cleaned text's lines. The header zone is the lines before the first body line
(one with a full stop, a long one, or a section heading); the signature is looked for in the
last lines. Nothing is invented: a 文号 whose brackets were lost is kept as written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from kg.corpus.model import Metadata
from kg.corpus.segment import heading_at
from kg.text import CJK, script_of, to_simplified

_HEADER_MAX_LINES = 40
_SIGNATURE_LINES = 15

# Field labels, spaced or not, each followed by an ASCII or full-width colon. Real strings:
# "• 索 引 号:QZ08101-3000-2023-00017", "备注/文号:惠政文〔2023〕8号",
# "发布机构:惠安县人民政府办公室", "公文生成日期:2023-02-07", "时间:2023-02-08 10:10",
# "来源:天福镇 发布时间:2024-07-04 10:14", "时间:2021-09-03 作者:区司法局".
# Labels of fields not kept (主题分类 …) only end a value.
_KEY = re.compile(
    r"(?:(?P<index_number>索\s*引\s*号)"
    r"|(?P<doc_number>(?:备\s*注\s*/\s*)?(?:发\s*文\s*字\s*号|文\s*号))"
    r"|(?P<issuing_body>发\s*布\s*机\s*构|发\s*文\s*机\s*关|发\s*文\s*单\s*位|发\s*布\s*单\s*位)"
    r"|(?P<generated>公\s*文\s*生\s*成\s*日\s*期|生\s*成\s*日\s*期|成\s*文\s*日\s*期)"
    r"|(?P<published>发\s*布\s*(?:时\s*间|日\s*期)|时\s*间|日\s*期)"
    r"|(?P<source>(?:信\s*息|文\s*章)?来\s*源)"
    r"|(?P<author>作\s*者)"
    r"|(?P<other>主\s*题\s*分\s*类|体\s*裁\s*分\s*类|组\s*配\s*分\s*类|服\s*务\s*对\s*象"
    r"|有\s*效\s*性|主\s*题\s*词|关\s*键\s*词|签\s*发\s*人|名\s*称|浏\s*览\s*次\s*数))"
    r"\s*[:：]"
)
_KEY_FIELDS = ("index_number", "doc_number", "issuing_body", "generated", "published",
               "source", "author", "other")

# Dates: "2023-02-07", "2023-02-08 10:10", "2023年3月16日", "2021/09/03", "2021.9.3".
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
# The same in Chinese numerals, as signatures write it: "二〇二三年三月十六日".
_CN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                      r"([一二三四五六七八九十]{1,3})日")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}

# A title: ends with a kind of document, perhaps with a bracketed note. Real strings:
# "惠安县人民政府关于2022年度法治政府建设工作情况的报告",
# "漯河市源汇区法治政府建设示范创建工作 实施方案".
_TITLE_END = re.compile(
    r"(?:报告|方案|意见|通知|规划|纲要|计划|总结|要点|办法|规定|决定|通报|公告|情况|清单|细则)"
    r"(?:[(（][^()（）]{1,12}[)）])?$"
)
# A 文号: "惠政文〔2023〕8号", "漯法〔2021〕2号", "冀政办字[2022]15号".
DOC_NUMBER = re.compile(
    rf"[{CJK}]{{1,12}}\s*[〔\[［(（【]\s*(?:19|20)\d{{2}}\s*[〕\]］)）】]\s*第?\s*\d{{1,5}}\s*号"
)
# A 文号 whose brackets and 号 were lost in scraping, alone at the start of a header line:
# "惠政文20238                   签发人:庄稼祥" (惠政文〔2023〕8号).
_DAMAGED = re.compile(rf"(?P<n>[{CJK}]{{2,8}}?(?:19|20)\d{{2}}\d{{1,4}})号?(?=\s|签发人|$)")
# An issuing body, alone on a line or before 关于. Real strings: "惠安县人民政府",
# "中共太原市迎泽区委", "太原市迎泽区人民政府", "保定市人民政府", "XX街道办事处", "XX县司法局".
_ISSUER = re.compile(
    rf"(?:中共)?[{CJK}()（）]{{1,30}}?(?:人民政府|政府|委员会|党委|党工委|党组|委|办事处|"
    r"办公室|管委会|局|厅|署|院|部|中心|司法所)"
)
# A body or place that starts a title: "XX街道办事处2023年…", "中共蓬溪县天福镇2023年度…".
_TITLE_BODY = re.compile(
    rf"(?:中共)?[{CJK}]{{2,20}}?(?:人民政府|办事处|政府|委员会|党委|委|镇|乡|街道|县|区|市)"
    r"(?=(?:19|20)\d{2}|法治|年度|关于)"
)
_SPLIT_BODIES = re.compile(r"[\s、,，]+")
# A signature date line: "2023年3月16日", "二〇二三年三月十六日", or, damaged, "202327日".
_SIGN_DATE = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零一二三四五六七八九]{4}年"
    r"[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日|(?:19|20)\d{2}\d{1,4}日)$"
)
_NO_DAMAGED = re.compile(r"[年月日]|关于|政府")


@dataclass(frozen=True, slots=True)
class Header:
    """Metadata plus what inference needs: every body named as an issuer or signatory."""

    metadata: Metadata
    issuers: tuple[str, ...] = ()
    signatories: tuple[str, ...] = ()


def parse_date(text: str | None) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD`` (None when there is no valid one)."""
    if not text:
        return None
    match = _DATE.search(text)
    if match:
        y, m, d = (int(g) for g in match.groups())
    else:
        cn = _CN_DATE.search(text)
        if not cn:
            return None
        y = int("".join(str(_CN_DIGITS[c]) for c in cn.group(1)))
        m, d = _cn_number(cn.group(2)), _cn_number(cn.group(3))
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _cn_number(text: str) -> int:
    """"三" -> 3, "十" -> 10, "十六" -> 16, "二十一" -> 21."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, units = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + _CN_DIGITS.get(units, 0)


def _fields(line: str) -> dict[str, str] | None:
    """The labelled fields of a header line that starts with a label, else None."""
    keys = list(_KEY.finditer(line))
    if not keys or keys[0].start() != 0:
        return None
    fields: dict[str, str] = {}
    for key, after in zip(keys, [*keys[1:], None], strict=True):
        name = next(f for f in _KEY_FIELDS if key.group(f))
        value = line[key.end() : after.start() if after else len(line)].strip()
        if value and name != "other":
            fields.setdefault(name, value)
    return fields


def _body_start(lines: list[str]) -> int:
    for i, line in enumerate(lines[:_HEADER_MAX_LINES]):
        if "。" in line or len(line) > 80 or heading_at(line, 0, len(line)):
            return i
    return min(len(lines), _HEADER_MAX_LINES)


def _is_title(line: str) -> bool:
    return (
        6 <= len(line) <= 100
        and "。" not in line
        and not line.startswith("附件")
        and _TITLE_END.search(line) is not None
    )


def _title(
    lines: list[str], header: list[int], page_meta: dict[str, str]
) -> tuple[str | None, int]:
    """The title and the index of its (last) line, -1 when it came from the page's meta data."""
    for i in header:
        if _is_title(lines[i]):
            if i > 0 and i - 1 in header and lines[i - 1].endswith("关于"):
                return lines[i - 1] + lines[i], i
            return lines[i], i
    for key in ("title", "page_title"):
        value = page_meta.get(key)
        if value:
            parts = [p.strip() for p in re.split(r"\s*(?:_|\||--| - )\s*", value) if p.strip()]
            titled = [p for p in parts if _is_title(p)]
            return (titled[0] if titled else parts[0]) if parts else None, -1
    return None, -1


def _bodies(text: str) -> list[str] | None:
    """The issuing bodies ``text`` consists of, or None when it is not only bodies."""
    parts = [p for p in _SPLIT_BODIES.split(text.strip()) if p]
    if parts and all(_ISSUER.fullmatch(p) for p in parts):
        return parts
    return None


def _signature(lines: list[str], start: int) -> tuple[list[str], str | None, str | None]:
    """``(signatory bodies, signature date, 印发 date)`` from the last lines."""
    printed: str | None = None
    for i in range(len(lines) - 1, max(start, len(lines) - _SIGNATURE_LINES) - 1, -1):
        line = lines[i]
        if line.endswith("印发"):  # "惠安县人民政府办公室 2023年2月7日印发"
            printed = printed or parse_date(line)
            continue
        if line.startswith("抄送") or line.startswith("附件"):
            continue
        date = _SIGN_DATE.search(line)
        if not date:
            continue
        bodies: list[str] = []
        same_line = line[: date.start()].strip()
        if same_line:
            bodies = _bodies(same_line) or []
        j = i - 1
        while not same_line and j >= start and len(bodies) < 3:
            found = _bodies(lines[j])
            if not found:
                break
            bodies = found + bodies
            j -= 1
        if bodies or date.start() == 0:
            return bodies, parse_date(date.group()), printed
    return [], None, printed


def read_header(lines: list[str], page_meta: dict[str, str] | None = None) -> Header:
    """Metadata from the cleaned text's (non-blank) ``lines``.

    Lines in traditional characters are read in their simplified form; the title and the
    other fields taken from the text are given back as written. Issuers and signatories stay
    simplified: they are read as place names.
    """
    source = lines[:_HEADER_MAX_LINES] + lines[-_SIGNATURE_LINES:]
    if script_of("\n".join(source)) != "traditional":
        return _read_header(lines, page_meta or {})
    view = [to_simplified(line) for line in lines]
    header = _read_header(view, page_meta or {})
    meta = header.metadata
    written = {
        name: _as_written(getattr(meta, name), view, lines)
        for name in ("title", "doc_number", "issuing_body", "source", "author", "publisher")
    }
    return Header(replace(meta, **written), header.issuers, header.signatories)


def _as_written(value: str | None, view: list[str], lines: list[str]) -> str | None:
    """``value``, found in the simplified ``view`` of ``lines``, as the lines write it (a
    value over two lines, such as a title, is looked for in each pair of lines)."""
    if not value:
        return value
    for i, line in enumerate(view):
        for joined, original in (
            (line, lines[i]),
            (line + view[i + 1], lines[i] + lines[i + 1]) if i + 1 < len(view) else ("", ""),
        ):
            at = joined.find(value)
            if at >= 0 and len(joined) == len(original):
                return original[at : at + len(value)]
    return value


def _read_header(lines: list[str], meta: dict[str, str]) -> Header:
    start = _body_start(lines)
    header = list(range(start))
    fields: dict[str, str] = {}
    plain: list[int] = []
    for i in header:
        found = _fields(lines[i])
        if found is None:
            plain.append(i)
        else:
            for k, v in found.items():
                fields.setdefault(k, v)
    title, title_at = _title(lines, plain, meta)

    doc_number = damaged = None
    if "doc_number" in fields:
        value = fields["doc_number"]
        found_number = DOC_NUMBER.search(value)
        doc_number = found_number.group() if found_number else None
        bad = _DAMAGED.match(value)
        if not doc_number and bad and not _NO_DAMAGED.search(bad.group("n")):
            damaged = bad.group("n")
    for i in plain:
        line = lines[i]
        found_number = DOC_NUMBER.match(line)
        if found_number and not doc_number:
            doc_number = found_number.group()
        bad = _DAMAGED.match(line)
        if bad and not damaged and not _NO_DAMAGED.search(bad.group("n")):
            damaged = bad.group("n")

    issuers: list[str] = []
    if title:
        before = title.split("关于", 1)[0] if "关于" in title else ""
        issuers = (_bodies(before) or []) if before else []
        if not issuers and title_at > 0:
            j = title_at - 1
            while j >= 0 and j in plain and _bodies(lines[j]):
                issuers = (_bodies(lines[j]) or []) + issuers
                j -= 1
    signatories, signed, printed = _signature(lines, start)
    publisher = (
        "、".join(issuers)
        or "、".join(signatories)
        or fields.get("author")
        or fields.get("source")
        or meta.get("author")
        or meta.get("source")
        or _title_body(title)
        or fields.get("issuing_body")
    )
    published = parse_date(fields.get("published")) or parse_date(meta.get("published"))
    metadata = Metadata(
        title=title,
        index_number=fields.get("index_number"),
        doc_number=doc_number,
        damaged_doc_number=damaged,
        issuing_body=fields.get("issuing_body"),
        generated=parse_date(fields.get("generated")),
        published=published or signed or printed,
        source=fields.get("source") or meta.get("source"),
        author=fields.get("author") or meta.get("author"),
        publisher=publisher,
        signed=signed,
    )
    return Header(metadata, tuple(issuers), tuple(signatories))


def _title_body(title: str | None) -> str | None:
    match = _TITLE_BODY.match(title) if title else None
    return match.group() if match else None
