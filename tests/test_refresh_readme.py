"""scripts/refresh_readme.py: which README blocks it runs, how it compares outputs (timing
figures aside), and that --check fails on a changed output and changes nothing."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg import __version__

ROOT = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    path = ROOT / "scripts" / "refresh_readme.py"
    spec = importlib.util.spec_from_file_location("refresh_readme", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["refresh_readme"] = module
    spec.loader.exec_module(module)
    return module


refresh_readme = _load()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("5 files: 5 built (0.6 s)", "5 files: 5 built (4.0 s)", True),
        ("p50 55 ms, p95 80 ms", "p50 61 ms, p95 120 ms", True),
        ("took 1,234.5 s", "took 2 s", True),
        ("row  \nnext", "row\nnext\n", True),
        ("5 files: 5 built", "6 files: 5 built", False),
        ("8,580 triples", "8,581 triples", False),
        ("5 reports", "6 reports", False),
        ("惠安县  county", "惠安县  city", False),
    ],
)
def test_outputs_compare_without_timing_figures(a: str, b: str, same: bool) -> None:
    assert (refresh_readme.normalise(a) == refresh_readme.normalise(b)) is same


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.sampled_from(["s", "ms", "min"]))
def test_any_timing_figure_is_blanked(t1: float, t2: float, unit: str) -> None:
    one = refresh_readme.normalise(f"built ({t1:.1f} {unit})")
    assert one == refresh_readme.normalise(f"built ({t2:.3f} {unit})")
    assert refresh_readme.normalise(one) == one


def _readme(*blocks: str) -> str:
    return "# t\n\n" + "\n\ntext\n\n".join(f"```\n{b}\n```" for b in blocks) + "\n"


@pytest.mark.parametrize(
    ("block", "command"),
    [
        ("$ kg --version\nkg, version 0", "kg --version"),
        ("$ kg query 'SELECT ?s\nWHERE { ?s ?p ?o }' --format csv\nError: x",
         "kg query 'SELECT ?s\nWHERE { ?s ?p ?o }' --format csv"),
        ("$ kg stats --format json | head -2\n{", "kg stats --format json | head -2"),
        ("$ kg build /tmp/c2 --store /tmp/s2\n5 files", None),  # a set-up of its own
        ("$ kg build corpus/      # while another build writes\nError: in use", None),
        ("$ kg stats --format table\nclass  nodes\n…", None),  # cut by hand
        ("$ kg queries --format table | head -3\nname\n… (12 more lines)", None),
        ("$ kg build corpus/\n5 files\n$ kg query x\nrows", None),  # two commands
        ("$ oxigraph serve --location x\n$ kg query x\nrows", None),  # not a kg block
        ("make demo\n$ kg query x", None),
    ],
)  # fmt: skip
def test_which_blocks_run(block: str, command: str | None) -> None:
    found = refresh_readme.examples(_readme("$ kg queries\nname", block))
    assert [e.command for e in found] == ["kg queries", *([command] if command else [])]


def test_a_command_whose_quotes_never_close_is_an_error() -> None:
    with pytest.raises(refresh_readme.ReadmeError, match="never close"):
        refresh_readme.examples(_readme("$ kg query 'SELECT ?s\n/bin/sh: Syntax error"))


def test_check_fails_on_a_changed_output_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    stale = _readme("$ kg --version\nkg, version 0.0.1", "$ kg --version\nkg, version 0.0.1")
    readme.write_text(stale, encoding="utf-8")
    assert refresh_readme.main(["--check", "--readme", str(readme)]) == 1
    assert readme.read_text(encoding="utf-8") == stale
    err = capsys.readouterr().err
    assert f"+kg, version {__version__}" in err
    assert "2 examples run: 0 as the README says, 2 differ" in err
    assert refresh_readme.main(["--readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == stale.replace("0.0.1", __version__)
    assert refresh_readme.main(["--check", "--readme", str(readme)]) == 0


def test_examples_run_in_a_scratch_folder_without_the_users_store(tmp_path: Path) -> None:
    (tmp_path / "kg-store").mkdir()
    (tmp_path / "corpus").mkdir()
    scratch = refresh_readme._scratch(tmp_path)
    try:
        assert not (scratch / "kg-store").exists()
        assert (scratch / "corpus").resolve() == (tmp_path / "corpus").resolve()
        assert (scratch / ".bin" / "kg").is_file()
    finally:
        shutil.rmtree(scratch)
