"""Issue 15 against a real server on loopback: the login's `next`, password-guess limits, demo data, the Host
header, protective headers on every response, and an admin disabling and deleting teacher accounts."""
from __future__ import annotations

import asyncio
import subprocess
import sys

import aiohttp
import pytest

from appliance.accounts import passwords
from appliance.keys import DB, SETTINGS
from appliance.server import StartupError, start_server
from appliance.store import accounts
from appliance.store.db import Database

PROTECTIVE = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def client_from(server, address: str = "127.0.0.1", **kw) -> aiohttp.ClientSession:
    """A client whose connections come from `address` (any 127.x.y.z works on loopback)."""
    return aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 connector=aiohttp.TCPConnector(local_addr=(address, 0)), **kw)


async def _log_in(client, username: str, password: str) -> aiohttp.ClientResponse:
    return await client.post("/api/v1/login", json={"username": username, "password": password})


async def _add_teacher(admin, username: str, password: str = "a long password") -> int:
    response = await admin.post("/api/v1/users", json={"username": username, "password": password})
    assert response.status == 201, await response.text()
    return (await response.json())["id"]


# ---------------------------------------------------------------- 4. open redirect

BAD_NEXT = ["/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "/%0d%0a/evil.example", "//evil.example",
            "/%5Cevil.example", "/%5C%5Cevil.example", "%5C%5Cevil.example", "https://evil.example/",
            "http:evil.example", "/%2F/evil.example", "%2F%2Fevil.example", "evil.example", "/%20/evil.example",
            "/ok%0d%0aSet-Cookie:%20x=1", "javascript:alert(1)", "/\u3000/evil.example",
            "/..//evil.example", "/.//evil.example", "/a/../..//evil.example"]


