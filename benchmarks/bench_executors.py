"""Build time of the 100× corpus with one process, two local processes and a Dask local
cluster of two workers, in one run (each build in a fresh interpreter, into a fresh store).

The corpus is the shipped one replicated with renamed regions (``replicate_renamed`` of
bench_build). Seconds include tagging and loading, not the pipeline's first load in the
measuring process; the Dask row includes starting the local cluster and loading the pipeline
once in each worker.

    .venv/bin/python benchmarks/bench_executors.py [--copies 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import replicate_renamed
from common import run_worker_json

SCRIPT = Path(__file__).resolve().parent / "bench_build.py"
RUNS = (
    ("1 process", "1", "local"),
    ("2 processes", "2", "local"),
    ("dask, 2 workers", "2", "dask"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-exec-") as tmp:
        files = replicate_renamed(args.copies, Path(tmp))
        print(f"kg build of {len(files)} reports ({args.copies}× the corpus, renamed regions)")
        print(f"{'executor':<16} {'triples':>10} {'build s':>8} {'triples/s':>10} {'peak MiB':>9}")
        for label, jobs, executor in RUNS:
            m = run_worker_json(SCRIPT, tmp, jobs, executor)
            rate = m["triples"] / m["seconds"]
            print(
                f"{label:<16} {m['triples']:>10,} {m['seconds']:>8.1f} {rate:>10,.0f} "
                f"{m['peak_mib']:>9.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
