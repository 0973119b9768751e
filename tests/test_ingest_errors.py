"""Bad input: each case gives one IngestError that names the file and says what is wrong,
never a library traceback. Every bad file is built here, in tmp_path."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from kg.corpus import formats, read_bytes, read_report
from kg.errors import IngestError

SENTENCE = "2022年,我县坚持以习近平新时代中国特色社会主义思想为指导,全面贯彻落实党的二十大精神。"


def _pdf(*, text: str | None, password: str | None = None) -> bytes:
    out = io.BytesIO()
    encrypt = StandardEncryption(password, ownerPassword="owner") if password else None
    page = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    if text is None:  # an image-only page: shapes, no text layer
        page.rect(72, 500, 300, 200, fill=1)
    else:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        page.setFont("STSong-Light", 11)
        page.drawString(72, 700, text)
    page.showPage()
    page.save()
    return out.getvalue()


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(SENTENCE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _bomb() -> bytes:
    """A .docx whose document.xml inflates 24 MiB of zeros from ~24 KiB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(24):
                member.write(bytes(1024 * 1024))
    return out.getvalue()


def _damaged_docx() -> bytes:
    good = zipfile.ZipFile(io.BytesIO(_docx()))
    members = {name: good.read(name) for name in good.namelist()}
    members["word/document.xml"] = b"<w:document><w:body><w:p>unclosed"
    return _zip(members)


random.seed(20240704)
BAD_INPUTS = [
    ("empty.txt", b"", "the file is empty"),
    ("blank.txt", " \n\n\u3000\n".encode(), "only white space"),
    ("binary.txt", bytes(random.randrange(256) for _ in range(4096)), "binary file"),
    ("controls.txt", b"\x01\x02\x03\x04" * 200, "binary file"),
    ("cut.txt", SENTENCE.encode("utf-8")[:-1], "middle of a UTF-8 character"),
    ("cut-gbk.txt", SENTENCE.encode("gb18030")[:-1], "middle of a GB18030 character"),
    ("noise.txt", bytes(random.randrange(128, 256) for _ in range(3000)),
     "cannot tell the text encoding"),
    ("furniture.html", "<p>返回首页</p><p>扫一扫在手机打开当前页</p>".encode(),
     "only web-page furniture"),
    ("image.pdf", _pdf(text=None), "no text layer"),
    ("locked.pdf", _pdf(text=SENTENCE, password="secret"), "encrypted"),
    ("cut.pdf", _pdf(text=SENTENCE)[:600], "cannot read the PDF"),
    ("fake.pdf", SENTENCE.encode(), "not a PDF"),
    ("fake.docx", SENTENCE.encode(), "not a .docx"),
    ("cut.docx", _docx()[:2000], "not a valid zip archive"),
    ("other.docx", _zip({"readme.txt": b"hello"}), "no word/document.xml"),
    ("damaged.docx", _damaged_docx(), "cannot read the .docx"),
    ("bomb.docx", _bomb(), "zip bomb"),
    ("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "OLE2"),
    ("scan.txt", b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"),
]


@pytest.mark.parametrize(("name", "data", "phrase"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_gives_one_clear_error(
    name: str, data: bytes, phrase: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        read_report(path)
    err = caught.value
    assert err.path == str(path)
    assert phrase in err.reason
    assert str(err) == f"{path}: {err.reason}"
    assert "Traceback" not in err.reason


def test_zip_bomb_is_refused_before_it_is_inflated(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_inflating(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a member was inflated")

    bomb = _bomb()
    monkeypatch.setattr(zipfile.ZipFile, "read", no_inflating)
    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    monkeypatch.setattr(docx, "Document", no_inflating)
    with pytest.raises(IngestError, match=r"compresses \d+:1, over the 100:1 limit"):
        read_bytes(bomb, path="bomb.docx")


def test_zip_that_would_unpack_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_ZIP_TOTAL", 1000)
    with pytest.raises(IngestError, match="would unpack to"):
        read_bytes(_docx(), path="big.docx")


def test_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: no 51 MiB written
        fh.truncate(formats.MAX_FILE_BYTES + 1)
    with pytest.raises(IngestError, match="over the 50 MiB limit"):
        read_report(path)


def test_oversized_bytes_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 100)
    with pytest.raises(IngestError, match="over the 0 MiB limit"):
        read_bytes(SENTENCE.encode() * 10, path="big.txt")


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda tmp: tmp / "missing.txt", "cannot read the file (No such file or directory)"),
        (lambda tmp: tmp, "is a directory"),
    ],
    ids=["missing", "directory"],
)
def test_unreadable_paths(make: object, phrase: str, tmp_path: Path) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(IngestError) as caught:
        read_report(path)
    assert phrase in caught.value.reason


def test_unknown_format_name() -> None:
    with pytest.raises(IngestError, match="unknown format 'rtf'"):
        read_bytes(SENTENCE.encode(), path="x", fmt="rtf")


def test_good_files_of_each_kind_still_read() -> None:
    """The builders above make valid files when not damaged on purpose."""
    assert read_bytes(_pdf(text=SENTENCE), path="ok.pdf").text == SENTENCE
    assert read_bytes(_docx(), path="ok.docx").text == SENTENCE
