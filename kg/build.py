"""``kg build``: report files in, one named graph per report in the store.

For each file: read the bytes and take their digest; skip the file when the store already
holds a graph built from the same bytes by the same rules (:func:`builder`: the version and
the digest of every stage, :mod:`kg.fingerprint`); otherwise read, tag, resolve and write it
(:func:`kg.graph.writer.report_graph`) and load the result in one transaction
(:meth:`kg.store.GraphStore.put`), with its bookkeeping: digests, the shared-entity triples it
contributes, and, when it replaces an older graph, the mark that a collection is pending.
Tagging may run in several processes (:mod:`kg.pool`); loading is done by this process alone,
one report at a time, so a failure, Ctrl-C or a kill leaves every report either as it was or
wholly replaced. A fresh build (no report graph in the store yet) instead gathers reports
into batches for Oxigraph's bulk loader (:meth:`kg.store.GraphStore.put_new`), whose
bookkeeping is written only after their graphs: a batch cut short leaves no report that
looks built, and the next build drops what it left and writes it again. Last, when a
collection is pending (this build's or a killed one's), the
shared entities are made what the kept reports contribute: the store then equals a clean
build of the same files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import URIRef

from kg import __version__, fingerprint
from kg.corpus import find_reports, read_bytes
from kg.corpus.ingest import display_path, read_file
from kg.corpus.metadata import ReportFacts, missing_facts
from kg.errors import IngestError, KGError
from kg.graph import iris
from kg.graph.writer import ReportGraph, Triple, report_graph
from kg.pool import tagging_pool, uninterrupted
from kg.review.corrections import Correction, corrections_digest
from kg.stats import class_counts
from kg.store import BUILD, PENDING, KGStore, bookkeeping, file_digest, write_error

#: Quads of new reports gathered before one bulk load (a fresh build): the batch is held in
#: memory, so this bounds what a fresh build holds beyond one report.
BULK_QUADS = 50_000


def builder() -> str:
    """What a graph was built by: policy-kg's version and the digest of every stage's rules
    (:mod:`kg.fingerprint`), so that new rules rebuild the reports even without a new version."""
    return f"policy-kg/{__version__}+{fingerprint.fingerprint()}"


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
    reasons: dict[str, int] = field(default_factory=dict)  # why reports were replaced
    orphans: int = 0  # shared entities no report names any more
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    incomplete: list[tuple[str, str]] = field(default_factory=list)  # (path, what it lacks)
    set_aside: list[tuple[str, str]] = field(default_factory=list)  # (path, correction)
    triples: int = 0  # in the whole store after the build
    counts: dict[str, int] = field(default_factory=dict)  # by class
    seconds: float = 0.0


def _digest(data: bytes, facts: ReportFacts | None, corrections: tuple[Correction, ...]) -> str:
    """``<content>;<builder>[;facts=…][;review=…]``: what decides a report's graph."""
    digest = f"{file_digest(data)};{builder()}"
    digest = f"{digest};facts={facts.digest()}" if facts is not None else digest
    return f"{digest};review={corrections_digest(corrections)}" if corrections else digest


def read_source(
    path: Path, facts: ReportFacts | None = None, corrections: tuple[Correction, ...] = ()
) -> SourceFile:
    """The file's name and digest (a regular file, its size checked first: nothing huge is
    read, no FIFO or device blocks the build). A name that is not UTF-8 gets %XX escapes."""
    data = read_file(path)
    digest = _digest(data, facts, corrections)
    return SourceFile(path, display_path(path.name), digest, facts=facts, corrections=corrections)


def tag_file(source: SourceFile) -> Tagged:
    """Read, tag and write one file (runs in a worker process when ``jobs`` > 1)."""
    from kg.nlp import tag_report

    try:
        data = read_file(source.path)
        if file_digest(data) != source.digest.partition(";")[0]:
            return Tagged(source, None, "the file changed while the build ran; build again")
        if _digest(data, source.facts, source.corrections) != source.digest:
            return Tagged(
                source,
                None,
                "policy-kg's rules here differ from those the build started with (they changed "
                "while it ran, or this worker has another version); build again",
            )
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
    yield from tagging_pool(tag_file, sources, jobs)


@contextmanager
def _writing(store: KGStore, lost: str) -> Iterator[None]:
    """One write to the store: a signal waits for its end (:func:`kg.pool.uninterrupted`); an
    OSError (the disk full …) becomes one :class:`~kg.errors.StoreError` saying ``lost``."""
    with uninterrupted():
        try:
            yield
        except OSError as err:
            raise write_error(err, store, lost) from None


def default_jobs(n_files: int) -> int:
    return max(1, min(os.cpu_count() or 1, 4, n_files))


def _meta(graph: ReportGraph, source: SourceFile, *, replaced: bool = False) -> list[Triple]:
    """The bookkeeping of a report graph; a replaced one also marks a collection pending, in
    the same transaction, so a kill before the collection leaves it for the next build."""
    meta = bookkeeping(
        graph.graph,
        source.name,
        source.digest,
        shared=graph.shared,
        stages=fingerprint.stage_records(),
    )
    return [*meta, PENDING] if replaced else meta


