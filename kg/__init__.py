"""policy-kg: Chinese government rule-of-law reports into a knowledge graph.

Public verbs:

- :func:`read_report` — a file (.txt .html .pdf .docx) into a :class:`Report`;
- :func:`tag_report` — a :class:`Report` into :class:`Tags` (cited documents, 文号,
  institutions, programs, outcomes, places).

They are imported when first used (PEP 562), so ``import kg`` and ``kg --help`` load neither
spaCy nor rdflib; ``tests/test_startup.py`` keeps it so.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

#: Each public name and the module it lives in.
_LAZY = {
    "KGError": "kg.errors",
    "Report": "kg.corpus",
    "read_report": "kg.corpus",
    "Tags": "kg.nlp",
    "tag_report": "kg.nlp",
    "open_store": "kg.notebook",  # notebooks: kg.open_store(path).query(…)
}

if TYPE_CHECKING:
    from kg.corpus import Report, read_report
    from kg.errors import KGError
    from kg.nlp import Tags, tag_report
    from kg.notebook import open_store

__all__ = [
    "KGError",
    "Report",
    "Tags",
    "__version__",
    "open_store",
    "read_report",
    "tag_report",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # found once; later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
