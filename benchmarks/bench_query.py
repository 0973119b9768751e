"""Saved-query latency on the corpus graph replicated 1× and 100×: Oxigraph against rdflib.

For each size, the shipped corpus is replicated with renamed regions (``replicate_renamed``
of bench_build) and built once with ``kg build`` into a temporary on-disk store, in a worker
process (so this process never loads spaCy and forks as lightly as ``kg query`` does). The
build is not part of any query time; its seconds are printed at the top, with the store's
quads and its distinct triples, the build worker's peak resident memory (its tagging processes
included), the store's size on disk, and how quads, build time, memory and disk grow against
the first (smallest) size; ``ox ms×`` after each query's row is its growth the same way.

Every saved query (``kg/queries/*.rq``) runs with each parameter set to its header's example,
bound as ``kg query --param`` binds it (``bind``, then ``with_values`` for the final text), on

- ``ox ms`` — Oxigraph as ``kg query`` runs it (``kg.query.run.evaluate``): ``Store.query(text,
  use_default_graph_as_union=True, prefixes=PREFIXES)`` on the store opened read-only, every
  solution consumed (``list``), nothing rendered;
- ``kg query ms`` — the whole ``kg query`` path, once: ``run_query(store, text, params,
  "json")`` forks a child that opens the store, runs the query and renders it as JSON: the
  query plus the per-invocation overhead. It runs only when ``ox ms`` finished within its
  budget, with that budget as its timeout;
- ``rdflib ms`` — rdflib's default in-memory store (``Memory``): every quad of the store
  (``Store.dump`` as N-Quads) parsed into an ``rdflib.Dataset(default_union=True)``, so its
  default graph is the same union of all graphs; the same final query text with
  ``initNs=PREFIXES``, every row consumed.

Both timings are the median of ``--repeat`` runs after one warm-up run, each in a forked child
(for Oxigraph the child opens the store itself; for rdflib it inherits the loaded dataset),
killed when one run passes the engine's budget (``--oxigraph-budget``, ``--rdflib-budget``;
60 and 30 s by default, so that ``--sizes 1,100`` ends in about ten minutes on two cores):
the cell then reads ``>30 s``. Slow queries get fewer repeats: after the warm-up only as many
runs as fit in ``--repeat-seconds`` (at least one), and a warm-up longer than that is itself
the one measurement (``c`` in ``runs``, which counts the measured runs of Oxigraph/rdflib).
``rows`` is the number of solutions; ``a != b`` flags that Oxigraph gave ``a`` and rdflib
``b``. ``ratio`` is rdflib ms / ox ms, both measured in this run.

``--no-rdflib`` times Oxigraph alone (no rdflib dataset is loaded): 1×, 10×, 100× then fit in
about ten minutes on two cores.

    .venv/bin/python benchmarks/bench_query.py [--sizes 1,100] [--repeat 5]
        [--oxigraph-budget 60] [--rdflib-budget 30] [--repeat-seconds 10] [--no-rdflib]
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import peak_mib, run_worker_json

# --- build, in a worker process ----------------------------------------------------------------


def worker(copies: int, store_dir: str) -> None:
    """Replicate the corpus ``copies`` times and build it into ``store_dir``; print JSON."""
    from bench_build import replicate_renamed

    from kg.build import build
    from kg.store import open_store

    with tempfile.TemporaryDirectory(prefix="kg-bench-corpus-") as tmp:
        files = replicate_renamed(copies, Path(tmp))
        with open_store(store_dir) as store:
            start = time.perf_counter()
            summary = build([tmp], store)
            seconds = time.perf_counter() - start
            quads = len(store)
    if summary.failures:
        raise SystemExit(f"build failed: {summary.failures}")
    disk = sum(f.stat().st_size for f in Path(store_dir).rglob("*") if f.is_file())
    result = {"files": len(files), "quads": quads, "seconds": seconds, "disk": disk}
    print(json.dumps({**result, "peak_mib": peak_mib(children=True)}))


# --- timing, in a forked child that can be killed ----------------------------------------------


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)  # the measured runs
    rows: int | None = None
    cold: bool = False  # the warm-up run was the only one (too slow to repeat)
    timed_out: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.seconds) and not (self.timed_out or self.error)

    @property
    def ms(self) -> float:
        return statistics.median(self.seconds) * 1e3

    @property
    def runs(self) -> str:
        if not self.ok:
            return "-"
        return "c" if self.cold else str(len(self.seconds))


Run = Callable[[], int]  # runs the query once, consuming every row; returns the row count


def repeats(warmup: float, repeat: int, repeat_seconds: float) -> int:
    """How many measured runs follow a warm-up of ``warmup`` seconds (0: use the warm-up)."""
    if warmup >= repeat_seconds:
        return 0
    return max(1, min(repeat, int(repeat_seconds / max(warmup, 1e-9))))


def measure(run: Run, repeat: int, repeat_seconds: float) -> Iterator[tuple[float, int]]:
    """Yield (seconds, rows) of the warm-up run, then of each measured run."""
    start = time.perf_counter()
    rows = run()
    warmup = time.perf_counter() - start
    yield warmup, rows
    for _ in range(repeats(warmup, repeat, repeat_seconds)):
        start = time.perf_counter()
        rows = run()
        yield time.perf_counter() - start, rows


def _child(conn: Connection, setup: Callable[[], Run], repeat: int, seconds: float) -> None:
    try:
        run = setup()  # not timed: open the store, parse nothing yet
        for took, rows in measure(run, repeat, seconds):
            conn.send(("run", took, rows))
        conn.send(("done", 0.0, 0))
    except BaseException as err:
        conn.send(("error", f"{type(err).__name__}: {err}", 0))
    finally:
        conn.close()


def timed(setup: Callable[[], Run], repeat: int, seconds: float, budget: float) -> Timing:
    """Time ``setup()``'s query in a forked child, killed when one run passes ``budget``."""
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, setup, repeat, seconds), daemon=True)
    child.start()
    sender.close()
    runs: list[tuple[float, int]] = []
    timing = Timing()
    try:
        while True:
            if not receiver.poll(budget):
                timing.timed_out = True
                return timing
            kind, value, rows = receiver.recv()
            if kind == "error":
                timing.error = str(value)
                return timing
            if kind == "done":
                break
            runs.append((float(value), int(rows)))
    except EOFError:
        timing.error = "the timing process ended without an answer"
        return timing
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    (warmup, timing.rows), measured = runs[0], runs[1:]
    timing.seconds = [s for s, _ in measured] or [warmup]
    timing.cold = not measured
    return timing


