"""``kg build``: report files in, one named graph per report in the store.

For each file: read the bytes and take their digest; skip the file when the store already
holds a graph built from the same bytes by the same version of policy-kg; otherwise read, tag,
resolve and write it (:func:`kg.graph.writer.report_graph`) and load the result in one
transaction (:meth:`kg.store.GraphStore.put`). Tagging may run in several processes; loading
is done by this process alone, one report at a time, so a failure or a kill leaves every
report either as it was or wholly replaced.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg import __version__
from kg.corpus import find_reports, read_bytes
from kg.corpus.ingest import display_path, read_file
from kg.corpus.metadata import ReportFacts, missing_facts
from kg.errors import IngestError, KGError
from kg.graph import iris
from kg.graph.writer import ReportGraph, Triple, report_graph
from kg.review.corrections import Correction, corrections_digest
from kg.stats import class_counts
from kg.store import KGStore, bookkeeping, file_digest

#: What a graph was built from: the file's bytes and the builder's version.
BUILDER = f"policy-kg/{__version__}"

@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    name: str  # the file name: the report's identifier in the graph
    digest: str  # content digest + builder version (+ the digest of facts given for it)
    facts: ReportFacts | None = None  # from kg build --metadata: win over inference
    corrections: tuple[Correction, ...] = ()  # reviewers' corrections (kg review import)


@dataclass(frozen=True, slots=True)
class Tagged:
    """A worker's answer for one file: its graph, or why there is none."""

    source: SourceFile
    graph: ReportGraph | None
    error: str | None = None
    missing: tuple[str, ...] = ()  # what region and year questions need and it lacks
    set_aside: tuple[str, ...] = ()  # corrections that no longer fit the report's text


@dataclass(slots=True)
class BuildSummary:
    files: int = 0
    built: int = 0  # new reports
    replaced: int = 0  # reports whose file changed
    unchanged: int = 0  # skipped: same bytes, same builder
    removed: int = 0  # --prune: graphs of files that are gone
    orphans: int = 0  # shared entities no report names any more
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    incomplete: list[tuple[str, str]] = field(default_factory=list)  # (path, what it lacks)
    set_aside: list[tuple[str, str]] = field(default_factory=list)  # (path, correction)
    triples: int = 0  # in the whole store after the build
    counts: dict[str, int] = field(default_factory=dict)  # by class
    seconds: float = 0.0


def _digest(data: bytes, facts: ReportFacts | None, corrections: tuple[Correction, ...]) -> str:
    digest = f"{file_digest(data)};{BUILDER}"
    digest = f"{digest};facts={facts.digest()}" if facts is not None else digest
    return f"{digest};review={corrections_digest(corrections)}" if corrections else digest


def read_source(
    path: Path, facts: ReportFacts | None = None, corrections: tuple[Correction, ...] = ()
) -> SourceFile:
    """The file's name and digest (a regular file, its size checked first: nothing huge is
    read, no FIFO or device blocks the build). A name that is not UTF-8 gets %XX escapes."""
    data = read_file(path)
    digest = _digest(data, facts, corrections)
    return SourceFile(
        path, display_path(path.name), digest, facts=facts, corrections=corrections
    )


def tag_file(source: SourceFile) -> Tagged:
    """Read, tag and write one file (runs in a worker process when ``jobs`` > 1)."""
    from kg.nlp import tag_report

    try:
        data = read_file(source.path)
        if _digest(data, source.facts, source.corrections) != source.digest:
            return Tagged(source, None, "the file changed while the build ran; build again")
        report = read_bytes(data, path=display_path(source.path))
        if source.facts is not None:
            report = source.facts.apply(report)
        tags = tag_report(report)
        if not source.corrections:
            return Tagged(source, report_graph(tags), missing=tuple(missing_facts(report)))
        from kg.review.apply import apply_corrections  # after tagging, before resolution

        review = apply_corrections(tags, source.corrections)
        graph = report_graph(review.tags)
        graph = replace(graph, triples=review.annotate(graph.triples, graph.iri))
        missing = tuple(missing_facts(review.tags.report))
        aside = tuple(c.describe(file=False) for c in review.set_aside)
        return Tagged(source, graph, missing=missing, set_aside=aside)
    except IngestError as err:
        return Tagged(source, None, err.reason)
    except OSError as err:
        return Tagged(source, None, f"cannot read the file ({err.strerror})")
    except Exception as err:  # a bug in a rule must not stop the other files
        return Tagged(source, None, f"tagging failed ({type(err).__name__}: {err})")


def _tag_all(sources: list[SourceFile], jobs: int) -> Iterator[Tagged]:
    if jobs <= 1 or len(sources) <= 1:
        yield from map(tag_file, sources)
        return
    pool = ProcessPoolExecutor(
        max_workers=jobs, initializer=_leave_ctrl_c_to_parent, initargs=(os.getpid(),)
    )
    try:
        yield from pool.map(tag_file, sources, chunksize=1)
    except BaseException as err:  # Ctrl-C, an error, or the build stopped early
        # Queued files are not started; the files in hand finish (each is read under a time
        # budget). A worker killed mid-answer would leave the pool's result pipe half-written,
        # and the interpreter's exit would then wait on it for ever.
        pool.shutdown(wait=True, cancel_futures=True)
        if isinstance(err, BrokenProcessPool):
            raise KGError(f"a tagging worker died ({err}); nothing of it was written") from None
        raise
    pool.shutdown(wait=True)


