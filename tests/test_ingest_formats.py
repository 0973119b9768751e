"""The same report as GB18030 .txt, as a saved web page, as .docx and as .pdf gives the same
cleaned text and metadata as the shipped UTF-8 .txt. Every fixture is built here, in tmp_path.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate

from kg.corpus import Report, read_bytes, read_report

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.txt"))


def _original(name: str) -> Report:
    return read_report(CORPUS / name)


def html_page(report_text: str, charset: str = "utf-8") -> bytes:
    """A government page around ``report_text`` (one <p> per source line) with navigation,
    breadcrumbs, a hidden block, 字体/打印 tools, 浏览次数, a QR code, a share bar, 相关解读 and
    a footer."""
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in report_text.split("\n"))
    page = f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>报告_某某县人民政府门户网站</title>
<script>var tpl = "<p>不是正文</p>";</script><style>p {{ margin: 0 }}</style></head>
<body>
<div class="top-nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a>互动交流</a></div>
<nav><ul><li>首页</li><li>政府信息公开</li><li>政务服务</li></ul></nav>
<div class="position">当前位置:<a>首页</a> &gt; <a>政府信息公开</a> &gt; 法治政府建设</div>
<div>返回首页</div>
<div style="display: none">隐藏的旧版正文。</div>
<div class="article">
{body}
</div>
<div class="tools">【字体:<a>大</a> <a>中</a> <a>小</a>】
<a>【打印本页】</a> <a>【关闭窗口】</a></div>
<div>浏览次数: 1024</div>
<div class="ewm"><img src="qr.png" alt="二维码"><p>扫一扫在手机打开当前页</p></div>
<div class="bdsharebuttonbox">分享到:<a>微信</a><a>微博</a><a>QQ空间</a></div>
<div class="xgjd"><h3>相关解读</h3><ul>
<li><a>一图读懂2022年度法治政府建设工作情况的报告</a></li>
<li><a>图解:某某县2022年度法治政府建设情况</a></li></ul></div>
<div class="footer-box"><p>主办单位:某某县人民政府办公室 版权所有</p>
<p>闽ICP备05000000号 网站标识码:3505210001</p></div>
</body></html>"""
    return page.encode("gb18030" if charset.lower() in ("gb2312", "gbk") else charset)


