"""The tagger's floors on the shipped gold (issue: the tagger). A test fails when one is missed.

Scores are micro-averaged over the five shipped reports, exactly as ``kg eval`` prints them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.corpus import read_report
from kg.evaluate import Score, combine, load_gold, score_file
from kg.nlp import tag_report

FLOORS = [
    ("documents", "strict", 0.99),
    ("nested_documents", "strict", 0.99),
    ("doc_numbers", "strict", 0.99),
    ("damaged_doc_numbers", "strict", 0.99),
    ("institutions", "strict", 0.90),
    ("programs", "strict", 0.80),
    ("programs", "relaxed", 0.90),
    ("outcomes", "strict", 0.80),
    ("outcomes", "relaxed", 0.95),
]


@pytest.fixture(scope="module")
def score(corpus_dir: Path, gold_dir: Path) -> Score:
    files = []
    for gold_path in sorted(gold_dir.glob("*.gold.json")):
        report = read_report(corpus_dir / gold_path.name.replace(".gold.json", ".txt"))
        predicted = tag_report(report).to_gold_dict()
        files.append(score_file(predicted, load_gold(gold_path), text=report.text))
    assert len(files) == 5
    return combine(files)


@pytest.mark.parametrize(("category", "mode", "floor"), FLOORS)
def test_f1_floor(score: Score, category: str, mode: str, floor: float) -> None:
    c = score.counts[(category, mode)]
    assert c.f1 >= floor, (
        f"{category} {mode} F1 {c.f1:.3f} < {floor} (tp={c.tp} fp={c.fp} fn={c.fn})"
    )


def test_action_accuracy(score: Score) -> None:
    assert score.action_accuracy >= 0.90, f"{score.actions_correct}/{score.actions_total}"


@pytest.mark.parametrize("field", ["region", "level", "year_covered"])
def test_report_facts_five_of_five(score: Score, field: str) -> None:
    assert score.metadata[field] == 5
