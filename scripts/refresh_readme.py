"""Re-run the one-line ``$ kg …`` examples in README.md and put their real output back.

    .venv/bin/python scripts/refresh_readme.py            # rewrite README.md in place
    .venv/bin/python scripts/refresh_readme.py --check    # exit 1 if an output changed

A README code block whose first line is ``$ kg …`` (one line) is run by the shell from the
repository root with ``.venv/bin/kg``, and everything after the command line is replaced by
what it prints (stdout, then stderr). ``kg build … --store kg-store`` starts from an empty
store. Blocks that need a set-up of their own (``/tmp`` paths, a comment saying what else runs)
or whose output was cut by hand (``… (N more lines)``) are left alone.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
KG = ROOT / ".venv" / "bin" / "kg"
BLOCK = re.compile(r"```\n\$ (kg [^\n]*)\n(.*?)```", re.DOTALL)


def run(command: str, old_output: str) -> str | None:
    if "/tmp" in command or "#" in command or "… (" in old_output:
        return None  # needs a set-up of its own, or was cut by hand
    if command.startswith("kg build") and "--store kg-store" in command:
        shutil.rmtree(ROOT / "kg-store", ignore_errors=True)  # show a first build
    done = subprocess.run(
        f"{shlex.quote(str(KG))} {command[3:]}",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return done.stdout + done.stderr


def main() -> int:
    text = README.read_text(encoding="utf-8")

    def replace(m: re.Match[str]) -> str:
        out = run(m.group(1), m.group(2))
        return m.group(0) if out is None else f"```\n$ {m.group(1)}\n{out}```"

    new = BLOCK.sub(replace, text)
    if "--check" in sys.argv:
        return int(new != text)
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
