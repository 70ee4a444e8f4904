"""HTTP clients that come from a chosen loopback address (127.0.0.0/8 is all this machine's), so a test can
play the school's many devices against the real server: the laptop, the stranger, the neighbour."""
from __future__ import annotations

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=30)


def from_address(server, address: str, jar: aiohttp.CookieJar | None = None) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base_url=server.url, cookie_jar=jar if jar is not None else aiohttp.CookieJar(unsafe=True),
                                 connector=aiohttp.TCPConnector(local_addr=(address, 0)), timeout=TIMEOUT)


async def login_status(client: aiohttp.ClientSession, username: str, password: str) -> int:
    return (await client.post("/api/v1/login", json={"username": username, "password": password})).status