def _stage_records(store: KGStore) -> dict[str, list[str]]:
    """The stage digests recorded with each report graph, by graph IRI."""
    query = f"""SELECT ?g ?stage WHERE {{ GRAPH <{iris.META_GRAPH}> {{
        ?g <{BUILD.stage}> ?stage }} }}"""
    records: dict[str, list[str]] = {}
    for row in store.select(query):
        records.setdefault(row[0].value, []).append(row[1].value)
    return records


def _part(digest: str, key: str) -> str:
    """The ``key…`` field of a report digest (``facts=…``, ``review=…``), or ""."""
    return next((f for f in digest.split(";") if f.startswith(key)), "")


def _why(old: str, new: str, stages: list[str] | None) -> str:
    """Why a report whose recorded digest is ``old`` is built again (its digest now ``new``)."""
    if old.partition(";")[0] != new.partition(";")[0]:
        return "the file changed"
    for part, what in (
        ("facts=", "its --metadata facts changed"),
        ("review=", "its corrections changed"),
    ):
        if _part(old, part) != _part(new, part):
            return what
    if stages is None:
        return "it was built by a policy-kg that recorded no fingerprint"
    changed = fingerprint.changed_stages(stages)
    return fingerprint.why_changed(changed) if changed else "policy-kg's version changed"


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
            summary.failures.append(
                (
                    display_path(path),
                    f"has the same file name as {display_path(seen[key])}; rename one of them",
                )
            )
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
    bulk: bool = True,
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

    Into a store that holds no report graph, ``bulk`` (the default) loads the reports through
    the store's bulk loader (:meth:`kg.store.KGStore.put_new`), :data:`BULK_QUADS` at a time;
    otherwise, and always into a store that holds reports, one transaction per report.
    """
    started = time.perf_counter()
    summary = BuildSummary()
    paths = list(paths)
    sources = collect_sources(paths, summary, metadata, corrections)
    with _writing(store, "no report was stored"):
        store.ensure_ontology()
    states = store.graph_states()
    # report graphs with no bookkeeping: what a bulk load cut short left (put_new)
    known = {state.graph for state in states.values()}
    partial = [g for g in store.graph_iris() if iris.is_report_graph(g) and g not in known]
    if partial:
        with _writing(store, "no report graph was removed"):
            store.remove(URIRef(g) for g in partial)
    records = _stage_records(store) if states else {}
    todo: list[SourceFile] = []
    why: dict[str, str] = {}
    for s in sources:
        state = states.get(s.name)
        if state is not None and state.digest != s.digest:
            why[s.name] = _why(state.digest, s.digest, records.get(state.graph))
        elif state is not None and force:
            why[s.name] = "--force was given"
        if state is None or s.name in why:
            todo.append(s)
    summary.unchanged = len(sources) - len(todo)
    n_jobs = jobs if jobs is not None else default_jobs(len(todo))
    if executor == "dask":
        from kg.distributed import default_shard_dir, tag_with_dask

        where = shard_dir if shard_dir is not None else default_shard_dir(store.path)
        results = tag_with_dask(todo, where, scheduler, workers=n_jobs, reuse=not force)
    else:
        results = _tag_all(todo, n_jobs)
    # a fresh build (no report graph in the store) loads in bulk, BULK_QUADS at a time
    batch: list[tuple[dict[URIRef, Iterable[Triple]], list[Triple]]] = []
    fresh = bulk and store.bulk_loader and not states
    batched = 0

    def flush() -> None:
        nonlocal batched
        if batch:
            with _writing(store, f"the last {len(batch)} reports were not stored"):
                store.put_new(batch)
        batch.clear()
        batched = 0

    for tagged in results:
        source, graph = tagged.source, tagged.graph
        if graph is None:
            summary.failures.append((display_path(source.path), tagged.error or "unknown error"))
        else:
            replaced = source.name in states
            graphs: dict[URIRef, Iterable[Triple]] = {
                graph.graph: graph.triples,
                iris.ENTITIES_GRAPH: graph.shared,
            }
            if fresh:
                batch.append((graphs, _meta(graph, source)))
                batched += len(graph.triples) + len(graph.shared)
                if batched >= BULK_QUADS:
                    flush()
            else:
                with _writing(store, f"nothing of report {source.name} was stored"):
                    store.put(graphs, meta=_meta(graph, source, replaced=replaced))
            if replaced:
                summary.replaced += 1
                reason = why[source.name]
                summary.reasons[reason] = summary.reasons.get(reason, 0) + 1
            else:
                summary.built += 1
            if tagged.missing:
                summary.incomplete.append((str(source.path), ", ".join(tagged.missing)))
            summary.set_aside += [(str(source.path), c) for c in tagged.set_aside]
        if progress is not None:
            progress(source.name)
    flush()
    if prune:
        names = {s.name for s in sources} | {Path(p).name for p, _ in summary.failures}
        gone = [state for name, state in states.items() if name not in names]
        with _writing(store, "no report graph was removed"):
            store.remove(iris.report_graph_iri(state.name) for state in gone)
        summary.removed = len(gone)
    # also after a build killed before its collection: the mark stays until one is done
    if store.collection_pending():
        with _writing(
            store, "the reports are stored; entities no report names are not yet removed"
        ):
            summary.orphans = store.collect_orphans()
    summary.triples = len(store)
    summary.counts = class_counts(store)
    summary.seconds = time.perf_counter() - started
    return summary
