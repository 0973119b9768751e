"""The spaCy pipeline: ``spacy.blank("zh")`` (one token per character) plus ``kg_*`` components.

Each component finds one kind of thing and puts its spans in ``doc.spans["kg_…"]`` with
details on ``Span._.kg_*`` extensions. :func:`doc_mentions` turns those spans into plain
:class:`~kg.nlp.model.Mention` objects at the edge of the stage.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry
from spacy.vocab import Vocab

from kg.corpus.segment import MAX_SENTENCE_CHARS, sentence_bounds
from kg.errors import PipelineError
from kg.nlp.model import Mention

# Span groups written by the components, in pipeline order.
SPAN_KEYS = (
    "kg_doc_numbers",
    "kg_documents",
    "kg_institutions",
    "kg_programs",
    "kg_outcomes",
    "kg_places",
)

# Span extensions: name -> default. Every non-default value becomes a Mention attribute
# (without the ``kg_`` prefix).
SPAN_EXTENSIONS: dict[str, Any] = {
    "kg_title": None,  # DOCUMENT: the title as written (alias: the short form)
    "kg_doc_number": None,  # DOCUMENT: the 文号 that follows the title
    "kg_action": None,  # DOCUMENT: issued | implemented | mentioned
    "kg_verb": None,  # DOCUMENT: the verb the action was read from
    "kg_alias_of": None,  # DOCUMENT: the full title an alias stands for
    "kg_nested_in": None,  # NESTED_DOCUMENT: the outer title
    "kg_damaged": None,  # DOC_NUMBER: True when the brackets were lost
    "kg_issuer": None,  # DOC_NUMBER: issuer code, e.g. 惠委办明电
    "kg_year": None,  # DOC_NUMBER: year
    "kg_serial": None,  # DOC_NUMBER: serial number
    "kg_kind": None,  # INSTITUTION / PROGRAM / PLACE: kind of thing (e.g. party, court, town)
    "kg_head": None,  # INSTITUTION / PROGRAM: head noun (司法局, 改革, 制度 …)
    "kg_code": None,  # PLACE: GB/T 2260 code of the region (kg/data/regions.csv)
    "kg_indicator": None,  # OUTCOME
    "kg_value": None,  # OUTCOME: number
    "kg_unit": None,  # OUTCOME: unit as written, incl. 万/亿 multipliers
    "kg_approximate": None,  # OUTCOME: True for 余/多/近/约
}

PIPE_NAMES = (
    "kg_sentences",
    "kg_doc_numbers",
    "kg_documents",
    "kg_institutions",
    "kg_programs",
    "kg_outcomes",
    "kg_places",
)


TEXT_KEY = "kg_text"  # doc.user_data key of the text the Doc was made from
SENTENCES_KEY = "kg_sentences"  # doc.user_data key of (starts, ends) of the sentences
_WHITESPACE = re.compile(r"\s+")


class CharTokenizer:
    """One token per character, as ``spacy.blank("zh")`` segments, in time linear in the text.

    spaCy's own Chinese tokenizer aligns the characters to the text with a copy of the rest of
    the text per character, which costs 5 µs/char on a 200k-character chunk. Here each
    non-space character is a token; a run of white space is one token of its own, except a
    single space after a character, which becomes that token's trailing space. The text is
    kept in ``doc.user_data[TEXT_KEY]`` so components need not rebuild ``doc.text``.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaced: list[int] = []  # indices of words followed by a single space
        pos = 0
        for match in _WHITESPACE.finditer(text):
            start, end = match.span()
            words += text[pos:start]
            if end - start == 1 and text[start] == " " and start > 0:
                spaced.append(len(words) - 1)
            else:
                words.append(text[start:end])
            pos = end
        words += text[pos:]
        spaces = [False] * len(words)
        for i in spaced:
            spaces[i] = True
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data[TEXT_KEY] = text
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Nothing to save: the tokenizer has no state beyond its config."""

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> CharTokenizer:
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return b""

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> CharTokenizer:
        return self


def create_char_tokenizer() -> Callable[[Language], CharTokenizer]:
    """``[nlp.tokenizer] @tokenizers = "kg_char_tokenizer.v1"`` in a pipeline's config."""

    def make(nlp: Language) -> CharTokenizer:
        return CharTokenizer(nlp.vocab)

    return make


registry.tokenizers.register("kg_char_tokenizer.v1", func=create_char_tokenizer)


def doc_text(doc: Doc) -> str:
    """The text ``doc`` was made from (``doc.text`` is rebuilt only for a Doc made elsewhere)."""
    text = doc.user_data.get(TEXT_KEY)
    length = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if not isinstance(text, str) or len(text) != length:
        text = doc.text
        doc.user_data[TEXT_KEY] = text
    return text


def register_extensions() -> None:
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


register_extensions()


def make_span(doc: Doc, start: int, end: int, label: str) -> Span | None:
    """The span of characters ``[start, end)``; None when it cannot be aligned to tokens."""
    return doc.char_span(start, end, label=label, alignment_mode="strict")


def set_group(doc: Doc, key: str, spans: Iterable[Span]) -> None:
    """Store ``spans`` in ``doc.spans[key]`` in text order."""
    doc.spans[key] = sorted(spans, key=lambda s: (s.start, s.end))


def span_ranges(doc: Doc, *keys: str) -> list[tuple[int, int]]:
    """Character ranges already taken by the span groups ``keys``."""
    return [(s.start_char, s.end_char) for key in keys if key in doc.spans for s in doc.spans[key]]


