"""Shared fixtures: paths to the shipped corpus, manifest and gold files, and the corpus graph
store built once per session."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = Path(__file__).resolve().parent / "gold"


def manifest() -> list[dict[str, str]]:
    with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    return GOLD


@pytest.fixture(scope="session")
def corpus_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus built once per test session into an on-disk store.

    Tests read it (read-only, or through commands that open it so); a test that changes a
    store copies this directory first.
    """
    from kg.build import build
    from kg.store import open_store

    path = tmp_path_factory.mktemp("corpus-store") / "store"
    with open_store(path) as store:
        build([ROOT / "corpus"], store, jobs=1)
    return path
