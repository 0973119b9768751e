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
files and ``shard_dir`` on a shared file system (the paths are sent absolute, so the workers'
working directory does not matter). A scheduler that does not answer within
:data:`CONNECT_TIMEOUT` seconds is an error (:class:`~kg.errors.KGError`), raised before any
report is given back to be loaded.

After a build in which every file got its graph, the shard folder keeps only the shards this
build used (tagged or read back): those of files that are gone, changed, or unchanged and so
skipped, and temporary files of killed writes, are removed (the folder too, when nothing is
left; files that are not shards are kept). A build that is killed, or in which a file failed,
leaves the folder as it is, for the next build to reuse. An in-memory store has no shard folder
(``shard_dir=None``): its build cannot be resumed, so no shards are written.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
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
#: Seconds to wait for ``--scheduler ADDRESS`` to answer.
CONNECT_TIMEOUT = 5

_SHARD_NAME = re.compile(r"([0-9a-f]{64})\.(?:nq|done)")
_TMP_NAME = re.compile(r"\.([0-9a-f]{64})\.(?:nq|done)\..*\.tmp")


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


def shard_task(source: SourceFile, shard_dir: str | None) -> Tagged:
    """One Dask task: tag the file (:func:`kg.build.tag_file`) and write its shard (none when
    ``shard_dir`` is None)."""
    tagged = tag_file(source)
    if tagged.graph is not None and shard_dir is not None:
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


def remove_stale_shards(shard_dir: Path, keep: Iterable[SourceFile]) -> int:
    """Remove the shards and done-markers in ``shard_dir`` of files other than ``keep``, and
    the temporary files of killed writes; the folder too when it is left empty. Other files
    are not touched. Returns how many files were removed."""
    keys = {shard_key(source) for source in keep}
    removed = 0
    try:
        entries = list(shard_dir.iterdir())
    except OSError:
        return 0
    for path in entries:
        shard = _SHARD_NAME.fullmatch(path.name)
        if (shard and shard.group(1) not in keys) or _TMP_NAME.fullmatch(path.name):
            try:
                path.unlink()
                removed += 1
            except OSError:  # tidying up must not fail a build that succeeded
                pass
    with contextlib.suppress(OSError):
        shard_dir.rmdir()  # only when empty
    return removed


def _check_address(scheduler: str) -> None:
    """Refuse an address Dask cannot parse before a Client is made: a Client whose start fails
    on a bad address hangs for seconds in its ``__del__`` and prints a traceback at exit."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, loc = parse_address(scheduler)
        get_backend(scheme)
        if scheme in {"tcp", "tls", "ws", "wss"}:
            parse_host_port(loc)
    except ValueError as err:
        reason = str(err)
    else:
        return
    raise KGError(
        f"{scheduler!r} is not a Dask scheduler address ({reason}); give it as "
        "tcp://HOST:PORT, the address `dask scheduler` prints"
    )


async def _probe(scheduler: str) -> None:
    """Connect and shake hands, all within :data:`CONNECT_TIMEOUT` (Dask bounds the connect,
    not the handshake: a port that accepts and never answers would hang a Client)."""
    from distributed.comm.core import connect

    shake = connect(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
    comm = await asyncio.wait_for(shake, CONNECT_TIMEOUT)
    comm.abort()


def _connect(client_class: Any, scheduler: str) -> Client:
    _check_address(scheduler)
    try:
        with ThreadPoolExecutor(1) as pool:  # its own event loop, even if the caller has one
            pool.submit(asyncio.run, _probe(scheduler)).result()
        client: Client = client_class(scheduler, timeout=CONNECT_TIMEOUT)
        return client
    except TimeoutError:  # the outer wait_for: connected, but no answer
        reason = "something accepted the connection but did not answer like a Dask scheduler"
    except Exception as err:  # refused, unreachable, closed by the other end
        reason = str(err) or type(err).__name__
    # raised outside the except blocks: the half-made client is not kept alive by the chain
    raise KGError(
        f"no Dask scheduler answered at {scheduler} within {CONNECT_TIMEOUT} s ({reason}); "
        f"start one (`dask scheduler`, then `dask worker {scheduler}` on each machine), "
        "check the address and that this machine can reach it, or leave out --scheduler "
        "to tag on a local cluster"
    )


def _client(scheduler: str | None, workers: int) -> tuple[Client, Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise KGError(MISSING_EXTRA) from err
    if scheduler is not None:
        return _connect(Client, scheduler), None
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
    shard_dir: Path | None,
    scheduler: str | None = None,
    workers: int = 2,
    *,
    reuse: bool = True,
) -> Iterator[Tagged]:
    """Tag ``sources`` on Dask workers (a LocalCluster of ``workers`` processes when no
    ``scheduler`` address is given), yielding results in completion order.

    Files whose shard in ``shard_dir`` is finished are read back without tagging (given back
    while the workers tag the others); no cluster is started when every file has one.
    ``reuse=False`` (``--force``) tags every file again and overwrites its shard. The cluster
    is reached before anything is given back: a scheduler that does not answer raises
    :class:`~kg.errors.KGError` first. When every file got its graph and the caller has taken
    the last result, shards of other files are removed (:func:`remove_stale_shards`).
    ``shard_dir`` None: no shards are written or read.
    """
    where = Path(shard_dir).resolve() if shard_dir is not None else None
    done, todo = finished(sources, where) if reuse and where is not None else ([], list(sources))
    failed = False
    if todo:
        client, cluster = _client(scheduler, workers)
        try:
            if where is not None:
                where.mkdir(parents=True, exist_ok=True)
            from distributed import as_completed

            # the shard folder is part of the key: builds into other stores through the same
            # scheduler must not share a task (each writes its own shard)
            place = (
                hashlib.sha256(str(where).encode()).hexdigest()[:16]
                if where is not None
                else "none"
            )
            futures = {
                client.submit(
                    shard_task,
                    replace(source, path=source.path.absolute()),  # workers' cwd may differ
                    str(where) if where is not None else None,
                    key=f"kg-tag-{shard_key(source)}-{place}",
                    pure=True,
                    retries=RETRIES,
                ): source
                for source in todo
            }
            yield from done
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                source = futures[future]
                try:
                    result = future.result()
                except Exception as err:  # retries spent, or the workers kept dying
                    failed = True
                    yield Tagged(source, None, f"dask task failed ({type(err).__name__}: {err})")
                    continue
                if not isinstance(result, Tagged):
                    failed = True
                    yield Tagged(source, None, "bad result")
                    continue
                failed = failed or result.graph is None
                yield Tagged(source, result.graph, result.error)  # the caller's path, not ours
        finally:
            client.close()  # type: ignore[no-untyped-call]
            if cluster is not None:
                cluster.close()
    else:
        yield from done
    if where is not None and not failed:
        remove_stale_shards(where, sources)  # the reused ones and the tagged ones


def default_shard_dir(store_path: Path | None) -> Path | None:
    """Next to an on-disk store (``<store>.shards``); none for an in-memory store, whose build
    cannot be resumed."""
    if store_path is not None:
        return store_path.parent / f"{store_path.name}.shards"
    return None


def pipeline_loads() -> int:
    """How many times this process built the default spaCy pipeline (run on workers)."""
    from kg.nlp import default_pipeline

    return default_pipeline.cache_info().misses
