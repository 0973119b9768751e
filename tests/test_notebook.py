"""``kg.open_store(path).query(name_or_sparql, **params)``: the documented example (the module
docstring of kg.notebook, run as a doctest on the corpus store), rows without pandas, errors."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import kg
import kg.notebook
from kg.errors import KGError


def test_the_documented_example_runs(corpus_store_path: Path) -> None:
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    (test,) = [t for t in finder.find(kg.notebook, globs={"path": corpus_store_path}) if t.examples
               and t.name == "kg.notebook"]  # fmt: skip
    result = runner.run(test)
    assert result.attempted >= 4 and result.failed == 0


def test_rows_without_a_frame(corpus_store_path: Path) -> None:
    graph = kg.open_store(corpus_store_path)
    rows = graph.query("document-diffusion", title="法治政府建设实施纲要", frame=False)
    assert isinstance(rows, list)
    assert sorted((r["region"], r["firstYear"]) for r in rows) == [
        ("保定市", "2022"),
        ("迎泽区", "2020"),
    ]
    # the 2015 outline was issued 2015-12-27 (kg/data/document_authority.csv): 2020 - 2015;
    # the 2021 outline has no checked date, so no lag
    assert sorted((r["region"], r["issuedYear"], r["lag"]) for r in rows) == [
        ("保定市", None, None),
        ("迎泽区", "2015", "5"),
    ]


def test_frame_has_numbers_and_missing_values(corpus_store_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    table = kg.open_store(corpus_store_path).query(
        "document-diffusion", title="法治政府建设实施纲要"
    )
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns)[:3] == ["document", "issuedYear", "region"]
    assert table["firstYear"].dtype.kind == "i" and table["citations"].sum() == 2
    lags = dict(zip(table["region"], table["lag"], strict=True))
    assert lags["迎泽区"] == 5 and pd.isna(lags["保定市"])


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        ("no-such-query", {}, "no-such-query"),
        ("indicator-compare", {}, "indicator"),  # a required parameter is missing
        ("indicator-compare", {"indicator": "x", "nope": "1"}, "nope"),  # not a parameter
        ("DELETE WHERE { ?s ?p ?o }", {}, "update"),  # no updates
    ],
)
def test_errors(corpus_store_path: Path, query: str, params: dict[str, str], message: str) -> None:
    with pytest.raises(KGError, match=message):
        kg.open_store(corpus_store_path).query(query, **params)


def test_a_missing_store_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(KGError):
        kg.open_store(tmp_path / "nothing-here")
    assert not (tmp_path / "nothing-here").exists()  # nothing created
