"""The command line: help, version, output shapes, and exact error messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import __version__
from kg.cli import cli

REPORT = "corpus/004_31ab376823ec5560.txt"
GOLD_KEYS = {
    "report",
    "documents",
    "nested_documents",
    "aliases",
    "doc_numbers",
    "damaged_doc_numbers",
    "institutions",
    "programs",
    "outcomes",
    "mentions",
}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"kg, version {__version__}\n"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_every_command_is_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"kg {name}" in readme, f"README does not show `kg {name}`"


def test_tag_json_has_the_gold_keys(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["tag", REPORT, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= GOLD_KEYS
    for m in data["mentions"]:
        assert set(m) == {"label", "text", "start", "end", "sentence", "attributes"}


def test_tag_reads_stdin(runner: CliRunner) -> None:
    text = "认真落实《重大行政决策程序暂行条例》。"
    result = runner.invoke(cli, ["tag", "-", "--format", "json"], input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    titles = [d["title"] for d in json.loads(result.output)["documents"]]
    assert titles == ["重大行政决策程序暂行条例"]


def test_tag_table(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["tag", REPORT, "--format", "table"])
    assert result.exit_code == 0
    assert "DOCUMENT" in result.output and "label" in result.output


def test_tag_missing_file(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["tag", "no/such/report.txt"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no/such/report.txt: ")
    assert "Traceback" not in result.output


def test_ingest_nothing_to_read(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no report files found in {tmp_path} (looked for .txt .html .htm .pdf .docx)\n"
    )


def test_ingest_batch_goes_on_after_a_bad_file(runner: CliRunner, tmp_path: Path) -> None:
    good = Path(REPORT).read_bytes()
    (tmp_path / "a_good.txt").write_bytes(good)
    (tmp_path / "b_empty.txt").write_bytes(b"")
    result = runner.invoke(cli, ["ingest", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 1
    assert "a_good.txt" in result.stdout
    assert f"Error: {tmp_path / 'b_empty.txt'}: " in result.stderr
    assert result.stderr.rstrip().endswith("Error: 1 of 2 files could not be read; see above")


def test_eval_gold_dir_missing(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["eval", "--gold", "no/such/dir"])
    assert result.exit_code == 1
    assert result.output == "Error: gold directory no/such/dir does not exist; pass --gold DIR\n"


def test_eval_file_without_gold(runner: CliRunner, tmp_path: Path) -> None:
    report = tmp_path / "new.txt"
    report.write_text("县司法局。", encoding="utf-8")
    result = runner.invoke(cli, ["eval", str(report)])
    assert result.exit_code == 1
    assert (
        result.output == "Error: no gold file for new.txt in tests/gold (expected new.gold.json)\n"
    )


def test_eval_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["eval", REPORT, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["files"] == 1
    assert data["categories"]["documents"]["strict"]["f1"] > 0.9


def test_unknown_option_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["tag", REPORT, "--format", "xml"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_commands_are_click_commands() -> None:
    assert all(isinstance(c, click.Command) for c in cli.commands.values())


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300))
def test_tag_survives_arbitrary_unicode_on_stdin(text: str) -> None:
    result = CliRunner().invoke(cli, ["tag", "-", "--format", "json"], input=text.encode("utf-8"))
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.output.startswith("Error: -: ")
    else:
        json.loads(result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _gold_folder(root: Path, texts_beside: bool) -> Path:
    """A two-passage gold folder written here: gold/, texts/ (or texts in gold/), sources."""
    gold = root / "gold"
    gold.mkdir()
    texts = gold if texts_beside else root / "texts"
    texts.mkdir(exist_ok=True)
    passages = {
        "p1": ("甲县司法局开展普法宣传。", "county", ["甲省", "乙市", "甲县"], ["甲县司法局"]),
        "p2": ("縣司法局開展行政執法監督。", "department", ["丙省"], ["縣司法局", "縣人民政府"]),
    }
    rows = []
    for name, (text, level, path, institutions) in passages.items():
        (texts / f"{name}.txt").write_text(text, encoding="utf-8")
        report = {"region": path[-1], "region_path": path, "level": level, "year_covered": None}
        data = {"file": f"{name}.txt", "report": report, "documents": []}
        data |= {"institutions": institutions, "institutions_optional": []}
        (gold / f"{name}.gold.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        rows.append(json.dumps({"id": name, "level": level}))
    (root / "sources.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return gold


@pytest.mark.parametrize(("texts_beside", "root"), [(True, False), (False, False), (False, True)])
def test_eval_gold_folder_with_texts_and_slices(
    runner: CliRunner, tmp_path: Path, texts_beside: bool, root: bool
) -> None:
    gold = _gold_folder(tmp_path, texts_beside)
    where = tmp_path if root else gold  # the folder holding gold/ and texts/, or gold/ itself
    result = runner.invoke(cli, ["eval", "--gold", str(where), "--misses"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("2 files\n")
    for header in ("level ", "script ", "province "):
        assert f"\n{header}" in out
    assert "\ndepartment " in out and "\ntraditional " in out and "\n丙省 " in out
    # Misses are grouped by category, then the report fields.
    assert "\ninstitutions: " in out
    assert "  p2.txt  FN  縣人民政府" in out
    assert "\nreport: " in out

    result = runner.invoke(cli, ["eval", "--gold", str(gold), "--format", "json"])
    data = json.loads(result.output)
    assert data["files"] == 2
    assert set(data["slices"]) == {"level", "script", "province"}
    assert data["slices"]["script"]["simplified"]["files"] == 1


def test_eval_texts_option(runner: CliRunner, tmp_path: Path) -> None:
    gold = _gold_folder(tmp_path, texts_beside=False)
    moved = tmp_path / "elsewhere"
    (tmp_path / "texts").rename(moved)
    result = runner.invoke(cli, ["eval", "--gold", str(gold), "--texts", str(moved)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 files\n")
    result = runner.invoke(cli, ["eval", "--gold", str(gold), "--texts", "no/such/texts"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: texts directory no/such/texts does not exist; pass --texts DIR\n"
    )