def _leave_ctrl_c_to_parent(parent: int) -> None:
    """In a pool worker: ignore SIGINT. A terminal's Ctrl-C reaches every process of the group;
    only the parent acts on it (it stops the pool), so no worker dies mid-task with a traceback.
    On Linux the worker is also killed when the parent dies (kill -9, SIGTERM): it would
    otherwise wait for ever on the pool's pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before that took effect
            os._exit(1)


def default_jobs(n_files: int) -> int:
    return max(1, min(os.cpu_count() or 1, 4, n_files))


def _meta(graph: ReportGraph, source: SourceFile) -> list[Triple]:
    return bookkeeping(graph.graph, source.name, source.digest)


def check_paths(paths: list[str | Path]) -> None:
    """Refuse, before any store is opened, paths that do not exist or hold no report."""
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise KGError(f"no such file or directory: {', '.join(missing)}")
    if not find_reports(paths):
        shown = ", ".join(str(p) for p in paths)
        raise KGError(f"no report files found in {shown} (looked for .txt .html .pdf .docx)")


def collect_sources(
    paths: list[str | Path],
    summary: BuildSummary,
    metadata: Mapping[str, ReportFacts] | None = None,
    corrections: Mapping[str, tuple[Correction, ...]] | None = None,
) -> list[SourceFile]:
    """Every report file under ``paths``, each named once, with the facts ``metadata`` gives
    for it and its ``corrections`` (by file name); unreadable ones go to failures."""
    files = find_reports(paths)
    if not files:
        shown = ", ".join(str(p) for p in paths)
        raise KGError(f"no report files found in {shown} (looked for .txt .html .pdf .docx)")
    sources: list[SourceFile] = []
    seen: dict[str, Path] = {}
    for path in files:
        summary.files += 1
        key = display_path(path.name)
        if key in seen:
            summary.failures.append((
                display_path(path),
                f"has the same file name as {display_path(seen[key])}; rename one of them",
            ))
            continue
        try:
            source = read_source(
                path, (metadata or {}).get(path.name), (corrections or {}).get(path.name, ())
            )
        except IngestError as err:
            summary.failures.append((err.path, err.reason))
            continue
        seen[key] = path
        sources.append(source)
    return sources


def build(
    paths: Iterable[str | Path],
    store: KGStore,
    *,
    prune: bool = False,
    force: bool = False,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    shard_dir: Path | None = None,
    metadata: Mapping[str, ReportFacts] | None = None,
    corrections: Mapping[str, tuple[Correction, ...]] | None = None,
) -> BuildSummary:
    """Bring ``store`` up to date with the report files under ``paths``.

    ``executor="dask"`` tags on Dask workers (a local cluster of ``jobs`` workers, or the
    scheduler at ``scheduler``), each report's triples kept as an N-Quads shard with a
    done-marker in ``shard_dir`` (see :mod:`kg.distributed`); loading stays here.

    ``metadata`` (:func:`kg.corpus.metadata.load_metadata`) gives reports' region, level,
    year … by file name, in place of what inference reads. A report built without a region,
    level or year is listed in ``summary.incomplete``.

    ``corrections`` (:func:`kg.review.corrections.by_file`) are reviewers' corrections by file
    name, applied after tagging and before resolution (:mod:`kg.review.apply`); a change of a
    report's corrections rebuilds it, and a correction its text no longer fits is listed in
    ``summary.set_aside``.
    """
    started = time.perf_counter()
    summary = BuildSummary()
    paths = list(paths)
    sources = collect_sources(paths, summary, metadata, corrections)
    store.ensure_ontology()
    states = store.graph_states()
    todo = [
        s for s in sources if force or s.name not in states or states[s.name].digest != s.digest
    ]
    summary.unchanged = len(sources) - len(todo)
    n_jobs = jobs if jobs is not None else default_jobs(len(todo))
    if executor == "dask":
        from kg.distributed import default_shard_dir, tag_with_dask

        where = shard_dir if shard_dir is not None else default_shard_dir(store.path)
        results = tag_with_dask(todo, where, scheduler, workers=n_jobs, reuse=not force)
    else:
        results = _tag_all(todo, n_jobs)
    for tagged in results:
        source, graph = tagged.source, tagged.graph
        if graph is None:
            summary.failures.append((display_path(source.path), tagged.error or "unknown error"))
        else:
            store.put(
                {graph.graph: graph.triples, iris.ENTITIES_GRAPH: graph.shared},
                meta=_meta(graph, source),
            )
            if source.name in states:
                summary.replaced += 1
            else:
                summary.built += 1
            if tagged.missing:
                summary.incomplete.append((str(source.path), ", ".join(tagged.missing)))
            summary.set_aside += [(str(source.path), c) for c in tagged.set_aside]
        if progress is not None:
            progress(source.name)
    if prune:
        names = {s.name for s in sources} | {Path(p).name for p, _ in summary.failures}
        gone = [state for name, state in states.items() if name not in names]
        store.remove(iris.report_graph_iri(state.name) for state in gone)
        summary.removed = len(gone)
    if summary.replaced or summary.removed:
        summary.orphans = store.collect_orphans()
    summary.triples = len(store)
    summary.counts = class_counts(store)
    summary.seconds = time.perf_counter() - started
    return summary
