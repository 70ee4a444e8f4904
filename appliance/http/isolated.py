"""Reading an uploaded spreadsheet in a child process with its own memory and CPU limits.

The spreadsheet library is native code: given a hostile file it may ask for 512 GiB and abort, and no
`except` catches an abort. So the library never runs in the appliance's process. The child
(`sheet_worker.py`) has RLIMIT_AS and RLIMIT_CPU set before it reads a byte, the parent kills it after a
wall-clock bound too, and whatever happens to it the teacher gets a 400 that says what to do. It asks the
kernel to pick it first when memory runs out. A few at a time (`IMPORT_SLOT`, `import_limits`): a burst of
uploads queues instead of filling the Pi's memory.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from concurrent.futures import Executor

from aiohttp import web

from appliance import keys
from appliance.classroom.formats import tables
from appliance.classroom.importers import MAX_NAME, InvalidImport, decode_text
from appliance.config import ServerSettings

log = logging.getLogger(__name__)
# The child's answer (JSON) is read into the appliance's memory and decoded: a roster or quiz is far smaller,
# and a file whose text is bigger once read (a few huge cells the format can repeat cheaply) is refused.
MAX_ANSWER = 8 * 1048576
# The child cuts every cell to this many characters; one more than the longest a field may be, so the
# importer still names a cell that is too long.
ROSTER_CELL_CHARS = MAX_NAME + 1
QUIZ_CELL_CHARS = 2000


def import_limits(server: ServerSettings, total_bytes: int | None = None) -> tuple[int, int]:
    """(MB of address space per child, children at once): the settings, or when 0 derived from the machine's
    memory so that all children together take at most a quarter of it (a 1 GB Pi: one child of 256 MB)."""
    if total_bytes is None:
        total_bytes = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    quarter = total_bytes // 4 // 1048576
    memory = server.import_memory_mb or max(256, min(512, quarter))
    slots = server.import_slots or max(1, min(2, quarter // memory))
    return memory, slots


def worker_command(memory_mb: int, cpu_seconds: int, cell_chars: int) -> list[str]:
    return [sys.executable, "-I", "-m", "appliance.http.sheet_worker", str(memory_mb * 1048576), str(cpu_seconds),
            str(cell_chars)]


class WorkerFailed(RuntimeError):
    """The child could not be started (out of processes or memory): the appliance is busy, not the file bad."""


async def read_table(request: web.Request, data: bytes, cell_chars: int = ROSTER_CELL_CHARS) -> tables.Table:
    """A roster's table: spreadsheets read in the child, text (CSV, pasted cells) on a work thread."""
    if tables.is_spreadsheet(data):
        return await read_sheet(request, data, cell_chars)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(request.config_dict[keys.WORK], lambda: tables.read_csv(decode_text(data)))


async def read_sheet(request: web.Request, data: bytes, cell_chars: int) -> tables.Table:
    async with request.config_dict[keys.IMPORT_SLOT]:
        try:
            rows = await run_sheet_worker(data, request.config_dict[keys.SETTINGS].server, cell_chars,
                                          request.config_dict[keys.WORK])
        except WorkerFailed as exc:
            log.warning("spreadsheet worker: %s", exc)
            raise web.HTTPServiceUnavailable(text="the appliance is busy; try the import again in a minute",
                                             headers={"Retry-After": "30"}) from None
    return tables.Table(tuple(tuple(row) for row in rows), sheet=True)


async def run_sheet_worker(data: bytes, server: ServerSettings, cell_chars: int,
                           executor: Executor | None = None) -> list[list[str]]:
    """The rows of the spreadsheet `data`, each cell cut to `cell_chars`, or InvalidImport; WorkerFailed when
    no child could be started. The answer is decoded on `executor`: megabytes of JSON would stall the loop."""
    memory_mb, _ = import_limits(server)
    try:
        child = await asyncio.create_subprocess_exec(
            *worker_command(memory_mb, server.import_cpu_seconds, cell_chars),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    except OSError as exc:
        raise WorkerFailed(f"cannot start: {exc}") from None
    wall = server.import_cpu_seconds * 2 + 5
    try:
        out, err, _ = await asyncio.wait_for(asyncio.gather(
            _collect(child, child.stdout, MAX_ANSWER), _collect(child, child.stderr, 65536),
            _feed(child.stdin, data)), wall)
        await child.wait()
    except TimeoutError:
        raise InvalidImport([f"the spreadsheet took longer than {wall} s to read (a damaged file, or one made to "
                             f"be slow); save it again as .xlsx or .ods"]) from None
    finally:
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()
    err = err or b""
    if out is None:
        raise InvalidImport([f"the spreadsheet is too large once read: more than {MAX_ANSWER // 1048576} MB of "
                             "text; keep only the columns and rows the import needs and save it again"])
    if child.returncode != 0:
        log.warning("spreadsheet worker ended with %s: %s", _ending(child.returncode), err[-500:].decode(errors="replace"))
        raise InvalidImport([f"the spreadsheet needs more than the {memory_mb} MB or "
                             f"{server.import_cpu_seconds} s of CPU the appliance gives one file ({_ending(child.returncode)}); "
                             f"a damaged file, or one that claims a huge sheet: save it again as .xlsx or .ods"])
    return await asyncio.get_running_loop().run_in_executor(executor, _decode, out)


def _decode(out: bytes) -> list[list[str]]:
    try:
        answer = json.loads(out)
        if "problems" in answer:
            problems = [str(p) for p in answer["problems"]]
        else:
            return [[str(cell) for cell in row] for row in answer["rows"]]
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidImport([f"the spreadsheet cannot be read (the reader's answer was garbled: {exc})"]) from None
    raise InvalidImport(problems)


async def _feed(stdin: asyncio.StreamWriter, data: bytes) -> None:
    with contextlib.suppress(ConnectionError):  # a child that died early reads no more; its ending says why
        stdin.write(data)
        await stdin.drain()
        stdin.close()


async def _collect(child: asyncio.subprocess.Process, stream: asyncio.StreamReader, cap: int) -> bytes | None:
    """All of a child's output up to `cap` bytes, or None when it says more: then the child is killed, and
    the pipe is read to its end all the same (a pipe left full would keep the child's end from closing)."""
    chunks, size = [], 0
    while chunk := await stream.read(65536):
        size += len(chunk)
        if size > cap:
            if size - len(chunk) <= cap:  # the first chunk past the cap
                chunks.clear()
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
            continue
        chunks.append(chunk)
    return None if size > cap else b"".join(chunks)


def _ending(returncode: int) -> str:
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-returncode).name}"
        return f"signal {-returncode}"
    return f"exit status {returncode}"
