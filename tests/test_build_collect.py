"""Incremental builds give the store a clean build of the same files gives: shared entities
(regions, documents, institutions, programs, and what each report says of them) that no kept
report contributes are collected, also after a build killed before its collection."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from kg.build import build
from kg.graph import iris
from kg.store import GraphStore, KGStore, open_store
from kg.vocab import KG
from tests.synthetic import PLACES, SENTENCES, Spec, write

A = Spec(place=0, year=2022, sentences=(0, 1, 3))  # 杭州市, cites 省《法治政府建设实施方案》
B = Spec(place=1, year=2022, sentences=(0, 2, 4))  # 成都市, the same document, 四川省 cue
C = Spec(place=2, year=2023, sentences=(1, 5, 6))  # 惠安县


def quads(store: KGStore) -> set[str]:
    """Every quad of every graph policy-kg wrote, as N-Quads text; the ontology graph (the
    same files each time, with blank nodes whose labels differ) by its size."""
    ontology = str(iris.ONTOLOGY_GRAPH)
    found = {str(q) for g in store.graph_iris() if g != ontology for q in store.quads(g)}
    return found | {f"ontology: {sum(1 for _ in store.quads(ontology))} triples"}


def clean_quads(files: dict[str, Spec]) -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        store = GraphStore.memory()
        build([write(Path(tmp) / "src", files)], store, jobs=1)
        return quads(store)


def regions(store: KGStore) -> int:
    query = f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH ?g {{ ?r a <{KG.Region}> }} }}"
    rows = store.select(query)
    return int(rows[0][0].value)


def _build(src: Path, where: Path, *, prune: bool = False) -> None:
    with open_store(where) as store:
        summary = build([src], store, jobs=1, prune=prune)
    assert not summary.failures, summary.failures


@pytest.mark.parametrize(
    ("before", "after", "prune"),
    [
        ({"a.txt": A, "b.txt": B, "c.txt": C}, {"a.txt": A, "c.txt": C}, True),  # pruned
        ({"a.txt": A, "b.txt": B}, {"a.txt": A, "b.txt": C}, False),  # b moves to 惠安县
        ({"a.txt": A, "b.txt": B}, {"a.txt": A, "b.txt": Spec(1, 2022, (1,))}, False),  # fewer
        ({"a.txt": A}, {"a.txt": Spec(3, 2022, (0, 1, 3))}, False),  # a moves to 保定市
        ({"a.txt": A, "b.txt": B}, {"b.txt": B}, True),
    ],
)
def test_an_incremental_build_equals_a_clean_one(
    tmp_path: Path, before: dict[str, Spec], after: dict[str, Spec], prune: bool
) -> None:
    src, where = tmp_path / "src", tmp_path / "store"
    _build(write(src, before), where)
    _build(write(src, after), where, prune=prune)
    with open_store(where, read_only=True) as store:
        got = quads(store)
        clean = GraphStore.memory()
        build([src], clean, jobs=1)
        assert regions(store) == regions(clean)
    assert got == quads(clean)


_KILLED = """
import os, sys
from kg.store import KGStore
def die(self):
    os._exit(137)
KGStore.collect_orphans = die
from kg.cli import cli
cli(sys.argv[1:])
"""


def test_a_build_killed_before_collection_is_collected_by_the_next(tmp_path: Path) -> None:
    src, where = tmp_path / "src", tmp_path / "store"
    _build(write(src, {"a.txt": A, "b.txt": B, "c.txt": C}), where)
    write(src, {"a.txt": A, "c.txt": C})
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED, "build", str(src), "--store", str(where), "--prune"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 137, killed.stderr
    with open_store(where) as store:
        summary = build([src], store, jobs=1)
        assert (summary.unchanged, summary.built, summary.replaced) == (2, 0, 0)
        assert summary.orphans > 0
        got = quads(store)
    assert got == clean_quads({"a.txt": A, "c.txt": C})


class Killed(BaseException):
    """Stands for kill -9 between the last report write and the collection."""


specs = st.builds(
    Spec,
    place=st.integers(0, len(PLACES) - 1),
    year=st.sampled_from([2021, 2022]),
    sentences=st.lists(st.integers(0, len(SENTENCES) - 1), min_size=1, max_size=3, unique=True)
    .map(tuple),
    n=st.sampled_from([5, 12]),
)
names = st.sampled_from(["a.txt", "b.txt", "c.txt", "d.txt"])


class IncrementalBuilds(RuleBasedStateMachine):
    """Random builds, changes, removals, prunes, --force and kills before collection: after
    every build that ran to its end, the store holds what a clean build of the files it should
    hold gives (the files there, and those removed since the last prune)."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.src = Path(self.tmp.name) / "src"
        self.src.mkdir()
        self.where = Path(self.tmp.name) / "store"
        self.files: dict[str, Spec] = {}  # in the folder
        self.stored: dict[str, Spec] = {}  # what the store should hold after a build
        self.checked = True  # the last build ran to its end

    def teardown(self) -> None:
        self.tmp.cleanup()

    @initialize(files=st.dictionaries(names, specs, min_size=1, max_size=3))
    def first_build(self, files: dict[str, Spec]) -> None:
        self.files = dict(files)
        write(self.src, self.files)
        self.build(prune=False, force=False, killed=False)

    @rule(name=names, spec=specs)
    def write_file(self, name: str, spec: Spec) -> None:
        self.files[name] = spec
        write(self.src, self.files)

    @precondition(lambda self: bool(self.files))
    @rule(data=st.data(), place=st.integers(0, len(PLACES) - 1))
    def move_file(self, data: st.DataObject, place: int) -> None:
        """A file already there now speaks of another place (regions, jurisdictions change)."""
        name = data.draw(st.sampled_from(sorted(self.files)))
        self.files[name] = replace(self.files[name], place=place)
        write(self.src, self.files)

    @precondition(lambda self: len(self.files) > 1)
    @rule(name=names)
    def remove_file(self, name: str) -> None:
        if name in self.files:
            del self.files[name]
            write(self.src, self.files)

    @precondition(lambda self: bool(self.files))
    @rule(prune=st.booleans(), force=st.booleans(), killed=st.booleans())
    def build(self, prune: bool, force: bool, killed: bool) -> None:
        with open_store(self.where) as store:
            if killed:
                def die() -> int:
                    raise Killed

                store.collect_orphans = die  # type: ignore[method-assign]
            try:
                summary = build([self.src], store, jobs=1, prune=prune, force=force)
                assert not summary.failures, summary.failures
                self.checked = True
            except Killed:
                self.checked = False
        self.stored.update(self.files)
        if prune:
            self.stored = dict(self.files)
        if self.checked:
            with open_store(self.where, read_only=True) as store:
                got = quads(store)
            assert got == clean_quads(self.stored)


IncrementalBuilds.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # a failing sequence is printed step by step; shrinking one (a build per step) takes minutes
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
test_incremental_builds_equal_clean_builds = IncrementalBuilds.TestCase
