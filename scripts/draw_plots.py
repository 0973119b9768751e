"""Draw the README's pictures of the shipped corpus with ``kg plot``: a map, a timeline and a
comparison chart, into docs/.

    .venv/bin/pip install -e '.[plot]'      # and a CJK font: apt-get install fonts-wqy-zenhei
    .venv/bin/python scripts/draw_plots.py       # builds corpus/ into a temporary store

Each picture is the answer of a saved query drawn as is: where the program "三项制度" (the three
enforcement systems) is named, by province; the regions naming it for the first time, per
year; and the administrative reconsideration cases each region reports.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLOTS = (
    ("map", "--program", "三项制度", "--level", "province", "-o", "docs/map-programs.png"),
    ("timeline", "--program", "三项制度", "--first", "-o", "docs/timeline-programs.png"),
    ("compare", "--indicator", "reconsideration_cases", "-o", "docs/compare-reconsideration.png"),
)


def kg(*args: str) -> None:
    command = [sys.executable, "-m", "kg.cli", *args]
    print("$ kg " + " ".join(args), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="an existing store of the corpus (default: build one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store or str(Path(tmp) / "store")
        if args.store is None:
            kg("build", "corpus/", "--store", store)
        for plot in PLOTS:
            kg("plot", *plot, "--store", store)


if __name__ == "__main__":
    main()
