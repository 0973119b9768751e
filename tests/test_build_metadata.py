"""``kg build --metadata FILE`` and the warnings for reports built without a region, level or
year (issue 14: no silent drop-outs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.corpus import read_report
from kg.corpus.metadata import MetadataError, ReportFacts, load_metadata, missing_facts

ROOT = Path(__file__).resolve().parent.parent
HUIAN = "000_b93acead5cfcaaf2.txt"
# A report that names neither its region nor its year (as a page saved without its header).
ANONYMOUS = (
    "关于法治政府建设工作情况的报告\n\n"
    "一年来,我们坚持以习近平法治思想为指导,深入推进严格规范公正文明执法。\n\n"
    "一、主要工作\n\n"
    "全面落实行政执法“三项制度”,推行“谁执法谁普法”普法责任制。\n"
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "anon.txt").write_text(ANONYMOUS, encoding="utf-8")
    shutil.copy(ROOT / "corpus" / HUIAN, folder / HUIAN)
    return folder


def build(*args: str) -> Result:
    return CliRunner().invoke(cli, ["build", *args])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def report_facts(store: Path) -> dict[str, tuple[str | None, str | None]]:
    """Each report's (region name, year covered) in the store."""
    query = """
        SELECT ?id ?region ?year WHERE { GRAPH ?g {
          ?r a <https://policy-kg.org/ns#Report> ; <http://purl.org/dc/terms/identifier> ?id .
          OPTIONAL { ?r <https://policy-kg.org/ns#yearCovered> ?year }
          OPTIONAL { ?r <https://policy-kg.org/ns#region> ?reg } }
          OPTIONAL { ?reg <http://www.w3.org/2004/02/skos/core#prefLabel> ?region } }"""
    db = ox.Store.read_only(str(store))
    rows = db.query(query, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return {
        row["id"].value: (
            row["region"].value if row["region"] else None,
            row["year"].value if row["year"] else None,
        )
        for row in rows
    }


def test_a_report_without_region_or_year_is_built_with_a_warning(corpus: Path) -> None:
    result = build(str(corpus), "--memory")
    assert result.exit_code == 0, result.output
    assert f"Warning: {corpus / 'anon.txt'}: no region, level, year could be inferred" in (
        result.stderr
    )
    assert HUIAN not in result.stderr
    assert "1 report built without a region, level or year" in result.stdout


@pytest.mark.slow
def test_metadata_supplies_what_inference_cannot(corpus: Path, tmp_path: Path) -> None:
    meta = write(
        tmp_path / "meta.csv",
        "file,region,region_path,level,year\nanon.txt,惠安县,福建省/泉州市/惠安县,county,2023\n",
    )
    store = tmp_path / "store"
    result = build(str(corpus), "--store", str(store), "--metadata", str(meta))
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr and "without a region" not in result.stdout
    assert report_facts(store) == {"anon.txt": ("惠安县", "2023"), HUIAN: ("惠安县", "2022")}
    # now the report answers region questions, through the region above it too
    out = CliRunner().invoke(
        cli, ["query", "programs-by-region", "--param", "region=泉州市", "--store", str(store),
              "--format", "csv"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "“三项制度”" in out.stdout


@pytest.mark.slow
def test_metadata_wins_over_inference_and_a_change_rebuilds(corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert build(str(corpus), "--store", str(store)).exit_code == 0
    assert report_facts(store)[HUIAN] == ("惠安县", "2022")
    meta = write(tmp_path / "meta.csv", f"file,year\n{HUIAN},2021\n")
    result = build(str(corpus), "--store", str(store), "--metadata", str(meta))
    assert result.exit_code == 0, result.output
    assert "0 built, 1 replaced, 1 unchanged" in result.stdout
    assert report_facts(store)[HUIAN] == ("惠安县", "2021")
    again = build(str(corpus), "--store", str(store), "--metadata", str(meta))
    assert "0 built, 0 replaced, 2 unchanged" in again.stdout


@pytest.mark.slow
def test_the_shipped_manifest_as_metadata_changes_nothing(tmp_path: Path) -> None:
    """Inference already gives what corpus/manifest.csv says for the shipped corpus."""
    inferred, given = tmp_path / "inferred", tmp_path / "given"
    first = build(str(ROOT / "corpus"), "--store", str(inferred))
    second = build(
        str(ROOT / "corpus"), "--store", str(given), "--metadata", str(ROOT / "corpus/manifest.csv")
    )
    assert first.exit_code == second.exit_code == 0
    assert "Warning" not in first.stderr + second.stderr
    assert report_facts(inferred) == report_facts(given)
    assert first.stdout.splitlines()[1:] == [
        line.replace(str(given), str(inferred)) for line in second.stdout.splitlines()[1:]
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("file,level\nanon.txt,village\n", "line 2: level 'village' must be one of"),
        ("file,year\nanon.txt,22\n", "line 2: year '22' must be a year"),
        ("file,year\nanon.txt,二〇二二\n", "must be a year such as 2022"),
        ("file,colour\nanon.txt,red\n", "unknown column 'colour'"),
        ("region,year\n惠安县,2022\n", "among them 'file'"),
        ("file,year\nanon.txt,2022\nanon.txt,2023\n", "line 3: anon.txt is listed twice"),
        ("file,year\n,2022\n", "line 2: the 'file' cell is empty"),
        (
            "file,region,region_path\nanon.txt,保定市,福建省/泉州市/惠安县\n",
            "region '保定市' is not the last unit",
        ),
    ],
)
def test_bad_metadata_is_refused_before_anything_is_built(
    corpus: Path, tmp_path: Path, text: str, message: str
) -> None:
    meta = write(tmp_path / "meta.csv", text)
    with pytest.raises(MetadataError, match=message):
        load_metadata(meta)
    store = tmp_path / "store"
    result = build(str(corpus), "--store", str(store), "--metadata", str(meta))
    assert result.exit_code != 0
    assert "Error:" in result.stderr and "Traceback" not in result.output
    assert not store.exists()


def test_unreadable_metadata_is_a_clear_error(tmp_path: Path) -> None:
    latin = tmp_path / "meta.csv"
    latin.write_bytes("file,region\nanon.txt,惠安县\n".encode("gb18030"))
    with pytest.raises(MetadataError, match="not a UTF-8 CSV"):
        load_metadata(latin)
    with pytest.raises(MetadataError, match="cannot read the metadata file"):
        load_metadata(tmp_path / "missing.csv")


def test_facts_apply_over_the_inferred_ones() -> None:
    report = read_report(ROOT / "corpus" / HUIAN)
    assert missing_facts(report) == []
    changed = ReportFacts(region="泉州市", level="city", year_covered=2020).apply(report)
    assert (changed.region, changed.level, changed.year_covered) == ("泉州市", "city", 2020)
    assert changed.region_chain == ("泉州市",)
    assert changed.metadata == report.metadata
    assert ReportFacts().apply(report) is report


def test_a_region_that_cannot_be_placed_counts_as_missing() -> None:
    report = ReportFacts(region="火星市").apply(read_report(ROOT / "corpus" / HUIAN))
    assert missing_facts(report) == ["region ('火星市' cannot be placed)"]
