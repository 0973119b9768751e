"""Tagging speed and memory on the shipped corpus replicated to 5, 10 and 20 MB.

For each size, in a fresh process each, prints characters per second and peak resident memory
(largest single process) for:

- read      — ingestion only (decode, clean, segment);
- regex     — read + one bare regex pass for 《…》 titles and 文号 (the floor any tagger pays);
- full x1   — read + the whole spaCy pipeline, one process;
- full x2   — the same over two worker processes (multiprocessing, pipeline loaded once each).

    .venv/bin/python benchmarks/bench_tag.py [--sizes 5,10,20]
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Measure, emit, peak_mib, run_worker, temp_corpus

MODES = ("read", "regex", "full x1", "full x2")
_FLOOR = re.compile(
    r"《[^《》\n]{1,200}》|[\u4e00-\u9fff]{1,10}[〔\[(（【][12]\d{3}[〕\])）】]\d{1,4}号"
)

_nlp = None


def _init() -> None:
    global _nlp
    from kg.nlp import default_pipeline

    _nlp = default_pipeline()


def _tag_file(path: Path) -> int:
    from kg.corpus import read_report
    from kg.nlp import tag_report

    report = read_report(path)
    tag_report(report, _nlp)
    return len(report.text)


def worker(mode: str, directory: str) -> None:
    from kg.corpus import find_reports, read_report
    from kg.nlp import tag_report

    files = find_reports([directory])
    if mode.startswith("full"):
        _init()
        tag_report(read_report(files[0]), _nlp)  # warm up: first call builds lazy state
    start = time.perf_counter()
    chars = 0
    if mode == "read":
        chars = sum(len(read_report(f).text) for f in files)
    elif mode == "regex":
        for f in files:
            text = read_report(f).text
            chars += len(text)
            sum(1 for _ in _FLOOR.finditer(text))
    elif mode == "full x1":
        for f in files:
            report = read_report(f)
            chars += len(report.text)
            tag_report(report, _nlp)
    else:
        with Pool(2, initializer=_init) as pool:
            chars = sum(pool.imap_unordered(_tag_file, files, chunksize=4))
    seconds = time.perf_counter() - start
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    emit(Measure(chars, seconds, max(peak_mib(), kids)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,10,20", help="corpus sizes in MB (default 5,10,20)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    row = "{:>7}  {:<8}  {:>11}  {:>8}  {:>11}  {:>9}"
    print(row.format("corpus", "mode", "chars", "seconds", "chars/s", "peak MiB"))
    for mb in sizes:
        tmp, _files = temp_corpus(mb * 1024 * 1024)
        with tmp:
            for mode in MODES:
                m = run_worker(Path(__file__), mode, tmp.name)
                cells = (f"{m.chars:,}", f"{m.seconds:.2f}", f"{m.rate:,.0f}", f"{m.peak_mib:.1f}")
                print(row.format(f"{mb}MB", mode, *cells), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        main()
