"""Ingestion throughput: characters of cleaned text per second over the shipped corpus.

Reads the corpus replicated to 1, 4 and 16 MB (each measurement in a fresh process) and prints
characters per second and peak memory, so growth with input size is visible.

    .venv/bin/python benchmarks/bench_ingest.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CORPUS, Measure, emit, peak_mib, run_worker, temp_corpus

SIZES_MB = (1, 4, 16)


def worker(directory: str) -> None:
    from kg.corpus import find_reports, read_report

    files = find_reports([directory])
    start = time.perf_counter()
    chars = sum(len(read_report(f).text) for f in files)
    emit(Measure(chars, time.perf_counter() - start, peak_mib()))


def main() -> None:
    from kg.corpus import find_reports, read_report

    files = find_reports([CORPUS])
    start = time.perf_counter()
    chars = sum(len(read_report(f).text) for f in files)
    secs = time.perf_counter() - start
    print(
        f"shipped corpus: {len(files)} files, {chars:,} chars in {secs * 1000:.1f} ms "
        f"(first read, cold imports excluded)"
    )
    row = "{:>8}  {:>6}  {:>12}  {:>8}  {:>12}  {:>9}"
    print(row.format("corpus", "files", "chars", "seconds", "chars/s", "peak MiB"))
    for mb in SIZES_MB:
        tmp, copies = temp_corpus(mb * 1024 * 1024)
        with tmp:
            m = run_worker(Path(__file__), tmp.name)
        print(
            row.format(
                f"{mb}MB",
                len(copies),
                f"{m.chars:,}",
                f"{m.seconds:.2f}",
                f"{m.rate:,.0f}",
                f"{m.peak_mib:.1f}",
            )
        )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
    else:
        main()
