"""Start-up cost: ``import kg``, ``import kg.cli`` and ``kg … --help`` load none of the heavy
libraries (spaCy, rdflib, pyshacl, pyoxigraph, BeautifulSoup); the public verbs of ``kg`` are
imported when first used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kg

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "spacy", "thinc", "rdflib", "pyshacl", "pyoxigraph", "bs4", "networkx",
    "matplotlib", "pandas", "dask",
)  # fmt: skip
#: What a command that reads the store may load: the store and RDF terms, not the tagger.
TAGGER = ("spacy", "thinc", "bs4", "pyshacl")

#: Each snippet runs in a fresh interpreter, then prints which heavy modules it loaded.
SNIPPETS = {
    "import kg": "import kg",
    "import kg.cli": "import kg.cli",
    "kg --help": "from kg.cli import cli; cli.main(['--help'], standalone_mode=False)",
    "kg --version": "from kg.cli import cli; cli.main(['--version'], standalone_mode=False)",
    "kg CMD [SUB] --help, every command": (
        "from kg.cli import cli\n"
        "for name, command in cli.commands.items():\n"
        "    cli.main([name, '--help'], standalone_mode=False)\n"
        "    for sub in getattr(command, 'commands', {}):\n"
        "        cli.main([name, sub, '--help'], standalone_mode=False)"
    ),
}


def _loaded(code: str, watch: tuple[str, ...] = HEAVY) -> list[str]:
    loaded = f"sorted(m for m in {watch!r} if m in sys.modules)"
    probe = f"{code}\nimport sys, json\nprint(json.dumps({loaded}))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("what", sorted(SNIPPETS))
def test_loads_no_heavy_library(what: str) -> None:
    assert _loaded(SNIPPETS[what]) == []


@pytest.mark.parametrize(
    "args",
    [
        ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "json"],
        ["query", "report-summary", "--format", "csv"],
        ["stats", "--format", "json"],
    ],
)
def test_commands_on_the_store_do_not_load_the_tagger(tmp_path: Path, args: list[str]) -> None:
    from kg.store import open_store

    store = tmp_path / "store"
    with open_store(store):
        pass
    code = (
        "from kg.cli import cli\n"
        f"cli.main({[*args, '--store', str(store)]!r}, standalone_mode=False)"
    )
    assert _loaded(code, TAGGER) == []


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("KGError", "kg.errors"),
        ("Report", "kg.corpus"),
        ("read_report", "kg.corpus"),
        ("Tags", "kg.nlp"),
        ("tag_report", "kg.nlp"),
    ],
)
def test_public_names_are_the_library_objects(name: str, module: str) -> None:
    import importlib

    assert getattr(kg, name) is getattr(importlib.import_module(module), name)
    assert name in kg.__all__
    assert name in dir(kg)


def test_every_public_name_resolves() -> None:
    for name in kg.__all__:
        assert getattr(kg, name) is not None


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_verb"):
        kg.no_such_verb  # noqa: B018


@pytest.mark.slow
def test_from_import_of_a_verb_works_in_a_fresh_interpreter() -> None:
    code = "from kg import read_report, tag_report, KGError\nprint(read_report.__module__)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "kg.corpus.ingest"
