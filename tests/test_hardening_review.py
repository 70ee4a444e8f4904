"""Issue 22, review round: the security reviewer's findings against a real server on loopback with a real
SQLite file (and, where the finding is about one component, that real component)."""
from __future__ import annotations

import aiohttp
import pytest

from appliance import keys
from appliance.server import start_server
from tests.loopback_clients import from_address, login_status

PROBE = aiohttp.ClientTimeout(total=30)


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
        async with from_address(server, f"127.0.6.{n}") as stranger:
            assert [await login_status(stranger, "demo", f"guess {k}") for k in range(5)] == [401] * 5
    async with from_address(server, "127.0.6.4") as stranger:  # a third guesser: three failures mark it
        assert [await login_status(stranger, "demo", f"more {k}") for k in range(3)] == [401] * 3
        assert await login_status(stranger, "demo", "demo") == 429  # a guessing address is refused, right or not
    async with from_address(server, "127.0.6.50") as admin:
        assert await login_status(admin, "demo", "dmeo") == 401  # the real user's typo...
        assert await login_status(admin, "demo", "demo") == 200  # ...then the right password (before: 429 for an hour)


async def test_the_setup_claim_makes_the_browser_a_known_device(settings_factory):
    server = await start_server(settings_factory(demo=False, login={"failures_per_username": 10}))
    try:
        code = (server.app[keys.SETTINGS].data_dir / "setup-code.txt").read_text().strip()
        jar = aiohttp.CookieJar(unsafe=True)
        async with from_address(server, "127.0.8.1", jar) as client:
            claimed = await client.post("/api/v1/setup", json={"code": code, "username": "Admin",
                                                               "password": "violet tangerine kettle"})
            assert claimed.status == 201, await claimed.text()
        assert any(c.key == "argus_device" for c in jar)
        for n in (1, 2):  # the budget spent, from the claiming address too (a shared school NAT)
            async with from_address(server, f"127.0.8.{n}") as stranger:
                assert [await login_status(stranger, "admin", f"guess {k}") for k in range(5)] == [401] * 5
        async with from_address(server, "127.0.8.1") as stranger:
            assert await login_status(stranger, "admin", "violet tangerine kettle") == 429
        async with from_address(server, "127.0.8.1", jar) as admin:  # the browser that claimed the appliance
            assert await login_status(admin, "admin", "violet tangerine kettle") == 200
    finally:
        await server.stop()


async def test_guesses_for_other_usernames_do_not_refuse_a_right_password_at_that_address(small_limits):
    server = small_limits
    async with from_address(server, "127.0.7.1") as stranger:
        statuses = [await login_status(stranger, f"nobody{n}", "guess") for n in range(9)]
        assert statuses == [401] * 6 + [429] * 3, statuses  # the address's wrong guesses are limited
    async with from_address(server, "127.0.7.1") as teacher:  # the same address (a school NAT), no device cookie
        assert await login_status(teacher, "demo", "wrong") == 429  # a wrong one is still refused...
        assert await login_status(teacher, "demo", "demo") == 200  # ...the right one passes (before: 429)


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


# ---------------------------------------------------------------- 2. a sheet whose text is huge once read

def _repeated_string_xlsx(chars: int, cells: int) -> bytes:
    """The reviewer's file: one shared string of `chars` characters in `cells` cells of column A (87 KB
    zipped for 3 MB x 31; 93 MB of JSON from the child before)."""
    import random

    from tests.school_files import minimal_xlsx
    pick = random.Random(1)  # blocks in a random order, so the file stays within the upload's zip-ratio limits
    text = "".join(pick.choice(["A" * 24, "B" * 24, "C" * 24]) for _ in range(chars // 24 + 1))[:chars]
    shared = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{cells}" '
              f'uniqueCount="1"><si><t>{text}</t></si></sst>')
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, cells + 1))
    return minimal_xlsx(rows, shared=shared)


