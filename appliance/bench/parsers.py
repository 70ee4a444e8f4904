"""`argus bench parsers`: each quiz-file parser timed on inputs made to be its worst case, at doubling sizes.

A linear parser takes about twice as long for twice the input ("x per doubling" near 2); a quadratic one four
times. The GIFT [html] stripping this replaced is timed too, as `old regex strip`, on the sizes it can finish:
before issue 22 it was quadratic on "<p" without ">" (100 KB stalled every request for 7.4 s, 200 KB for 47 s),
and it ran on the event loop.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable

from appliance.classroom.formats import aiken, gift
from appliance.classroom.importers import InvalidImport

_OLD_BLOCK_TAG = re.compile(r"</?(p|br|div|li|ul|ol|h\d|tr|td|table)\b[^>]*>", re.IGNORECASE)
_OLD_TAG = re.compile(r"<[^>]+>")


def _old_strip(text: str) -> str:
    return _OLD_TAG.sub("", _OLD_BLOCK_TAG.sub(" ", text))


def _gift(text: str) -> Callable[[], object]:
    return lambda: _quietly(gift.parse, text)


def _aiken(text: str) -> Callable[[], object]:
    return lambda: _quietly(aiken.parse, text, "")


def _quietly(parse, *args):
    try:
        return parse(*args)
    except InvalidImport as refused:  # a crafted file is refused, which is fine: the time is what counts
        return refused


def _fill(unit: str, size: int) -> str:
    return unit * (size // len(unit))


# name → (input of about `size` characters → the work to time)
CASES: dict[str, Callable[[int], Callable[[], object]]] = {
    "strip_tags: '<p' without '>'": lambda n: lambda: gift.strip_tags(_fill("<p", n)),
    "strip_tags: many short tags": lambda n: lambda: gift.strip_tags(_fill("<b>x<p a=1>y</P>", n)),
    "gift [html] '<p' question": lambda n: _gift("[html]" + _fill("<p", n) + " {=a ~b}"),
    "gift one block of '{' and '::'": lambda n: _gift(_fill("::{=~", n)),
    "gift answers '~' x n": lambda n: _gift("Q {" + _fill("~%5", n) + "}"),
    "gift lines of '\\\\~' escapes": lambda n: _gift(_fill("\\~\\=\\{\n", n)),
    "aiken options without ANSWER": lambda n: _aiken("Q\n" + _fill("A. x\n", n)),
    "aiken one long line": lambda n: _aiken("A)" + _fill(" ", n) + "x"),
    "old regex strip (before issue 22)": lambda n: lambda: _old_strip(_fill("<p", n)),
}
OLD_LIMIT = 50_000  # the old stripping is not run beyond this: at 200 KB it takes most of a minute


def _best_ms(work: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def run(sizes: tuple[int, ...] = (25_000, 50_000, 100_000, 200_000, 400_000, 2_000_000),
        repeats: int = 3, names: tuple[str, ...] | None = None) -> dict:
    results = {}
    for name, make in CASES.items():
        if names is not None and name not in names:
            continue
        runs = [(size, _best_ms(make(size), repeats)) for size in sizes
                if not (name.startswith("old") and size > OLD_LIMIT)]
        growth = [round(b / max(a, 1e-3), 2) for (_, a), (_, b) in zip(runs, runs[1:])]
        results[name] = {"ms": {str(size): round(ms, 2) for size, ms in runs}, "x_per_doubling": growth}
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="argus bench parsers", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="sizes up to 100 KB (CI)")
    args = parser.parse_args(argv)
    results = run((12_500, 25_000, 50_000, 100_000) if args.quick else
                  (25_000, 50_000, 100_000, 200_000, 400_000, 800_000, 1_600_000))
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return 0
    for name, result in results.items():
        cells = "  ".join(f"{int(size) // 1000:>5} KB {ms:>9.3f} ms" for size, ms in result["ms"].items())
        print(f"{name:<38} {cells}")
        print(f"{'':<38} x per doubling: {result['x_per_doubling']}")
    return 0
