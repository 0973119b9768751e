"""Component ``kg_doc_numbers`` (in progress)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.pipeline import set_group


class DocNumberTagger:
    def __call__(self, doc: Doc) -> Doc:
        set_group(doc, "kg_doc_numbers", [])
        return doc


@Language.factory("kg_doc_numbers", assigns=["doc.spans"])
def make_doc_numbers(nlp: Language, name: str) -> DocNumberTagger:
    return DocNumberTagger()
