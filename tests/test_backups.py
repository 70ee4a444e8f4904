"""Backups from the admin API: list, make, download, restore (by name and by upload) on a running appliance,
the refusals that change nothing, and the gate that keeps a request on one database file."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import threading
from collections import Counter

import aiohttp
import pytest

from appliance import keys
from appliance.accounts import passwords
from appliance.server import start_server
from appliance.store.db import Database, migration_files
from appliance.store.gate import Gate, GateBusy


async def _class_names(client) -> set[str]:
    return {c["name"] for c in await (await client.get("/api/v1/classes")).json()}


async def _kinds(client) -> list[str]:
    return [b["kind"] for b in (await (await client.get("/api/v1/backups")).json())["backups"]]


async def test_make_download_and_restore_a_backup_while_running(server, teacher, tmp_path):
    listed = await (await teacher.get("/api/v1/backups")).json()
    assert [b["kind"] for b in listed["backups"]] == ["daily"], "the appliance backs up when it starts"
    made = await teacher.post("/api/v1/backups")
    assert made.status == 201
    entry = await made.json()
    assert entry["kind"] == "manual" and entry["bytes"] > 4096 and entry["name"].startswith("argus-manual-")
    download = await teacher.get(f"/api/v1/backups/{entry['name']}")
    assert download.status == 200 and download.headers["Content-Type"] == "application/vnd.sqlite3"
    data = await download.read()
    assert data.startswith(b"SQLite format 3\x00") and len(data) == entry["bytes"]
    assert (await teacher.get("/api/v1/backups/..%2Fargus.db")).status in (400, 404)
    assert (await teacher.get("/api/v1/backups/argus-daily-nothing.db")).status == 404

    # A change made after the backup, and a lesson running in the engine.
    created = await teacher.post("/api/v1/classes", json={"name": "Made after the backup"})
    assert created.status == 201, await created.text()
    before = await _class_names(teacher)
    classes = await (await teacher.get("/api/v1/classes")).json()
    started = await teacher.post("/api/v1/sessions", json={"class_id": classes[0]["id"]})
    assert started.status == 200, await started.text()
    assert server.app[keys.ENGINE].running_teacher() is not None

    async with aiohttp.ClientSession() as screen:
        ws = await screen.ws_connect(f"{server.url}/api/v1/live")
        assert (await ws.receive_json())["type"] == "state"
        restored = await teacher.post("/api/v1/backups/restore", json={"name": entry["name"]})
        assert restored.status == 200, await restored.text()
        reply = await restored.json()
        assert reply["login_kept"] is True and reply["backup_before"].startswith("argus-before-restore-")
        while (message := await ws.receive(timeout=5)).type == aiohttp.WSMsgType.TEXT:
            pass
        assert message.type == aiohttp.WSMsgType.CLOSE and message.extra == "database restored", message
        # Reconnecting, a screen is sent the restored state: no lesson runs in that file.
        ws = await screen.ws_connect(f"{server.url}/api/v1/live")
        first = await ws.receive_json()
        assert first["type"] == "state" and first["state"].get("session_id") is None, first

    # The admin is still logged in; the class made after the backup is gone; the lesson is no longer running.
    assert "Made after the backup" not in await _class_names(teacher)
    assert server.app[keys.ENGINE].running_teacher() is None
    state = server.app[keys.ENGINE].public_state()
    assert state.get("session_id") is None, state
    # The state before the restore is itself a backup, and restoring it brings the class back.
    assert "before-restore" in await _kinds(teacher)
    again = await teacher.post("/api/v1/backups/restore", json={"name": reply["backup_before"]})
    assert again.status == 200, await again.text()
    assert await _class_names(teacher) == before

    # The downloaded file, uploaded as the body, is restored too.
    upload = await teacher.post("/api/v1/backups/restore", data=data,
                                headers={"Content-Type": "application/octet-stream"})
    assert upload.status == 200, await upload.text()
    assert (await upload.json())["restored"] == "an uploaded file"
    assert "Made after the backup" not in await _class_names(teacher)
    audit = await (await teacher.get("/api/v1/audit")).json()
    assert any(e["action"] == "backup.restore" for e in audit), audit
    assert not list(server.app[keys.SETTINGS].data_dir.glob(".restore-*")), "no candidate left behind"


def _foreign(path):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE pupils (name TEXT)")
        conn.execute("INSERT INTO pupils VALUES ('x')")
    conn.close()


def _newer(path, source):
    shutil.copy(source, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, '999_from_the_future.sql', 0)")
    conn.close()


def _corrupt(path, source):
    shutil.copy(source, path)
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, min(len(data), 6 * page)):  # the b-tree pages after the header page
        data[offset] = 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind,code,words", [
    ("garbage", "not_sqlite", "not a SQLite database"),
    ("foreign", "foreign", "not an Argus one"),
    ("newer", "newer", "newer version of Argus"),
    ("corrupt", "corrupt", "damaged"),
])
async def test_a_refused_restore_changes_nothing(server, teacher, tmp_path, kind, code, words):
    await teacher.post("/api/v1/classes", json={"name": "Still here"})
    made = await (await teacher.post("/api/v1/backups")).json()
    source = server.app[keys.SETTINGS].data_dir / "backups" / made["name"]
    candidate = tmp_path / "candidate.db"
    if kind == "garbage":
        candidate.write_bytes(b"this is a spreadsheet, honest\n" * 200)
    elif kind == "foreign":
        _foreign(candidate)
    elif kind == "newer":
        _newer(candidate, source)
    else:
        _corrupt(candidate, source)
    db_before = (server.app[keys.SETTINGS].data_dir / "argus.db").stat().st_ino
    kinds = await _kinds(teacher)
    refused = await teacher.post("/api/v1/backups/restore", data=candidate.read_bytes(),
                                 headers={"Content-Type": "application/octet-stream"})
    assert refused.status == 422, await refused.text()
    body = await refused.json()
    assert body["code"] == code and words in body["error"], body
    assert await _kinds(teacher) == kinds, "nothing backed up, nothing changed"
    assert (server.app[keys.SETTINGS].data_dir / "argus.db").stat().st_ino == db_before
    assert "Still here" in await _class_names(teacher)


async def test_an_older_backup_is_migrated_after_the_restore(server, teacher, tmp_path):
    old = tmp_path / "old.db"
    db = await Database.open(old, migrations=migration_files()[:5])
    await db.close()
    restored = await teacher.post("/api/v1/backups/restore", data=old.read_bytes(),
                                  headers={"Content-Type": "application/octet-stream"})
    assert restored.status == 200, await restored.text()
    assert (await restored.json())["version"] == 5
    # That file has no accounts: the login could not be kept, and the database is migrated to this version.
    assert (await restored.json())["login_kept"] is False
    assert (await teacher.get("/api/v1/classes")).status == 401
    db = server.app[keys.DB]
    versions = [r[0] for r in await db.fetchall("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [v for v, _, _ in migration_files()]


async def test_restore_needs_an_admin(server, teacher):
    made = await teacher.post("/api/v1/users", json={"username": "ms.h", "password": "teacher-pass"})
    assert made.status == 201
    async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        await other.post("/api/v1/login", json={"username": "ms.h", "password": "teacher-pass"})
        assert (await other.get("/api/v1/backups")).status == 403
        assert (await other.post("/api/v1/backups/restore", json={"name": "argus-daily-x.db"})).status == 403


async def test_the_gate_lets_work_under_way_finish_and_holds_new_work_back():
    gate, order = Gate(), []
    inside, release = asyncio.Event(), asyncio.Event()

    async def request():
        async with gate.shared():
            inside.set()
            await release.wait()
            async with gate.shared():  # re-entrant: a query inside the request does not queue again
                order.append("request done")

    async def restore():
        async with gate.exclusive(5):
            order.append("swapped")

    async def late():
        async with gate.shared():
            order.append("late request")

    first = asyncio.create_task(request())
    await inside.wait()
    swap = asyncio.create_task(restore())
    await asyncio.sleep(0.05)
    assert gate.closing
    latecomer = asyncio.create_task(late())
    await asyncio.sleep(0.05)
    assert order == [], "the restore waits for the request, and the late request waits for the restore"
    release.set()
    await asyncio.gather(first, swap, latecomer)
    assert order == ["request done", "swapped", "late request"]

    # A request that never ends makes the restore give up, and the gate opens again.
    stuck = asyncio.Event()

    async def hang():
        async with gate.shared():
            stuck.set()
            await asyncio.sleep(10)

    hung = asyncio.create_task(hang())
    await stuck.wait()
    with pytest.raises(GateBusy):
        async with gate.exclusive(0.1):
            pass
    assert not gate.closing
    async with gate.shared():
        pass
    hung.cancel()


async def test_requests_during_a_restore_see_one_file_or_the_other(server, teacher):
    """Forty clients read the class list over and over while a restore swaps the file: every answer is whole,
    and is the list before or the list after, never an error or a mix."""
    made = await (await teacher.post("/api/v1/backups")).json()
    for n in range(3):
        assert (await teacher.post("/api/v1/classes", json={"name": f"Later {n}"})).status == 201
    after_names = await _class_names(teacher)
    before_names = after_names - {"Later 0", "Later 1", "Later 2"}
    seen, stop = [], asyncio.Event()

    async def reader():
        while not stop.is_set():
            response = await teacher.get("/api/v1/classes")
            seen.append((response.status, frozenset(c["name"] for c in await response.json())))

    readers = [asyncio.create_task(reader()) for _ in range(40)]
    await asyncio.sleep(0.3)
    restored = await teacher.post("/api/v1/backups/restore", json={"name": made["name"]})
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.gather(*readers)
    assert restored.status == 200, await restored.text()
    assert {status for status, _ in seen} == {200}
    assert {names for _, names in seen} == {frozenset(after_names), frozenset(before_names)}
    assert len(seen) > 80


async def _candidate_with_user(path, username: str, password: str, demo_mark: bool) -> None:
    db = await Database.open(path)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, 'admin', 0)",
                           (username, passwords.hash_password(password)))
        if demo_mark:
            await conn.execute("INSERT INTO appliance_state (key, value) VALUES ('demo_database', '1')")
    await db.close()


async def test_demo_data_never_becomes_a_real_appliance_and_the_other_way_round(settings_factory, server, teacher,
                                                                                 tmp_path):
    real = tmp_path / "real.db"
    await _candidate_with_user(real, "head-office", "correct horse 1", demo_mark=False)
    refused = await teacher.post("/api/v1/backups/restore", data=real.read_bytes(),
                                 headers={"Content-Type": "application/octet-stream"})
    assert refused.status == 422 and (await refused.json())["code"] == "demo"

    demo_data = tmp_path / "demo.db"
    await _candidate_with_user(demo_data, "demo", "demo", demo_mark=True)
    appliance = await start_server(settings_factory(demo=False, storage={"data_dir": str(tmp_path / "real-data")}))
    try:
        db = appliance.app[keys.DB]
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO users (username, password_hash, role, created_at) VALUES"
                               " ('head', ?, 'admin', 0)", (passwords.hash_password("correct horse 1"),))
        async with aiohttp.ClientSession(base_url=appliance.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin:
            assert (await admin.post("/api/v1/login", json={"username": "head", "password": "correct horse 1"})).status == 200
            refused = await admin.post("/api/v1/backups/restore", data=demo_data.read_bytes(),
                                       headers={"Content-Type": "application/octet-stream"})
            assert refused.status == 422, await refused.text()
            assert (await refused.json())["code"] == "demo" and "demo data" in (await refused.json())["error"]
            assert (await admin.get("/api/v1/me")).status == 200
    finally:
        await appliance.stop()


async def test_a_file_whose_migration_fails_is_put_back_and_nothing_changes(server, teacher, tmp_path):
    """A file that passes every check but breaks a migration (a lesson of a class that does not exist: the
    foreign key check after each migration finds it): the state before the restore is put back in place."""
    await teacher.post("/api/v1/classes", json={"name": "Still here"})
    old = tmp_path / "broken.db"
    db = await Database.open(old, migrations=migration_files()[:5])
    await db.close()
    conn = sqlite3.connect(old)
    with conn:
        conn.execute("INSERT INTO sessions (class_id, quiz_id, teacher_id, state, created_at) VALUES (999, NULL, 1,"
                     " 'ended', 0)")
    conn.close()
    refused = await teacher.post("/api/v1/backups/restore", data=old.read_bytes(),
                                 headers={"Content-Type": "application/octet-stream"})
    assert refused.status == 422, await refused.text()
    body = await refused.json()
    assert body["code"] == "migration" and "nothing changed" in body["error"], body
    assert "Still here" in await _class_names(teacher)
    versions = [r[0] for r in await server.app[keys.DB].fetchall("SELECT version FROM schema_migrations")]
    assert versions == [v for v, _, _ in migration_files()]


async def test_restores_return_fds_and_threads_to_baseline(server, teacher):
    """Each restore closes both connections (each an aiosqlite thread) and opens two: after five, nothing has
    piled up (the appliance runs for months)."""
    made = await (await teacher.post("/api/v1/backups")).json()

    async def restore():
        response = await teacher.post("/api/v1/backups/restore", json={"name": made["name"]})
        assert response.status == 200, await response.text()

    def kinds() -> Counter:
        # Pools grow to their fixed size by themselves: asyncio's default executor (test_leaks.py leaves it out
        # too) and the appliance's two bounded ones (2 threads each). What must not grow: database connections.
        return Counter(re.sub(r"\d+", "", t.name) for t in threading.enumerate()
                       if not t.name.startswith(("asyncio_", "argus-work", "argus-read")))

    await restore()  # warm-up
    await asyncio.sleep(0.2)
    fds, threads = len(os.listdir("/proc/self/fd")), kinds()
    for _ in range(5):
        await restore()
    await asyncio.sleep(0.2)
    assert not kinds() - threads, kinds() - threads
    assert len(os.listdir("/proc/self/fd")) <= fds


async def test_an_upload_over_restore_max_mb_is_refused_before_it_is_stored(settings_factory):
    appliance = await start_server(settings_factory(storage={"restore_max_mb": 1}))
    try:
        async with aiohttp.ClientSession(base_url=appliance.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin:
            await admin.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            too_big = await admin.post("/api/v1/backups/restore", data=b"x" * (1_048_576 + 1),
                                       headers={"Content-Type": "application/octet-stream"})
            assert too_big.status == 413 and "larger than 1 MiB" in (await too_big.json())["error"]

            async def chunks():  # no Content-Length: the limit holds while streaming too
                for _ in range(3):
                    yield b"y" * 600_000

            streamed = await admin.post("/api/v1/backups/restore", data=chunks(),
                                        headers={"Content-Type": "application/octet-stream"})
            assert streamed.status == 413
        assert not list(appliance.app[keys.SETTINGS].data_dir.glob(".restore-*"))
    finally:
        await appliance.stop()
