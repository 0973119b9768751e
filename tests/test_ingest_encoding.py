"""Bytes to text: BOMs, UTF-8 before GB18030, Big5 through the detector, <meta charset> only
when it holds up, and mojibake refused rather than accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.corpus import read_bytes
from kg.corpus.decode import decode, implausibility
from kg.errors import IngestError

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# Real text from 002 (迎泽区) and 000 (惠安县).
REPORT = (CORPUS / "002_f16352c250f01605.txt").read_text(encoding="utf-8")
TITLE = "中共太原市迎泽区委"
SENTENCE = "坚持一体推动、一体落实。"
# The same content in traditional characters, as a Big5 page would have it.
TRADITIONAL = ("二、推進法治政府建設的主要舉措和成效。深入推進行政審批制度改革，"
               "推動一枚印章管審批，完成行政審批事項劃轉172項。"
               "深化商事制度改革，落實企業投資項目承諾制。")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (REPORT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + REPORT.encode("utf-8"), "utf-8-sig"),
        (REPORT.encode("utf-16"), "utf-16"),
        (REPORT.encode("utf-32"), "utf-32"),
        (REPORT.encode("gb18030"), "gb18030"),
        (REPORT.encode("gbk"), "gb18030"),
        (b"\x84\x31\x95\x33" + REPORT.encode("gb18030"), "gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-32-bom", "gb18030", "gbk", "gb18030-bom"],
)
def test_encodings_of_the_same_report(data: bytes, encoding: str) -> None:
    r = read_bytes(data, path="report.txt")
    assert r.encoding == encoding
    assert r.source_text == REPORT
    assert r.text.split("\n")[0] == TITLE
    assert SENTENCE in [s.text for s in r.sentences]


def test_big5_goes_to_the_detector_not_to_gb18030() -> None:
    """Big5 bytes decode without error as GB18030, into rare and private-use characters."""
    data = TRADITIONAL.encode("big5")
    assert implausibility(data.decode("gb18030"), gb_family=True) is not None
    assert decode(data).encoding == "big5"
    assert read_bytes(data, path="trad.txt").text == TRADITIONAL


def test_utf8_that_also_decodes_as_gb18030_is_read_as_utf8() -> None:
    """Real text whose UTF-8 bytes are valid GB18030 too (as "涓\ue15e叡澶\ue044師甯傝繋")."""
    data = TITLE[:6].encode("utf-8")
    assert data.decode("gb18030").startswith("涓")  # no error: GB18030 takes any bytes here
    assert decode(data).text == TITLE[:6]
    assert decode(data).encoding == "utf-8"


def test_ascii_heavy_gbk_page_is_not_cp1250() -> None:
    """charset detectors call a GBK page that is mostly markup cp1250; GB18030 comes first."""
    markup = "<div class=\"item\"><a href=\"/x\">link</a></div>\n" * 300
    page = f"<html><body>{markup}<p>{SENTENCE}</p></body></html>".encode("gbk")
    r = read_bytes(page, path="page.html")
    assert r.encoding == "gb18030"
    assert SENTENCE in r.text


@pytest.mark.parametrize(
    ("declared", "encode_as", "expected"),
    [
        ("gb2312", "gbk", "gb18030"),  # honoured (as its superset)
        ("big5", "big5", "big5"),  # honoured: Big5 would otherwise decode as GB18030
        ("gb2312", "utf-8", "utf-8"),  # wrong: strict UTF-8 decodes first
        ("utf-8", "gbk", "gb18030"),  # wrong: does not decode
        ("iso-8859-1", "gbk", "gb18030"),  # wrong: decodes, but is not Chinese
        ("no-such-charset", "gbk", "gb18030"),  # unknown: ignored
    ],
)
def test_meta_charset_is_honoured_only_when_it_holds(
    declared: str, encode_as: str, expected: str
) -> None:
    text = TRADITIONAL if encode_as == "big5" else REPORT[:400]
    page = f'<html><head><meta charset="{declared}"></head><body><p>{text}</p></body></html>'
    r = read_bytes(page.encode(encode_as), path="page.html")
    assert r.encoding == expected
    assert r.text.startswith(text.split("\n")[0])


def test_http_equiv_charset_is_read() -> None:
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
            f"</head><body><p>{TRADITIONAL}</p></body></html>")
    assert read_bytes(page.encode("big5"), path="page.htm").encoding == "big5"


@pytest.mark.parametrize(
    ("garbled", "phrase"),
    [
        # UTF-8 read as GBK and saved as UTF-8: "涓叡澶師甯傝繋娉藉尯濮�"
        (REPORT.encode("utf-8").decode("gb18030", errors="replace"),
         "UTF-8 that was once read as GB18030"),
        # GBK read as Latin-1 and saved as UTF-8: "ÖÐ¹²Ì«Ô­ÊÐÓ­Ôó"
        (REPORT.encode("gbk").decode("latin-1"), "GB18030 that was once read as"),
        # UTF-8 read as cp1252 and saved as UTF-8: "ä¸­å…±å¤ªåŽŸ"
        (REPORT.encode("utf-8").decode("cp1252", errors="ignore"), "UTF-8 that was once read as"),
        # only a title: "涓叡澶師甯傝繋"
        (TITLE[:6].encode("utf-8").decode("gb18030"), "UTF-8 that was once read as GB18030"),
    ],
    ids=["utf8-as-gbk", "gbk-as-latin1", "utf8-as-cp1252", "short"],
)
def test_mojibake_is_refused(garbled: str, phrase: str) -> None:
    with pytest.raises(IngestError, match="mojibake") as caught:
        read_bytes(garbled.encode("utf-8"), path="garbled.txt")
    assert phrase in caught.value.reason
    assert caught.value.path == "garbled.txt"


@pytest.mark.parametrize(
    "text",
    [REPORT, TRADITIONAL, "plain ASCII text, no Chinese at all", "混合 text 与 English 2023年"],
)
def test_good_text_is_plausible_and_not_mojibake(text: str) -> None:
    assert implausibility(text) is None
    assert decode(text.encode("utf-8")).text == text
