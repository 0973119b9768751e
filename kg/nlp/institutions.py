"""Component ``kg_institutions`` (in progress)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.pipeline import set_group


class InstitutionTagger:
    def __call__(self, doc: Doc) -> Doc:
        set_group(doc, "kg_institutions", [])
        return doc


@Language.factory("kg_institutions", assigns=["doc.spans"])
def make_institutions(nlp: Language, name: str) -> InstitutionTagger:
    return InstitutionTagger()
