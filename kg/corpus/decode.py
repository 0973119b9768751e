"""Bytes to text for .txt and .html files, refusing mojibake rather than guessing silently.

Order: a byte-order mark; strict UTF-8; a charset the page declares (HTML only); strict
GB18030 (a superset of GB2312 and GBK); then charset-normalizer limited to UTF-8, GB18030 and
Big5. Every candidate except a BOM or strict UTF-8 must pass :func:`implausibility` (share of
CJK characters, no U+FFFD, few private-use characters, common hanzi for the GB family), because
UTF-8 bytes often decode without error as GB18030, Big5 bytes always do, and a detector left
to itself calls ASCII-heavy GBK pages cp1250. Decoded text that is itself mojibake (UTF-8 once
read as GBK and saved again) is refused too.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from kg.errors import IngestError

# BOMs, longest first (UTF-32-LE starts with the UTF-16-LE mark).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"\x84\x31\x95\x33", "gb18030"),
)

# Declared names that mean "the GB family": decode them as the superset GB18030.
_GB_ALIASES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "cp936", "euc-cn", "gb18030"}
_DETECTOR_CODECS = ["utf_8", "gb18030", "big5"]
# (wrong codec, right codec) pairs that garble Chinese text.
_GARBLINGS = (("gb18030", "utf-8"), ("cp1252", "utf-8"), ("latin-1", "utf-8"),
              ("cp1252", "gb18030"), ("latin-1", "gb18030"), ("big5", "utf-8"))

# Bytes that plain text does not contain (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
# CJK ideographs and the punctuation Chinese text uses: "，。、“”《》〔〕", full-width forms, "•".
_CJKISH = re.compile(
    r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
    r"\u2000-\u206f\u00a0\u00b7\u2460-\u24ff\u2190-\u21ff\u2200-\u22ff\u25a0-\u25ff"
    r"\u2e80-\u2fdf\u31c0-\u31ef\U00020000-\U0003134f]"
)
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


def _gb2312_level1() -> re.Pattern[str]:
    """A character class of the 3755 level-1 hanzi of GB2312 (rows 0xB0-0xD7): the common ones.

    A real simplified-Chinese report has nearly all its hanzi among them; Big5 bytes or UTF-8
    bytes read as GBK give mostly rare ones ("涓叡澶師" for "中共太原").
    """
    chars = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return re.compile("[" + "".join(chars) + "]")


_COMMON_HANZI = _gb2312_level1()


def _count(pattern: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` ``pattern`` (a one-character class) matches."""
    return len(text) - len(pattern.sub("", text))


def common_share(text: str) -> float:
    """The share of ``text``'s hanzi that are common ones (1.0 when it has none)."""
    hanzi = _count(_IDEOGRAPH, text)
    return _count(_COMMON_HANZI, text) / hanzi if hanzi else 1.0


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # the codec used: utf-8, utf-8-sig, utf-16, utf-32, gb18030, big5, …


def implausibility(text: str, *, gb_family: bool = False) -> str | None:
    """Why ``text`` does not look like correctly decoded Chinese, or None when it does.

    ``gb_family`` adds a test for GB18030 candidates: most hanzi of a real simplified-Chinese
    report are among the 6763 of GB2312, while Big5 or UTF-8 bytes read as GBK give rare ones.
    """
    if "\ufffd" in text:
        return "it contains U+FFFD replacement characters"
    # The non-ASCII characters are what tells: a page may open with 40 KiB of markup.
    sample = _ASCII_RUN.sub("", text[:4_000_000])[:50_000]
    non_ascii = len(sample)
    if non_ascii == 0:
        return None
    if _count(_CJKISH, sample) < 0.8 * non_ascii:
        return "most of its non-ASCII characters are not Chinese"
    if _count(_PRIVATE_USE, sample) > 0.005 * non_ascii + 1:
        return "it contains private-use characters"
    if gb_family and _count(_IDEOGRAPH, sample) >= 20 and common_share(sample) < 0.6:
        return "most of its hanzi are rare ones, as when other bytes are read as GBK"
    return None