async def test_the_child_cuts_each_cell_before_answering():
    from appliance.config import ServerSettings
    from appliance.http import isolated
    rows = await isolated.run_sheet_worker(_repeated_string_xlsx(3_000_000, 31), ServerSettings(),
                                           isolated.ROSTER_CELL_CHARS)
    assert len(rows) == 31
    assert max(len(cell) for row in rows for cell in row) == isolated.ROSTER_CELL_CHARS


async def test_an_answer_too_large_once_read_is_refused_with_a_clear_error():
    from appliance.classroom.importers import InvalidImport
    from appliance.config import ServerSettings
    from appliance.http import isolated
    # 4,500 cells of 2,000 characters (the quiz limit): 9 MB once read, from a file of a few kilobytes.
    with pytest.raises(InvalidImport, match="too large once read"):
        await isolated.run_sheet_worker(_repeated_string_xlsx(2000, 4500), ServerSettings(), isolated.QUIZ_CELL_CHARS)


async def test_a_huge_repeated_string_is_refused_by_the_roster_and_quiz_imports(server, teacher):
    data = _repeated_string_xlsx(3_000_000, 31)
    made = await teacher.post("/api/v1/classes", json={"name": "7B"})
    assert made.status == 201, await made.text()
    class_id = (await made.json())["id"]
    roster = await teacher.post(f"/api/v1/classes/{class_id}/roster", data=data,
                                headers={"Content-Type": "application/octet-stream"})
    assert roster.status == 400 and "longer than 100" in await roster.text(), await roster.text()
    quiz = await teacher.post("/api/v1/quizzes/import?format=kahoot", data=data,
                              headers={"Content-Type": "application/octet-stream"})
    assert quiz.status == 400, await quiz.text()
    async with aiohttp.ClientSession(base_url=server.url, timeout=PROBE) as client:
        assert (await client.get("/healthz")).status == 200


# ---------------------------------------------------------------- 3. the spreadsheet child and the OOM killer

async def test_the_spreadsheet_child_offers_itself_to_the_oom_killer_first():
    import asyncio
    from pathlib import Path

    from appliance.http import isolated
    # The real child, started as the appliance starts it; it waits for the file on stdin meanwhile.
    child = await asyncio.create_subprocess_exec(*isolated.worker_command(256, 5, 101), stdin=asyncio.subprocess.PIPE,
                                                 stdout=asyncio.subprocess.DEVNULL)
    try:
        score = ""
        for _ in range(100):
            score = Path(f"/proc/{child.pid}/oom_score_adj").read_text().strip()
            if score == "1000":
                break
            await asyncio.sleep(0.05)
        assert score == "1000"
    finally:
        child.kill()
        await child.wait()


@pytest.mark.parametrize("total_gb, memory_mb, slots", [(1, 256, 1), (2, 512, 1), (4, 512, 2), (8, 512, 2)])
def test_import_memory_and_slots_follow_the_machines_memory(total_gb, memory_mb, slots):
    from appliance.config import ServerSettings
    from appliance.http.isolated import import_limits
    assert import_limits(ServerSettings(), total_gb * 1024 ** 3) == (memory_mb, slots)
    assert import_limits(ServerSettings(import_memory_mb=300, import_slots=3), total_gb * 1024 ** 3) == (300, 3)


async def test_the_server_runs_as_many_imports_at_once_as_the_settings_say(settings_factory):
    from appliance.http.isolated import import_limits
    server = await start_server(settings_factory(server={"host": "127.0.0.1", "port": 0, "https": False,
                                                         "import_slots": 1}))
    try:
        assert import_limits(server.app[keys.SETTINGS].server)[1] == 1
        slot = server.app[keys.IMPORT_SLOT]
        await slot.acquire()
        assert slot.locked()  # one slot only: the next upload waits
        slot.release()
    finally:
        await server.stop()


# ---------------------------------------------------------------- 4. connection cap and header timeout

@pytest.fixture
async def strict_server(settings_factory):
    running = await start_server(settings_factory(server={"host": "127.0.0.1", "port": 0, "https": False,
                                                          "header_timeout_seconds": 1.0, "idle_timeout_seconds": 30.0}))
    yield running
    await running.stop()


