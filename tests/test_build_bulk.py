"""A fresh build loads through Oxigraph's bulk loader and gives the store a build of one
transaction per report gives; a bulk load cut short before its bookkeeping is made whole by
the next build; a build into a store that holds reports keeps its transactions."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef

from kg import build as build_module
from kg.build import build
from kg.errors import StoreError
from kg.graph import iris
from kg.graph.writer import Triple
from kg.store import BUILD, GraphStore, open_store
from tests.synthetic import Spec, write
from tests.test_build_collect import A, B, C, clean_quads, quads

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


class Counting(GraphStore):
    """A store that counts the reports written each way."""

    def __init__(self, inner: Any, path: Path | None) -> None:
        super().__init__(inner, path, read_only=False)
        self.bulk = 0
        self.single = 0

    def put_new(self, reports: list[tuple[dict[URIRef, Iterable[Triple]], list[Triple]]]) -> None:
        self.bulk += len(reports)
        super().put_new(reports)

    def put(self, graphs: dict[URIRef, Iterable[Triple]], *, meta: Iterable[Triple] = ()) -> None:
        self.single += any(iris.is_report_graph(str(g)) for g in graphs)  # not the ontology
        super().put(graphs, meta=meta)


def _counting(where: Path) -> Counting:
    import pyoxigraph as ox

    return Counting(ox.Store(str(where)), where)


@pytest.mark.parametrize("batch", [1, 3_000, 10**9])  # a batch per report, some, all at once
def test_a_fresh_bulk_build_equals_a_transactional_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    src = tmp_path / "src"
    shutil.copytree(CORPUS, src)
    plain = GraphStore.memory()
    build([src], plain, jobs=1, bulk=False)
    monkeypatch.setattr(build_module, "BULK_QUADS", batch)
    store = _counting(tmp_path / "store")
    summary = build([src], store, jobs=1)
    files = len(list(src.glob("*.txt")))
    assert (store.bulk, store.single, summary.built) == (files, 0, files)
    assert quads(store) == quads(plain)
    assert not store.collection_pending()
    again = build([src], store, jobs=1)  # nothing to do: the bookkeeping was written
    assert again.unchanged == files


def test_a_store_that_holds_reports_gets_one_transaction_each(tmp_path: Path) -> None:
    src = write(tmp_path / "src", {"a.txt": A})
    store = _counting(tmp_path / "store")
    build([src], store, jobs=1)
    write(src, {"a.txt": A, "b.txt": B, "c.txt": C})
    build([src], store, jobs=1)
    assert (store.bulk, store.single) == (1, 2)
    assert quads(store) == clean_quads({"a.txt": A, "b.txt": B, "c.txt": C})


class _CutShort:
    """An Oxigraph store whose transactional load of bookkeeping fails (the bulk load before
    it went through): what a kill between the two leaves."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def load(self, data: str, **kwargs: Any) -> None:
        if str(BUILD.file) in data:
            raise OSError("killed")
        self._inner.load(data, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_bulk_load_cut_short_is_made_whole_by_the_next_build(tmp_path: Path) -> None:
    files = {"a.txt": A, "b.txt": B, "c.txt": C}
    src, where = write(tmp_path / "src", files), tmp_path / "store"
    with open_store(where) as store:
        store.inner = _CutShort(store.inner)  # type: ignore[assignment]
        with pytest.raises(StoreError, match="were not stored"):
            build([src], store, jobs=1)
        store.inner = store.inner._inner  # type: ignore[attr-defined]
        assert store.graph_states() == {}  # no report looks built
        assert store.collection_pending()  # and the entities will be collected
    write(src, {"a.txt": A, "c.txt": Spec(place=0, year=2023, sentences=(2,))})
    with open_store(where) as store:
        summary = build([src], store, jobs=1, prune=True)
        assert (summary.built, summary.replaced) == (2, 0)
        assert not store.collection_pending()
        got = quads(store)
    assert got == clean_quads({"a.txt": A, "c.txt": Spec(place=0, year=2023, sentences=(2,))})
