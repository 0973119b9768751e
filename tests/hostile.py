"""Hostile and damaged report files, built in memory, for the ingest tests and the fuzz test.

Nothing here is read from disk: each input is made from a few bytes of PDF syntax, zlib, a zip
archive or markup, so the tests say exactly what they feed.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import docx

SENTENCE = "2022年,我县坚持以习近平新时代中国特色社会主义思想为指导,全面贯彻落实党的二十大精神。"
TITLE = "关于2022年法治政府建设情况的报告"


def pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF with a correct cross-reference table from ``{number: object body}``."""
    out = bytearray(b"%PDF-1.4\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets.get(number, 0)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_PAGE = {
    1: b"<< /Type /Catalog /Pages 2 0 R >>",
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>",
    5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
}
_TEXT = b"BT /F1 12 Tf 72 700 Td (Annual report on law-based government, 2022.) Tj ET"


def pdf_page() -> dict[int, bytes]:
    """Objects 1-3 and 5 of a one-page PDF (catalog, page tree, page, font); 4 is the
    page's content, for the caller to add."""
    return dict(_PAGE)


def text_pdf(*, compressed: bool = False) -> bytes:
    """A one-page PDF whose page says one English sentence (Helvetica, no embedded font)."""
    body = stream(zlib.compress(_TEXT), b"/Filter /FlateDecode ") if compressed else stream(_TEXT)
    return pdf({**_PAGE, 4: body})


def cycle_pdf(length: int) -> bytes:
    """A page whose content object is a chain of ``length`` references back to itself:
    ``4 0 obj 4 0 R endobj`` for 1, ``4 -> 6 -> 4`` for 2, …"""
    chain = [4, *range(6, 6 + length - 1)]
    objects = dict(_PAGE)
    for here, there in zip(chain, chain[1:] + chain[:1], strict=True):
        objects[here] = b"%d 0 R" % there
    return pdf(objects)


def kids_cycle_pdf() -> bytes:
    """The page tree lists itself among its own kids."""
    return pdf({**_PAGE, 2: b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                4: stream(_TEXT)})


def length_cycle_pdf() -> bytes:
    """The content stream's /Length is a reference that refers to itself."""
    body = b"<< /Length 6 0 R >>\nstream\n" + _TEXT + b"\nendstream"
    return pdf({**_PAGE, 4: body, 6: b"6 0 R"})


def flate_bomb_pdf(inflated: int) -> bytes:
    """A page whose content stream inflates to ``inflated`` zero bytes."""
    packer = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = [packer.compress(chunk) for _ in range(inflated >> 20)]
    parts.append(packer.compress(bytes(inflated & ((1 << 20) - 1))))
    parts.append(packer.flush())
    return pdf({**_PAGE, 4: stream(b"".join(parts), b"/Filter /FlateDecode ")})


def docx_file(text: str = SENTENCE) -> bytes:
    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bomb_docx(mib: int = 24) -> bytes:
    """A .docx whose document.xml inflates ``mib`` MiB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(mib):
                member.write(bytes(1 << 20))
    return out.getvalue()


def deep_html(depth: int, *, cls: str = "nav", tag: str = "div") -> bytes:
    """The report's text inside ``depth`` nested ``<tag class=cls>`` containers."""
    opening = f'<{tag} class="{cls}">' * depth
    closing = f"</{tag}>" * depth
    return (f"<html><body>{opening}<p>{TITLE}</p><p>{SENTENCE}</p>{closing}</body></html>"
            .encode())


def html_page() -> bytes:
    return (
        '<html><head><meta charset="utf-8"><title>' + TITLE + "</title></head><body>"
        '<div class="nav">首页 | 政务公开</div><table><tr><td>索引号:</td><td>001</td></tr>'
        f"</table><h1>{TITLE}</h1><p>{SENTENCE}</p><div class=\"footer\">版权所有</div>"
        "</body></html>"
    ).encode()


def text_file(codec: str = "utf-8") -> bytes:
    return f"{TITLE}\n{SENTENCE}\n{SENTENCE}\n".encode(codec)
