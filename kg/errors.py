"""One error hierarchy for the whole package.

Library code raises these; the command line turns them into ``Error: …`` in exactly one
place (:func:`kg.cli.main`). Every message says what was wrong and what to do about it.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error policy-kg raises on purpose."""


class IngestError(KGError):
    """A report file could not be read: the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class GoldError(KGError):
    """A gold annotation file is missing or malformed."""


class PipelineError(KGError):
    """The spaCy pipeline could not be built, saved or loaded."""


class StoreError(KGError):
    """The graph store cannot be opened or written: in use, missing, or not a store."""
