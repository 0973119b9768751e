"""The persistent graph store: Oxigraph (RocksDB on disk), reached through rdflib (oxrdflib).

Layout of the store, by named graph (IRIs in :mod:`kg.graph.iris`):

- ``…/graph/report/<file>`` — one per report: everything that report says;
- ``…/graph/entities`` — regions, documents, institutions and programs that reports share;
- ``…/graph/ontology`` — ``kg.ttl`` and ``schemes.ttl`` (concepts the data points to);
- ``…/graph/meta`` — bookkeeping: each report graph's file name, content digest, stage
  digests and the shared-entity triples it contributes (:func:`bookkeeping`), and the mark of
  a pending collection (:data:`PENDING`), with private terms (:data:`BUILD`) so that a query
  for the published vocabulary never matches them.

Every write is one Oxigraph transaction: a report's graph, its shared entities and its
bookkeeping are loaded together (``Store.load``, transactional) or, when the report was built
before, its old graph is dropped and the new one inserted in one SPARQL update. A build killed
part-way therefore leaves every report either as it was or fully replaced. rdflib's own parsers
add triple by triple and are never used to write.

RocksDB locks the directory: a second writer gets :class:`~kg.errors.StoreError` ("in use by
another process"); readers (``kg stats``, ``kg validate``) open it read-only and may run
beside a build.
"""

from __future__ import annotations

import errno
import hashlib
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.errors import StoreError
from kg.graph import iris
from kg.graph.nquads import quad_lines, term, triple_lines
from kg.vocab import ID, KG_TTL, PREFIXES, SCHEMES_TTL

Triple = tuple[Node, Node, Node]

#: Where ``kg build`` writes when neither ``--store`` nor ``KG_STORE`` says otherwise.
DEFAULT_STORE = "kg-store"
STORE_ENV = "KG_STORE"
_ROCKSDB_MARKER = "CURRENT"  # every RocksDB directory has one
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
FLUSH_EVERY = 50_000  # triples between flushes of the on-disk store
#: Bookkeeping terms, private to the store (not part of the published vocabulary): queries run
#: over the union of all graphs, and these never match a property a query asks for.
BUILD = Namespace("https://policy-kg.org/ns/build#")


#: Set in the meta graph, in the same transaction, by every write that may leave shared
#: entities no report contributes any more (a replaced or removed report); cleared by
#: :meth:`KGStore.collect_orphans`. A build killed in between leaves it for the next build.
PENDING: Triple = (iris.META_GRAPH, BUILD.collect, Literal("pending"))


def bookkeeping(
    graph: URIRef,
    name: str,
    digest: str,
    *,
    shared: Iterable[Triple] | None = None,
    stages: Iterable[str] = (),
) -> list[Triple]:
    """What the meta graph records of a report graph: its file name and content digest, the
    shared-entity triples it contributes (N-Triples lines, sorted; what :meth:`collect_orphans`
    keeps), and the fingerprint of each stage that built it (``"tagger=…"``)."""
    meta: list[Triple] = [
        (graph, BUILD.file, Literal(name)),
        (graph, BUILD.digest, Literal(digest)),
    ]
    if shared is not None:
        lines = sorted(set(triple_lines(shared).splitlines(keepends=True)))
        meta.append((graph, BUILD.shared, Literal("".join(lines))))
    meta += [(graph, BUILD.stage, Literal(stage)) for stage in stages]
    return meta


def default_store_path() -> str:
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


@dataclass(frozen=True, slots=True)
class GraphState:
    """What the store knows about one report graph: the file name and its content digest."""

    name: str
    graph: str
    digest: str


