"""policy-kg: Chinese government rule-of-law reports into a knowledge graph.

Public verbs:

- :func:`read_report` — a file (.txt .html .pdf .docx) into a :class:`Report`;
- :func:`tag_report` — a :class:`Report` into :class:`Tags` (cited documents, 文号,
  institutions, programs, outcomes, places).
"""

from __future__ import annotations

__version__ = "0.1.0"

from kg.corpus import Report, read_report
from kg.errors import KGError
from kg.nlp import Tags, tag_report
from kg.notebook import open_store as open_store  # notebooks: kg.open_store(path).query(…)

__all__ = ["KGError", "Report", "Tags", "__version__", "read_report", "tag_report"]
