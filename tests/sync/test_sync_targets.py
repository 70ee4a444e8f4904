"""WebDAV (wsgidav) and the signed webhook (verified with the standardwebhooks package), and age encryption
to SeaweedFS: each against a real server started by the test."""
from __future__ import annotations

import asyncio
import gzip
import json
import random

from cryptography.hazmat.primitives import serialization

from appliance.config import SyncSettings
from appliance.sync.service import SyncService
from tests.sync.conftest import write_credentials


async def _service(db, tmp_path, **kw) -> SyncService:
    clock = kw.pop("clock_synced", lambda: True)
    service = SyncService(db, SyncSettings(**{"interval_seconds": 3600.0, "max_kbps": 0, "batch_events": 10,
                                              "timeout_seconds": 5.0, **kw}),
                          tmp_path / "data", rng=random.Random(2), clock_synced=clock)
    await service.start()
    return service


def _files(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------------------------- WebDAV

async def test_webdav_delivers_the_same_layout_and_a_retry_after_a_crash_makes_no_copy(webdav, tmp_path, db,
                                                                                       lesson):
    await lesson(db, students=4, questions=3)
    creds = write_credentials(tmp_path / "dav.toml", username="argus", password="dav-password")
    target = f"webdav+{webdav.url}/school"
    (webdav.root / "school").mkdir()
    service = await _service(db, tmp_path, target=target, credentials_file=str(creds))
    try:
        status = await service.sync_now()
        assert status["pending"] == 0 and status["delivered_files"] == 2, status
        files = _files(webdav.root / "school")
        # A crash after the server stored the objects but before the appliance noted it: the next try
        # gets 412 (create-only PUT) and counts them as delivered, without writing anything twice.
        async with db.transaction() as conn:
            await conn.execute("UPDATE sync_batches SET delivered_at = NULL, payload = ? WHERE id = 1",
                               (b"would-overwrite-if-not-create-only",))
        again = await service.sync_now()
    finally:
        await service.close()
    assert again["pending"] == 0 and again["last_error"] is None
    assert _files(webdav.root / "school") == files
    appliance = status["appliance_id"]
    names = sorted(files)
    assert all(n.startswith(f"{appliance}/") for n in names)
    assert any("/events/" in n and n.endswith(".ndjson.gz") for n in names)
    assert any(n.endswith("-results.csv") for n in names) and all(n + ".sig" in files for n in names
                                                                   if not n.endswith(".sig"))
    public = serialization.load_pem_public_key(status["public_key"].encode())
    for name in names:
        if not name.endswith(".sig"):
            public.verify(files[name + ".sig"], files[name])


async def test_webdav_wrong_password_stops_and_says_so(webdav, tmp_path, db, lesson):
    await lesson(db, students=2, questions=1)
    creds = write_credentials(tmp_path / "dav.toml", username="argus", password="wrong")
    service = await _service(db, tmp_path, target=f"webdav+{webdav.url}", credentials_file=str(creds))
    try:
        status = await service.sync_now()
    finally:
        await service.close()
    assert status["state"] == "stopped" and "401" in status["alert"], status
    assert not _files(webdav.root)


async def test_webdav_retry_after_is_honoured(webdav, tmp_path, db, lesson, fault_proxy):
    await lesson(db, students=2, questions=1)
    proxy = await fault_proxy(webdav.url)
    proxy.mode = ("status", 503, {"Retry-After": "3"})
    creds = write_credentials(tmp_path / "dav.toml", username="argus", password="dav-password")
    service = await _service(db, tmp_path, target=f"webdav+{proxy.url}", credentials_file=str(creds),
                             interval_seconds=0.1, max_backoff_seconds=1.0)
    try:
        await asyncio.sleep(4.5)
        status = await service.status()
        tries = [t for t, *_ in proxy.requests]
        proxy.mode = "pass"
        done = await service.sync_now()
    finally:
        await service.close()
    assert status["state"] == "retrying" and "503" in status["last_error"]
    assert len(tries) == 2, tries  # at start, then once Retry-After (3 s, longer than the 1 s backoff) is up
    assert tries[1] - tries[0] >= 2.9
    assert done["pending"] == 0


# ---------------------------------------------------------------------------------------------- webhook

async def test_webhook_deliveries_verify_with_standard_webhooks_and_wait_for_the_clock(webhook_receiver,
                                                                                       tmp_path, db, lesson):
    await lesson(db, students=3, questions=2)
    creds = write_credentials(tmp_path / "hook.toml", secret=webhook_receiver.secret)
    clock = {"set": False}
    service = await _service(db, tmp_path, target=webhook_receiver.url, credentials_file=str(creds),
                             clock_synced=lambda: clock["set"])
    try:
        waiting = await service.sync_now()
        assert waiting["state"] == "waiting_for_clock" and not webhook_receiver.deliveries
        clock["set"] = True  # NTP answered
        status = await service.sync_now()
    finally:
        await service.close()
    assert status["pending"] == 0 and status["state"] == "idle", status
    assert not webhook_receiver.rejected
    ids = [i for _, i in webhook_receiver.deliveries]
    assert len(ids) == len(set(ids)) == len(webhook_receiver.objects)
    public = serialization.load_pem_public_key(status["public_key"].encode())
    lines = []
    for name, data in webhook_receiver.objects.items():
        public.verify(webhook_receiver.signatures[name], data)
        if name.endswith(".ndjson.gz"):
            lines += [json.loads(x) for x in gzip.decompress(data).decode().splitlines()]
    assert sum(1 for line in lines if line["type"] == "response") == 6


async def test_webhook_retries_on_the_spec_schedule_and_stops_on_410(webhook_receiver, tmp_path, db, lesson):
    await lesson(db, students=2, questions=1)
    creds = write_credentials(tmp_path / "hook.toml", secret=webhook_receiver.secret)
    webhook_receiver.answer = (500, {})
    service = await _service(db, tmp_path, target=webhook_receiver.url, credentials_file=str(creds),
                             interval_seconds=0.1)
    try:
        await asyncio.sleep(0.5)
        first = await service.status()            # failed once: next in 5 s (±10%)
        await asyncio.sleep(5.5)
        second = await service.status()           # failed twice: next in 5 min
        webhook_receiver.answer = (410, {})
        stopped = await service.sync_now()
        await asyncio.sleep(1.0)
    finally:
        await service.close()
    assert len(webhook_receiver.deliveries) == 3
    assert 4.0 <= first["retry_in_seconds"] <= 5.5, first
    assert 260 <= second["retry_in_seconds"] <= 330, second
    assert stopped["state"] == "stopped" and "410" in stopped["alert"]


# ---------------------------------------------------------------------------------------------- encryption

async def test_with_encryption_no_name_reaches_the_bucket_in_clear(weed, tmp_path, db, lesson):
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    await lesson(db, class_name="9Z Kestrels", students=4, questions=2)
    service = await _service(db, tmp_path, target="s3://results/encrypted", endpoint=weed.endpoint,
                             credentials_file=str(weed.credentials(tmp_path / "s3.toml")),
                             encrypt_to=str(identity.to_public()))
    try:
        status = await service.sync_now()
    finally:
        await service.close()
    assert status["encrypted"] and status["pending"] == 0
    objects = await weed.objects("results", "encrypted")
    sealed = {n: d for n, d in objects.items() if not n.endswith(".sig")}
    assert sealed and all(n.endswith(".age") for n in sealed), sorted(sealed)
    for data in objects.values():  # strings long enough not to turn up in random bytes by chance (2 bytes did)
        assert b"Student" not in data and b"Kestrels" not in data
    opened = {n: pyrage.decrypt(d, [identity]) for n, d in sealed.items()}
    names = b"".join(gzip.decompress(d) if n.endswith(".ndjson.gz.age") else d for n, d in opened.items())
    assert b"Student 1 of 9Z Kestrels" in names
