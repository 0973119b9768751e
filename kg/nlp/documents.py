"""Component ``kg_documents``: titles cited in 《…》 (first version: outermost titles only)."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.model import DOCUMENT
from kg.nlp.pipeline import make_span, set_group


def outer_titles(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the text inside each outermost, balanced 《…》."""
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0 and i > start:
                yield start, i
        elif ch == "\n":
            depth = 0


class DocumentTagger:
    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for start, end in outer_titles(doc.text):
            span = make_span(doc, start, end, DOCUMENT)
            if span is not None:
                span._.kg_title = span.text
                spans.append(span)
        set_group(doc, "kg_documents", spans)
        return doc


@Language.factory("kg_documents", assigns=["doc.spans"])
def make_documents(nlp: Language, name: str) -> DocumentTagger:
    return DocumentTagger()
