"""Sync set up from the admin page against the real SeaweedFS and WebDAV servers: saved credentials written by
the appliance (0600, never shown back), "Test connection" with a probe object written, read back and deleted,
failures said in words, results delivered, and config.toml back in force when the page's settings go."""
from __future__ import annotations

import json
import os
import stat

import aiohttp
import obstore
import pytest

from appliance import keys
from appliance.server import start_server
from appliance.sync import admin_settings
from tests.sync.conftest import ACCESS_KEY, SECRET_KEY, free_port

S3_KEYS = {"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}


@pytest.fixture
async def admin(settings_factory):
    server = await start_server(settings_factory())
    async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        assert (await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})).status == 200
        client.server = server
        yield client
    await server.stop()


async def _lesson(client) -> None:
    """A short lesson, so there is something to deliver."""
    classes = await (await client.get("/api/v1/classes")).json()
    started = await (await client.post("/api/v1/sessions", json={"class_id": classes[0]["id"]})).json()
    assert (await client.post(f"/api/v1/sessions/{started['id']}/end")).status == 200


async def test_s3_from_the_admin_page_tested_saved_and_delivering(admin, weed):
    data_dir = admin.server.app[keys.SETTINGS].data_dir
    before = await (await admin.get("/api/v1/sync")).json()
    assert before["source"] == "config.toml" and before["state"] == "off"

    # Nothing saved yet: credentials are needed; a target that is no URL is refused, by field.
    bad = await admin.put("/api/v1/sync/settings", json={"target": "s3://results/school", "endpoint": weed.endpoint})
    assert bad.status == 409 and "credentials" in (await bad.json())["error"]
    bad = await admin.put("/api/v1/sync/settings", json={"target": "ftp://x", "credentials": S3_KEYS})
    assert bad.status == 400 and "target" in (await bad.json())["error"]
    assert not (data_dir / admin_settings.SETTINGS_FILE).exists()

    settings = {"target": "s3://results/school", "endpoint": weed.endpoint, "region": "us-east-1",
                "interval_seconds": 3600}
    # Testing before saving: a wrong secret, a wrong key id, a port nobody listens on, a name nobody knows.
    cases = [
        ({**settings, "credentials": {**S3_KEYS, "secret_access_key": "not-the-secret"}}, "secret access key is wrong"),
        ({**settings, "credentials": {**S3_KEYS, "access_key_id": "nobody"}}, "access key id is not known"),
        ({**settings, "endpoint": f"http://127.0.0.1:{free_port()}", "credentials": S3_KEYS}, "connection was refused"),
        ({**settings, "endpoint": "http://no-such-host.invalid:8333", "credentials": S3_KEYS}, "name was not found"),
    ]
    for body, words in cases:
        tried = await (await admin.post("/api/v1/sync/test", json=body)).json()
        assert tried["ok"] is False and words in tried["error"], (body, tried)
    tried = await (await admin.post("/api/v1/sync/test", json={**settings, "credentials": S3_KEYS})).json()
    assert tried == {"ok": True, "error": None}

    saved = await admin.put("/api/v1/sync/settings", json={**settings, "credentials": S3_KEYS})
    assert saved.status == 200, await saved.text()
    text = await saved.text()
    assert SECRET_KEY not in text and ACCESS_KEY not in text, "credentials are never shown back"
    status = json.loads(text)
    assert status["source"] == "admin page" and status["target"] == "s3://results/school"
    assert status["configured"] and status["credentials_set"] and status["endpoint"] == weed.endpoint
    creds = data_dir / admin_settings.CREDENTIALS_FILE
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600 and SECRET_KEY in creds.read_text()
    assert SECRET_KEY not in (data_dir / admin_settings.SETTINGS_FILE).read_text()

    # The saved settings: tested without a body (the saved credentials), then delivering a lesson.
    assert await (await admin.post("/api/v1/sync/test")).json() == {"ok": True, "error": None}
    await _lesson(admin)
    done = await (await admin.post("/api/v1/sync/now")).json()
    assert done["state"] == "idle" and done["delivered"] > 0 and done["pending"] == 0, done
    objects = await weed.objects("results", "school")
    assert any(name.endswith(".ndjson.gz") for name in objects), sorted(objects)
    assert not [n for n in objects if "argus-probe" in n], "the probe objects were deleted"
    assert not [m for chunk in obstore.list(weed.store("results"), prefix="school/argus-probe") for m in chunk]

    # Changing only the interval keeps the saved credentials (left out of the body).
    kept = await admin.put("/api/v1/sync/settings", json={**settings, "interval_seconds": 120})
    assert kept.status == 200 and (await kept.json())["interval_seconds"] == 120

    # Forgetting the page's settings: config.toml (sync off here) is in force again, the credentials are gone.
    back = await (await admin.delete("/api/v1/sync/settings")).json()
    assert back["source"] == "config.toml" and back["state"] == "off"
    assert not creds.exists()


async def test_webdav_from_the_admin_page(admin, webdav):
    target = "webdav+" + webdav.url + "/"
    wrong = await (await admin.post("/api/v1/sync/test", json={
        "target": target, "credentials": {"username": "argus", "password": "nope"}})).json()
    assert wrong["ok"] is False and "refused the username or password" in wrong["error"], wrong
    saved = await admin.put("/api/v1/sync/settings", json={
        "target": target, "credentials": {"username": "argus", "password": "dav-password"}, "interval_seconds": 3600})
    assert saved.status == 200 and "dav-password" not in await saved.text()
    assert await (await admin.post("/api/v1/sync/test")).json() == {"ok": True, "error": None}
    await _lesson(admin)
    done = await (await admin.post("/api/v1/sync/now")).json()
    assert done["state"] == "idle" and done["delivered"] > 0, done
    files = [p.name for p in webdav.root.rglob("*") if p.is_file()]
    assert any(n.endswith(".ndjson.gz") for n in files) and not any("argus-probe" in n for n in files), files


async def test_the_page_settings_survive_a_restart_and_need_an_admin(settings_factory, weed):
    settings = settings_factory()
    server = await start_server(settings)
    try:
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin:
            await admin.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            saved = await admin.put("/api/v1/sync/settings", json={
                "target": "s3://results/restart", "endpoint": weed.endpoint, "credentials": S3_KEYS})
            assert saved.status == 200
            assert (await admin.post("/api/v1/users", json={"username": "ms.h", "password": "teacher-pass"})).status == 201
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as teacher:
            await teacher.post("/api/v1/login", json={"username": "ms.h", "password": "teacher-pass"})
            assert (await teacher.put("/api/v1/sync/settings", json={"target": "s3://x/y"})).status == 403
            assert (await teacher.post("/api/v1/sync/test")).status == 403
    finally:
        await server.stop()
    server = await start_server(settings)
    try:
        status = await server.app[keys.SYNC].status()
        assert status["source"] == "admin page" and status["target"] == "s3://results/restart"
        assert os.stat(settings.data_dir / admin_settings.CREDENTIALS_FILE).st_mode & 0o077 == 0
    finally:
        await server.stop()
