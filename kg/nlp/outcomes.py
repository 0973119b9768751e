"""Component ``kg_outcomes`` (in progress)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.pipeline import set_group


class OutcomeTagger:
    def __call__(self, doc: Doc) -> Doc:
        set_group(doc, "kg_outcomes", [])
        return doc


@Language.factory("kg_outcomes", assigns=["doc.spans"])
def make_outcomes(nlp: Language, name: str) -> OutcomeTagger:
    return OutcomeTagger()
