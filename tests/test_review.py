"""kg review: export to Label Studio, review, import, build with the corrections, and back.

The Label Studio export is made here from the tasks ``kg review export`` wrote, in the shape
Label Studio's JSON export has (a list of tasks, each with ``annotations`` holding ``result``
items of type ``labels`` / ``choices`` / ``textarea``, ``completed_by``, ``updated_at``).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from kg.cli import cli
from kg.graph import iris
from kg.store import open_store
from kg.validate import validate_store
from kg.vocab import KG

REPORT = "review_test.txt"
TEXT = (
    "惠安县人民政府关于2022年度法治政府建设情况的报告\n"
    "2022年，惠安县认真贯彻落实《法治政府建设实施纲要（2021—2025年）》，县政府印发"
    "《惠安县重大行政决策程序规定》。县司法局组织开展“八五”普法宣传活动。"
    "全年办理行政复议案件35件，纠错率12.5%。县委依法治县办牵头开展“放管服”改革。"
    "《惠安县行政执法公示办法》明确了公示要求。\n"
)
REVIEWER = "li.wei@example.org"
FACT_CLASSES = (KG.Citation, KG.Mention, KG.Outcome)


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / REPORT).write_text(TEXT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _label_item(result: list[dict[str, Any]], text: str, label: str) -> dict[str, Any]:
    return next(
        r
        for r in result
        if r["type"] == "labels" and r["value"]["text"] == text and r["value"]["labels"] == [label]
    )


def reviewed(task: dict[str, Any]) -> dict[str, Any]:
    """What Label Studio exports after a reviewer submitted the pre-filled task with four
    changes: 县政府 rejected, 法治政府建设 added as a PROGRAM, 县委依法治县办 relabelled as a
    PROGRAM, and the action of 惠安县重大行政决策程序规定 changed to implemented."""
    result = copy.deepcopy(task["predictions"][0]["result"])
    rejected = _label_item(result, "县政府", "INSTITUTION")
    result = [r for r in result if r["id"] != rejected["id"]]
    _label_item(result, "县委依法治县办", "INSTITUTION")["value"]["labels"] = ["PROGRAM"]
    doc = _label_item(result, "惠安县重大行政决策程序规定", "DOCUMENT")
    action = next(r for r in result if r["id"] == doc["id"] and r["from_name"] == "action")
    action["value"]["choices"] = ["implemented"]
    start = TEXT.index("法治政府建设情况")
    result.append(
        {
            "id": "Xk3_9aQ",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "origin": "manual",
            "value": {
                "start": start,
                "end": start + 6,
                "text": "法治政府建设",
                "labels": ["PROGRAM"],
            },
        }
    )
    for r in result:
        r.pop("score", None)
    return {
        "id": 1,
        "data": task["data"],
        "annotations": [
            {
                "id": 7,
                "completed_by": {"id": 3, "email": REVIEWER, "first_name": "", "last_name": ""},
                "result": result,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": "2026-12-01T09:58:00.000000Z",
                "updated_at": "2026-12-01T10:00:00.123456Z",
                "lead_time": 120.5,
                "task": 1,
            }
        ],
        "predictions": task["predictions"],
        "project": 1,
    }


def report_graph(store_dir: Path) -> Graph:
    with open_store(store_dir, read_only=True) as store:
        return store.graph(iris.report_graph_iri(REPORT))


def facts(g: Graph) -> set[URIRef]:
    return {s for cls in FACT_CLASSES for s in g.subjects(RDF.type, cls)}  # type: ignore[misc]


def about(g: Graph, node: URIRef) -> set[tuple[Any, Any]]:
    return set(g.predicate_objects(node))


REVIEW_PREDICATES = {PROV.wasAttributedTo, PROV.generatedAtTime, KG.reviewStatus}


@pytest.mark.slow
def test_round_trip_through_label_studio(project: Path) -> None:
    out = run("review", "export", "corpus", "-o", "tasks.json")
    assert out.exit_code == 0, out.output
    assert (project / "tasks.config.xml").read_text().startswith("<View>")
    tasks = json.loads((project / "tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 1 and tasks[0]["data"]["text"] == TEXT.strip()
    (project / "export.json").write_text(
        json.dumps([reviewed(tasks[0])], ensure_ascii=False), encoding="utf-8"
    )

    assert run("build", "corpus", "--store", "before").exit_code == 0  # no corrections yet
    out = run("review", "import", "export.json")
    assert out.exit_code == 0, out.output
    lines = [json.loads(x) for x in (project / "corrections.jsonl").read_text().splitlines()]
    ops = sorted(c["op"] for c in lines if c["op"] != "accept")
    assert ops == ["add", "edit", "reject", "relabel"]
    assert {c["by"] for c in lines} == {REVIEWER}
    assert {c["at"] for c in lines} == {"2026-12-01T10:00:00Z"}
    assert lines == sorted(lines, key=lambda c: (c["file"], c["start"], c["end"], c["label"]))

    out = run("build", "corpus", "--store", "after")
    assert out.exit_code == 0, out.output
    before, after = report_graph(project / "before"), report_graph(project / "after")

    # Exactly the four changes: one mention gone, one added, one relabelled, one action.
    inst, prog = "INSTITUTION", "PROGRAM"
    gone = iris.mention_iri(REPORT, inst, TEXT.index("县政府印发"), TEXT.index("县政府印发") + 3)
    at = TEXT.index("县委依法治县办")
    old_label, new_label = (
        iris.mention_iri(REPORT, inst, at, at + 7),
        iris.mention_iri(REPORT, prog, at, at + 7),
    )
    add_at = TEXT.index("法治政府建设情况")
    added = iris.mention_iri(REPORT, prog, add_at, add_at + 6)
    assert facts(after) == (facts(before) - {gone, old_label}) | {added, new_label}
    statuses = {n: str(after.value(n, KG.reviewStatus)) for n in facts(after)}
    assert statuses[added] == "added" and statuses[new_label] == "relabelled"
    edited = [n for n, s in statuses.items() if s == "edited"]
    assert len(edited) == 1
    assert after.value(edited[0], KG.action).endswith("implemented")
    assert before.value(edited[0], KG.action).endswith("issued")
    for node in facts(after) & facts(before):
        changed = {(p, o) for p, o in about(after, node) if p not in REVIEW_PREDICATES}
        if node == edited[0]:
            changed = {(p, o) for p, o in changed if p != KG.action}
            assert changed == {(p, o) for p, o in about(before, node) if p != KG.action}
        else:
            assert changed == about(before, node), node
            assert statuses[node] == "accepted"
        assert str(after.value(node, PROV.wasAttributedTo)).startswith(str(iris.ID))
    rejections = list(after.subjects(KG.reviewStatus, Literal("rejected")))
    assert len(rejections) == 1
    assert after.value(rejections[0], PROV.wasQuotedFrom) == iris.report_iri(REPORT)
    assert not any((rejections[0], RDF.type, cls) in after for cls in FACT_CLASSES)
    agent = after.value(rejections[0], PROV.wasAttributedTo)
    assert str(after.value(agent, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == REVIEWER
    with open_store(project / "after", read_only=True) as store:
        assert validate_store(store).conforms

    # A second build without changes keeps them and rebuilds nothing.
    out = run("build", "corpus", "--store", "after")
    assert "0 built, 0 replaced, 1 unchanged" in out.output
    assert set(report_graph(project / "after")) == set(after)

    # A change of the corrections rebuilds the report.
    lines[0]["by"] = "someone.else"
    (project / "corrections.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in lines), encoding="utf-8"
    )
    assert "0 built, 1 replaced, 0 unchanged" in run("build", "corpus", "--store", "after").output


def test_a_changed_text_sets_corrections_aside(project: Path) -> None:
    run("review", "export", "corpus", "-o", "tasks.json")
    tasks = json.loads((project / "tasks.json").read_text(encoding="utf-8"))
    (project / "export.json").write_text(json.dumps([reviewed(tasks[0])], ensure_ascii=False))
    run("review", "import", "export.json")
    saved = (project / "corrections.jsonl").read_text()
    assert run("review", "status", "corpus").exit_code == 0

    # Two characters inserted before 县司法局: every span after them moved.
    changed = TEXT.replace("县司法局组织", "县司法局认真组织")
    (project / "corpus" / REPORT).write_text(changed, encoding="utf-8")
    out = CliRunner().invoke(cli, ["build", "corpus", "--store", "s"])
    assert out.exit_code == 0
    moved = [c for c in map(json.loads, saved.splitlines()) if c["start"] > TEXT.index("组织")]
    warned = [line for line in out.output.splitlines() if "set aside:" in line]
    assert len(warned) == len(moved) > 0
    assert any("relabel PROGRAM '县委依法治县办'" in w for w in warned)
    assert not any("县政府" in w and "reject" in w for w in warned)  # before the change: applies
    g = report_graph(project / "s")
    assert len(list(g.subjects(KG.reviewStatus, Literal("rejected")))) == 1
    assert not list(g.subjects(KG.reviewStatus, Literal("relabelled")))
    assert (project / "corrections.jsonl").read_text() == saved  # nothing dropped

    status = CliRunner().invoke(cli, ["review", "status", "corpus"])
    assert status.exit_code == 1
    assert status.output.count("set aside:") == len(moved)


def test_review_eval_scores_the_tagger_against_the_corrections(project: Path) -> None:
    run("review", "export", "corpus", "-o", "tasks.json")
    tasks = json.loads((project / "tasks.json").read_text(encoding="utf-8"))
    (project / "export.json").write_text(json.dumps([reviewed(tasks[0])], ensure_ascii=False))
    run("review", "import", "export.json")
    out = run("review", "eval", "corpus")
    assert out.exit_code == 0, out.output
    rows = {line.split()[0]: line.split()[1:] for line in out.output.splitlines()[3:] if line}
    n = len(tasks[0]["data"]["kg"]["spans"])
    # tp: all but the rejected and relabelled spans; fp: those two; fn: the added and relabel.
    assert rows["all"][:3] == [str(n - 2), "2", "2"]
    assert "action     2/3 = 0.667" in out.output  # one of three actions corrected


def test_metadata_and_outcome_attributes_corrected_in_label_studio(project: Path) -> None:
    run("review", "export", "corpus", "-o", "tasks.json")
    task = json.loads((project / "tasks.json").read_text(encoding="utf-8"))[0]
    exported = reviewed(task)
    result = exported["annotations"][0]["result"]
    year = next(r for r in result if r["from_name"] == "year")
    assert year["value"] == {"text": ["2022"]}
    year["value"]["text"] = ["2021"]
    outcome = _label_item(result, "纠错率12.5%", "OUTCOME")
    value = next(r for r in result if r["id"] == outcome["id"] and r["from_name"] == "value")
    value["value"]["text"] = ["12.8"]
    (project / "export.json").write_text(json.dumps([exported], ensure_ascii=False))
    out = run("review", "import", "export.json")
    assert "1 metadata" in out.output, out.output
    assert run("build", "corpus", "--store", "s").exit_code == 0
    g = report_graph(project / "s")
    report = iris.report_iri(REPORT)
    assert g.value(report, KG.yearCovered).toPython() == 2021
    assert str(g.value(report, KG.reviewStatus)) == "edited"
    assert g.value(report, PROV.wasAttributedTo) is not None
    values = {str(v) for v in g.objects(None, KG.value)}
    assert "12.8" in values and "12.5" not in values


@pytest.mark.parametrize(
    ("options", "tasks"),
    [
        ((), 1),
        (("--region", "惠安县"), 1),
        (("--region", "泉州市"), 1),  # a name higher up the report's region path
        (("--region", "保定市"), 0),
        (("--year", "2022"), 1),
        (("--year", "2021"), 0),
        (("--below", "1.0"), 1),  # no verb says what was done with 《…公示办法》
        (("--below", "0.5"), 0),
    ],
)
def test_export_chooses_reports(project: Path, options: tuple[str, ...], tasks: int) -> None:
    out = CliRunner().invoke(cli, ["review", "export", "corpus", "-o", "t.json", *options])
    if tasks == 0:
        assert out.exit_code == 1 and "no report matches" in out.output
        assert not (project / "t.json").exists()
    else:
        assert out.exit_code == 0, out.output
        assert len(json.loads((project / "t.json").read_text(encoding="utf-8"))) == tasks


def test_a_second_round_on_an_unchanged_export_adds_nothing(project: Path) -> None:
    run("review", "export", "corpus", "-o", "tasks.json")
    task = json.loads((project / "tasks.json").read_text(encoding="utf-8"))[0]
    (project / "export.json").write_text(json.dumps([reviewed(task)], ensure_ascii=False))
    run("review", "import", "export.json")
    first = (project / "corrections.jsonl").read_text(encoding="utf-8")
    assert "0 new, 0 replaced" in run("review", "import", "export.json").output
    # The next export starts from the corrected tags; submitting it unchanged adds nothing.
    run("review", "export", "corpus", "-o", "tasks2.json")
    task2 = json.loads((project / "tasks2.json").read_text(encoding="utf-8"))[0]
    spans = {(s["text"], s["label"]) for s in task2["data"]["kg"]["spans"]}
    assert ("县政府", "INSTITUTION") not in spans and ("县委依法治县办", "PROGRAM") in spans
    again = copy.deepcopy(task2)
    again["annotations"] = [
        {"completed_by": 9, "result": task2["predictions"][0]["result"], "updated_at": "2026-12-02"}
    ]
    (project / "export2.json").write_text(json.dumps([again], ensure_ascii=False))
    out = run("review", "import", "export2.json")
    assert "0 new, 0 replaced" in out.output, out.output
    assert (project / "corrections.jsonl").read_text(encoding="utf-8") == first
