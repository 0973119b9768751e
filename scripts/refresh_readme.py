"""Re-run the ``$ kg …`` examples in README.md: put their real output back, or check it.

    .venv/bin/python scripts/refresh_readme.py            # rewrite README.md's outputs in place
    .venv/bin/python scripts/refresh_readme.py --check    # exit 1, with a diff, if one changed

A README code block whose first line is ``$ kg …`` is run by the shell (a command may go on
over several lines while a quote is open), and what it prints (stdout, then stderr) is its
output. Left alone: blocks with a second ``$`` line, commands with ``/tmp`` paths or a
comment (they need a set-up of their own), and outputs cut by hand (a line ``…`` or
``… (N more lines)``). A command whose quotes never close is an error.

The examples run in a scratch folder that links to the checkout's files (so ``corpus/``,
``tests/`` and ``queries/`` are there) but has its own ``kg-store``, which a ``kg build …
--store kg-store`` example starts afresh; ``kg`` is this interpreter running the checkout's
code. Nothing in the checkout is written but README.md, and that only without ``--check``.

Timing figures (``(0.6 s)``, ``55 ms``) are not compared: an output that differs from the
README's only in them counts as the same, and the README keeps its figures.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Not linked into the scratch folder: the user's store, environments and caches.
PRIVATE = {"kg-store", ".git", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
FENCE = "```"
TIMING = re.compile(r"\d+(?:[.,]\d+)*\s?(?:ms|µs|us|s|sec|seconds|min)\b")
ENV_DROPPED = ("KG_STORE", "KG_ENDPOINT", "KG_UPDATE_ENDPOINT", "KG_GRAPH_STORE")


@dataclass
class Example:
    """One runnable block: its command and output, and where they are in the README's lines."""

    line: int  # 1-based line number of the ``$ kg`` line
    command: str
    output: str
    start: int  # index of the first output line
    end: int  # index of the closing fence


class ReadmeError(Exception):
    """A README example that cannot be run as written."""


def normalise(output: str) -> str:
    """``output`` with timing figures blanked and trailing blanks dropped, for comparing."""
    lines = (TIMING.sub("<time>", line).rstrip() for line in output.splitlines())
    return "\n".join(lines).strip("\n")


def _command(lines: list[str], at: int, end: int) -> tuple[str, int]:
    """The command that starts at ``lines[at]`` (without ``$ ``) and the index after it."""
    text = lines[at][2:]
    nxt = at + 1
    while True:
        try:
            shlex.split(text)
            return text, nxt
        except ValueError:
            if nxt >= end:
                raise ReadmeError(
                    f"README.md:{at + 1}: the quotes of `$ {lines[at][2:]}` never close in its "
                    "block, so it cannot run as written"
                ) from None
            text += "\n" + lines[nxt]
            nxt += 1


def _runnable(command: str, output: str) -> bool:
    if "/tmp" in command:
        return False  # a set-up of its own
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        return False
    if words != shlex.split(command):
        return False  # a comment says what else runs
    return not any(line.strip() == "…" or line.startswith("… (") for line in output.splitlines())


def examples(text: str) -> list[Example]:
    """The runnable ``$ kg`` blocks of ``text``, in order."""
    lines = text.split("\n")
    found: list[Example] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != FENCE:
            i += 1
            continue
        close = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == FENCE), None)
        if close is None:
            break
        if lines[i + 1].startswith("$ kg ") or lines[i + 1] == "$ kg":
            command, after = _command(lines, i + 1, close)
            output = "\n".join(lines[after:close])
            more = any(line.startswith("$ ") for line in lines[after:close])
            if not more and _runnable(command, output):
                found.append(Example(i + 2, command, output, after, close))
        i = close + 1
    return found


def _scratch(root: Path) -> Path:
    """A folder with links to ``root``'s files, a ``kg`` that runs them, and no store."""
    where = Path(tempfile.mkdtemp(prefix="kg-readme-"))
    for entry in root.iterdir():
        if entry.name not in PRIVATE:
            (where / entry.name).symlink_to(entry)
    bin_dir = where / ".bin"
    bin_dir.mkdir()
    kg = bin_dir / "kg"
    kg.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c '
        '"from kg.cli import main; main()" "$@"\n',
        encoding="utf-8",
    )
    kg.chmod(0o755)
    return where


def run(example: Example, scratch: Path, root: Path) -> str:
    """What ``example``'s command prints, run in ``scratch`` with ``root``'s code."""
    words = shlex.split(example.command)
    if words[:2] == ["kg", "build"] and "kg-store" in words:
        shutil.rmtree(scratch / "kg-store", ignore_errors=True)  # show a first build
    env = {k: v for k, v in os.environ.items() if k not in ENV_DROPPED}
    env["PATH"] = f"{scratch / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    done = subprocess.run(
        example.command, shell=True, cwd=scratch, env=env, capture_output=True, text=True
    )
    return done.stdout + done.stderr


def refresh(readme: Path, root: Path, *, check: bool) -> int:
    text = readme.read_text(encoding="utf-8")
    try:
        found = examples(text)
    except ReadmeError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    lines = text.split("\n")
    scratch = _scratch(root)
    changed = 0
    try:
        outputs = [run(example, scratch, root) for example in found]  # in order: builds first
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    # From the end, so that replacing one output leaves the line indices of earlier ones valid.
    for example, new in zip(reversed(found), reversed(outputs), strict=True):
        if normalise(new) == normalise(example.output):
            continue
        changed += 1
        if check:
            diff = difflib.unified_diff(  # trailing blanks aside, as compared
                [line.rstrip() for line in example.output.splitlines()],
                [line.rstrip() for line in new.rstrip("\n").splitlines()],
                f"README.md:{example.line} $ {example.command.splitlines()[0]}",
                "as it runs now",
                lineterm="",
            )
            print("\n".join(diff), file=sys.stderr)
        else:
            lines[example.start : example.end] = new.rstrip("\n").split("\n")
    verdict = "differ" if check else "refreshed"
    print(f"{len(found)} examples run: {len(found) - changed} as the README says, "
          f"{changed} {verdict}", file=sys.stderr)  # fmt: skip
    if check:
        return int(changed > 0)
    if changed:
        readme.write_text("\n".join(lines), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="Change nothing; exit 1 on a diff.")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return refresh(args.readme, ROOT, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
