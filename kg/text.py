"""Text normalisation shared by the tagger and the scorer."""

from __future__ import annotations

import re
import unicodedata

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\uff0d\ufe63\u2212]")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, every dash variant as ``-``, no white space: the form under which two spellings
    of one title (``(2021—2025年)`` / ``（2021-2025年）``) or a tag and its gold string agree.

    >>> normalize("法治政府建设实施纲要（2021—2025年）")
    '法治政府建设实施纲要(2021-2025年)'
    """
    return _SPACE.sub("", _DASHES.sub("-", unicodedata.normalize("NFKC", text)))
