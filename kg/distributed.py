"""``kg build --executor dask``: tagging spread over Dask workers, loading done here.

Each report is tagged by one Dask task (:func:`shard_task`, a pure function of the file): the
worker reads, tags and writes the report (:func:`kg.build.tag_file`; the spaCy pipeline is
cached per worker process, so each worker loads it once) and writes its quads to a shard,

- ``<shard_dir>/<key>.nq`` — the report graph's and the shared entities' quads, N-Quads lines
  sorted, so the same file always gives the same bytes; written to a temporary name, then
  renamed;
- ``<shard_dir>/<key>.done`` — written (the same way) after the shard: the file name, its
  digest and the shard's SHA-256. A shard without its marker is never read.

``<key>`` is the SHA-256 of the file name and the file's digest (content + builder version):
the report graph's IRI depends on the name, so two copies of one file under different names
are different shards.

The results come back to this process, which alone writes to the store, one report per
transaction, as a single-process build does. A rerun after a crash reads the shards that have a
valid marker instead of tagging those files again. Tasks are pure and submitted with
``retries=2``; a task on a worker that dies is run again on another one.

With ``--scheduler ADDRESS`` the workers must see the same paths as this process: the report
files and ``shard_dir`` on a shared file system.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.build import SourceFile, Tagged, tag_file
from kg.errors import KGError
from kg.graph import iris
from kg.graph.nquads import quad_lines
from kg.graph.writer import ReportGraph, Triple
from kg.store import rdflib_term

if TYPE_CHECKING:
    from distributed import Client

MISSING_EXTRA = "the dask executor needs the optional extra: pip install 'policy-kg[dask]'"
RETRIES = 2


def shard_key(source: SourceFile) -> str:
    """The shard's file stem: a hash of the file name and its digest (content + builder)."""
    return hashlib.sha256(f"{source.name}\0{source.digest}".encode()).hexdigest()


def shard_paths(source: SourceFile, shard_dir: Path) -> tuple[Path, Path]:
    key = shard_key(source)
    return shard_dir / f"{key}.nq", shard_dir / f"{key}.done"


def shard_bytes(graph: ReportGraph) -> bytes:
    """The report's quads as N-Quads, one line per distinct quad, lines sorted."""
    text = quad_lines(graph.triples, graph.graph) + quad_lines(graph.shared, iris.ENTITIES_GRAPH)
    return "".join(sorted(set(text.splitlines(keepends=True)))).encode("utf-8")


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _marker(source: SourceFile, shard: bytes) -> bytes:
    record = {
        "name": source.name,
        "digest": source.digest,
        "shard_sha256": hashlib.sha256(shard).hexdigest(),
    }
    return (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def write_shard(source: SourceFile, graph: ReportGraph, shard_dir: Path) -> None:
    """The shard, then its done-marker, each written to a temporary name and renamed."""
    shard_dir.mkdir(parents=True, exist_ok=True)
    nq, done = shard_paths(source, shard_dir)
    data = shard_bytes(graph)
    _write_atomic(nq, data)
    _write_atomic(done, _marker(source, data))


def shard_task(source: SourceFile, shard_dir: str) -> Tagged:
    """One Dask task: tag the file (:func:`kg.build.tag_file`) and write its shard."""
    tagged = tag_file(source)
    if tagged.graph is not None:
        try:
            write_shard(source, tagged.graph, Path(shard_dir))
        except OSError as err:
            return Tagged(source, None, f"cannot write the shard ({err.strerror})")
    return tagged


def read_shard(source: SourceFile, shard_dir: Path) -> ReportGraph | None:
    """The finished shard of ``source``, or None if there is none (or it does not check out)."""
    import pyoxigraph as ox

    nq, done = shard_paths(source, shard_dir)
    try:
        marker = json.loads(done.read_text(encoding="utf-8"))
        data = nq.read_bytes()
    except (OSError, ValueError):
        return None
    if marker != json.loads(_marker(source, data)):
        return None
    graph = iris.report_graph_iri(source.name)
    own: list[Triple] = []
    shared: list[Triple] = []
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError:
        return None
    for quad in quads:
        where = str(quad.graph_name.value) if isinstance(quad.graph_name, ox.NamedNode) else ""
        triple = (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        if where == str(iris.ENTITIES_GRAPH):
            shared.append(triple)
        elif where == str(graph):
            own.append(triple)
        else:
            return None
    return ReportGraph(
        name=source.name,
        iri=iris.report_iri(source.name),
        graph=graph,
        triples=tuple(own),
        shared=tuple(shared),
    )


def finished(sources: list[SourceFile], shard_dir: Path) -> tuple[list[Tagged], list[SourceFile]]:
    """Split ``sources`` into those with a finished shard (read back) and those to tag."""
    done: list[Tagged] = []
    todo: list[SourceFile] = []
    for source in sources:
        graph = read_shard(source, shard_dir)
        if graph is None:
            todo.append(source)
        else:
            done.append(Tagged(source, graph))
    return done, todo


def _client(scheduler: str | None, workers: int) -> tuple[Client, Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise KGError(MISSING_EXTRA) from err
    if scheduler is not None:
        return Client(scheduler), None  # type: ignore[no-untyped-call]
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=max(1, workers),
        threads_per_worker=1,  # tagging is CPU-bound Python: one task per worker process
        processes=True,  # one spaCy pipeline per process
        dashboard_address=None,
    )
    try:
        return Client(cluster), cluster  # type: ignore[no-untyped-call]
    except BaseException:
        cluster.close()
        raise


def tag_with_dask(
    sources: list[SourceFile],
    shard_dir: Path,
    scheduler: str | None = None,
    workers: int = 2,
    *,
    reuse: bool = True,
) -> Iterator[Tagged]:
    """Tag ``sources`` on Dask workers (a LocalCluster of ``workers`` processes when no
    ``scheduler`` address is given), yielding results in completion order.

    Files whose shard in ``shard_dir`` is finished are read back first, without tagging; no
    cluster is started when every file has one. ``reuse=False`` (``--force``) tags every file
    again and overwrites its shard.
    """
    shard_dir = Path(shard_dir)
    done, todo = finished(sources, shard_dir) if reuse else ([], list(sources))
    yield from done
    if not todo:
        return
    shard_dir.mkdir(parents=True, exist_ok=True)
    client, cluster = _client(scheduler, workers)
    try:
        from distributed import as_completed

        where = str(shard_dir.resolve())
        futures = {
            client.submit(
                shard_task,
                source,
                where,
                key=f"kg-tag-{shard_key(source)}",
                pure=True,
                retries=RETRIES,
            ): source
            for source in todo
        }
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            source = futures[future]
            try:
                result = future.result()
            except Exception as err:  # retries spent, or the workers kept dying
                yield Tagged(source, None, f"dask task failed ({type(err).__name__}: {err})")
                continue
            yield result if isinstance(result, Tagged) else Tagged(source, None, "bad result")
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()


def default_shard_dir(store_path: Path | None) -> Path:
    """Next to an on-disk store (``<store>.shards``); a fresh temporary folder otherwise."""
    if store_path is not None:
        return store_path.parent / f"{store_path.name}.shards"
    return Path(tempfile.mkdtemp(prefix="kg-shards-"))


def pipeline_loads() -> int:
    """How many times this process built the default spaCy pipeline (run on workers)."""
    from kg.nlp import default_pipeline

    return default_pipeline.cache_info().misses
