"""Review: a person checks what the tagger found, and the corrections survive every build.

``kg review export`` writes chosen reports' tags as tasks for an annotation tool (Label Studio's
JSON import format with its labelling config, or plain JSONL); ``kg review import`` reads the
tool's export back into the corrections file (:mod:`kg.review.corrections`); ``kg build``
applies the corrections after tagging (:mod:`kg.review.apply`); ``kg review eval`` scores the
tagger against them (:mod:`kg.review.gold`).
"""
