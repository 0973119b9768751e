"""The build fingerprint is a digest of what decides the graph (the stages' code, lexicons,
data tables, ontology): a changed rule rebuilds the reports without a version bump, and
``kg build`` says which stage changed."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import fingerprint
from kg.cli import cli
from tests.synthetic import Spec, write

PACKAGE = Path(fingerprint.__file__).resolve().parent


def package_copy(into: Path) -> Path:
    shutil.copytree(PACKAGE, into, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def append(relative: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        with (root / relative).open("a", encoding="utf-8") as fh:
            fh.write(text)

    return change


@pytest.mark.parametrize(
    ("change", "stage"),
    [
        (append("nlp/lexicons/institution_bodies.txt", "法治督察办公室\n"), "tagger"),
        (append("nlp/places.py", "\n# a rule changed\n"), "tagger"),
        (append("resolve/institutions.py", "\n# a rule changed\n"), "resolver"),
        (append("graph/writer.py", "\n# a rule changed\n"), "graph writer"),
        (append("corpus/clean.py", "\n# a rule changed\n"), "reader"),
        (append("data/regions.csv", "999999,测试县,county,999900\n"), "data tables"),
        (append("ontology/kg.ttl", "\n# a comment\n"), "ontology"),
        (lambda root: (root / "nlp/lexicons/new_words.txt").write_text("词\n"), "tagger"),
    ],
)
def test_each_stage_digest_follows_its_files(
    tmp_path: Path, change: Callable[[Path], None], stage: str
) -> None:
    root = package_copy(tmp_path / "kg")
    before = fingerprint.stage_digests(root)
    assert before == fingerprint.stage_digests(PACKAGE)  # paths relative: the copy is the same
    change(root)
    fingerprint._digests.cache_clear()
    after = fingerprint.stage_digests(root)
    assert {name for name in before if before[name] != after[name]} == {stage}
    assert fingerprint.changed_stages(fingerprint.stage_records(PACKAGE), root) == [stage]


def test_files_outside_the_stages_do_not_count(tmp_path: Path) -> None:
    root = package_copy(tmp_path / "kg")
    (root / "serve.py").write_text("# not a stage\n", encoding="utf-8")
    (root / "nlp" / "notes.pyc").write_bytes(b"\0")  # not a .py and not under lexicons
    assert fingerprint.stage_digests(root) == fingerprint.stage_digests(PACKAGE)


def test_the_fingerprint_costs_little() -> None:
    fingerprint._digests.cache_clear()
    started = time.perf_counter()
    fingerprint.fingerprint()
    first = time.perf_counter() - started
    started = time.perf_counter()
    fingerprint.fingerprint()
    again = time.perf_counter() - started
    assert first < 0.5 and again < 0.001


def _build(src: Path, store: Path, *extra: str) -> str:
    args = ["build", str(src), "--store", str(store), "--jobs", "1", *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_tagger_change_rebuilds_the_reports_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"a.txt": Spec(0, 2022, (0, 1)), "b.txt": Spec(1, 2022, (2, 3))}
    src = write(tmp_path / "src", files)
    store = tmp_path / "store"
    assert "2 built" in _build(src, store)
    assert "2 unchanged" in _build(src, store)
    root = package_copy(tmp_path / "kg")
    append("nlp/lexicons/institution_bodies.txt", "法治督察办公室\n")(root)
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", root)
    output = _build(src, store)
    assert "0 built, 2 replaced, 0 unchanged" in output
    assert output.splitlines()[-1] == "2 replaced: the tagger changed"
    assert "0 replaced, 2 unchanged" in _build(src, store)
    append("resolve/regions.py", "\n# a rule changed\n")(root)
    append("graph/iris.py", "\n# a rule changed\n")(root)
    fingerprint._digests.cache_clear()
    write(src, {"a.txt": Spec(0, 2022, (0, 1)), "b.txt": Spec(1, 2022, (2, 4))})
    lines = _build(src, store).splitlines()
    assert "0 built, 2 replaced, 0 unchanged" in lines[0]
    assert sorted(line for line in lines if " replaced: " in line) == [
        "1 replaced: the file changed",
        "1 replaced: the resolver and the graph writer changed",
    ]
    assert "2 replaced: --force was given" in _build(src, store, "--force")