@pytest.mark.parametrize("bad", BAD_NEXT)
async def test_login_next_never_leaves_the_site(server, teacher, anonymous, bad):
    response = await teacher.get(f"/login?next={bad}", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/", (bad, response.headers.get("Location"))
    page = await (await anonymous.get(f"/login?next={bad}")).text()
    assert 'data-next="/"' in page


async def test_login_next_keeps_a_path_on_the_site(teacher):
    response = await teacher.get("/login?next=/session/3%3Fx%3D1", allow_redirects=False)
    assert response.headers["Location"] == "/session/3?x=1"


# ---------------------------------------------------------------- 5. password guesses

async def test_forty_concurrent_wrong_passwords_are_not_all_tried(server):
    async with client_from(server) as client:
        answers = await asyncio.gather(*(_log_in(client, "demo", f"wrong {n}") for n in range(40)))
        statuses = sorted(r.status for r in answers)
        assert statuses.count(401) == 5 and statuses.count(429) == 35, statuses
        refused = next(r for r in answers if r.status == 429)
        assert (await refused.json())["error"] == "Too many attempts — try again in 1 minute"
        assert 55 <= int(refused.headers["Retry-After"]) <= 60
        # Even the right password waits now: this address is locked for the minute.
        assert (await _log_in(client, "demo", "demo")).status == 429


async def test_a_valid_login_never_clears_another_usernames_failures(server, teacher):
    await _add_teacher(teacher, "ann")
    async with client_from(server, "127.0.0.2") as guesser:
        for n in range(3):
            assert (await _log_in(guesser, "ann", f"guess {n}")).status == 401
        assert (await _log_in(guesser, "demo", "demo")).status == 200  # someone else's right password
        assert (await _log_in(guesser, "ann", "guess 3")).status == 401
        assert (await _log_in(guesser, "ann", "guess 4")).status == 401
        assert (await _log_in(guesser, "ann", "guess 5")).status == 429


async def test_one_username_is_limited_across_addresses(settings_factory):
    """Issue 22 changed this rule: guesses spread over addresses spend the username's budget, after which the
    addresses that guessed (three times or more) are refused; a stranger can no longer lock the real user out
    (see tests/test_hardening_round2.py and tests/test_hardening_review.py for the user's side)."""
    server = await start_server(settings_factory(login={"failures_per_username": 5}))
    try:
        async with client_from(server) as admin:
            assert (await _log_in(admin, "demo", "demo")).status == 200
            await _add_teacher(admin, "bea")
        for n in range(5):
            async with client_from(server, f"127.0.1.{n + 1}") as guesser:
                for k in range(3 if n == 0 else 1):
                    assert (await _log_in(guesser, "bea", f"guess {n} {k}")).status == 401
        async with client_from(server, "127.0.1.1") as again:
            refused = await _log_in(again, "BEA", "another guess")
            assert refused.status == 429 and "Retry-After" in refused.headers
            assert (await _log_in(again, "demo", "demo")).status == 200  # the address itself is not locked
    finally:
        await server.stop()


async def test_ten_wrong_current_passwords_get_429(server, teacher):
    statuses = []
    for n in range(10):
        response = await teacher.post("/api/v1/me/password", json={"current": f"wrong {n}", "new": "a new password"})
        statuses.append(response.status)
    assert statuses == [403] * 5 + [429] * 5, statuses
    assert (await teacher.get("/api/v1/me")).status == 200  # still logged in, password unchanged


async def test_setup_code_guesses_are_limited_even_when_concurrent(settings_factory, tmp_path):
    server = await start_server(settings_factory(demo=False))
    try:
        async with client_from(server) as client:
            answers = await asyncio.gather(*(client.post("/api/v1/setup", json={
                "code": f"AAAA-BBBB-{n:04d}", "username": "admin", "password": "a long password"})
                for n in range(40)))
            statuses = sorted(r.status for r in answers)
            assert statuses.count(403) == 5 and statuses.count(429) == 35, statuses
        code = (server.app[SETTINGS].data_dir / "setup-code.txt").read_text().strip()
        async with client_from(server, "127.0.0.3") as elsewhere:
            # The code itself is limited across addresses too: sixty bits do not need it, but it costs nothing.
            refused = await elsewhere.post("/api/v1/setup", json={"code": code, "username": "admin",
                                                                  "password": "a long password"})
            assert refused.status == 429
    finally:
        await server.stop()


# ---------------------------------------------------------------- 6. demo data and real data

def _argus(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appliance", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_demo_refuses_a_real_appliances_data(tmp_path):
    data = tmp_path / "data"
    added = subprocess.run([sys.executable, "-m", "appliance", "user", "add", "ms.h", "--role", "admin",
                            "--password-stdin", "--data-dir", str(data)], input="a long password\n",
                           capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    result = _argus("run", "--demo", "--port", "0", "--data-dir", str(data))
    assert result.returncode == 1, result.stderr
    assert "holds a real appliance's accounts" in result.stderr and "--data-dir" in result.stderr

    async def demo_account():
        db = await Database.open(data / "argus.db")
        try:
            return await accounts.find_user(db, "demo")
        finally:
            await db.close()

    assert asyncio.run(demo_account()) is None  # nothing was planted


async def test_a_normal_start_refuses_demo_data(settings_factory):
    demo = settings_factory(demo=True)
    server = await start_server(demo)
    await server.stop()
    with pytest.raises(StartupError, match="is demo data"):
        await start_server(settings_factory(demo=False))


async def test_a_normal_start_refuses_a_demo_account_without_the_mark(settings_factory):
    # A demo folder from before the mark existed: the account with the public password gives it away.
    settings = settings_factory(demo=False)
    db = await Database.open(settings.data_dir / "argus.db")
    await accounts.create_user(db, "demo", passwords.hash_password("demo"), "admin")
    await db.close()
    with pytest.raises(StartupError, match="is demo data"):
        await start_server(settings)


# ---------------------------------------------------------------- 14. the Host header

@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "argus.local.evil.example", "127.0.0.1.nip.io",
                                  "10.11.12.13"])
async def test_a_foreign_host_is_refused(server, teacher, host):
    page = await teacher.get("/", headers={"Host": host}, allow_redirects=False)
    assert page.status == 421 and "only to its own names" in await page.text()
    api = await teacher.get("/api/v1/public/student-url", headers={"Host": host})
    assert api.status == 421 and "argus.local" in (await api.json())["error"]
    login = await teacher.post("/api/v1/login", headers={"Host": host}, json={"username": "demo", "password": "demo"})
    assert login.status == 421
    for name in PROTECTIVE:
        assert name in page.headers


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST:{port}", "argus.local", "argus.local.:{port}",
                                  "[::1]:{port}"])
