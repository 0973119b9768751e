"""The corrections as evaluation data: how the tagger does on what reviewers checked.

For each report with corrections, the tagger's spans (before any correction) are compared
with the reviewed ones, by exact offsets and label:

- a tagged span a reviewer accepted, edited or added is a true positive;
- a tagged span a reviewer rejected (or relabelled away) is a false positive;
- a reviewed span (accepted, added, relabelled, edited) the tagger did not find is a false
  negative;
- a tagged span no reviewer looked at is counted as unreviewed, not as an error.

For true positives the reviewed attributes (action, indicator, value, unit) are compared too.
Corrections set aside (the text changed under them) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.evaluate import Counts
from kg.nlp.model import Tags
from kg.review.corrections import Correction, clean_attributes


@dataclass(slots=True)
class ReviewScore:
    files: int = 0
    counts: dict[str, Counts] = field(default_factory=dict)  # by label
    unreviewed: dict[str, int] = field(default_factory=dict)  # by label
    attributes: dict[str, list[int]] = field(default_factory=dict)  # name -> [correct, total]
    set_aside: int = 0

    def total(self) -> Counts:
        out = Counts()
        for c in self.counts.values():
            out.add(c)
        return out


def score_report(tags: Tags, corrections: Iterable[Correction], score: ReviewScore) -> None:
    """Add one report's comparison to ``score``."""
    text = tags.report.text
    positive: dict[tuple[int, int, str], dict[str, str]] = {}
    negative: set[tuple[int, int, str]] = set()
    for c in corrections:
        if not c.is_span:
            continue
        if text[c.start : c.end] != c.text:
            score.set_aside += 1
            continue
        if c.op == "reject":
            negative.add((c.start, c.end, c.label))
            continue
        positive[(c.start, c.end, c.label)] = c.attrs
        if c.op == "relabel":
            negative.add((c.start, c.end, c.was))
    score.files += 1
    found = set()
    for m in tags.mentions:
        key = (m.start, m.end, m.label)
        if key in found:
            continue
        found.add(key)
        counts = score.counts.setdefault(m.label, Counts())
        if key in positive:
            counts.tp += 1
            predicted = dict(clean_attributes(m.label, m.attributes))
            for name, value in positive[key].items():
                tally = score.attributes.setdefault(name, [0, 0])
                tally[0] += predicted.get(name) == value
                tally[1] += 1
        elif key in negative:
            counts.fp += 1
        else:
            score.unreviewed[m.label] = score.unreviewed.get(m.label, 0) + 1
    for key in positive.keys() - found:
        score.counts.setdefault(key[2], Counts()).fn += 1
