"""Remove web-page furniture and redundant white space, keeping a map back to the source.

The cleaned text is the source's non-blank lines, each stripped and with every run of white
space cut to one character, joined by the source's own line breaks; page furniture (navigation,
"扫一扫…", "字体/打印/浏览次数", "相关解读" blocks, "分享到", footers, page numbers) is left
out. Report text is never rewritten: every cleaned character is a copy of one source character,
so ``source[offsets.to_source(i)] == text[i]`` for every ``i`` — save that a line may end in
a form feed (pdftotext puts one between pages) or another line separator (:data:`BREAKS`),
which the cleaned text writes as ``"\n"``. Control characters (C0 and C1 but tab and line
breaks, DEL) and the noncharacters U+FFFE/U+FFFF are never text and are left out
(:data:`CONTROLS`). Header lines (title, 索引号, 文号, 发布机构, 来源/时间), signatures, 抄送
and 附件 lines are report text and stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.corpus.model import OffsetMap

# A line worth looking at for furniture: short and not a sentence of the report.
_SHORT = 120

# Lines dropped whole. Real strings: "当前位置:首页 > 政府信息公开", "首页 > 信息公开 > 法治政府",
# "上一篇:关于…", "分享到: 微信 微博", "扫一扫在手机上查看当前页面", "扫一扫在手机打开当前页",
# "版权所有:惠安县人民政府 闽ICP备05000000号", "网站标识码:3505210001", "主办单位:…",
# "建议使用IE9以上浏览器", "- 3 -", "— 12 —", "第 2 页 共 5 页".
_DROP_LINE = re.compile(
    r"^(?:当前位置|您(?:当前)?(?:所在|现在)?的位置|所在位置)\s*[:：]"
    r"|^首页\s*[>»＞]"
    r"|^(?:上一篇|下一篇)\s*[:：]?"
    r"|^分享到\s*[:：]?"
    r"|^(?:微信|手机)?扫一扫"
    r"|^(?:用手机)?扫描二维码"
    r"|版权所有|ICP备|ICP证|网站标识码|公网安备|网站地图|网站纠错"
    r"|^(?:主办|承办|协办|维护)(?:单位)?\s*[:：]|技术支持\s*[:：]"
    r"|建议使用.{0,30}浏览器|最佳分辨率"
    r"|^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?$"
)

# Lines made only of these tokens and separators are furniture. Real strings: "返回首页",
# "政府信息公开", "附件下载", "【打印本页】 【关闭窗口】", "【字体:大 中 小】",
# "浏览次数: 字体: [ ] 打印", "无障碍 长者模式 繁體", "收藏 分享".
_TOKENS = (
    r"返回首页|返回顶部|返回|首页|政府信息公开|信息公开|政务公开|附件下载"
    r"|打印(?:本页|此页|文章|正文)?|关闭(?:窗口|本页|页面)?|字体|字号|默认|[大中小]"
    r"|(?:浏览|访问|阅读|点击)(?:次数|量)|次"
    r"|收藏(?:本页)?|加入收藏|设为首页|分享(?:到)?|微信|微博|QQ空间|QQ"
    r"|无障碍(?:浏览|阅读)?|长者模式|关怀版|适老化|繁体|繁體|简体|English|登录|注册|搜索"
    r"|保存(?:本页)?|[Aa][+-]?|\d+"
)
_SEP = r"[\s\[\]【】()（）|/·•:：>»＞,，、]"
_TOKEN_LINE = re.compile(rf"(?:{_SEP}|{_TOKENS})+")
_ONLY_SEP = re.compile(rf"{_SEP}*")
_DIGITS = re.compile(r"[\d\s]+")

# Furniture inside a header line, between spaces or brackets. Real string:
# "来源:天福镇 发布时间:2024-07-04 10:14 浏览次数: 字体: [ ] 打印" keeps its first two fields.
_INLINE = re.compile(
    r"(?<![^\s\[【|])(?:"
    r"(?:浏览|访问|阅读|点击)(?:次数|量)\s*[:：]?\s*[\[【(（]?\s*\d*\s*[\]】)）]?\s*次?"
    r"|字[体号]\s*[:：]?\s*(?:[\[【]\s*(?:[大中小]\s*){0,3}[\]】]|(?:[大中小]\s*){1,3})?"
    r"|[\[【]?\s*(?:打印(?:本页|此页)?|关闭(?:窗口|本页)?|收藏(?:本页)?)\s*[\]】]?"
    r"|分享到\s*[:：]?.*"
    r"|[\[【]\s*[\]】]"
    r")(?![^\s\]】|])"
)

# A heading that opens a block of links to other pages. Real strings: "相关解读", "文字解读",
# "图片解读", "视频解读", "访谈解读", "媒体报道", "相关链接:".
_BLOCK_HEAD = re.compile(
    r"^[【\[]?(?:相关(?:解读|链接|文件|阅读|新闻|稿件|政策|推荐)"
    r"|(?:政策|文字|图片|图文|图解|视频|访谈|专家|媒体|新闻)解读|媒体报道|热点推荐|推荐阅读"
    r"|猜你喜欢)[】\]]?\s*[:：]?$"
)
# Lines that end such a block: a section heading or a header field.
_BLOCK_END = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])"
                        r"|索\s*引\s*号|发布机构|文\s*号\s*[:：]")

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
#: Line separators besides ``\n``: CR, vertical tab, form feed, the file/group/record
#: separators, NEL, U+2028 and U+2029 (Python's ``str.splitlines`` set).
BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
#: Characters dropped wherever they are (a regex class body): the other C0 and C1 controls,
#: DEL, lone surrogates and U+FFFE/U+FFFF.
CONTROLS = "\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff"
_DROPPED = re.compile(f"[{CONTROLS}]")
_WORD = re.compile(rf"[^\s{_ZERO_WIDTH}{CONTROLS}]+")
_LINE = re.compile(rf"[^\n{BREAKS}]+")
_BULLETS = "•●▪◦"


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str
    offsets: OffsetMap


class _Builder:
    """Cleaned text as runs of source characters."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.clean_starts: list[int] = []
        self.source_starts: list[int] = []
        self.lengths: list[int] = []
        self.pos = 0
        self.newlines: list[int] = []  # cleaned offsets written "\n" for another line break

    def add(self, start: int, end: int) -> None:
        if end <= start:
            return
        if self.lengths and self.source_starts[-1] + self.lengths[-1] == start:
            self.lengths[-1] += end - start
        else:
            self.clean_starts.append(self.pos)
            self.source_starts.append(start)
            self.lengths.append(end - start)
        self.pos += end - start

    def add_newline(self, at: int) -> None:
        """The line break at source offset ``at``, written ``"\n"`` whatever it is."""
        if self.source[at] != "\n":
            self.newlines.append(self.pos)
        self.add(at, at + 1)

    def result(self) -> Cleaned:
        src, starts, lengths = self.source, self.source_starts, self.lengths
        text = "".join(src[s : s + n] for s, n in zip(starts, lengths, strict=True))
        if self.newlines:
            chars = list(text)
            for at in self.newlines:
                chars[at] = "\n"
            text = "".join(chars)
        offsets = OffsetMap(tuple(self.clean_starts), tuple(starts), tuple(lengths))
        return Cleaned(text, offsets)