async def test_the_appliances_own_names_are_served(server, anonymous, host):
    response = await anonymous.get("/api/v1/public/student-url", headers={"Host": host.format(port=server.port)})
    assert response.status == 200
    url = (await response.json())["url"]
    assert "evil" not in url and url.endswith("/student")


async def test_the_public_url_host_is_one_of_ours(settings_factory):
    server = await start_server(settings_factory(server={"public_url": "http://quiz.school.example/"}))
    try:
        async with aiohttp.ClientSession(server.url) as client:
            ok = await client.get("/api/v1/public/student-url", headers={"Host": "quiz.school.example"})
            assert ok.status == 200 and (await ok.json())["url"] == "http://quiz.school.example/student"
            assert (await client.get("/", headers={"Host": "evil.example"})).status == 421
    finally:
        await server.stop()


# ---------------------------------------------------------------- 15. headers on every response

async def test_every_kind_of_response_carries_the_protective_headers(server, teacher, anonymous):
    cases = {
        "page": await anonymous.get("/login"),
        "redirect": await anonymous.get("/", allow_redirects=False),
        "404 page": await anonymous.get("/no/such/page"),
        "404 api": await anonymous.get("/api/v1/nothing"),
        "401 api": await anonymous.get("/api/v1/classes"),
        "400 api": await anonymous.get("/api/v1/public/check?card=x"),
        "405": await anonymous.put("/login"),
        "static": await anonymous.get("/static/js/api.js"),
        "static 404": await anonymous.get("/static/js/nothing.js"),
        "api": await teacher.get("/api/v1/classes"),
        "bad json": await teacher.post("/api/v1/classes", data=b"{", headers={"Content-Type": "application/json"}),
    }
    for what, response in cases.items():
        for name in PROTECTIVE:
            assert name in response.headers, (what, response.status, name)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if response.url.path.startswith("/api/"):
            assert response.headers["Cache-Control"] == "no-store", what
    assert cases["redirect"].status == 302 and cases["404 page"].status == 404 and cases["static"].status == 200
    assert cases["405"].status == 405 and cases["static 404"].status == 404


# ---------------------------------------------------------------- accounts: disable, delete, audit log

async def _class_and_quiz(client) -> tuple[int, int]:
    made = await client.post("/api/v1/classes", json={"name": "7B", "students": [{"name": "Ada", "card": 1}]})
    assert made.status in (200, 201), await made.text()
    quiz = await client.post("/api/v1/quizzes", json={"title": "Fractions", "questions": [
        {"text": "1/2 + 1/4?", "options": ["3/4", "2/6"], "correct": "A"}]})
    assert quiz.status in (200, 201), await quiz.text()
    return (await made.json())["id"], (await quiz.json())["id"]