def docx_file(report_text: str) -> bytes:
    document = docx.Document()
    for line in report_text.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_file(paragraphs: list[str]) -> bytes:
    """A PDF with a real text layer: STSong-Light (a CID font built into reportlab), wrapped
    by reportlab's CJK line breaking, several pages for a whole report."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cjk", fontName="STSong-Light", fontSize=11, leading=16,
                           wordWrap="CJK", spaceAfter=8)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build([Paragraph(escape(p), style) for p in paragraphs])
    return out.getvalue()


# STSong-Light has no glyph for these, so reportlab cannot put them in a PDF at all (pdfminer
# is not to blame); the PDF comparison leaves them out on both sides. NBSP becomes a space.
_NOT_IN_FONT = str.maketrans({"·": None, "∙": None, "\xa0": " "})


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_gb18030_txt_gives_the_same_report(name: str, tmp_path: Path) -> None:
    original = _original(name)
    path = tmp_path / name
    path.write_bytes((CORPUS / name).read_text(encoding="utf-8").encode("gb18030"))
    r = read_report(path)
    assert r.encoding == "gb18030"
    assert r.text == original.text
    assert r.metadata == original.metadata
    assert (r.region, r.level, r.year_covered) == (original.region, original.level,
                                                   original.year_covered)


@pytest.mark.slow
@pytest.mark.parametrize("charset", ["utf-8", "gb2312"])
@pytest.mark.parametrize("name", FILES)
def test_html_page_gives_the_same_report(name: str, charset: str, tmp_path: Path) -> None:
    original = _original(name)
    path = tmp_path / (Path(name).stem + ".html")
    path.write_bytes(html_page(original.source_text, charset))
    r = read_report(path)
    assert r.format == "html"
    assert r.encoding == ("utf-8" if charset == "utf-8" else "gb18030")
    assert r.text == original.text
    assert r.metadata == original.metadata
    assert (r.region, r.year_covered) == (original.region, original.year_covered)
    assert all(r.source_text[r.offsets.to_source(i)] == ch for i, ch in enumerate(r.text))


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_docx_gives_the_same_report(name: str, tmp_path: Path) -> None:
    original = _original(name)
    path = tmp_path / (Path(name).stem + ".docx")
    path.write_bytes(docx_file(original.source_text))
    r = read_report(path)
    assert (r.format, r.encoding) == ("docx", None)
    assert r.text == original.text
    assert r.metadata == original.metadata


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_pdf_gives_the_same_report(name: str, tmp_path: Path) -> None:
    """pdfminer.six reads the text back; wrapped lines are joined again into paragraphs, so
    the cleaned text is equal line for line (after the font's missing characters, above)."""
    original = _original(name)
    expected = original.text.translate(_NOT_IN_FONT)
    path = tmp_path / (Path(name).stem + ".pdf")
    path.write_bytes(pdf_file(expected.split("\n")))
    r = read_report(path)
    assert (r.format, r.encoding) == ("pdf", None)
    assert r.text == expected
    assert r.metadata.title == original.metadata.title
    assert (r.region, r.level, r.year_covered) == (original.region, original.level,
                                                   original.year_covered)


def test_pdf_page_numbers_are_dropped_and_page_breaks_joined() -> None:
    long = "深入推进依法行政,加快建设法治政府。" * 200  # runs over several pages
    r = read_bytes(pdf_file(["一、总体要求", long, "— 2 —"]), path="plan.pdf")
    assert r.text == "一、总体要求\n" + long


def test_html_header_table_and_meta_fallbacks() -> None:
    page = """<html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="南安市人民政府关于2021年度法治政府建设情况的报告">
<meta name="PubDate" content="2022-03-01 09:30"><meta name="ContentSource" content="南安市司法局">
</head><body><table><tr><th>索 引 号:</th><td>NA001-2022-00003</td>
<th>发布机构:</th><td>南安市人民政府办公室</td></tr></table>
<p>2021年,我市坚持以习近平法治思想为指导,
   全面推进法治政府建设。</p></body></html>""".encode()
    r = read_bytes(page, path="page.html")
    assert r.text.split("\n")[0] == "索 引 号: NA001-2022-00003 发布机构: 南安市人民政府办公室"
    assert "以习近平法治思想为指导,全面推进" in r.text  # a source line break between hanzi
    meta = r.metadata
    assert meta.index_number == "NA001-2022-00003"
    assert meta.issuing_body == "南安市人民政府办公室"
    assert meta.title == "南安市人民政府关于2021年度法治政府建设情况的报告"
    assert (meta.published, meta.source) == ("2022-03-01", "南安市司法局")
    # 南安市 is a county-level city: county level (GUIDELINES, REPORT).
    assert (r.region, r.level, r.year_covered) == ("南安市", "county", 2021)


def test_docx_tables_are_read_in_order() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "发布机构:"
    table.rows[0].cells[1].text = "德化县人民政府办公室"
    document.add_paragraph("德化县人民政府关于2022年度法治政府建设情况的报告")
    document.add_paragraph("2022年,我县扎实推进法治政府建设。")
    out = io.BytesIO()
    document.save(out)
    r = read_bytes(out.getvalue(), path="report.docx")
    assert r.text.split("\n")[0] == "发布机构: 德化县人民政府办公室"
    assert r.metadata.issuing_body == "德化县人民政府办公室"
    assert (r.region, r.level, r.metadata.publisher) == ("德化县", "county", "德化县人民政府")


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"%PDF-", "pdf"),
        (b"PK\x03\x04", "docx"),
    ],
)
def test_content_beats_a_wrong_suffix(data: bytes, fmt: str, tmp_path: Path) -> None:
    """A PDF or .docx saved as .txt is read as what it is."""
    built = pdf_file(["中共德化县委 德化县人民政府关于2022年度法治政府建设情况的报告"]) \
        if fmt == "pdf" else docx_file("德化县人民政府关于2022年度法治政府建设情况的报告")
    assert built.startswith(data)
    path = tmp_path / "report.txt"
    path.write_bytes(built)
    r = read_report(path)
    assert r.format == fmt
    assert r.region == "德化县"