def _mojibake(text: str) -> str | None:
    """A description when ``text`` is text already garbled once (and saved again).

    UTF-8 read as GBK gives "涓叡澶師" for "中共太原"; GBK read as Latin-1 gives "ÖÐ¹²Ì«";
    UTF-8 read as cp1252 gives "ä¸­å…±". Encoding back with the wrong codec and decoding with
    the right one (tolerating the odd character lost on the way) gives common hanzi again.
    """
    sample = text[:4000].replace("\ufffd", "")  # bytes already lost once
    if not _NON_ASCII.search(sample):
        return None
    own = common_share(sample)
    own_hanzi = _count(_IDEOGRAPH, sample)
    for wrong, right in _GARBLINGS:
        fixed = sample.encode(wrong, errors="ignore").decode(right, errors="replace")
        hanzi = _count(_IDEOGRAPH, fixed)
        if (
            hanzi >= 4
            and fixed.count("\ufffd") <= 0.25 * hanzi + 1
            and common_share(fixed) >= 0.8
            and (own < 0.5 or own_hanzi < hanzi / 4)
        ):
            garbled = _NON_ASCII.search(sample)
            start = garbled.start() if garbled else 0
            return (
                f"the text is mojibake: {right.upper()} that was once read as {wrong.upper()} and "
                f"saved again ({sample[start:start + 6]!r} stands for "
                f"{fixed.lstrip()[:4]!r}…); recover the original file"
            )
    return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _truncated(data: bytes, codec: str) -> int | None:
    """Where the last, incomplete character starts when ``data`` is valid ``codec`` text cut
    off inside it; None otherwise."""
    try:
        codecs.getincrementaldecoder(codec)().decode(data, final=False)
    except UnicodeDecodeError:
        return None
    try:
        data.decode(codec)
    except UnicodeDecodeError as err:
        return err.start if err.end == len(data) and err.start >= len(data) - 4 else None
    return None


def _check_binary(data: bytes, path: str) -> None:
    head = data[:65536]
    if b"\x00" in head:
        at = head.index(b"\x00")
        raise IngestError(
            path,
            f"looks like a binary file, not text (NUL byte at offset {at}); "
            "pass a .txt, .html, .pdf or .docx report",
        )
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > 0.01 * len(head):
        raise IngestError(
            path,
            f"looks like a binary file, not text ({controls} control bytes in the first "
            f"{len(head)}); pass a .txt, .html, .pdf or .docx report",
        )


def _finish(text: str, encoding: str, path: str) -> Decoded:
    problem = _mojibake(text)
    if problem:
        raise IngestError(path, problem)
    if len(_CONTROL_CHARS.findall(text[:65536])) > 0.01 * min(len(text), 65536):
        raise IngestError(path, "looks like a binary file, not text (many control characters)")
    return Decoded(text, encoding)


def _declared_codec(declared: str | None) -> str | None:
    if not declared:
        return None
    name = declared.strip().lower()
    if name in _GB_ALIASES:
        return "gb18030"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # Without a BOM a page's "utf-16" is a mistake: browsers read such pages as UTF-8.
    return None if codec.startswith(("utf-16", "utf-32")) else codec


def decode(data: bytes, *, path: str = "-", declared: str | None = None) -> Decoded:
    """Decode report bytes; ``declared`` is the charset a page names (<meta charset>), if any.

    Raises :class:`IngestError` for binary data, truncated multi-byte text, mojibake and bytes
    that are none of UTF-8, GB18030 or Big5.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                if _truncated(data, codec) is not None:
                    raise IngestError(
                        path,
                        f"the text ends in the middle of a {codec.upper()} character "
                        "(the file looks truncated); get the complete file",
                    )
                raise IngestError(
                    path,
                    f"the file starts with a {codec.upper()} byte-order mark but is not valid "
                    f"{codec.upper()}; re-save it as UTF-8",
                )
            return _finish(text.removeprefix("\ufeff"), codec, path)
    _check_binary(data, path)
    text = _strict(data, "utf-8")
    if text is not None:
        return _finish(text, "utf-8", path)
    if _truncated(data, "utf-8") is not None:
        raise IngestError(
            path,
            "the text ends in the middle of a UTF-8 character (the file looks truncated); "
            "get the complete file",
        )
    candidates: list[str] = []
    declared_codec = _declared_codec(declared)
    if declared_codec and declared_codec not in ("utf-8", "gb18030"):
        candidates.append(declared_codec)
    candidates.append("gb18030")
    for codec in candidates:
        text = _strict(data, codec)
        if text is not None and implausibility(text, gb_family=codec == "gb18030") is None:
            return _finish(text, codec, path)
    cut = _truncated(data, "gb18030")
    if cut is not None:
        head = _strict(data[:cut], "gb18030")
        if head is not None and implausibility(head, gb_family=True) is None:
            raise IngestError(
                path,
                "the text ends in the middle of a GB18030 character (the file looks "
                "truncated); get the complete file",
            )
    best = charset_normalizer.from_bytes(data, cp_isolation=_DETECTOR_CODECS).best()
    if best is not None:
        text = str(best)
        codec = codecs.lookup(best.encoding).name
        if implausibility(text, gb_family=codec == "gb18030") is None:
            return _finish(text, codec, path)
    where = "invalid"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        where = f"first invalid byte at offset {err.start}"
    raise IngestError(
        path,
        f"cannot tell the text encoding: the bytes are not valid UTF-8 ({where}), GB18030 or "
        "Big5 Chinese; save the report as UTF-8",
    )
