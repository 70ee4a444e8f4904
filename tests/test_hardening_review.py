"""Issue 22, review round: the security reviewer's findings against a real server on loopback with a real
SQLite file (and, where the finding is about one component, that real component)."""
from __future__ import annotations

import aiohttp
import pytest

from appliance import keys
from appliance.server import start_server

PROBE = aiohttp.ClientTimeout(total=30)


def _from(server, address: str, jar: aiohttp.CookieJar | None = None) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base_url=server.url, cookie_jar=jar if jar is not None else aiohttp.CookieJar(unsafe=True),
                                 connector=aiohttp.TCPConnector(local_addr=(address, 0)), timeout=PROBE)


async def _login(client, username: str, password: str) -> int:
    return (await client.post("/api/v1/login", json={"username": username, "password": password})).status


# ---------------------------------------------------------------- 1. a stranger cannot lock out the real user

@pytest.fixture
async def small_limits(settings_factory):
    """A username budget of 10 failures an hour and 6 wrong guesses a minute per address, spent quickly."""
    running = await start_server(settings_factory(login={"failures_per_username": 10, "attempts_per_address": 6}))
    yield running
    await running.stop()


async def test_one_typo_from_a_fresh_address_after_the_budget_is_spent_still_logs_in(small_limits):
    server = small_limits
    for n in (2, 3):  # the stranger spends the username's budget: 5 a minute from each of two addresses
        async with _from(server, f"127.0.6.{n}") as stranger:
            assert [await _login(stranger, "demo", f"guess {k}") for k in range(5)] == [401] * 5
    async with _from(server, "127.0.6.4") as stranger:  # a third guesser: three failures mark it
        assert [await _login(stranger, "demo", f"more {k}") for k in range(3)] == [401] * 3
        assert await _login(stranger, "demo", "demo") == 429  # a guessing address is refused, right or not
    async with _from(server, "127.0.6.50") as admin:
        assert await _login(admin, "demo", "dmeo") == 401  # the real user's typo...
        assert await _login(admin, "demo", "demo") == 200  # ...then the right password (before: 429 for an hour)


async def test_the_setup_claim_makes_the_browser_a_known_device(settings_factory):
    server = await start_server(settings_factory(demo=False, login={"failures_per_username": 10}))
    try:
        code = (server.app[keys.SETTINGS].data_dir / "setup-code.txt").read_text().strip()
        jar = aiohttp.CookieJar(unsafe=True)
        async with _from(server, "127.0.8.1", jar) as client:
            claimed = await client.post("/api/v1/setup", json={"code": code, "username": "Admin",
                                                               "password": "violet tangerine kettle"})
            assert claimed.status == 201, await claimed.text()
        assert any(c.key == "argus_device" for c in jar)
        for n in (1, 2):  # the budget spent, from the claiming address too (a shared school NAT)
            async with _from(server, f"127.0.8.{n}") as stranger:
                assert [await _login(stranger, "admin", f"guess {k}") for k in range(5)] == [401] * 5
        async with _from(server, "127.0.8.1") as stranger:
            assert await _login(stranger, "admin", "violet tangerine kettle") == 429
        async with _from(server, "127.0.8.1", jar) as admin:  # the browser that claimed the appliance
            assert await _login(admin, "admin", "violet tangerine kettle") == 200
    finally:
        await server.stop()


async def test_guesses_for_other_usernames_do_not_refuse_a_right_password_at_that_address(small_limits):
    server = small_limits
    async with _from(server, "127.0.7.1") as stranger:
        statuses = [await _login(stranger, f"nobody{n}", "guess") for n in range(9)]
        assert statuses == [401] * 6 + [429] * 3, statuses  # the address's wrong guesses are limited
    async with _from(server, "127.0.7.1") as teacher:  # the same address (a school NAT), no device cookie
        assert await _login(teacher, "demo", "wrong") == 429  # a wrong one is still refused...
        assert await _login(teacher, "demo", "demo") == 200  # ...the right one passes (before: 429)


@pytest.mark.parametrize("remote, local, key", [
    ("2001:db8:1:2::10", "2001:db8:1:2::1", "2001:db8:1:2::10"),  # the classroom's own SLAAC LAN
    ("2001:db8:1:2::11", "2001:db8:1:2::1", "2001:db8:1:2::11"),
    ("2001:db8:9:9::10", "2001:db8:1:2::1", "2001:db8:9:9::/64"),  # a remote network: its /64
    ("2001:db8:9:9::11", "2001:db8:1:2::1", "2001:db8:9:9::/64"),
    ("fe80::1234", "fe80::1", "fe80::1234"),
    ("::ffff:10.0.0.7", "::ffff:10.0.0.1", "10.0.0.7"),
    ("10.0.0.7", "10.0.0.1", "10.0.0.7"),
])
def test_the_appliances_own_ipv6_prefix_is_not_folded_into_one_client(remote, local, key):
    from appliance.http.addresses import client_key
    assert client_key(remote, local) == key
