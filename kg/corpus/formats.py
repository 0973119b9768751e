"""Text out of .txt, .pdf and .docx bytes (HTML is in :mod:`kg.corpus.html`), with size limits.

Everything a parsing library raises for a bad file becomes one :class:`IngestError` naming the
file and the reason; no library traceback gets out.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import re
import statistics
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.corpus.decode import decode
from kg.errors import IngestError

MAX_FILE_BYTES = 50 * 1024 * 1024  # a report file larger than this is refused unread
MAX_TEXT_CHARS = 20_000_000  # extracted text larger than this is refused
MAX_PDF_PAGES = 2000
MAX_PDF_STREAM = 64 * 1024 * 1024  # bytes one compressed PDF stream may inflate to
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_TOTAL = 200 * 1024 * 1024  # uncompressed bytes of all members of a .docx
MAX_ZIP_RATIO = 100  # uncompressed / compressed, checked for members over 1 MiB
_RATIO_FLOOR = 1024 * 1024

FORMATS = ("txt", "html", "pdf", "docx")
SUFFIX_FORMATS = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html",
                  ".shtml": "html", ".pdf": "pdf", ".docx": "docx"}

# Files that are none of the four formats, by their first bytes, to say what they are.
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an OLE2 compound file (a legacy .doc/.wps, or a password-protected .docx); "
     "save it as an unencrypted .docx"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image, not a text report; run OCR on it first"),
    (b"\xff\xd8\xff", "a JPEG image, not a text report; run OCR on it first"),
    (b"GIF8", "a GIF image, not a text report; run OCR on it first"),
    (b"II*\x00", "a TIFF image, not a text report; run OCR on it first"),
    (b"MM\x00*", "a TIFF image, not a text report; run OCR on it first"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"Rar!", "a RAR archive; unpack it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; unpack it first"),
    (b"{\\rtf", "an RTF document; save it as .docx"),
)


@dataclass(frozen=True, slots=True)
class Extracted:
    """Text taken out of a file, before cleaning."""

    text: str
    format: str
    encoding: str | None = None
    page_meta: dict[str, str] = field(default_factory=dict)  # HTML <meta>/<title> fields


def describe(err: BaseException) -> str:
    """``Type: message`` of a library's exception on one line, at most 300 characters (lxml
    and pdfminer put line breaks and whole objects in theirs)."""
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text if len(text) <= 300 else text[:299] + "…"


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF (as Python's universal newlines do)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def check_size(size: int, path: str) -> None:
    if size > MAX_FILE_BYTES:
        raise IngestError(
            path,
            f"the file is {size / 2**20:.1f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit "
            "for one report; split it or check that it is a report",
        )


def resolve_format(data: bytes, path: str, fmt: str | None) -> str:
    """The format to read ``data`` as: the content's own magic bytes, else ``fmt``, else the
    file name's suffix, else a sniff (HTML markup or plain text)."""
    head = data[:1024]
    for magic, what in _FOREIGN_MAGIC:
        if head.startswith(magic):
            raise IngestError(path, f"the file is {what}")
    if head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if fmt is not None:
        name = fmt.lower().lstrip(".")
        name = "html" if name == "htm" else name
        if name not in FORMATS:
            raise IngestError(path, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        if name == "pdf" and b"%PDF-" in head:  # a PDF may have junk before its header
            return "pdf"
        if name in ("pdf", "docx"):
            what = "a PDF (no %PDF- header)" if name == "pdf" else "a .docx (not a zip archive)"
            raise IngestError(path, f"the file is not {what}; it may be damaged or misnamed")
        return name
    dot = path.rfind(".")
    suffix = path[dot:].lower() if dot > path.replace("\\", "/").rfind("/") else ""
    if suffix in SUFFIX_FORMATS:
        return resolve_format(data, path, SUFFIX_FORMATS[suffix])
    if re.search(rb"<(?:!doctype\s+html|html|body|meta)\b", head, re.IGNORECASE):
        return "html"
    return "txt"


def extract_txt(data: bytes, path: str) -> Extracted:
    decoded = decode(data, path=path)
    return Extracted(normalise_newlines(decoded.text), "txt", decoded.encoding)


# --- PDF --------------------------------------------------------------------------------------

# Page furniture a PDF repeats on every page: "- 3 -", "— 12 —", "第 2 页 共 5 页", "2 / 5".
_PAGE_NUMBER = re.compile(
    r"^[-—–－\s]*\d{1,4}[-—–－\s]*$"
    r"|^第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?$"
    r"|^\d{1,4}\s*/\s*\d{1,4}$"
)


@dataclass(frozen=True, slots=True)
class _Line:
    page: int
    box: int
    x0: float
    x1: float
    width: float  # one character's width, about
    text: str


class _PDFBomb(Exception):
    """A PDF stream inflates to more than :data:`MAX_PDF_STREAM` bytes."""


class _PDFCycle(Exception):
    """A PDF object is a reference to itself, directly or through other references."""


class _Inflater:
    """``zlib.decompressobj()`` that refuses to give more than :data:`MAX_PDF_STREAM` bytes."""

    def __init__(self) -> None:
        self._inner = zlib.decompressobj()
        self._total = 0

    def decompress(self, data: bytes) -> bytes:
        out = self._inner.decompress(data, MAX_PDF_STREAM + 1 - self._total)
        self._total += len(out)
        if self._total > MAX_PDF_STREAM or self._inner.unconsumed_tail:
            raise _PDFBomb
        return out


class _CappedZlib:
    """What pdfminer's stream decoder sees as ``zlib``: the same, with a cap on output."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes) -> bytes:
        inner = zlib.decompressobj()
        out = inner.decompress(data, MAX_PDF_STREAM + 1)
        if len(out) > MAX_PDF_STREAM or inner.unconsumed_tail:
            raise _PDFBomb
        if not inner.eof:  # as zlib.decompress does: pdfminer then tries the lenient way
            raise zlib.error("incomplete or truncated stream")
        return out

    @staticmethod
    def decompressobj() -> _Inflater:
        return _Inflater()


def _inflate_damaged(data: bytes) -> bytes:
    """pdfminer's ``decompress_corrupted`` (a stream whose checksum is damaged), in linear
    time: the original feeds one byte at a time and copies the whole output each time."""
    inflater = _Inflater()
    out = inflater.decompress(data[:-4])  # a zlib.error here is real damage, as there
    with contextlib.suppress(zlib.error):
        out += inflater.decompress(data[-4:])
    return out


@contextlib.contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """A library's warnings about a damaged file ("Could not get FontBBox …") are not shown:
    the file reads or fails with one message of ours."""
    log = logging.getLogger(logger)
    saved = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(saved)


@contextlib.contextmanager
def _capped_pdf_streams() -> Iterator[None]:
    """While pdfminer runs, its Flate decoding is capped at :data:`MAX_PDF_STREAM` bytes.

    (pdfminer has no hook for this; its module-level names are swapped and restored. Reading
    runs in a child process, so nothing else sees the swap.)
    """
    from pdfminer import pdftypes

    names = vars(pdftypes)
    saved = names["zlib"], names["decompress_corrupted"]
    names["zlib"], names["decompress_corrupted"] = _CappedZlib, _inflate_damaged
    try:
        yield
    finally:
        names["zlib"], names["decompress_corrupted"] = saved


def _pdf_pages(data: bytes) -> Iterator[Any]:
    """pdfminer's ``extract_pages``, with a document that detects reference cycles."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFObjRef

    class Document(PDFDocument):
        def getobj(self, objid: int) -> object:
            # pdfminer resolves "4 0 obj 4 0 R endobj" by following references for ever.
            obj = super().getobj(objid)
            chain = [objid]
            while isinstance(obj, PDFObjRef):
                chain.append(obj.objid)
                if obj.objid in chain[:-1]:
                    raise _PDFCycle(" -> ".join(map(str, chain)))
                obj = super().getobj(obj.objid)
            return obj

    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    document = Document(PDFParser(io.BytesIO(data)), caching=True)
    for page in PDFPage.create_pages(document):
        interpreter.process_page(page)
        yield device.get_result()


def _pdf_lines(data: bytes, path: str) -> list[_Line]:
    # Imported here: pdfminer is slow to import and only PDFs need it.
    from pdfminer.layout import LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    lines: list[_Line] = []
    box_no = 0
    try:
        with _capped_pdf_streams(), _quiet("pdfminer"):
            for page_no, page in enumerate(_pdf_pages(data)):
                if page_no >= MAX_PDF_PAGES:
                    raise IngestError(path, f"the PDF has over {MAX_PDF_PAGES} pages; split it")
                for box in page:
                    if not isinstance(box, LTTextBox):
                        continue
                    box_no += 1
                    for line in box:
                        if not isinstance(line, LTTextLine):
                            continue
                        text = line.get_text().strip()
                        if not text or _PAGE_NUMBER.match(text):
                            continue
                        width = max(line.height, 1.0)
                        lines.append(_Line(page_no, box_no, line.x0, line.x1, width, text))
    except (IngestError, MemoryError):
        raise
    except _PDFBomb as err:
        raise IngestError(
            path,
            f"a compressed stream in the PDF inflates to over {MAX_PDF_STREAM // 2**20} MiB "
            "(a decompression bomb?); refused",
        ) from err
    except _PDFCycle as err:
        raise IngestError(
            path, f"the PDF's objects refer to each other in a cycle ({err.args[0]}); the file "
                  "is damaged or hostile",
        ) from err
    except RecursionError as err:
        raise IngestError(
            path, "the PDF's objects are nested or chained too deeply to read; it is damaged"
        ) from err
    except (PDFPasswordIncorrect, PDFEncryptionError) as err:
        raise IngestError(
            path, "the PDF is encrypted and needs a password; save an unprotected copy"
        ) from err
    except Exception as err:  # pdfminer raises many types (PSEOF, PDFSyntaxError, …)
        raise IngestError(
            path, f"cannot read the PDF ({describe(err)}); it may be damaged"
        ) from err
    return lines


# What a line starts with that is not Chinese: "(2021—2025年)》" starts with "(2021—2025".
_LEADING_RUN = re.compile(r"[^\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\s]+")


def _runs_on(prev: _Line, line: _Line, right: float) -> bool:
    """True when ``prev`` was wrapped: it is full, or the run of Latin letters, digits or
    brackets that starts ``line`` was too wide for the room left at the end of ``prev``."""
    room = right - prev.x1
    if room < 3 * prev.width:
        return True
    run = _LEADING_RUN.match(line.text)
    return run is not None and room < (0.6 * len(run.group()) + 1) * prev.width


def _join_pdf_lines(lines: list[_Line]) -> str:
    """Lines into paragraphs: a wrapped line runs on into the next line of its text box, or
    across a page break into a next line that is not indented; others end their paragraph."""
    if not lines:
        return ""
    right = max(line.x1 for line in lines)
    left = statistics.median_low(sorted(line.x0 for line in lines))
    parts = [lines[0].text]
    for prev, line in itertools.pairwise(lines):
        same_box = prev.box == line.box
        page_turn = line.page == prev.page + 1 and line.x0 < left + 0.5 * line.width
        parts.append("" if (same_box or page_turn) and _runs_on(prev, line, right) else "\n")
        parts.append(line.text)
    return "".join(parts)


def extract_pdf(data: bytes, path: str) -> Extracted:
    text = _join_pdf_lines(_pdf_lines(data, path))
    if not text.strip():
        raise IngestError(
            path,
            "the PDF has no text layer (a scanned or image-only PDF); run OCR on it first",
        )
    return Extracted(normalise_newlines(text), "pdf")


# --- DOCX -------------------------------------------------------------------------------------


def check_zip(data: bytes, path: str) -> None:
    """Refuse a .docx whose zip directory promises too much, before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
        raise IngestError(path, f"the .docx is not a valid zip archive ({err}); it may be "
                                "damaged or truncated") from err
    if len(members) > MAX_ZIP_MEMBERS:
        raise IngestError(path, f"the .docx holds {len(members)} files, over the limit of "
                                f"{MAX_ZIP_MEMBERS}; it is not a normal document")
    total = sum(m.file_size for m in members)
    if total > MAX_ZIP_TOTAL:
        raise IngestError(path, f"the .docx would unpack to {total / 2**20:.0f} MiB, over the "
                                f"{MAX_ZIP_TOTAL // 2**20} MiB limit (a zip bomb?); refused")
    for m in members:
        if m.file_size > _RATIO_FLOOR and m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1):
            raise IngestError(
                path,
                f"the .docx member {m.filename} compresses {m.file_size // max(m.compress_size, 1)}"
                f":1, over the {MAX_ZIP_RATIO}:1 limit (a zip bomb?); refused",
            )
    if "word/document.xml" not in {m.filename for m in members}:
        raise IngestError(path, "the file is a zip archive but not a .docx (no "
                                "word/document.xml); save the report as .docx")


def _docx_blocks(document: object) -> list[str]:
    """Paragraph texts in body order; a table row becomes one line of its cells' texts."""
    from docx.table import Table

    out: list[str] = []
    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = cell.text.strip()
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                out.append(" ".join(cells))
        else:
            out.append(block.text)
    return out


def extract_docx(data: bytes, path: str) -> Extracted:
    check_zip(data, path)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _docx_blocks(document)
    except MemoryError:
        raise
    except Exception as err:  # python-docx / lxml raise many types for damaged parts
        raise IngestError(
            path, f"cannot read the .docx ({describe(err)}); it may be damaged"
        ) from err
    text = "\n".join(blocks)
    if not text.strip():
        raise IngestError(path, "the .docx has no text (only images or empty paragraphs?)")
    return Extracted(normalise_newlines(text), "docx")