def oxigraph_setup(store_dir: Path, text: str) -> Callable[[], Run]:
    def setup() -> Run:
        import pyoxigraph as ox

        from kg.vocab import PREFIXES

        store = ox.Store.read_only(str(store_dir))

        def run() -> int:  # as kg.query.run.evaluate queries, without rendering
            result = store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
            return 1 if isinstance(result, ox.QueryBoolean) else len(list(result))

        return run

    return setup


def rdflib_setup(dataset: Any, text: str) -> Callable[[], Run]:
    def setup() -> Run:
        from kg.vocab import PREFIXES

        def run() -> int:
            return len(list(dataset.query(text, initNs=PREFIXES)))

        return run

    return setup


def load_rdflib(store_dir: Path) -> Any:
    """Every quad of the store in an rdflib Dataset on the Memory store, default graph the union."""
    import pyoxigraph as ox
    from rdflib import Dataset

    store = ox.Store.read_only(str(store_dir))
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    del store
    dataset = Dataset(default_union=True)  # store="default": rdflib.plugins.stores.memory.Memory
    dataset.parse(data=data or b"", format="nquads")
    return dataset


def distinct_triples(store_dir: Path) -> int:
    """Distinct triples of the union of all graphs (a triple may be in several graphs)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    result = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    return int(next(result)[0].value)


# --- one size ----------------------------------------------------------------------------------


@dataclass
class Row:
    query: str
    ox: Timing
    kg_ms: float | None = None
    kg_error: str | None = None
    rdf: Timing = field(default_factory=Timing)


def run_size(store_dir: Path, args: argparse.Namespace) -> tuple[list[Row], float, int]:
    """A row per saved query; the seconds rdflib took to load the graph; its triples."""
    from kg.errors import KGError
    from kg.query.params import bind, with_values
    from kg.query.run import run_query
    from kg.query.saved import saved_queries

    queries = []
    for q in saved_queries():
        specs = [f"{p.name}={p.example}" for p in q.params if p.example is not None]
        subs = bind(specs, [p.name for p in q.params], q.required, f"query {q.name!r}")
        queries.append((q, subs, with_values(q.text, subs)))

    ox_args = (args.repeat, args.repeat_seconds, args.oxigraph_budget)
    rows: list[Row] = []
    for q, subs, text in queries:  # Oxigraph first, before the rdflib dataset fills memory
        row = Row(q.name, ox=timed(oxigraph_setup(store_dir, text), *ox_args))
        if row.ox.ok:
            start = time.perf_counter()
            try:
                run_query(store_dir, q.text, subs, "json", timeout=args.oxigraph_budget)
                row.kg_ms = (time.perf_counter() - start) * 1e3
            except KGError as err:
                row.kg_error = str(err)
        rows.append(row)
    if args.no_rdflib:  # Oxigraph only: rdflib's columns read "-"
        return rows, 0.0, 0

    start = time.perf_counter()
    dataset = load_rdflib(store_dir)
    load_seconds = time.perf_counter() - start
    triples = len(dataset)
    gc.collect()
    gc.freeze()  # the forked children then leave the dataset's pages shared
    for row, (_, _, text) in zip(rows, queries, strict=True):
        row.rdf = timed(
            rdflib_setup(dataset, text), args.repeat, args.repeat_seconds, args.rdflib_budget
        )
    gc.unfreeze()
    del dataset
    gc.collect()
    return rows, load_seconds, triples


# --- output ------------------------------------------------------------------------------------


def _ms(t: Timing, budget: float) -> str:
    if t.timed_out:
        return f">{budget:g} s"
    return f"{t.ms:,.1f}" if t.ok else "error"


def _ratio(rdf: Timing, ox: Timing, budgets: tuple[float, float]) -> str:
    rdf_budget, ox_budget = budgets
    if rdf.ok and ox.ok:
        return f"{rdf.ms / ox.ms:,.1f}×"
    if rdf.timed_out and ox.ok:
        return f">{rdf_budget * 1e3 / ox.ms:,.0f}×"
    if rdf.ok and ox.timed_out:
        return f"<{rdf.ms / (ox_budget * 1e3):,.2f}×"
    return "-"


def cells(size: int, row: Row, args: argparse.Namespace, notes: list[str]) -> tuple[str, ...]:
    ox_b, rdf_b = args.oxigraph_budget, args.rdflib_budget
    where = f"{size}× {row.query}"
    for name, t in (("ox", row.ox), ("rdflib", row.rdf)):
        if t.error:
            notes.append(f"{where}: {name}: {t.error}")
    if row.kg_error:
        notes.append(f"{where}: kg query: {row.kg_error}")
    rows = "-"
    if row.ox.ok:
        rows = str(row.ox.rows)
        if row.rdf.ok and row.rdf.rows != row.ox.rows:
            rows = f"{row.ox.rows} != {row.rdf.rows}"
    elif row.rdf.ok:
        rows = str(row.rdf.rows)
    if row.kg_ms is not None:
        kg = f"{row.kg_ms:,.1f}"
    elif row.kg_error and "longer than" in row.kg_error:
        kg = f">{ox_b:g} s"
    else:
        kg = "error" if row.kg_error else "-"
    return (
        f"{size}×",
        row.query,
        rows,
        _ms(row.ox, ox_b),
        kg,
        "-" if args.no_rdflib else _ms(row.rdf, rdf_b),
        _ratio(row.rdf, row.ox, (rdf_b, ox_b)),
        f"{row.ox.runs}/{row.rdf.runs}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100", help="corpus copies (default 1,100)")
    parser.add_argument("--repeat", type=int, default=5, help="measured runs (default 5)")
    parser.add_argument(
        "--oxigraph-budget",
        type=float,
        default=60.0,
        help="seconds one Oxigraph run (and the kg query run) may take (default 60)",
    )
    parser.add_argument(
        "--rdflib-budget",
        type=float,
        default=30.0,
        help="seconds one rdflib run may take before it is killed (default 30)",
    )
    parser.add_argument(
        "--repeat-seconds",
        type=float,
        default=10.0,
        help="about how long the measured runs of one query may take together (default 10)",
    )
    parser.add_argument(
        "--no-rdflib", action="store_true", help="time Oxigraph only (fits 100× in minutes)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    import pyoxigraph
    import rdflib

    print(
        f"Saved queries: Oxigraph (pyoxigraph {pyoxigraph.__version__}, on-disk store) against "
        f"rdflib {rdflib.__version__} (Dataset, in-memory Memory store); median of up to "
        f"{args.repeat} runs after a warm-up; budgets: Oxigraph {args.oxigraph_budget:g} s, "
        f"rdflib {args.rdflib_budget:g} s a run"
    )
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-query-") as tmp:
        distinct: dict[int, int] = {}
        head = "{:>5}  {:>6}  {:>10}  {:>16}  {:>8}  {:>8}  {:>8}  {:>7}  {:>6}  {:>6}  {:>6}"
        titles = ("size", "files", "quads", "distinct triples", "build s", "peak MiB", "disk MB")
        print(head.format(*titles, "quads×", "time×", "mem×", "disk×"))
        first: dict[str, Any] | None = None
        for copies in sizes:
            store_dir = Path(tmp) / f"store-{copies}"
            m = run_worker_json(Path(__file__), str(copies), str(store_dir))
            distinct[copies] = distinct_triples(store_dir)
            first = first or m
            top = (
                f"{copies}×",
                m["files"],
                f"{m['quads']:,}",
                f"{distinct[copies]:,}",
                f"{m['seconds']:.1f}",
                f"{m['peak_mib']:.0f}",
                f"{m['disk'] / 1e6:.1f}",
                *(f"{m[k] / first[k]:.1f}" for k in ("quads", "seconds", "peak_mib", "disk")),
            )
            print(head.format(*top), flush=True)
        print()
        line = "{:>5}  {:<23}  {:>11}  {:>10}  {:>11}  {:>10}  {:>8}  {:>5}  {:>7}"
        columns = ("size", "query", "rows", "ox ms", "kg query ms", "rdflib ms", "ratio", "runs")
        print(line.format(*columns, "ox ms×"), flush=True)
        smallest: dict[str, float] = {}  # ox ms of each query at the first size
        for copies in sizes:
            rows, load, triples = run_size(Path(tmp) / f"store-{copies}", args)
            for row in rows:
                if row.ox.ok:
                    smallest.setdefault(row.query, row.ox.ms)
                grew = f"{row.ox.ms / smallest[row.query]:,.1f}" if row.ox.ok else "-"
                print(line.format(*cells(copies, row, args, notes), grew), flush=True)
            if args.no_rdflib:
                continue
            note = f"{copies}×: rdflib Dataset loaded in {load:.1f} s, {triples:,} triples"
            if triples != distinct[copies]:
                note += f" (Oxigraph: {distinct[copies]:,})"
            notes.append(note)
    print()
    print(
        "rows: solutions, a != b: Oxigraph a, rdflib b. ratio: rdflib ms / ox ms. "
        "runs: measured runs of ox/rdflib, c: the warm-up run only."
    )
    for note in notes:
        print(note)


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--worker":
        worker(int(sys.argv[2]), sys.argv[3])
    else:
        main()
