"""Component ``kg_programs`` (in progress)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.pipeline import set_group


class ProgramTagger:
    def __call__(self, doc: Doc) -> Doc:
        set_group(doc, "kg_programs", [])
        return doc


@Language.factory("kg_programs", assigns=["doc.spans"])
def make_programs(nlp: Language, name: str) -> ProgramTagger:
    return ProgramTagger()