def _space_in(source: str, start: int, end: int) -> int | None:
    """Where to take the one white-space character that stands for ``source[start:end]``."""
    gap = source[start:end]
    at = gap.find(" ")
    if at < 0:
        at = next(
            (i for i, ch in enumerate(gap) if ch.isspace() and not _DROPPED.match(ch)), -1
        )
    return start + at if at >= 0 else None


def _words(source: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    words = [m.span() for s, e in spans for m in _WORD.finditer(source, s, e)]
    while words:  # a leading bullet ("• 索 引 号:…") is furniture
        s, e = words[0]
        while s < e and source[s] in _BULLETS:
            s += 1
        if s < e:
            words[0] = (s, e)
            break
        words.pop(0)
    return words


def _kept_spans(line: str, start: int) -> list[tuple[int, int]] | None:
    """The parts of one stripped line to keep (source offsets), or None to drop it."""
    if len(line) > _SHORT or "。" in line:
        return [(start, start + len(line))]
    if _DROP_LINE.search(line):
        return None
    if _TOKEN_LINE.fullmatch(line) and not _DIGITS.fullmatch(line):
        return None
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _INLINE.finditer(line):
        spans.append((start + pos, start + m.start()))
        pos = m.end()
    spans.append((start + pos, start + len(line)))
    if pos and all(_ONLY_SEP.fullmatch(line[s - start : e - start]) for s, e in spans):
        return None
    return spans


def clean(source: str) -> Cleaned:
    """The cleaned text of ``source`` and its :class:`OffsetMap`."""
    out = _Builder(source)
    last_newline: int | None = None  # the line break after the last kept line
    in_block = False
    for m in _LINE.finditer(source):
        start, end = m.span()
        words = _words(source, [(start, end)])
        if not words:
            continue
        first, last = words[0][0], words[-1][1]
        line = source[first:last]
        if in_block:
            if len(line) <= 60 and "。" not in line and not _BLOCK_END.search(line):
                continue
            in_block = False
        if len(line) <= 60 and _BLOCK_HEAD.match(line):
            in_block = True
            continue
        spans = _kept_spans(line, first)
        if spans is None:
            continue
        if len(spans) > 1:  # furniture cut out: drop what is left of it ("【", "|")
            words = [(s, e) for s, e in _words(source, spans)
                     if not _ONLY_SEP.fullmatch(source, s, e)]
            if not words:
                continue
        if last_newline is not None:
            out.add_newline(last_newline)
        prev_end: int | None = None
        for s, e in words:
            if prev_end is not None:
                space = _space_in(source, prev_end, s)
                if space is not None:
                    out.add(space, space + 1)
            out.add(s, e)
            prev_end = e
        last_newline = end if end < len(source) else None
    return out.result()
