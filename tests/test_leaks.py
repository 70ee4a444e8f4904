"""The appliance runs for months: starting and stopping it must return file descriptors and threads to
where they were (a leak here becomes an outage after enough restarts of the app inside the process)."""
from __future__ import annotations

import asyncio
import os
import re
import threading
from collections import Counter

import aiohttp

from appliance.server import start_server


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _threads() -> Counter:
    """Live threads by kind (numbering stripped). asyncio's default executor outlives one app by design."""
    return Counter(re.sub(r"^Thread-\d+ ", "", t.name) for t in threading.enumerate()
                   if not t.name.startswith("asyncio_"))


async def _cycle(settings) -> None:
    server = await start_server(settings)
    async with aiohttp.ClientSession(base_url=server.url) as client:
        async with client.ws_connect("/api/v1/live") as ws:
            await asyncio.wait_for(ws.receive(), 10)
        assert (await client.get("/api/v1/public/state")).status == 200
    await asyncio.sleep(0.5)  # let the camera and reader run a little
    await server.stop()


async def test_start_stop_returns_fds_and_threads_to_baseline(settings_factory):
    # Bands on, as on the Pi: the reader's own band threads must go too.
    settings = settings_factory(reader={"bands": 3})
    await _cycle(settings)  # warm-up: imports, caches, the default executor
    await asyncio.sleep(0.5)
    fds, threads = _fds(), _threads()
    for _ in range(3):
        await _cycle(settings)
    await asyncio.sleep(0.5)
    assert not _threads() - threads, f"threads left running: {_threads() - threads}"
    assert _fds() <= fds, f"file descriptors leaked: {_fds() - fds}"