async def test_a_disabled_teacher_is_logged_out_everywhere_and_cannot_log_in(server, teacher):
    teacher_id = await _add_teacher(teacher, "carl")
    async with client_from(server) as carl:
        assert (await _log_in(carl, "carl", "a long password")).status == 200
        ws = await carl.ws_connect("/api/v1/live")
        disabled = await teacher.post(f"/api/v1/users/{teacher_id}/disable")
        assert disabled.status == 200 and (await disabled.json())["disabled"] is True
        closed = await asyncio.wait_for(_until_closed(ws), 10)
        assert closed.type == aiohttp.WSMsgType.CLOSE
        assert (await carl.get("/api/v1/me")).status == 401  # the open login ended
        refused = await _log_in(carl, "carl", "a long password")
        assert refused.status == 403 and "disabled" in (await refused.json())["error"]
        users = {u["username"]: u for u in await (await teacher.get("/api/v1/users")).json()}
        assert users["carl"]["disabled"] is True and users["demo"]["disabled"] is False
        assert (await teacher.post(f"/api/v1/users/{teacher_id}/enable")).status == 200
        assert (await _log_in(carl, "carl", "a long password")).status == 200
    log = await (await teacher.get("/api/v1/audit")).json()
    assert [e["action"] for e in log[:3]] == ["user.enable", "user.disable", "user.create"]
    assert log[1]["actor"] == "demo" and "carl" in log[1]["detail"]


async def _until_closed(ws):
    while True:
        message = await ws.receive()
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return message


async def test_a_deleted_teachers_classes_quizzes_and_results_pass_to_the_admin(server, teacher):
    teacher_id = await _add_teacher(teacher, "dora")
    async with client_from(server) as dora:
        assert (await _log_in(dora, "dora", "a long password")).status == 200
        class_id, quiz_id = await _class_and_quiz(dora)
        started = await dora.post("/api/v1/sessions", json={"class_id": class_id, "quiz_id": quiz_id})
        assert started.status == 200, await started.text()
        session_id = (await started.json())["id"]
        busy = await teacher.delete(f"/api/v1/users/{teacher_id}")
        assert busy.status == 409 and "lesson running" in (await busy.json())["error"]
        assert (await dora.post(f"/api/v1/sessions/{session_id}/end")).status == 200
        deleted = await teacher.delete(f"/api/v1/users/{teacher_id}")
        assert deleted.status == 200, await deleted.text()
        assert (await deleted.json())["moved"] == {"classes": 1, "quizzes": 1, "sessions": 1}
        assert (await dora.get("/api/v1/me")).status == 401
        assert (await _log_in(dora, "dora", "a long password")).status == 401
    assert "dora" not in [u["username"] for u in await (await teacher.get("/api/v1/users")).json()]
    db = server.app[DB]
    demo_id = (await accounts.find_user(db, "demo"))[0].id
    assert (await db.fetchone("SELECT owner_id FROM classes WHERE id = ?", (class_id,)))[0] == demo_id
    assert (await db.fetchone("SELECT owner_id FROM quizzes WHERE id = ?", (quiz_id,)))[0] == demo_id
    assert (await teacher.get(f"/api/v1/sessions/{session_id}/results")).status == 200
    entry = (await (await teacher.get("/api/v1/audit")).json())[0]
    assert entry["action"] == "user.delete" and "dora" in entry["detail"]


async def test_admins_and_oneself_cannot_be_disabled_or_deleted(server, teacher):
    me = (await accounts.find_user(server.app[DB], "demo"))[0].id
    other = await teacher.post("/api/v1/users", json={"username": "eve", "password": "a long password",
                                                      "role": "admin"})
    other_id = (await other.json())["id"]
    for target in (me, other_id):
        assert (await teacher.post(f"/api/v1/users/{target}/disable")).status == 409
        assert (await teacher.delete(f"/api/v1/users/{target}")).status == 409
    assert (await teacher.delete("/api/v1/users/9999")).status == 404


async def test_teachers_cannot_manage_accounts_or_read_the_audit_log(server, teacher):
    teacher_id = await _add_teacher(teacher, "finn")
    async with client_from(server) as finn:
        assert (await _log_in(finn, "finn", "a long password")).status == 200
        assert (await finn.get("/api/v1/audit")).status == 403
        assert (await finn.post(f"/api/v1/users/{teacher_id}/disable")).status == 403
        assert (await finn.delete(f"/api/v1/users/{teacher_id}")).status == 403
