"""A small store whose report text holds control characters, for the export and output tests.

One shipped report is copied with a form feed (as pdftotext writes between pages), BEL, ESC
sequences and U+FFFE put into its lines, and built: ingest cleaning must leave them out. Then,
as an older store built before that cleaning would hold them, every Chinese title and name
gets a second value that starts with :data:`INJECTED` (NUL first, so that ``MIN(…)`` in the
view queries picks it): the exporters must still write well-formed XML and the terminal
renderings must not pass the controls on.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "corpus" / "000_b93acead5cfcaaf2.txt"

#: What an old store's literals start with: NUL, BEL, form feed, ESC[2J (clear screen), a C1
#: CSI, U+FFFE, a right-to-left override.
INJECTED = "\x00\x07\x0c\x1b[2J\x9b\ufffe\u202e"
TITLE = "http://purl.org/dc/terms/title"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


def report_with_controls() -> str:
    """The shipped report with controls in it (no NUL: ingest rightly refuses that as binary)."""
    text = REPORT.read_text(encoding="utf-8")
    lines = text.split("\n")
    for i in range(0, len(lines), 7):
        lines[i] = lines[i] + "\x0c"  # a page break every few lines
    text = "\n".join(lines)
    text = text.replace("法治政府", "法治\x07政府\x1b[2J", 5)
    return text.replace("报告", "报告\ufffe\x1b]0;x\x07", 3)  # …and a terminal title change


def build_control_store(where: Path) -> Path:
    """Build the report with controls into ``where``/store, then add old-store literals."""
    from kg.build import build
    from kg.store import open_store

    corpus = where / "corpus"
    corpus.mkdir(parents=True)
    (corpus / REPORT.name).write_text(report_with_controls(), encoding="utf-8")
    path = where / "store"
    with open_store(path) as store:
        build([corpus], store, jobs=1)
        inner = store.inner
        added = []
        for quad in inner.quads_for_pattern(None, None, None):
            obj = quad.object
            if (
                quad.predicate.value in (TITLE, PREF_LABEL)
                and isinstance(obj, ox.Literal)
                and obj.language == "zh"
            ):
                literal = ox.Literal(INJECTED + obj.value, language="zh")
                added.append(ox.Quad(quad.subject, quad.predicate, literal, quad.graph_name))
        assert added, "the report built no Chinese titles or names"
        for quad in added:
            inner.add(quad)
    return path
