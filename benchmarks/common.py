"""Shared by the benchmarks: a replicated corpus and one measurement in a fresh process."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def replicate(target_bytes: int, into: Path) -> list[Path]:
    """Copies of the shipped reports in ``into`` until they hold ``target_bytes`` bytes."""
    sources = sorted(CORPUS.glob("*.txt"))
    files: list[Path] = []
    total = i = 0
    while total < target_bytes:
        src = sources[i % len(sources)]
        dst = into / f"{i:05d}_{src.name}"
        shutil.copyfile(src, dst)
        files.append(dst)
        total += dst.stat().st_size
        i += 1
    return files


@dataclass
class Measure:
    chars: int
    seconds: float
    peak_mib: float

    @property
    def rate(self) -> float:
        return self.chars / self.seconds if self.seconds else float("inf")


def peak_mib(children: bool = False) -> float:
    """Peak resident memory of this process (and its waited-for children) in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if children else 0
    return (own + kids) / 1024


def run_worker(script: Path, *args: str) -> Measure:
    """Run ``script --worker ARGS`` in a new interpreter; it prints one JSON Measure."""
    out = subprocess.run(
        [sys.executable, str(script), "--worker", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return Measure(data["chars"], data["seconds"], data["peak_mib"])


def emit(m: Measure) -> None:
    print(json.dumps({"chars": m.chars, "seconds": m.seconds, "peak_mib": m.peak_mib}))


def temp_corpus(target_bytes: int) -> tuple[tempfile.TemporaryDirectory[str], list[Path]]:
    tmp = tempfile.TemporaryDirectory(prefix="kg-bench-")
    return tmp, replicate(target_bytes, Path(tmp.name))


def run_worker_json(script: Path, *args: str) -> dict[str, Any]:
    """Run ``script --worker ARGS`` in a new interpreter; its last stdout line is a JSON object."""
    out = subprocess.run(
        [sys.executable, str(script), "--worker", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data
