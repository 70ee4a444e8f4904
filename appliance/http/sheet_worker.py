"""The child process that reads one uploaded spreadsheet: `python -I -m appliance.http.sheet_worker MEMORY CPU CELL_CHARS`.

The file arrives on stdin, the table leaves on stdout as JSON (never pickle: this process has just parsed a
stranger's file, so its answer is data, not code). Its limits are set before the first byte is read; if the
spreadsheet library asks for more memory it aborts (SIGABRT), and only this process dies.
"""
from __future__ import annotations

import contextlib
import json
import resource
import sys


def limit(memory_bytes: int, cpu_seconds: int) -> None:
    # If memory runs out anyway (the limit is address space, other processes need theirs), the kernel's OOM
    # killer picks this child, not the appliance. A process may always raise its own score.
    with contextlib.suppress(OSError):
        with open("/proc/self/oom_score_adj", "w") as score:
            score.write("1000")
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort writes no core file the size of the limit
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # and it writes no files at all


def main(argv: list[str]) -> int:
    limit(int(argv[1]), int(argv[2]))
    # Imported after the limits: the library's own start-up is bounded too.
    from appliance.classroom.formats import tables
    from appliance.classroom.importers import InvalidImport
    data = sys.stdin.buffer.read()
    try:
        table = tables.read_sheet(data)
    except InvalidImport as exc:
        answer = {"problems": exc.problems}
    else:
        # Cut here, where the memory is bounded: a format can repeat one huge string into many cells cheaply.
        cut = int(argv[3])
        answer = {"rows": [[cell[:cut] for cell in row] for row in table.rows]}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
