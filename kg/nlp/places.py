"""Component ``kg_places`` (in progress)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.pipeline import set_group


class PlaceTagger:
    def __call__(self, doc: Doc) -> Doc:
        set_group(doc, "kg_places", [])
        return doc


@Language.factory("kg_places", assigns=["doc.spans"])
def make_places(nlp: Language, name: str) -> PlaceTagger:
    return PlaceTagger()