class SentenceSetter:
    """Sentence boundaries from :func:`kg.corpus.segment.sentence_bounds`."""

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        # One array write: setting Token.is_sent_start one by one is quadratic in spaCy.
        flags = numpy.full((len(doc), 1), -1, dtype="int64")
        bounds = sentence_bounds(doc_text(doc))
        doc.user_data[SENTENCES_KEY] = ([s for s, _ in bounds], [e for _, e in bounds])
        for start, _end in bounds:
            span = doc.char_span(start, start + 1, alignment_mode="expand")
            if span is not None:
                flags[span.start, 0] = 1
        flags[0, 0] = 1
        # spaCy stores attributes as uint64; -1 (not a start) wraps as it does in Doc.to_array.
        doc.from_array([SENT_START], cast(Any, flags.astype("uint64")))
        return doc


@Language.factory("kg_sentences", assigns=["token.is_sent_start"])
def make_sentences(nlp: Language, name: str) -> SentenceSetter:
    return SentenceSetter()


def build_pipeline() -> Language:
    """A fresh pipeline with every ``kg_*`` component."""
    # Importing the modules registers their factories (spaCy also finds them through the
    # ``spacy_factories`` entry points when the package is installed).
    from kg.nlp import (  # noqa: F401
        docnumbers,
        documents,
        institutions,
        outcomes,
        places,
        programs,
    )

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "kg_char_tokenizer.v1"}}})
    nlp.max_length = CHUNK_CHARS * 2
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


@lru_cache(maxsize=1)
def default_pipeline() -> Language:
    return build_pipeline()


def load_pipeline(path: str | Path) -> Language:
    """Load a pipeline saved with ``nlp.to_disk``."""
    try:
        return spacy.load(path)
    except (OSError, ValueError) as err:
        raise PipelineError(f"cannot load the pipeline from {path}: {err}") from err


# Texts are tagged in chunks of at most this many characters, cut after a line break or a
# sentence end where there is one, so one Doc never holds a whole 20 MB corpus.
CHUNK_CHARS = 200_000
_CUT_AFTER = ("\n", "。", "！", "？", "；")


def text_chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of consecutive chunks covering ``text`` (one empty chunk if empty)."""
    start = 0
    while len(text) - start > size:
        limit = start + size
        cut = max(text.rfind(ch, start + size // 2, limit) for ch in _CUT_AFTER)
        end = cut + 1 if cut >= 0 else limit
        yield start, end
        start = end
    yield start, len(text)


def _attributes_by_span(doc: Doc) -> dict[tuple[int, int], dict[str, Any]]:
    """Every ``kg_*`` extension value set on a span of ``doc``, by the span's character range.

    spaCy keeps a span's extension values in ``doc.user_data`` under
    ``("._.", name, start_char, end_char)``; reading them in one pass costs a fraction of
    ``span._.get`` per extension per span. (Tests hold this equal to ``span._``.)
    """
    found: dict[tuple[int, int], dict[str, Any]] = {}
    for key, value in doc.user_data.items():
        if (
            isinstance(key, tuple)
            and len(key) == 4
            and key[0] == "._."
            and key[1] in SPAN_EXTENSIONS
            and value is not SPAN_EXTENSIONS[key[1]]
        ):
            found.setdefault((key[2], key[3]), {})[key[1][3:]] = value
    return found


def _sentence_of(doc: Doc, text: str, span: Span) -> str:
    """The sentence around ``span``, from the bounds ``kg_sentences`` kept (``span.sent``
    walks the tokens one by one, which costs more than all the components together)."""
    bounds = doc.user_data.get(SENTENCES_KEY)
    if not bounds:
        return str(span.sent.text if doc.has_annotation("SENT_START") else span.text).strip()
    starts, ends = bounds
    i = bisect_right(starts, span.start_char) - 1
    if i < 0 or ends[i] < span.end_char:  # a span across sentences: widen to whole sentences
        j = bisect_left(ends, span.end_char)
        lo = min(starts[max(i, 0)] if i >= 0 else span.start_char, span.start_char)
        hi = max(ends[j] if j < len(ends) else span.end_char, span.end_char)
        if hi - lo > MAX_SENTENCE_CHARS:  # what a mention carries stays bounded
            lo = max(lo, span.start_char - MAX_SENTENCE_CHARS // 4)
            hi = min(hi, span.end_char + MAX_SENTENCE_CHARS // 4)
        return text[lo:hi].strip()
    return text[starts[i] : ends[i]]


def doc_mentions(doc: Doc, *, offset: int = 0) -> Iterator[Mention]:
    """Every span of every ``kg_*`` group as a :class:`Mention`, in text order.

    ``offset`` is added to character offsets (for a Doc made from a chunk of a longer text).
    """
    text = doc_text(doc)
    attributes = _attributes_by_span(doc)
    spans = [s for key in SPAN_KEYS if key in doc.spans for s in doc.spans[key]]
    spans.sort(key=lambda s: (s.start_char, s.end_char, s.label_))
    for span in spans:
        start, end = span.start_char, span.end_char
        yield Mention(
            label=span.label_,
            text=text[start:end],
            start=start + offset,
            end=end + offset,
            sentence=_sentence_of(doc, text, span),
            attributes=dict(attributes.get((start, end), {})),
        )
