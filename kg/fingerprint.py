"""What decides a report's graph, as digests: one per stage, over the stage's code and data.

A report's graph depends on its file's bytes and on the rules that read, tag, resolve and
write it. ``kg build`` records with each report graph the digest of each stage below and skips
a file only when its bytes *and* every stage are unchanged; when a stage changed it rebuilds
the report and says which (``5 replaced: the tagger changed``). The version number alone is
not enough: it stays the same through many changes of the rules.

Each stage is a set of files of the installed package (globs relative to ``kg/``; files that
do not exist are skipped, so modules may move between stages), plus, for the tagger and the
graph writer, the version of the library they rely on. The digests are computed once per
process (about 5 ms for the ~100 files; see :func:`stage_digests`).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: (stage name as ``kg build`` says it, globs under ``kg/``, libraries whose version counts)
STAGES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("reader", ("corpus/**/*.py",), ()),
    (
        "tagger",
        ("nlp/**/*.py", "nlp/lexicons/**/*", "text.py", "gazetteer.py"),
        ("spacy",),
    ),
    ("resolver", ("resolve/**/*.py",), ()),
    ("graph writer", ("graph/**/*.py", "vocab.py"), ("rdflib",)),
    ("data tables", ("data/*.csv",), ()),
    ("ontology", ("ontology/*.ttl",), ()),
)


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "absent"


def _files(root: Path, globs: tuple[str, ...]) -> list[Path]:
    found = {p for pattern in globs for p in root.glob(pattern) if p.is_file()}
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def stage_digests(root: Path | None = None) -> dict[str, str]:
    """Each stage's digest (16 hex digits of SHA-256 over its files' paths and bytes and its
    libraries' versions), by stage name; ``root`` is the package folder (default: this one)."""
    return dict(_digests(root or PACKAGE_DIR))


@cache
def _digests(root: Path) -> tuple[tuple[str, str], ...]:
    digests: dict[str, str] = {}
    for name, globs, libraries in STAGES:
        h = hashlib.sha256()
        for path in _files(root, globs):
            h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        for library in libraries:
            h.update(f"{library}=={_version(library)}\0".encode())
        digests[name] = h.hexdigest()[:16]
    return tuple(digests.items())


def stage_records(root: Path | None = None) -> list[str]:
    """The digests as the meta graph records them: ``"tagger=0123456789abcdef"``."""
    return [f"{name}={digest}" for name, digest in stage_digests(root).items()]


def fingerprint(root: Path | None = None) -> str:
    """One digest over every stage (16 hex digits)."""
    text = "\n".join(stage_records(root))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def changed_stages(records: list[str], root: Path | None = None) -> list[str]:
    """The stages whose digest differs from ``records`` (as :func:`stage_records` gives them),
    in pipeline order; a stage missing from ``records`` counts as changed."""
    recorded = dict(r.split("=", 1) for r in records if "=" in r)
    return [name for name, digest in stage_digests(root).items() if recorded.get(name) != digest]


def why_changed(stages: list[str]) -> str:
    """``the tagger changed`` / ``the tagger and the resolver changed``."""
    names = [f"the {s}" for s in stages]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{listed} changed"