def rdflib_term(term: object) -> Node:
    """The rdflib term for a pyoxigraph one (``xsd:string`` literals come back plain)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    raise StoreError(f"cannot turn {term!r} into an rdflib term (RDF-star terms are not supported)")


def file_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_error(err: OSError, store: KGStore, consequence: str) -> StoreError:
    """A write to the store failed (``consequence``: what that left): one clear message, the
    disk being full (ENOSPC, or RocksDB's text for it) said plainly."""
    where = store.path if store.path is not None else "the store"
    text = str(err)
    if err.errno == errno.ENOSPC or "no space left" in text.lower():
        return StoreError(
            f"the disk is full while writing {where}; {consequence}; "
            "free space and run kg build again"
        )
    return StoreError(f"cannot write to {where} ({text}); {consequence}; run kg build again")


def _is_lock_error(err: OSError) -> bool:
    text = str(err).lower()
    return "lock" in text


def _check_directory(path: Path, *, create: bool) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is a file, not a graph store; pass --store a directory")
    if not path.exists():
        if not create:
            raise StoreError(f"no graph store at {path}; run 'kg build --store {path}' first")
        return
    if any(path.iterdir()) and not (path / _ROCKSDB_MARKER).exists():
        raise StoreError(
            f"{path} is not a graph store (it holds other files); "
            "pass --store a new or empty directory"
        )


#: Every graph policy-kg writes has an IRI under this prefix (reports, entities, ontology, meta).
GRAPH_PREFIX = str(ID["graph/"])


def _reachable(triples: set[ox.Triple], roots: set[str]) -> set[ox.Triple]:
    """The triples of the entities in ``roots`` and of every entity their objects lead to."""
    by_subject: dict[str, list[ox.Triple]] = {}  # by the subject in N-Triples form
    for t in triples:
        by_subject.setdefault(str(t.subject), []).append(t)
    todo = [f"<{r}>" for r in roots if f"<{r}>" in by_subject]
    seen = set(todo)
    kept: set[ox.Triple] = set()
    while todo:
        for t in by_subject[todo.pop()]:
            kept.add(t)
            target = str(t.object)
            if target not in seen:
                seen.add(target)
                if target in by_subject:
                    todo.append(target)
    return kept


def _data(verb: str, triples: Iterable[ox.Triple]) -> str:
    """``INSERT DATA`` / ``DELETE DATA`` of ``triples`` in the shared-entity graph (blank
    nodes, which these forms cannot name, never occur there)."""
    lines = "".join(f"{t} .\n" for t in sorted(triples, key=str))
    return f"{verb} DATA {{ GRAPH <{iris.ENTITIES_GRAPH}> {{\n{lines}}} }}"


class KGStore(ABC):
    """What ``kg build``, ``kg stats`` and ``kg export`` need of a graph store: SPARQL SELECT,
    ASK and update, whole-graph writes, and reading graphs back. :class:`GraphStore` is the
    embedded Oxigraph store; :class:`kg.remote.RemoteStore` a SPARQL 1.1 server."""

    path: Path | None = None
    read_only: bool = False
    #: Whether :meth:`put_new` loads in bulk (faster than :meth:`put` report by report):
    #: ``kg build`` then gathers a fresh build's reports into batches.
    bulk_loader: bool = False

    # --- what each kind of store provides ----------------------------------------------------

    @abstractmethod
    def select(self, query: str, *, union: bool = False) -> list[ox.QuerySolution]:
        """The solutions of a SELECT query (project prefixes declared); ``union`` makes the
        default graph the union of all graphs, as ``kg query`` has it."""

    @abstractmethod
    def ask(self, query: str) -> bool:
        """The answer to an ASK query over named graphs (project prefixes declared)."""

    @abstractmethod
    def update(self, operations: str) -> None:
        """Run SPARQL Update ``operations`` (one request, one transaction where the store
        has them)."""

    @abstractmethod
    def put(self, graphs: dict[URIRef, Iterable[Triple]], *, meta: Iterable[Triple] = ()) -> None:
        """Replace each named graph in ``graphs`` (add to ``ENTITIES_GRAPH``) and record
        ``meta`` bookkeeping, replacing that of a replaced graph."""

    def put_new(self, reports: list[tuple[dict[URIRef, Iterable[Triple]], list[Triple]]]) -> None:
        """Write ``reports`` (each: its graphs and its bookkeeping, as :meth:`put` takes them),
        none of whose graphs the store holds yet. Here one :meth:`put` each; the embedded
        store loads them in bulk (:meth:`GraphStore.put_new`)."""
        for graphs, meta in reports:
            self.put(graphs, meta=meta)

    @abstractmethod
    def graph_iris(self) -> list[str]:
        """IRIs of the named graphs policy-kg wrote (meta included), sorted."""

    @abstractmethod
    def quads(self, graph: str) -> Iterator[ox.Quad]:
        """Every quad of one named graph."""

    @abstractmethod
    def union_triples(self) -> Iterator[ox.Triple]:
        """Distinct triples of every graph but the meta graph."""

    @abstractmethod
    def __len__(self) -> int:
        """Quads in policy-kg's graphs."""

    # --- shared logic, in SPARQL ---------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only")

    def has_graph(self, graph: str) -> bool:
        return self.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")

    def graph_states(self) -> dict[str, GraphState]:
        """Report graphs the store holds, by file name."""
        query = f"""
            SELECT ?g ?name ?digest WHERE {{ GRAPH <{iris.META_GRAPH}> {{
                ?g <{BUILD.file}> ?name ; <{BUILD.digest}> ?digest }} }}"""
        states: dict[str, GraphState] = {}
        for row in self.select(query):
            g, name, digest = (t.value for t in row)
            if iris.is_report_graph(g):
                states[name] = GraphState(name, g, digest)
        return states

    def triples_in(self, graph: URIRef) -> int:
        result = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(result[0][0].value)

    def graph(self, graph: URIRef) -> Graph:
        """A copy of one named graph as an in-memory rdflib graph."""
        out = Graph()
        for quad in self.quads(str(graph)):
            s, p, o = (rdflib_term(t) for t in (quad.subject, quad.predicate, quad.object))
            out.add((s, p, o))
        return out

    def remove(self, graphs: Iterable[URIRef]) -> None:
        """Drop named graphs and their bookkeeping in one request."""
        self._writable()
        ops = []
        for g in graphs:
            ops += [
                f"DROP SILENT GRAPH <{g}>",
                f"DELETE WHERE {{ GRAPH <{iris.META_GRAPH}> {{ <{g}> ?p ?o }} }}",
            ]
        if ops:
            mark = triple_lines([PENDING])
            ops.append(f"INSERT DATA {{ GRAPH <{iris.META_GRAPH}> {{ {mark} }} }}")
            self.update(" ;\n".join(ops))

    def collection_pending(self) -> bool:
        """Whether a write since the last collection may have left orphans (:data:`PENDING`)."""
        s, p, o = (term(t) for t in PENDING)
        return self.ask(f"ASK {{ GRAPH <{iris.META_GRAPH}> {{ {s} {p} {o} }} }}")

    def collect_orphans(self) -> int:
        """Make the shared-entity graph the union of what the kept reports contribute — what a
        clean build of the same files writes — and clear :data:`PENDING`, in one update.

        A report's contribution is recorded with it (:func:`bookkeeping`); for a report graph
        written without one (by an older policy-kg), every shared entity it names is kept with
        all its triples and everything they lead to (regions up their ``kg:partOf`` chain,
        documents a kept one implements …). Returns how many entities went altogether."""
        self._writable()
        expected, legacy = self._contributions()
        current = {q.triple for q in self.quads(str(iris.ENTITIES_GRAPH))}
        if legacy:
            expected |= _reachable(current, self._named_by(legacy))
        stale = current - expected
        missing = expected - current
        ops = []
        if stale:
            ops.append(_data("DELETE", stale))
        if missing:
            ops.append(_data("INSERT", missing))
        s, p, o = (term(t) for t in PENDING)
        ops.append(f"DELETE DATA {{ GRAPH <{iris.META_GRAPH}> {{ {s} {p} {o} }} }}")
        self.update(" ;\n".join(ops))
        gone = {t.subject for t in stale} - {t.subject for t in current - stale}
        return len(gone)

    def _contributions(self) -> tuple[set[ox.Triple], list[str]]:
        """The shared triples the kept reports contribute, and the report graphs that have no
        recorded contribution."""
        query = f"""
            SELECT ?g ?shared WHERE {{ GRAPH <{iris.META_GRAPH}> {{
                ?g <{BUILD.file}> ?name OPTIONAL {{ ?g <{BUILD.shared}> ?shared }} }} }}"""
        recorded: dict[str, str | None] = {}
        for row in self.select(query):
            g, shared = row[0].value, row[1]
            if iris.is_report_graph(g):
                recorded[g] = shared.value if shared is not None else recorded.get(g)
        graphs = {g for g in self.graph_iris() if iris.is_report_graph(g)} | set(recorded)
        expected: set[ox.Triple] = set()
        legacy = sorted(g for g in graphs if recorded.get(g) is None)
        for g in graphs:
            text = recorded.get(g)
            if text:
                quads = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
                expected.update(q.triple for q in quads)
        return expected, legacy

    def _named_by(self, graphs: list[str]) -> set[str]:
        """IRIs in subject or object position in ``graphs``."""
        values = " ".join(f"<{g}>" for g in graphs)
        query = f"""
            SELECT DISTINCT ?x WHERE {{ VALUES ?g {{ {values} }}
                GRAPH ?g {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }} FILTER(isIRI(?x)) }}"""
        return {row[0].value for row in self.select(query)}

    def ensure_ontology(self) -> bool:
        """Load kg.ttl and schemes.ttl into the ontology graph if missing or changed."""
        self._writable()
        data = KG_TTL.read_bytes() + SCHEMES_TTL.read_bytes()
        digest = file_digest(data)
        g = iris.ONTOLOGY_GRAPH
        recorded = f'<{g}> <{BUILD.digest}> "{digest}"'
        if self.ask(f"ASK {{ GRAPH <{iris.META_GRAPH}> {{ {recorded} }} }}"):
            return False
        ontology = Graph()
        ontology.parse(KG_TTL, format="turtle")
        ontology.parse(SCHEMES_TTL, format="turtle")
        meta = [(g, BUILD.digest, Literal(digest))]
        self.put({g: list(ontology)}, meta=meta)
        return True


class GraphStore(KGStore):
    """One open Oxigraph store; use :func:`open_store` or :meth:`memory`."""

    bulk_loader = True

    def __init__(self, inner: ox.Store, path: Path | None, *, read_only: bool) -> None:
        self.inner = inner
        self.path = path
        self.read_only = read_only
        self._unflushed = 0  # triples written since the last flush to disk

    @classmethod
    def memory(cls) -> GraphStore:
        return cls(ox.Store(), None, read_only=False)

    # --- reading ---------------------------------------------------------------------------

    def dataset(self) -> Dataset:
        """The store as an rdflib :class:`Dataset` (oxrdflib); the default graph is the union."""
        ds = Dataset(store=OxigraphStore(store=self.inner), default_union=True)
        return ds

    def __len__(self) -> int:
        return len(self.inner)

    def select(self, query: str, *, union: bool = False) -> list[ox.QuerySolution]:
        result = self.inner.query(query, use_default_graph_as_union=union, prefixes=PREFIXES)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def ask(self, query: str) -> bool:
        return bool(self.inner.query(query, prefixes=PREFIXES))

    def has_graph(self, graph: str) -> bool:
        return self.inner.contains_named_graph(ox.NamedNode(graph))

    def graph_iris(self) -> list[str]:
        return sorted(g.value for g in self.inner.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: str) -> Iterator[ox.Quad]:
        return self.inner.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def union_triples(self) -> Iterator[ox.Triple]:
        # Oxigraph evaluates the default graph as the store's own default graph (not the
        # union): GRAPH ?g ranges over the named ones. CONSTRUCT output is a set: a triple in
        # several graphs comes out once.
        query = f"""
            CONSTRUCT {{ ?s ?p ?o }} WHERE {{
                {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{iris.META_GRAPH}>) }}
            }}"""
        result = self.inner.query(query)
        assert isinstance(result, ox.QueryTriples)
        return iter(result)

    def graph(self, graph: URIRef) -> Graph:
        out = Graph()
        ox_graph = ox.NamedNode(str(graph))
        data = self.inner.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox_graph)
        out.parse(data=data or b"", format="nt")
        return out

    # --- writing ---------------------------------------------------------------------------

    def update(self, operations: str) -> None:
        self._writable()
        self.inner.update(operations)

    def put(self, graphs: dict[URIRef, Iterable[Triple]], *, meta: Iterable[Triple] = ()) -> None:
        """All in one Oxigraph transaction: a load of N-Quads when no graph is replaced, else
        one update that drops the old graphs and inserts the new ones."""
        self._writable()
        replaced = [
            g for g in graphs if g != iris.ENTITIES_GRAPH and self.inner.contains_named_graph(
                ox.NamedNode(str(g))
            )
        ]
        if not replaced:
            payload = "".join(quad_lines(ts, g) for g, ts in graphs.items())
            payload += quad_lines(meta, iris.META_GRAPH)
            self.inner.load(payload, format=ox.RdfFormat.N_QUADS)
            self._written(payload.count("\n"))
            return
        ops = [f"DROP SILENT GRAPH <{g}>" for g in replaced]
        ops += [f"DELETE WHERE {{ GRAPH <{iris.META_GRAPH}> {{ <{g}> ?p ?o }} }}" for g in replaced]
        blocks = "".join(
            f"GRAPH <{g}> {{\n{triple_lines(ts)}}}\n"
            for g, ts in [*graphs.items(), (iris.META_GRAPH, meta)]
        )
        ops.append(f"INSERT DATA {{\n{blocks}}}")
        self.inner.update(" ;\n".join(ops))
        self._written(blocks.count("\n"))

    def put_new(self, reports: list[tuple[dict[URIRef, Iterable[Triple]], list[Triple]]]) -> None:
        """Oxigraph's bulk loader for reports new to the store (a fresh build): it writes
        sorted files straight to RocksDB, several times faster than transactions, but is
        neither atomic nor isolated. So: (1) :data:`PENDING` is set, in a transaction; (2) the
        graphs are bulk-loaded, without their bookkeeping; (3) the bookkeeping is loaded in a
        transaction, then the mark cleared (unless it was set before). A kill in (2) leaves
        report graphs with no bookkeeping, which the next build writes again (:meth:`put`
        drops what is there) and shared entities no report contributes, which the mark has
        the next build collect."""
        self._writable()
        pending = self.collection_pending()
        if not pending:
            self.inner.load(quad_lines([PENDING], iris.META_GRAPH), format=ox.RdfFormat.N_QUADS)
        payload = "".join(quad_lines(ts, g) for graphs, _ in reports for g, ts in graphs.items())
        self.inner.bulk_load(payload.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        meta = "".join(quad_lines(m, iris.META_GRAPH) for _, m in reports)
        self.inner.load(meta, format=ox.RdfFormat.N_QUADS)
        if not pending:
            s, p, o = (term(t) for t in PENDING)
            self.inner.update(f"DELETE DATA {{ GRAPH <{iris.META_GRAPH}> {{ {s} {p} {o} }} }}")

    def _written(self, triples: int) -> None:
        """Flush to disk every :data:`FLUSH_EVERY` triples: RocksDB otherwise keeps what was
        written in memory, and a 500-report build grows by ~1.5 MiB per report."""
        self._unflushed += triples
        if self.path is not None and self._unflushed >= FLUSH_EVERY:
            self.inner.flush()
            self._unflushed = 0


def _open(path: Path, *, read_only: bool) -> ox.Store:
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as err:
        if _is_lock_error(err):
            raise StoreError(
                f"store {path} is in use by another process (a build is writing to it); "
                "wait for it to finish, or pass another --store"
            ) from None
        raise StoreError(f"cannot open the graph store at {path}: {err}") from None


@contextmanager
def open_store(path: str | Path | None, *, read_only: bool = False) -> Iterator[GraphStore]:
    """Open the store at ``path`` (created for writing if missing); closed on exit.

    ``path`` None gives a throwaway in-memory store.
    """
    if path is None:
        yield GraphStore.memory()
        return
    where = Path(path)
    _check_directory(where, create=not read_only)
    store = GraphStore(_open(where, read_only=read_only), where, read_only=read_only)
    try:
        yield store
    except BaseException:
        if not read_only:  # an error is on its way out: a second one would only hide it
            with suppress(OSError):
                store.inner.flush()
        raise
    else:
        if not read_only:
            try:
                store.inner.flush()
            except OSError as err:
                raise write_error(err, store, "its last changes may not be saved") from None
    finally:
        del store.inner  # RocksDB releases its lock when the last reference goes
