"""Rows out: aligned tables for people (CJK characters count two columns), CSV/TSV/JSON for
programs. One routine per format; commands pick one by name.

Text from reports can hold control characters (a form feed from pdftotext, ESC or BEL from a
hostile file). Renderings for people (:func:`format_table`, Markdown) show them as visible
symbols (:func:`visible`) so that nothing in the data drives the terminal; CSV, TSV and JSON keep
the data exact (JSON escapes controls itself). Every XML writer passes its text through
:func:`xml_text`, since XML 1.0 cannot carry most C0 controls even as character references.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

TABLE_FORMATS = ("table", "csv", "tsv", "json", "jsonl")

# Characters XML 1.0 cannot carry at all: C0 controls but tab, LF and CR; lone surrogates;
# U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters shown as symbols in renderings for people: C0 controls, DEL, C1 controls, and the
# bidirectional overrides and isolates that reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced: a vertical tab or form
    feed by a space (they separate text, as a space does), anything else by U+FFFD."""
    if _XML_ILLEGAL.search(text) is None:
        return text
    return _XML_ILLEGAL.sub(lambda m: " " if m[0] in "\x0b\x0c" else "\ufffd", text)


def _symbol(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 CONTROL PICTURES: ESC -> U+241B, BEL -> U+2407
    if code == 0x7F:
        return "\u2421"  # SYMBOL FOR DELETE
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """``text`` safe to print to a terminal: control characters and bidirectional overrides
    shown as symbols (ESC as U+241B, BEL as U+2407, C1 controls as ``<U+009B>``)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: _symbol(m[0]), text)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return " › ".join(_cell(v) for v in value)
    return str(value).replace("\n", " ")


def _table_cell(value: Any) -> str:
    return visible(_cell(value))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain aligned table with a rule under the header; control characters shown as
    symbols (:func:`visible`)."""
    cells = [[_table_cell(v) for v in row] for row in rows]
    headers = [visible(h) for h in headers]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], display_width(c))
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def format_rows(headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> str:
    """``rows`` in one of :data:`TABLE_FORMATS`."""
    if fmt == "table":
        return format_table(headers, rows)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
        return buf.getvalue().rstrip("\n")
    records = [dict(zip(headers, row, strict=True)) for row in rows]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    if fmt == "jsonl":
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    raise ValueError(f"unknown format {fmt!r}")
