"""Text out of a saved government web page (bs4 + lxml), one line per block element.

Scripts, styles, forms' controls, hidden elements, <nav> and elements whose class or id says
navigation, menu, breadcrumb, share bar or footer are skipped. Inline elements run together;
collapsible white space becomes one space, and a source line break between two hanzi
disappears (as browsers render Chinese). Table cells of one row share a line, so
"索引号: … 发布机构: …" stays together. The page's <title> and the CMS <meta> fields
gov.cn sites carry (ArticleTitle, PubDate, ContentSource, Author) are returned for
metadata fallbacks.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from bs4.element import (
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from kg.corpus.decode import decode
from kg.corpus.formats import MAX_TEXT_CHARS, Extracted, describe, normalise_newlines
from kg.errors import IngestError

_SKIP = frozenset({
    "script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg",
    "canvas", "select", "option", "button", "input", "textarea", "nav", "map", "audio", "video",
})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
    "caption", "body", "html", "title",
})
_CELL = frozenset({"td", "th"})
# class/id values of page furniture: "nav", "top-nav", "menu", "breadcrumb", "crumbs",
# "bdsharebuttonbox" / "share", "footer", "bottom-footer", "sidebar".
_FURNITURE_ATTR = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|crumbs?|bdsharebuttonbox|share|footer|sidebar)"
    r"(?:$|[-_\s])",
    re.IGNORECASE,
)
# <meta charset="gb2312"> and <meta http-equiv="Content-Type" content="text/html; charset=GBK">
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# style="display:none" / "visibility: hidden": text a reader never sees.
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")
_SOFT_SPACE = re.compile(r"[ \t\n\r\f]+")
# A collapsed line break between hanzi, or a hanzi and punctuation, goes (as CSS Text 3 says
# for East Asian text): "法治\n    政府" -> "法治政府", "为指导,\n   全面" -> "为指导,全面".
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_PUNCT = r"[!-/:-@\[-`{-~\u2010-\u201f]"
_CJK_BREAK = re.compile(rf"(?<={_CJK})\x00(?={_CJK}|{_PUNCT})|(?<={_PUNCT})\x00(?={_CJK})")
_META_FIELDS = {"articletitle": "title", "pubdate": "published", "contentsource": "source",
                "author": "author", "firstpublishedtime": "published"}


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _text_sizes(root: Tag) -> dict[int, int]:
    """``len(tag.get_text())`` of every tag under ``root``, by ``id(tag)``, in one pass (asking
    each nested container for its text is quadratic in the depth)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Tag, bool]] = [(root, False)]
    while stack:
        tag, done = stack.pop()
        if not done:
            stack.append((tag, True))
            stack.extend((child, False) for child in tag.contents if isinstance(child, Tag))
            continue
        total = 0
        for child in tag.contents:
            if isinstance(child, Tag):
                total += sizes[id(child)]
            elif isinstance(child, NavigableString) and type(child) in (NavigableString, CData):
                # what get_text() counts: not comments, doctypes, scripts
                total += len(child)
        sizes[id(tag)] = total
    return sizes


def _is_furniture(tag: Tag, page_chars: int, sizes: dict[int, int]) -> bool:
    if tag.name == "nav" or tag.has_attr("hidden"):
        return True
    style = tag.get("style")
    if isinstance(style, str) and _HIDDEN.search(style):
        return True
    values: list[str] = []
    for name in ("class", "id"):
        value = tag.get(name)
        if isinstance(value, str):
            values.append(value)
        elif value:
            values.extend(value)
    if not any(_FURNITURE_ATTR.search(v) for v in values):
        return False
    # A container that holds most of the page is the page, whatever its class says.
    return sizes[id(tag)] < 0.3 * page_chars


def _soft(text: str) -> str:
    """Collapse white space as a browser does; a run holding a line break becomes NUL (for
    :data:`_CJK_BREAK`), other runs a space."""
    return _SOFT_SPACE.sub(lambda m: "\x00" if "\n" in m.group() else " ", text)


def _render(soup: BeautifulSoup) -> str:
    parts: list[str] = []
    sizes = _text_sizes(soup)
    page_chars = max(sizes[id(soup)], 1)
    stack: list[tuple[object, bool]] = [(soup, False)]
    pre = 0
    while stack:
        node, closing = stack.pop()
        if closing:
            assert isinstance(node, Tag)
            if node.name == "pre":
                pre -= 1
            parts.append("\n")
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
                parts.append(str(node) if pre else _soft(str(node)))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name in _SKIP or _is_furniture(node, page_chars, sizes):
            continue
        if name == "br":
            parts.append("\n")
            continue
        if name in _BLOCK:
            parts.append("\n")
            stack.append((node, True))
            if name == "pre":
                pre += 1
        elif name in _CELL:
            parts.append(" ")
        stack.extend((child, False) for child in reversed(node.contents))
    text = _CJK_BREAK.sub("", "".join(parts))
    return text.replace("\x00", " ")


def _page_meta(soup: BeautifulSoup) -> dict[str, str]:
    meta: dict[str, str] = {}
    if soup.title and soup.title.string:
        meta["page_title"] = soup.title.string.strip()
    for tag in soup.find_all("meta"):
        if not isinstance(tag, Tag):
            continue
        name = tag.get("name")
        content = tag.get("content")
        if isinstance(name, str) and isinstance(content, str) and content.strip():
            key = _META_FIELDS.get(name.strip().lower())
            if key and key not in meta:
                meta[key] = content.strip()
    return meta


def extract_html(data: bytes, path: str) -> Extracted:
    decoded = decode(data, path=path, declared=declared_charset(data))
    markup = _XML_DECL.sub("", decoded.text.replace("\x00", ""))
    try:
        soup = BeautifulSoup(markup, "lxml")
        text = _render(soup)
        meta = _page_meta(soup)
    except MemoryError:
        raise
    except RecursionError as err:
        raise IngestError(path, "the HTML is nested too deeply to read; it is not a normal "
                                "web page") from err
    except Exception as err:  # bs4/lxml: damaged markup they cannot recover from
        raise IngestError(path, f"cannot parse the HTML ({describe(err)})") from err
    if len(text) > MAX_TEXT_CHARS:
        raise IngestError(path, f"the page has over {MAX_TEXT_CHARS} characters of text; split it")
    return Extracted(normalise_newlines(text), "html", decoded.encoding, meta)
