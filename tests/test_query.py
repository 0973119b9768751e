"""``kg query``: inputs, formats, parameters, refusals, the time limit and error messages."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.query.guard import MAX_NESTING, QueryRefused, check_query
from kg.query.params import ParameterError, parse_value, split_param, with_values

ROOT = Path(__file__).resolve().parent.parent
REGIONS = "SELECT ?name WHERE { ?r a kg:Region ; skos:prefLabel ?name } ORDER BY ?name"
HUIAN = "惠安县"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(corpus_store_path: Path) -> str:
    return str(corpus_store_path)


def kg(store: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["query", *args, "--store", store], input=stdin)
    return result.exit_code, result.output


# --- inputs ----------------------------------------------------------------------------------


def test_inline_query_table(store: str) -> None:
    code, out = kg(store, REGIONS, "--format", "table")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].strip() == "name" and set(lines[1]) == {"-"}
    assert HUIAN in out and "福建省" in out


def test_a_long_inline_query_is_a_query_not_a_file_name(store: str) -> None:
    """Longer than a file name may be (255 bytes): was an OSError traceback."""
    padded = REGIONS.replace("WHERE", "WHERE " + "  " * 200)
    code, out = kg(store, padded, "--format", "csv")
    assert code == 0, out
    assert HUIAN in out


def test_query_from_a_file_and_from_stdin(store: str, tmp_path: Path) -> None:
    rq = tmp_path / "regions.rq"
    rq.write_text(REGIONS, encoding="utf-8")
    _, from_file = kg(store, str(rq), "--format", "csv")
    _, from_stdin = kg(store, "-", "--format", "csv", stdin=REGIONS)
    assert from_file == from_stdin
    assert HUIAN in from_file


def test_saved_query_by_name(store: str) -> None:
    args = ("--param", "title=法治政府建设实施纲要", "--format", "jsonl")
    code, out = kg(store, "cited-where", *args)
    assert code == 0, out
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["region"] for r in rows} >= {"保定市", "迎泽区"}


def test_unknown_saved_query_lists_the_names(store: str) -> None:
    code, out = kg(store, "no-such-query")
    assert code == 1
    assert out.startswith("Error: no saved query named 'no-such-query'; saved queries: ")
    assert "cited-where" in out


# --- formats ---------------------------------------------------------------------------------


def test_json_is_sparql_results_json(store: str) -> None:
    _, out = kg(store, REGIONS, "--format", "json")
    data = json.loads(out)
    assert data["head"]["vars"] == ["name"]
    names = [b["name"]["value"] for b in data["results"]["bindings"]]
    assert HUIAN in names
    langs = {b["name"].get("xml:lang") for b in data["results"]["bindings"]}
    assert "zh" in langs


def test_xml_is_sparql_results_xml(store: str) -> None:
    _, out = kg(store, REGIONS, "--format", "xml")
    root = ET.fromstring(out)
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["name"]
    assert HUIAN in [lit.text for lit in root.findall(".//s:literal", ns)]


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv(store: str, fmt: str, delimiter: str) -> None:
    _, out = kg(store, REGIONS, "--format", fmt)
    rows = list(csv.reader(io.StringIO(out), delimiter=delimiter))
    assert rows[0][0].lstrip("?") == "name"
    assert any(HUIAN in r[0] for r in rows[1:])


def test_markdown(store: str) -> None:
    _, out = kg(store, REGIONS, "--format", "md")
    lines = out.splitlines()
    assert lines[0] == "| name |" and lines[1] == "|---|"
    assert f"| {HUIAN} |" in lines


def test_ask_prints_true_or_false(store: str) -> None:
    assert kg(store, "ASK { ?r a kg:Report }")[1].strip() == "true"
    assert kg(store, "ASK { ?r a kg:Nothing }")[1].strip() == "false"
    assert json.loads(kg(store, "ASK { ?r a kg:Report }", "--format", "json")[1])["boolean"]


CONSTRUCT = "CONSTRUCT { ?r skos:prefLabel ?n } WHERE { ?r a kg:Region ; skos:prefLabel ?n }"


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_construct_prints_rdf(store: str, fmt: str) -> None:
    code, out = kg(store, CONSTRUCT, "--format", fmt)
    assert code == 0, out
    from rdflib import Graph

    graph = Graph().parse(data=out, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    assert len(graph) >= 15


def test_construct_defaults_to_turtle(store: str) -> None:
    _, out = kg(store, CONSTRUCT)
    assert "@prefix skos:" in out


def test_wrong_format_for_the_query_kind(store: str) -> None:
    code, out = kg(store, CONSTRUCT, "--format", "csv")
    assert code == 1 and "answers with a graph; use --format ttl|nt|jsonld" in out
    code, out = kg(store, REGIONS, "--format", "ttl")
    assert code == 1 and "--format ttl is for CONSTRUCT and DESCRIBE" in out


# --- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("保定市", '"保定市"'),
        ("2022", '"2022"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        ("28.8", '"28.8"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
        ("<https://policy-kg.org/id/region/130600>", "<https://policy-kg.org/id/region/130600>"),
        ('x" } ; DROP ALL ; #', '"x\\" } ; DROP ALL ; #"'),
    ],
)
def test_parse_value(text: str, expected: str) -> None:
    assert str(parse_value(text)) == expected


def test_bad_iri_and_bad_spec_are_refused() -> None:
    with pytest.raises(ParameterError, match="not a valid IRI"):
        parse_value("<not an iri>")
    with pytest.raises(ParameterError, match="must be NAME=VALUE"):
        split_param("noequals")


def test_values_block_opens_the_where_group() -> None:
    import pyoxigraph as ox

    text = "SELECT ?x WHERE { ?x ?p ?y }"
    out = with_values(text, {ox.Variable("y"): ox.Literal("a")})
    assert out == 'SELECT ?x WHERE { VALUES ?y { "a" }  ?x ?p ?y }'


def test_integer_parameter_binds_a_typed_year(store: str) -> None:
    q = "SELECT ?f WHERE { ?r a kg:Report ; kg:yearCovered ?year ; dcterms:identifier ?f }"
    _, out = kg(store, q, "--param", "year=2022", "--format", "jsonl")
    files = {json.loads(line)["f"] for line in out.splitlines()}
    assert files == {"000_b93acead5cfcaaf2.txt", "001_d2cba6cb4c440230.txt"}


def test_iri_parameter(store: str) -> None:
    q = "SELECT ?name WHERE { ?r skos:prefLabel ?name }"
    iri = "<https://policy-kg.org/id/region/130600>"
    _, out = kg(store, q, "--param", f"r={iri}", "--format", "csv")
    assert out.split() == ["name", "保定市"]


def test_injection_through_a_parameter_is_just_a_string(store: str) -> None:
    evil = 'x") } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("'
    args = ["query", "cited-where", "--param", f"title={evil}", "--format", "jsonl"]
    result = CliRunner().invoke(cli, [*args, "--store", store])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ""
    assert "matches no title" in result.stderr
    _code, out = kg(store, "ASK { ?r a kg:Report }")
    assert out.strip() == "true"


def test_unknown_parameter_names_itself_and_the_parameters(store: str) -> None:
    code, out = kg(store, "cited-where", "--param", "titel=x")
    assert code == 1
    assert out == (
        "Error: saved query 'cited-where' has no parameter 'titel'; its parameters: title\n"
    )


def test_missing_parameter_names_itself(store: str) -> None:
    code, out = kg(store, "cited-where")
    assert code == 1
    assert out == "Error: saved query 'cited-where' needs --param title=…; its parameters: title\n"


def test_inline_query_parameters_are_its_variables(store: str) -> None:
    code, out = kg(store, REGIONS, "--param", "nope=1")
    assert code == 1
    assert out == "Error: the query has no parameter 'nope'; its parameters: name, r\n"


# --- refusals and limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is"),
        ("LOAD <http://example.org/data.ttl>", "LOAD is a SPARQL update"),
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "INSERT is a SPARQL update"),
        ("DROP ALL", "DROP is a SPARQL update"),
        ("SELECT * FROM <http://example.org/x.ttl> WHERE { ?s ?p ?o }", "FROM <http://example"),
        ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc"),
        ("PREFIX e: <http://evil.example/>\nSELECT * FROM e:x WHERE { ?s ?p ?o }", "evil.example"),
    ],
)
def test_refused_before_evaluation(store: str, text: str, message: str) -> None:
    with pytest.raises(QueryRefused, match=message.replace("(", r"\(")):
        check_query(text)
    code, out = kg(store, text)
    assert code == 1 and out.startswith("Error: ") and message in out


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?s WHERE { ?s skos:prefLabel "LOAD SERVICE DROP" }',
        "SELECT ?s WHERE { ?s ?p <http://example.org/service> } # DROP later",
        "SELECT ?load ?service WHERE { ?load ?service ?o }",
        "SELECT * FROM <https://policy-kg.org/id/graph/entities> WHERE { ?s a kg:Region }",
    ],
)
def test_keywords_inside_strings_iris_comments_or_names_are_fine(text: str) -> None:
    check_query(text)


def test_size_and_nesting_are_bounded() -> None:
    with pytest.raises(QueryRefused, match="characters long"):
        check_query("SELECT * WHERE { ?s ?p ?o }" + " " * 70_000)
    deep = "SELECT * WHERE " + "{ " * (MAX_NESTING + 1) + "?s ?p ?o" + " }" * (MAX_NESTING + 1)
    with pytest.raises(QueryRefused, match="nests brackets"):
        check_query(deep)


@pytest.mark.slow
def test_timeout_stops_the_query_and_prints_nothing_else(store: str) -> None:
    started = time.monotonic()
    code, out = kg(store, RUNAWAY, "--timeout", "1", "--format", "csv")
    assert time.monotonic() - started < 15
    assert code == 1
    assert out == (
        "Error: the query ran longer than 1 s and was stopped; nothing was printed "
        "(raise --timeout, or narrow the query)\n"
    )


# --- errors ----------------------------------------------------------------------------------


def test_syntax_error_shows_line_column_and_the_line(store: str) -> None:
    code, out = kg(store, "SELECT ?s\nWHERE { ?s ?p }")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("Error: SPARQL syntax error at line 2, column ")
    assert lines[1] == "  WHERE { ?s ?p }"
    assert lines[2].strip() == "^"


def test_missing_store(tmp_path: Path) -> None:
    code, out = kg(str(tmp_path / "none"), REGIONS)
    assert code == 1 and out.startswith("Error: no graph store at ")


def test_queries_lists_saved_queries() -> None:
    result = CliRunner().invoke(cli, ["queries", "--format", "json"])
    assert result.exit_code == 0
    names = {q["name"] for q in json.loads(result.output)}
    assert "cited-where" in names


# --- parameters bound by scope (issue 12) ---------------------------------------------------

LEVEL_CITY = "<https://policy-kg.org/id/level/city>"


@pytest.mark.parametrize(
    ("query", "param", "expected"),
    [
        # ?lv exists only inside the subquery: bound there (5 cities), not ignored (16 regions)
        (
            "SELECT ?n WHERE { { SELECT (COUNT(?s) AS ?n) WHERE { ?s a kg:Region ; "
            "kg:level ?lv } } }",
            f"lv={LEVEL_CITY}",
            ["n", "5"],
        ),
        # projected by the subquery: bound outside it, as before
        (
            "SELECT ?lv ?n WHERE { { SELECT ?lv (COUNT(?s) AS ?n) WHERE { ?s a kg:Region ; "
            "kg:level ?lv } GROUP BY ?lv } }",
            f"lv={LEVEL_CITY}",
            ["lv,n", "https://policy-kg.org/id/level/city,5"],
        ),
        # SELECT * projects everything
        (
            "SELECT ?name WHERE { { SELECT * WHERE { ?s a kg:Region ; kg:adminCode ?code ; "
            "skos:prefLabel ?name } } }",
            "name=x",
            ["name"],
        ),
        # a brace and a variable inside a string, a comment: neither is structure
        (
            "SELECT ?n WHERE { { SELECT (COUNT(?s) AS ?n) WHERE { ?s a kg:Region ; kg:level ?lv "
            'FILTER(?lv != <urn:x> || "{ ?lv }" = "") } } } # { ?lv',
            f"lv={LEVEL_CITY}",
            ["n", "5"],
        ),
    ],
)
def test_param_binds_the_variable_in_its_scope(
    store: str, query: str, param: str, expected: list[str]
) -> None:
    code, out = kg(store, query, "--param", param, "--format", "csv")
    assert code == 0, out
    assert out.split() == expected


@pytest.mark.parametrize(
    ("query", "triples"),
    [
        # the short form: its pattern is its template (two triples for each of the five cities)
        ("CONSTRUCT WHERE { ?s a kg:Region ; kg:level ?lv }", 10),
        ("CONSTRUCT { ?s a kg:Region } { ?s a kg:Region ; kg:level ?lv }", 5),  # no WHERE
        ("CONSTRUCT { ?s a kg:Region } WHERE { ?s a kg:Region ; kg:level ?lv }", 5),
    ],
)
def test_param_on_a_construct_binds_its_pattern_not_its_template(
    store: str, query: str, triples: int
) -> None:
    code, out = kg(store, query, "--param", f"lv={LEVEL_CITY}", "--format", "nt")
    assert code == 0, out
    assert len(out.splitlines()) == triples


def test_param_on_a_query_without_a_where_group_is_refused(store: str) -> None:
    code, out = kg(store, "DESCRIBE ?x", "--param", "x=<https://policy-kg.org/id/region/130600>")
    assert code != 0
    assert "Error: the query has no WHERE group to bind parameters in" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        ('SELECT ?a WHERE { ?a ?b "?c" } # ?d', ["a", "b"]),
        ("SELECT $a WHERE { ?a <urn:x?y> ?b }", ["a", "b"]),
        (r"SELECT ?a WHERE { ?a ex:x\#y ?b }", ["a", "b"]),
    ],
)
def test_query_variables_skip_strings_iris_and_comments(text: str, variables: list[str]) -> None:
    from kg.query.params import query_variables

    assert query_variables(text) == variables


@given(
    st.lists(st.sampled_from(["*", "?s", "?s ?lv", "?lv ?s"]), min_size=0, max_size=4),
    st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_a_parameter_reaches_its_variable_at_any_depth(
    corpus_store_path: Path, projections: list[str], comment: bool
) -> None:
    """However deep the subquery that uses ?lv, and whatever each level projects, binding lv
    restricts the count to the five cities (16 regions unbound)."""
    import pyoxigraph as ox

    body = "?s a kg:Region ; kg:level ?lv ."
    for projection in projections:
        body = f"{{ SELECT {projection} WHERE {{ {body} }} }}"
    note = ' # { ?lv "' if comment else ""
    text = f"SELECT (COUNT(?s) AS ?n) WHERE {{ {body}{note}\n}}"
    bound = with_values(text, {ox.Variable("lv"): ox.NamedNode(LEVEL_CITY[1:-1])})
    store = ox.Store.read_only(str(corpus_store_path))
    from kg.vocab import PREFIXES

    result = store.query(bound, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    [row] = list(result)
    assert row["n"].value == "5"
