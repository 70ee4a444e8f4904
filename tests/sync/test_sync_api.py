"""GET/PATCH /api/v1/sync, POST /api/v1/sync/now and the public key: admins only, or `argus sync`'s local token
from loopback; the signing key is made at claim."""
from __future__ import annotations

import json
import os
import stat

import aiohttp

from appliance import keys
from appliance.accounts import setup_code
from appliance.server import start_server
from appliance.sync import local_admin, signing


async def test_key_made_at_claim_and_sync_api_for_admins_and_the_local_token(settings_factory):
    server = await start_server(settings_factory(demo=False))
    data_dir = server.app[keys.SETTINGS].data_dir
    try:
        assert not (data_dir / signing.FILE_NAME).exists(), "no identity before the appliance is claimed"
        async with aiohttp.ClientSession(server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin:
            assert (await admin.get("/api/v1/sync")).status == 401
            code = (data_dir / setup_code.FILE_NAME).read_text().strip()
            claimed = await admin.post("/api/v1/setup", json={"code": code, "username": "admin",
                                                              "password": "s3cret-pass"})
            assert claimed.status == 201
            key_file = data_dir / signing.FILE_NAME
            assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
            status = await (await admin.get("/api/v1/sync")).json()
            assert {"target", "pending", "delivered", "last_success", "last_error"} <= set(status)
            assert status["target"] == "" and status["state"] == "off" and status["enabled"] is False
            assert status["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
            pem = await admin.get("/api/v1/sync/public-key.pem")
            assert await pem.text() == status["public_key"]
            assert f'argus-{status["appliance_id"]}.pub.pem' in pem.headers["Content-Disposition"]
            bad = await admin.patch("/api/v1/sync", json={"enabled": "yes"})
            assert bad.status == 400 and "enabled" in (await bad.json())["error"]
            off = await admin.patch("/api/v1/sync", json={"enabled": True})
            assert off.status == 409 and "no sync target" in (await off.json())["error"]
            assert (await admin.post("/api/v1/sync/now")).status == 409
            made = await admin.post("/api/v1/users", json={"username": "ms.h", "password": "teacher-pass"})
            assert made.status == 201
        async with aiohttp.ClientSession(server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as teacher:
            await teacher.post("/api/v1/login", json={"username": "ms.h", "password": "teacher-pass"})
            assert (await teacher.get("/api/v1/sync")).status == 403
        token_file = data_dir / local_admin.FILE_NAME
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
        found = json.loads(token_file.read_text())
        async with aiohttp.ClientSession() as cli:
            ok = await cli.get(f"{server.url}/api/v1/sync", headers={"Authorization": f"Bearer {found['token']}"})
            assert ok.status == 200 and (await ok.json())["appliance_id"] == status["appliance_id"]
            wrong = await cli.get(f"{server.url}/api/v1/sync", headers={"Authorization": "Bearer not-it"})
            assert wrong.status == 401
    finally:
        await server.stop()
    assert not (data_dir / local_admin.FILE_NAME).exists(), "the token goes away with the appliance"