async def test_blank_lines_before_the_request_do_not_cancel_the_header_timeout(strict_server):
    import asyncio
    reader, writer = await asyncio.open_connection("127.0.0.1", strict_server.port)
    try:
        writer.write(b"\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers that never end
        for n in range(20):  # one header line every 0.2 s: 4 s in all, the timeout is 1 s
            writer.write(b"X-%d: y\r\n" % n)
            await writer.drain()
            await asyncio.sleep(0.2)
        assert await asyncio.wait_for(reader.read(4096), 1) == b""  # closed by the server, nothing answered
    except (ConnectionResetError, BrokenPipeError):
        pass  # closed by the server while we were still writing
    finally:
        writer.close()
    async with aiohttp.ClientSession(base_url=strict_server.url, timeout=PROBE) as client:
        assert (await client.get("/healthz")).status == 200


def test_the_connection_cap_counts_a_remote_ipv6_64_as_one_client():
    from appliance.config import ServerSettings
    from appliance.http.addresses import client_key
    from appliance.http.connections import ConnectionLimits
    limits = ConnectionLimits(ServerSettings(max_connections_per_address=4))
    own = "2001:db8:1:2::1"
    admitted = [limits.admit(client_key(f"2001:db8:9:9::{n:x}", own)) for n in range(10)]
    assert admitted == [True] * 4 + [False] * 6  # many addresses of one remote /64
    assert limits.admit(client_key("2001:db8:1:2::77", own))  # a device on the classroom's own LAN


# ---------------------------------------------------------------- 5. text quiz parsing and the work threads

async def test_concurrent_large_text_quiz_imports_get_503_instead_of_queueing(server, teacher):
    import asyncio
    gift = ("[html]" + "<p" * 950_000 + " {=a ~b}").encode()  # 1.9 MB: seconds of parsing on a Pi
    answers = await asyncio.gather(*(teacher.post("/api/v1/quizzes/import?format=gift", data=gift,
                                                  headers={"Content-Type": "text/plain"},
                                                  timeout=aiohttp.ClientTimeout(total=120)) for _ in range(4)))
    statuses = sorted(a.status for a in answers)
    busy = [a for a in answers if a.status == 503]
    assert busy and statuses.count(503) <= 3, statuses  # one parses; the others are told to come back
    for refused in busy:
        assert "Retry-After" in refused.headers and "another quiz file" in (await refused.json())["error"]
    async with aiohttp.ClientSession(base_url=server.url, timeout=PROBE) as client:
        assert await login_status(client, "demo", "demo") == 200


# ---------------------------------------------------------------- 6. private files from every command

def test_argus_user_add_makes_private_files_whatever_the_umask(tmp_path):
    import subprocess
    import sys
    data = tmp_path / "data"
    added = subprocess.run([sys.executable, "-m", "appliance", "user", "add", "ms.h", "--password-stdin",
                            "--data-dir", str(data)], input="a long password\n", capture_output=True, text=True,
                           timeout=60, umask=0o022)
    assert added.returncode == 0, added.stderr
    made = [data, *data.rglob("*")]
    assert any(p.name.endswith(".db") for p in made), made
    assert {p.name: oct(p.stat().st_mode & 0o077) for p in made if p.stat().st_mode & 0o077} == {}


# ---------------------------------------------------------------- 7. look-alike usernames

@pytest.mark.parametrize("ch", ["\u034f", "\u115f", "\u3164", "\ufe0f", "\u2800", "\u2605", "\u2019"])
async def test_default_ignorables_and_symbols_are_refused_in_usernames(server, teacher, ch):
    refused = await teacher.post("/api/v1/users", json={"username": f"adm{ch}in", "password": "a long password"})
    assert refused.status == 400, (hex(ord(ch)), refused.status, await refused.text())
    assert "invisible characters or symbols" in await refused.text()


@pytest.mark.parametrize("name", ["Mrs Smith", "O'Brien", "zoë", "Łukasz", "Müller-Lüdenscheidt", "김민준", "ms.h"])
async def test_names_of_any_script_are_still_accepted(server, teacher, name):
    made = await teacher.post("/api/v1/users", json={"username": name, "password": "a long password"})
    assert made.status == 201, (name, await made.text())


# ---------------------------------------------------------------- 8. known-device cookies can be revoked

@pytest.fixture
async def device_limits(settings_factory):
    """10 failures a username an hour; 20 guesses a minute per device so ten failures fit in one."""
    running = await start_server(settings_factory(login={"failures_per_username": 10,
                                                         "attempts_per_address_and_username": 20}))
    yield running
    await running.stop()


async def _mark_as_guesser(server, address: str, username: str) -> None:
    async with from_address(server, address) as stranger:  # no device cookie: three failures mark the address
        assert [await login_status(stranger, username, f"x{k}") for k in range(3)] == [401] * 3


async def test_a_device_cookie_that_keeps_failing_stops_being_a_known_device(device_limits):
    server, jar = device_limits, aiohttp.CookieJar(unsafe=True)
    async with from_address(server, "127.0.10.1", jar) as laptop:
        assert await login_status(laptop, "demo", "demo") == 200
        # A stolen cookie guessing: ten failures (before: five a minute, forever).
        assert [await login_status(laptop, "demo", f"guess {k}") for k in range(10)] == [401] * 10
    await _mark_as_guesser(server, "127.0.10.1", "demo")  # the budget is spent by now
    async with from_address(server, "127.0.10.1", jar) as laptop:
        assert await login_status(laptop, "demo", "demo") == 429  # the cookie counts for nothing any more


async def test_a_password_change_revokes_the_accounts_device_cookies(device_limits):
    server, old_jar = device_limits, aiohttp.CookieJar(unsafe=True)
    async with from_address(server, "127.0.11.1", old_jar) as old_laptop:
        assert await login_status(old_laptop, "demo", "demo") == 200
    async with from_address(server, "127.0.11.2") as desk:
        assert await login_status(desk, "demo", "demo") == 200
        changed = await desk.post("/api/v1/me/password", json={"current": "demo", "new": "a fresh passphrase"})
        assert changed.status == 200, await changed.text()
    for n in (3, 4, 5):  # the budget spent and 127.0.11.1 marked as a guesser
        await _mark_as_guesser(server, f"127.0.11.{n}", "demo")
    await _mark_as_guesser(server, "127.0.11.1", "demo")
    async with from_address(server, "127.0.11.1", old_jar) as old_laptop:
        # The cookie was given for the old password (the one a thief who took the laptop might know).
        assert await login_status(old_laptop, "demo", "a fresh passphrase") == 429


# ---------------------------------------------------------------- 9. code quality findings

def test_an_unreadable_origin_and_host_are_cross_site():
    from aiohttp.test_utils import make_mocked_request

    from appliance.http.security import is_cross_site
    request = make_mocked_request("POST", "/api/v1/logout", headers={"Origin": "http://[", "Host": "["})
    assert is_cross_site(request)  # before: None == None, same origin


def test_a_bad_log_call_does_not_raise_into_the_caller_and_aiosqlite_stays_quiet(capsys):
    import logging

    from appliance.cli import NoSecrets, quiet_secrets
    log = logging.getLogger("argus.test.review")
    log.propagate = False  # only this handler, not pytest's capturing one (which raises on purpose)
    handler = logging.StreamHandler()
    handler.addFilter(NoSecrets())
    log.addHandler(handler)
    level = logging.getLogger("aiosqlite").level
    try:
        quiet_secrets()
        log.warning("%d students", "not a number")  # before: TypeError raised here, into the caller
        assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.WARNING
        log.warning("hash scrypt$abc$def")
        assert "scrypt$[hidden]" in capsys.readouterr().err
    finally:
        log.removeHandler(handler)
        logging.getLogger("aiosqlite").setLevel(level)
