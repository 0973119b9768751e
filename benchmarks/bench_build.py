"""Graph build time and memory on the shipped corpus replicated 1×, 10× and 100×.

Copy 0 of each report is the shipped file unchanged; in copy k (k ≥ 1) the report's region and
the units above it are renamed to other real divisions of the same types from
``kg/data/regions.csv`` (a 县 under a 地级市 under a 省 becomes another such 县, …), full names
and short forms (惠安县 → X县, 惠安 → X, 泉州市 → Y市, 福建省 → Z省, and the first character of
a 文号 such as 惠政文〔2023〕8号), so that regions, institutions and documents of the copies do
not collapse into those of the original. Replacements lie in another province, have full and
short names that are unique in the gazetteer and hold no level character (not 萍乡市, 固镇县),
and are kept only where ``kg`` reads the renamed report back as the new region; no division is
used twice in one replicated corpus. The town report (天福镇) keeps its town name.

For each size, in a fresh process, one ``kg build`` into a new on-disk store (the spaCy pipeline
is loaded and warmed before the clock starts, as in bench_tag; with ``--jobs`` > 1 the forked
workers inherit it), then a second build of the same, unchanged files (``rebuild s``: the
incremental no-op cost). Prints one row per size: files, input MB, triples, distinct kg:Region
nodes, build seconds, triples per second, peak resident memory (this process plus its largest
worker), how time and memory grow against the first (smallest) size, and the store's size on
disk after the first build.

    .venv/bin/python benchmarks/bench_build.py [--sizes 1,10,100] [--jobs 1]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CORPUS, peak_mib, run_worker_json

if TYPE_CHECKING:
    from kg.nlp.places import Gazetteer, Region
    from kg.resolve.regions import LinkedRegion


def gazetteer() -> Gazetteer:
    from kg.nlp.places import gazetteer as shipped

    return shipped()


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    text: str
    chain: tuple[Region, ...]  # the coded divisions, province first


def _linked(text: str) -> LinkedRegion | None:
    from kg.corpus import read_bytes
    from kg.resolve import link_region

    report = read_bytes(text.encode("utf-8"), path="copy.txt")
    if report.region is None:
        return None
    return link_region(report.region, chain=report.region_chain, text=report.text)


def _region_path(text: str) -> tuple[str, ...]:
    """The report's region as ``kg build`` places it: (福建省, 泉州市, 惠安县)."""
    linked = _linked(text)
    return linked.path if linked else ()


def _coded_chain(path: Path, text: str) -> tuple[Region, ...]:
    """The report's divisions that have a GB/T 2260 code, from the province down."""
    linked = _linked(text)
    if linked is None or linked.county_code is None:
        raise SystemExit(f"{path.name}: cannot place the report's region")
    by_code = gazetteer().by_code
    chain: list[Region] = []
    region: Region | None = by_code[linked.county_code]
    while region is not None:
        chain.append(region)
        region = by_code.get(region.parent_code)
    return tuple(reversed(chain))


def _ancestors(region: Region) -> tuple[Region, ...]:
    by_code = gazetteer().by_code
    out: list[Region] = []
    current: Region | None = region
    while current is not None:
        out.append(current)
        current = by_code.get(current.parent_code)
    return tuple(reversed(out))


_LEVEL_CHARS = "省市县区乡镇村街州旗盟"


def _usable(region: Region) -> bool:
    """Names that read back to this one division: unique full and short names, with no
    level character inside (景德镇市, 萍乡市, 固镇县 would read as a town or township)."""
    gaz = gazetteer()
    short = region.short_name
    return (
        len(short) >= 2
        and not set(short) & set(_LEVEL_CHARS)
        and len(gaz.by_name.get(region.name, [])) == 1
        and len(gaz.by_short.get(short, [])) == 1
    )


def _candidates(chain: tuple[Region, ...]) -> Iterator[tuple[Region, ...]]:
    """Chains of the same division types as ``chain`` in other provinces, one province after
    another in turn (round robin), so consecutive copies are spread over the country."""
    types = [r.type for r in chain]
    banned = {n for r in chain for n in (r.name, r.short_name)}
    by_province: dict[str, list[tuple[Region, ...]]] = {}
    for region in sorted(gazetteer().by_code.values(), key=lambda r: r.code):
        if region.type != types[-1]:
            continue
        other = _ancestors(region)
        if [r.type for r in other] != types or other[0].code == chain[0].code:
            continue
        if not all(_usable(r) for r in other):
            continue
        names = {n for r in other for n in (r.name, r.short_name)}
        if any(a in b or b in a for a in names for b in banned):
            continue
        by_province.setdefault(other[0].code, []).append(other)
    queues = list(by_province.values())
    while any(queues):
        for queue in queues:
            if queue:
                yield queue.pop(0)


_CJK = "\u4e00-\u9fff"


