"""`argus bench … --save`: a benchmark's table written into docs/BENCHMARKS.md, so published numbers are the
ones a run printed, never pasted by hand.

Each benchmark owns one section of the file between `<!-- bench NAME:start -->` and `<!-- bench NAME:end -->`;
a run replaces its own section and leaves the rest (the prose on how each benchmark scores) as it was.
A FILE ending in .json gets the raw JSON instead.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from appliance.bench import machine

DEFAULT = Path("docs") / "BENCHMARKS.md"


def section(name: str, argv: list[str], table: str) -> str:
    m = machine.describe()
    return (f"<!-- bench {name}:start -->\n"
            f"`argus bench {' '.join([name, *argv])}` on {time.strftime('%Y-%m-%d')}, {m['cpu']}, nproc {m['nproc']}, "
            f"Python {m['python']}, OpenCV {m['opencv']}:\n\n```\n{table.rstrip()}\n```\n"
            f"<!-- bench {name}:end -->")


def replace_section(text: str, name: str, new: str) -> str:
    start, end = f"<!-- bench {name}:start -->", f"<!-- bench {name}:end -->"
    if start in text and end in text:
        return text[:text.index(start)] + new + text[text.index(end) + len(end):]
    return text.rstrip() + f"\n\n## argus bench {name}\n\n{new}\n"


def save(target: str, name: str, argv: list[str], out: dict, table: str) -> None:
    path = Path(target)
    if path.suffix == ".json":
        content = json.dumps(out, indent=1)
    else:
        old = path.read_text() if path.exists() else "# Benchmarks\n"
        content = replace_section(old, name, section(name, [a for a in argv if not a.startswith("--save")], table))
    # Written whole or not at all: a run stopped half-way never leaves a torn file.
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(content if content.endswith("\n") else content + "\n")
    os.replace(tmp, path)
    print(f"saved to {path}", file=sys.stderr)
