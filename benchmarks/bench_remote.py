"""Build and query time against the embedded store, the Oxigraph server and Virtuoso, at 1× and
10× the corpus (renamed regions, as bench_build), in one run.

The two servers are started on loopback as the tests start them (tests/servers.py: the
``oxigraph`` package's server with --union-default-graph, Virtuoso 7 with deploy/virtuoso.ini).
Build seconds include tagging (one process) and loading; the spaCy pipeline is loaded before
timing. "stats s" is ``kg stats``; "query s" the saved query report-summary.

    .venv/bin/python benchmarks/bench_remote.py [--copies 1 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from bench_build import replicate_renamed  # noqa: E402

from kg.build import build  # noqa: E402
from kg.query.run import run_query  # noqa: E402
from kg.query.saved import saved_query  # noqa: E402
from kg.remote import Endpoint, RemoteStore, run_remote_query  # noqa: E402
from kg.stats import stats  # noqa: E402
from kg.store import KGStore, open_store  # noqa: E402
from tests.servers import Server, oxigraph_server, virtuoso_server  # noqa: E402


@contextmanager
def embedded(workdir: Path) -> Iterator[Server | None]:
    yield None


TARGETS: list[tuple[str, Callable[[Path], AbstractContextManager[Server | None]]]] = [
    ("embedded", embedded),
    ("oxigraph server", lambda d: oxigraph_server(d, "--union-default-graph")),
    ("virtuoso", virtuoso_server),
]


def measure(files: list[Path], store: KGStore, run_summary: Callable[[], object]) -> list[float]:
    started = time.perf_counter()
    summary = build(files, store, jobs=1)
    assert not summary.failures, summary.failures
    built = time.perf_counter() - started
    started = time.perf_counter()
    stats(store)
    counted = time.perf_counter() - started
    started = time.perf_counter()
    run_summary()
    queried = time.perf_counter() - started
    return [summary.triples, built, counted, queried]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    from kg.nlp import default_pipeline

    default_pipeline()  # loaded once, before any timing
    summary_text = saved_query("report-summary").text
    print(f"{'store':<16} {'reports':>7} {'triples':>9} {'build s':>8} {'stats s':>8} "
          f"{'query s':>8}")
    for copies in args.copies:
        with tempfile.TemporaryDirectory(prefix="kg-bench-remote-") as tmp:
            (Path(tmp) / "corpus").mkdir()
            files = replicate_renamed(copies, Path(tmp) / "corpus")
            for label, start in TARGETS:
                workdir = Path(tmp) / label.replace(" ", "-")
                workdir.mkdir()
                with start(workdir) as server:
                    if server is None:
                        path = workdir / "store"
                        with open_store(path) as local:
                            row = measure(
                                files, local,
                                partial(run_query, path, summary_text, fmt="csv", timeout=600),
                            )
                    else:
                        endpoint = Endpoint.from_options(
                            server.query, server.update, server.graph_store, environ=server.env
                        )
                        remote = RemoteStore(endpoint)
                        row = measure(
                            files, remote,
                            partial(run_remote_query, remote, summary_text, fmt="csv"),
                        )
                triples, built, counted, queried = row
                print(f"{label:<16} {len(files):>7} {int(triples):>9,} {built:>8.2f} "
                      f"{counted:>8.2f} {queried:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