def rename(text: str, old: Sequence[Region], new: Sequence[Region]) -> str:
    """``text`` with each division of ``old`` named as the one of ``new`` at the same level."""
    pairs: dict[str, str] = {}
    for a, b in zip(old, new, strict=True):
        pairs[a.name] = b.name
        if a.short_name and b.short_name:
            pairs[a.short_name] = b.short_name
    pattern = re.compile("|".join(re.escape(k) for k in sorted(pairs, key=len, reverse=True)))
    text = pattern.sub(lambda m: pairs[m.group()], text)
    # 文号 prefixes: 惠政文〔2023〕8号 → X政文〔2023〕8号, (漯法〔2021〕2号) → (Y法〔2021〕2号).
    for a, b in zip(old, new, strict=True):
        if a.short_name and b.short_name and a.short_name[0] != b.short_name[0]:
            head = rf"(?<![{_CJK}]){re.escape(a.short_name[0])}"
            number = rf"(?=[{_CJK}]{{1,3}}[〔\[(（【][12]\d{{3}}[〕\])）】])"
            text = re.sub(head + number, b.short_name[0], text)
    return text


def replicate_renamed(copies: int, into: Path) -> list[Path]:
    """``copies`` copies of each shipped report in ``into``: copy 0 as shipped, the others
    with their regions renamed (see the module docstring)."""
    texts = {p: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}
    sources = [Source(p, text, _coded_chain(p, text)) for p, text in texts.items()]
    used = {r.code for s in sources for r in s.chain}
    files: list[Path] = []
    for source in sources:
        pool = _candidates(source.chain)
        for k in range(copies):
            dst = into / f"{k:03d}_{source.path.name}"
            if k == 0:
                shutil.copyfile(source.path, dst)
            else:
                for chain in pool:
                    if chain[-1].code in used:
                        continue
                    text = rename(source.text, source.chain, chain)
                    if _region_path(text)[: len(chain)] == tuple(r.name for r in chain):
                        break
                else:
                    raise SystemExit(f"{source.path.name}: ran out of divisions to rename to")
                used.add(chain[-1].code)
                dst.write_text(text, encoding="utf-8")
            files.append(dst)
    return files


def worker(directory: str, jobs: int, executor: str = "local") -> None:
    from kg.build import build
    from kg.corpus import find_reports, read_report
    from kg.nlp import default_pipeline, tag_report
    from kg.store import open_store

    files = find_reports([directory])
    tag_report(read_report(files[0]), default_pipeline())  # warm up, as bench_tag does
    with tempfile.TemporaryDirectory(prefix="kg-bench-store-") as tmp:
        store_dir = Path(tmp) / "store"
        with open_store(store_dir) as store:
            start = time.perf_counter()
            first = build([directory], store, jobs=jobs, executor=executor)
            seconds = time.perf_counter() - start
        disk = sum(f.stat().st_size for f in store_dir.rglob("*") if f.is_file())
        with open_store(store_dir) as store:
            start = time.perf_counter()
            again = build([directory], store, jobs=jobs, executor=executor)
            rebuild = time.perf_counter() - start
    if first.failures or again.failures or again.unchanged != len(files):
        raise SystemExit(f"build failed: {first.failures or again.failures}")
    result: dict[str, Any] = {
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "triples": first.triples,
        "regions": first.counts.get("regions", 0),
        "seconds": seconds,
        "rebuild": rebuild,
        "disk": disk,
        "peak_mib": peak_mib(children=True),
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100", help="corpus copies (default 1,10,100)")
    parser.add_argument("--jobs", type=int, default=1, help="tagging processes (default 1)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    reports = len(list(CORPUS.glob("*.txt")))
    print(f"kg build: the shipped corpus ({reports} reports) replicated; jobs={args.jobs}")
    row = "{:>5}  {:>6}  {:>8}  {:>10}  {:>7}  {:>8}  {:>10}  {:>8}  {:>6}  {:>6}  {:>9}  {:>7}"
    print(
        row.format(
            "size",
            "files",
            "input MB",
            "triples",
            "regions",
            "build s",
            "triples/s",
            "peak MiB",
            "time×",
            "mem×",
            "rebuild s",
            "disk MB",
        )
    )
    base: dict[str, Any] | None = None
    for copies in sizes:
        with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
            replicate_renamed(copies, Path(tmp))
            m = run_worker_json(Path(__file__), tmp, str(args.jobs))
        base = base or m
        cells = (
            f"{copies}×",
            m["files"],
            f"{m['bytes'] / 2**20:.2f}",
            f"{m['triples']:,}",
            f"{m['regions']:,}",
            f"{m['seconds']:.2f}",
            f"{m['triples'] / m['seconds']:,.0f}",
            f"{m['peak_mib']:.1f}",
            f"{m['seconds'] / base['seconds']:.2f}",
            f"{m['peak_mib'] / base['peak_mib']:.2f}",
            f"{m['rebuild']:.2f}",
            f"{m['disk'] / 1e6:.1f}",
        )
        print(row.format(*cells), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), *sys.argv[4:5])
    else:
        main()
