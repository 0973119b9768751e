"""The saved queries (``kg/queries/*.rq``): headers, and real answers on the shipped corpus.

The corpus graph is built once for the module; every query runs through ``kg query`` as a user
would run it, and the assertions check rows the five reports really give (membership and
totals, not whole tables), cross-checked against ``kg stats`` where both count the same thing.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query.run import run_query
from kg.query.saved import QUERIES_DIR, SavedQuery, saved_queries

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QUERIES = saved_queries(QUERIES_DIR)
NAMES = [q.name for q in QUERIES]
KINDS = {
    "court", "procuratorate", "congress", "cppcc", "discipline", "justice", "party",
    "leading_group", "government", "other",
}  # fmt: skip
DCTERMS_TITLE = "http://purl.org/dc/terms/title"

Row = dict[str, Any]


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> Path:
    return corpus_store_path


@pytest.fixture(scope="module")
def stats(store: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["stats", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


@pytest.fixture(scope="module")
def by_region(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["region"]: r for r in stats["regions"]}


def invoke(store: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["query", *args, "--store", str(store)])
    assert result.exit_code == 0, result.output
    return result.stdout


def rows(store: Path, name: str, **params: str) -> list[Row]:
    """The answer of a saved query, one dict per row (every value a string or None)."""
    args = [name, "--format", "jsonl"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    out = invoke(store, *args)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def num(row: Row, column: str) -> float:
    value = row[column]
    assert value is not None, f"{column} is unbound in {row}"
    return float(value)


def find(answer: list[Row], **where: str) -> list[Row]:
    return [r for r in answer if all(r.get(k) == v for k, v in where.items())]


# ---------------------------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------------------------


def test_the_saved_queries_are_there() -> None:
    expected = {
        "cited-where",
        "most-cited",
        "region-cites",
        "co-citation",
        "implements-chains",
        "programs-by-region",
        "institutions-by-region",
        "indicator-outcomes",
        "vertical-flow",
        "report-summary",
    }
    assert expected <= set(NAMES)


@pytest.mark.parametrize("query", QUERIES, ids=NAMES)
def test_header_is_complete(query: SavedQuery) -> None:
    assert query.title, f"{query.name}: no '# title:'"
    assert query.answers, f"{query.name}: no '# answers:'"
    assert query.columns, f"{query.name}: no '# columns:'"
    assert query.examples, f"{query.name}: no '# example:'"
    for param in query.params:
        assert param.example, f"{query.name}: '# param: {param.name}' has no (example: …)"
        assert param.description, f"{query.name}: '# param: {param.name}' says nothing"
        assert f"?{param.name}" in query.text, f"{query.name}: ?{param.name} is never used"
    for example in query.examples:
        assert example.startswith(f"kg query {query.name}"), example
    assert "ORDER BY" in query.text, f"{query.name}: its rows come in no set order"


def test_kg_queries_lists_them_all() -> None:
    result = CliRunner().invoke(cli, ["queries", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {q["name"]: q for q in json.loads(result.output)}
    assert set(listed) == set(NAMES)
    for query in QUERIES:
        assert listed[query.name]["title"] == query.title
        assert listed[query.name]["columns"] == ", ".join(query.columns)


def _example_args(example: str) -> list[str]:
    """``kg query NAME --param … --format table`` → ``[NAME, --param, …]`` without the format."""
    words = shlex.split(example)[2:]
    args: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == "--format":
            skip = True
        elif not word.startswith("--format="):
            args.append(word)
    return args


@pytest.mark.parametrize(
    ("query", "example"),
    [(q, e) for q in QUERIES for e in q.examples],
    ids=[f"{q.name}:{i}" for q in QUERIES for i, _ in enumerate(q.examples)],
)
def test_every_example_runs_and_answers_with_the_declared_columns(
    store: Path, query: SavedQuery, example: str
) -> None:
    out = invoke(store, *_example_args(example), "--format", "json")
    data = json.loads(out)
    assert data["head"]["vars"] == list(query.columns)
    assert data["results"]["bindings"], f"{example} answers with no rows on the corpus"


# ---------------------------------------------------------------------------------------------
# One or more checks per query, on the corpus's real rows
# ---------------------------------------------------------------------------------------------


def test_cited_where_finds_both_editions_of_the_outline(store: Path) -> None:
    answer = rows(store, "cited-where", title="法治政府建设实施纲要")
    baoding = find(answer, region="保定市", document="法治政府建设实施纲要(2021—2025年)")
    yingze = find(answer, region="迎泽区", document="法治政府建设实施纲要(2015—2020年)")
    assert baoding and baoding[0]["year"] == "2022" and baoding[0]["level"] == "city"
    assert yingze and yingze[0]["year"] == "2020" and yingze[0]["level"] == "district"
    assert [r["year"] for r in answer] == sorted(r["year"] for r in answer)


def test_most_cited(store: Path, stats: dict[str, Any]) -> None:
    answer = rows(store, "most-cited")
    assert num(answer[0], "regions") >= 2
    top = find(answer, document="中华人民共和国政府信息公开条例")[0]
    assert num(top, "regions") >= 2 and num(top, "reports") >= 2 and num(top, "citations") >= 2
    assert "administrative_regulation" in str(top["types"]).split(", ")
    # every cited document once, every citation counted once
    assert len(answer) == len({r["document"] for r in answer})
    assert sum(num(r, "citations") for r in answer) == stats["classes"]["citations"]
    keys = [(num(r, "regions"), num(r, "reports")) for r in answer]
    assert keys == sorted(keys, reverse=True)
    law = find(answer, document="中华人民共和国行政处罚法")
    assert law and law[0]["types"] == "law"


def test_region_cites_baoding(store: Path) -> None:
    answer = rows(store, "region-cites", region="保定市")
    assert len(answer) >= 20
    outline = find(answer, document="法治政府建设实施纲要(2021—2025年)")
    assert outline and outline[0]["action"] == "implemented" and outline[0]["year"] == "2022"
    assert "法治政府建设实施纲要" in str(outline[0]["sentence"])
    issued = find(answer, document="2022年度保定市政府学法计划")
    assert issued and issued[0]["action"] == "issued"
    assert {r["action"] for r in answer} <= {"issued", "transmitted", "implemented", "mentioned"}
    forwarded = find(answer, document="河北省政府部门权责清单管理办法(试行)")
    assert forwarded and forwarded[0]["action"] == "transmitted"


@pytest.mark.parametrize("region", ["保定市", "惠安县", "迎泽区", "源汇区", "天福镇"])
def test_region_cites_counts_match_stats(
    store: Path, by_region: dict[str, dict[str, Any]], region: str
) -> None:
    answer = rows(store, "region-cites", region=region)
    assert sum(num(r, "citations") for r in answer) == by_region[region]["citations"]
    assert len({r["document"] for r in answer}) == by_region[region]["documents"]


def test_region_cites_unknown_region_is_empty(store: Path) -> None:
    assert rows(store, "region-cites", region="火星市") == []


def test_co_citation_pairs(store: Path, by_region: dict[str, dict[str, Any]]) -> None:
    answer = rows(store, "co-citation")
    assert all(str(r["document1"]) < str(r["document2"]) for r in answer)
    assert len(answer) == len({(r["document1"], r["document2"]) for r in answer})
    # each report contributes every pair of the documents it cites, once
    pairs = sum(s["documents"] * (s["documents"] - 1) // 2 for s in by_region.values())
    assert sum(num(r, "reports") for r in answer) == pairs


def test_co_citation_of_one_document(store: Path) -> None:
    title = "中华人民共和国政府信息公开条例"
    answer = rows(store, "co-citation", title="政府信息公开条例")
    assert answer
    assert all(title in (r["document1"], r["document2"]) for r in answer)
    assert {r["regions"] for r in answer} >= {"保定市", "源汇区"}
    assert find(answer, document1=title, document2="优化营商环境条例")


def test_implements_chains(store: Path) -> None:
    answer = rows(store, "implements-chains")
    link = find(
        answer,
        **{"from": "贯彻落实〈四川省法治政府建设实施方案(2021—2025年)〉责任分工方案"},
        to="四川省法治政府建设实施方案(2021—2025年)",
    )
    assert link
    assert link[0]["relation"] == "implements" and link[0]["depth"] == "1"
    assert (link[0]["toRegion"], link[0]["toLevel"]) == ("四川省", "province")
    assert "003_93de1b03becaf1ca.txt" in str(link[0]["reports"])
    notice = find(answer, relation="transmits", to="蓬溪县2023年度法治政府建设重点工作安排")
    assert notice and notice[0]["fromRegion"] == "蓬溪县"
    narrowed = rows(store, "implements-chains", title="四川省法治政府建设实施方案")
    assert narrowed == link


def test_implements_chains_follows_chains(tmp_path: Path) -> None:
    """a implements b, b transmits c, c implements d: depth and relations along each chain."""
    path = tmp_path / "chain"
    graph = ox.NamedNode("https://policy-kg.org/id/graph/test")
    doc = "https://policy-kg.org/id/document/"
    store = ox.Store(str(path))
    for name in "abcd":
        title = ox.Literal(f"文件{name}", language="zh")
        store.add(ox.Quad(ox.NamedNode(doc + name), ox.NamedNode(DCTERMS_TITLE), title, graph))
    for a, link, b in (("a", "implements", "b"), ("b", "transmits", "c"), ("c", "implements", "d")):
        prop = ox.NamedNode(f"https://policy-kg.org/ns#{link}")
        store.add(ox.Quad(ox.NamedNode(doc + a), prop, ox.NamedNode(doc + b), graph))
    store.flush()
    del store
    text = (QUERIES_DIR / "implements-chains.rq").read_text(encoding="utf-8")
    out = run_query(path, text, fmt="jsonl").text
    got = {
        (r["from"], r["to"]): (r["depth"], r["relation"])
        for r in (json.loads(line) for line in out.splitlines())
    }
    assert got[("文件a", "文件b")] == ("1", "implements")
    assert got[("文件b", "文件c")] == ("1", "transmits")
    assert got[("文件a", "文件d")][0] == "3"
    assert set(got[("文件a", "文件d")][1].split(", ")) == {"implements", "transmits"}
    assert got[("文件b", "文件d")][0] == "2"
    assert len(got) == 6


def test_programs_by_region(store: Path, stats: dict[str, Any]) -> None:
    answer = rows(store, "programs-by-region")
    # every program some report names (a broader program only linked to, such as “枫桥经验”
    # from “枫桥经验”保定模式 when no report names it alone, is a node but has no row)
    named = invoke(
        store,
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?m kg:refersTo ?p . ?p a kg:Program }",
        "--format",
        "jsonl",
    )
    assert len(answer) == int(json.loads(named)["n"]) <= stats["classes"]["programs"]
    assert num(answer[0], "regionCount") >= 4
    top = find(answer, program="“三项制度”")[0]
    assert num(top, "regionCount") >= 4
    assert top["firstYear"] == "2020"
    assert set(str(top["regions"]).split(", ")) >= {"保定市", "天福镇", "迎泽区", "惠安县"}
    counts = [num(r, "regionCount") for r in answer]
    assert counts == sorted(counts, reverse=True)
    for r in answer:
        assert num(r, "regionCount") == len(str(r["regions"]).split(", "))


@pytest.mark.slow
@pytest.mark.parametrize("region", ["保定市", "惠安县", "迎泽区", "源汇区", "天福镇"])
def test_programs_by_region_restricted(
    store: Path, by_region: dict[str, dict[str, Any]], region: str
) -> None:
    answer = rows(store, "programs-by-region", region=region)
    assert len(answer) == by_region[region]["programs"]
    assert all(region in str(r["regions"]).split(", ") for r in answer)


def test_institutions_by_region_kinds(store: Path) -> None:
    answer = rows(store, "institutions-by-region", region="源汇区")
    assert {r["region"] for r in answer} == {"源汇区"}
    kinds = {r["institution"]: r["kind"] for r in answer}
    assert kinds["中共漯河市源汇区委"] == "party"
    assert kinds["漯河市源汇区人民政府"] == "government"
    assert kinds["漯河市源汇区人大常委会"] == "congress"
    assert kinds["漯河市源汇区司法局"] == "justice"
    assert kinds["中共漯河市源汇区纪委"] == "discipline"
    assert kinds["漯河市源汇区法治政府建设领导小组办公室"] == "leading_group"
    committee = find(answer, institution="中共漯河市源汇区委")[0]
    assert "区委" in str(committee["forms"]).split(", ") and num(committee, "mentions") >= 2
    assert committee["jurisdiction"] == "源汇区"


def test_institutions_by_region_all(store: Path, by_region: dict[str, dict[str, Any]]) -> None:
    answer = rows(store, "institutions-by-region")
    for region, counts in by_region.items():
        assert len(find(answer, region=region)) == counts["institutions"], region
    yingze = find(answer, region="迎泽区", institution="中共太原市迎泽区委")[0]
    assert {"区委", "迎泽区委"} <= set(str(yingze["forms"]).split(", "))
    assert find(answer, region="保定市", institution="司法部", jurisdiction="中华人民共和国")
    assert find(answer, region="迎泽区", kind="cppcc")
    assert {r["kind"] for r in answer} <= KINDS


def test_indicator_outcomes_by_words(store: Path) -> None:
    answer = rows(store, "indicator-outcomes", indicator="行政复议")
    cases = {
        (r["region"], r["year"], num(r, "value")) for r in answer if "行政复议案件" in str(r["raw"])
    }
    assert {("惠安县", "2022", 79), ("保定市", "2022", 316), ("迎泽区", "2020", 15)} <= cases
    # matched through the concept's label, though its raw text is only 纠错率
    rate = find(answer, region="惠安县", raw="纠错率")
    assert rate and rate[0]["concept"] == "行政复议纠错率" and num(rate[0], "value") == 28.8
    assert rate[0]["unit"] == "%" and rate[0]["approximate"] == "false"
    # matched through the raw text only: the concept's labels lack the words, or no concept
    withdrawn = rows(store, "indicator-outcomes", indicator="撤回申请")
    assert [(r["raw"], r["concept"]) for r in withdrawn] == [
        ("经调解申请人撤回申请", "行政复议调解和解数")
    ]
    assert [r["concept"] for r in rows(store, "indicator-outcomes", indicator="办公面积")] == [None]


def test_indicator_outcomes_by_notation(store: Path) -> None:
    answer = rows(store, "indicator-outcomes", indicator="mediation_success_rate")
    assert len(answer) >= 3
    assert {r["concept"] for r in answer} == {"调解成功率"}
    assert {r["region"] for r in answer} >= {"保定市", "惠安县"}
    assert find(answer, region="保定市", approximate="true")


def test_vertical_flow(store: Path, stats: dict[str, Any]) -> None:
    answer = rows(store, "vertical-flow")
    assert sum(num(r, "citations") for r in answer) == stats["classes"]["citations"]
    cells = {(r["citedLevel"], r["citingLevel"]): r for r in answer}
    assert len(cells) == len(answer)
    assert cells[("national", "town")]["direction"] == "from above"
    assert cells[("county", "county")]["direction"] == "same level"
    assert cells[("province", "city")]["direction"] == "from above"
    assert all(r["direction"] == "unknown" for r in answer if r["citedLevel"] == "unknown")
    assert answer[0]["citedLevel"] == "national"
    for r in answer:
        assert num(r, "documents") <= num(r, "citations")


def test_report_summary_matches_stats(store: Path, by_region: dict[str, dict[str, Any]]) -> None:
    answer = rows(store, "report-summary")
    assert [r["report"] for r in answer] == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert len({r["region"] for r in answer}) == len(by_region)  # one report per region here
    for r in answer:
        expected = by_region[str(r["region"])]
        assert r["level"] == expected["level"]
        for column in ("citations", "documents", "institutions", "programs", "outcomes"):
            assert num(r, column) == expected[column], (r["region"], column)
    baoding = find(answer, region="保定市")[0]
    assert (baoding["report"], baoding["year"]) == ("001_d2cba6cb4c440230.txt", "2022")
