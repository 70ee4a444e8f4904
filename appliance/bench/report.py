"""docs/BENCHMARKS.md, written by the benchmarks themselves (`argus bench … --save`).

Each benchmark owns one section of the file, fenced by `<!-- bench:NAME -->` … `<!-- /bench:NAME -->`; saving
replaces that section's text (or appends the section), and leaves everything else in the file as it was, so
prose written around the tables survives a re-run.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "BENCHMARKS.md"
_TITLE = "# Benchmarks\n\nTables below are written by `argus bench … --save`; the text around them is not.\n"


def section(name: str, body: str, command: str) -> str:
    """One section: the command that made it, when, and its table as a code block."""
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (f"<!-- bench:{name} -->\n`{command}` ({stamp}):\n\n```\n{body.rstrip()}\n```\n"
            f"<!-- /bench:{name} -->")


def save(name: str, body: str, command: str, path: Path = DOCS) -> Path:
    text = path.read_text() if path.exists() else _TITLE
    block = section(name, body, command)
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
