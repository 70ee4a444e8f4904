"""Cloud sync to a real S3-compatible store (SeaweedFS): layout, event schema, signatures, results files,
exactly-once, and the faults the issue lists (long outage, 500s, 401/403, slow server, bad credentials
files, wrong clock, full disk)."""
from __future__ import annotations

import asyncio
import csv
import io
import os
import random
import time

import pytest
from cryptography.hazmat.primitives import serialization

from appliance.config import SyncSettings
from appliance.store.db import Database
from appliance.sync.service import SyncService


def _settings(weed, tmp_path, bucket, **extra) -> SyncSettings:
    creds = weed.credentials(tmp_path / "s3.toml")
    values = dict(target=f"s3://{bucket}/district", endpoint=weed.endpoint, credentials_file=str(creds),
                  interval_seconds=3600.0, max_kbps=0, batch_events=25, timeout_seconds=5.0)
    values.update(extra)
    return SyncSettings(**values)


async def _service(db, settings, tmp_path, **kw) -> SyncService:
    service = SyncService(db, settings, tmp_path / "data", rng=random.Random(1), **kw)
    await service.start()
    return service


async def test_results_reach_the_bucket_once_signed_and_in_the_documented_layout(weed, tmp_path, db, lesson,
                                                                                   read_events):
    session_id = await lesson(db, students=6, questions=4)
    service = await _service(db, _settings(weed, tmp_path, "layout"), tmp_path)
    try:
        status = await service.sync_now()
        again = await service.sync_now()
    finally:
        await service.close()
    assert status["pending"] == 0 and status["pending_files"] == 0 and status["last_error"] is None
    assert status["delivered"] > 0 and status["delivered_files"] == 2 and status["last_success"]
    assert again["delivered"] == status["delivered"], "a second sync must send nothing new"

    objects = await weed.objects("layout")
    appliance = status["appliance_id"]
    names = sorted(objects)
    assert all(n.startswith(f"district/{appliance}/") for n in names), names
    events = [n for n in names if n.endswith(".ndjson.gz")]
    assert events and all(n.split("/")[2] == "events" and len(n.split("/")) == 7 for n in events), events
    # Every object has its detached signature, made with the key the admin page shows.
    public = serialization.load_pem_public_key(status["public_key"].encode())
    for name in names:
        if not name.endswith(".sig"):
            public.verify(objects[name + ".sig"], objects[name])  # raises if it does not verify

    lines = read_events(objects)
    ids = [line["event_id"] for line in lines]
    assert len(ids) == len(set(ids)), "an event reached the bucket twice"
    assert [line["seq"] for line in lines] == sorted(line["seq"] for line in lines)
    for line in lines:
        assert {"event_id", "appliance_id", "type", "time", "seq", "time_synced"} <= set(line)
        assert line["appliance_id"] == appliance
    types = [line["type"] for line in lines]
    assert types.count("session_started") == 1 and types.count("roster") == 1
    assert types.count("question_asked") == 4 and types.count("session_ended") == 1
    responses = [line for line in lines if line["type"] == "response"]
    assert len(responses) == 6 * 4
    for r in responses:
        assert {"session_id", "question", "student_id", "card", "answer"} <= set(r)
        assert r["session_id"] == session_id and 0 <= r["question"] < 4
        assert r["answer"] == "ABC"[(r["question"] + r["card"]) % 3]
    roster = next(line for line in lines if line["type"] == "roster")
    assert [s["name"] for s in roster["students"]] == [f"Student {i} of 7B" for i in range(1, 7)]

    # The results files are the ones a USB export writes for the same session.
    from appliance.reports import export
    usb = await export.build_files(db)
    results_csv = next(v for n, v in objects.items() if n.endswith(f"session-{session_id}-results.csv"))
    assert results_csv == usb[f"sessions/session-{session_id}-7b.csv"]
    gradebook = next(v for n, v in objects.items() if "gradebook-class-" in n and n.endswith(".csv"))
    assert gradebook == next(v for n, v in usb.items() if n.startswith("gradebook-7b-") and n.endswith(".csv"))
    rows = list(csv.reader(io.StringIO(results_csv.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Student", "Card"] and len([r for r in rows[1:7] if r]) == 6  # then the answer key


async def test_a_changed_answer_is_a_new_event_and_the_last_one_wins(weed, tmp_path, db, lesson, read_events):
    from appliance.store import sessions

    session_id = await lesson(db, students=2, questions=1, end=False)
    row = await db.fetchone("SELECT id FROM students WHERE card = 1")
    await sessions.set_state(db, session_id, "open", 0)
    await sessions.record_answer(db, session_id, 0, row[0], 1, "C", time.time())
    await sessions.record_answer(db, session_id, 0, row[0], 1, "C", time.time())  # the same: no event
    service = await _service(db, _settings(weed, tmp_path, "changes"), tmp_path)
    try:
        await service.sync_now()
    finally:
        await service.close()
    versions = [(line["answer"], line["changes"]) for line in read_events(await weed.objects("changes"))
                if line["type"] == "response" and line["card"] == 1]
    assert versions == [("B", 0), ("C", 1)]


async def test_names_turned_off_mid_lesson_reach_the_bucket_once(weed, tmp_path, db, lesson, read_events):
    """session_started said anonymous: false; turning names off later is its own event, sent once."""
    from appliance.store import sessions

    session_id = await lesson(db, students=2, questions=1, end=False)
    await sessions.set_anonymous(db, session_id)
    await sessions.set_anonymous(db, session_id)  # already off: no second event
    await sessions.set_state(db, session_id, "ended", None)
    service = await _service(db, _settings(weed, tmp_path, "anonymous"), tmp_path)
    try:
        await service.sync_now()
    finally:
        await service.close()
    lines = read_events(await weed.objects("anonymous"))
    types = [line["type"] for line in lines]
    assert types.count("session_anonymous") == 1
    assert types.index("session_started") < types.index("session_anonymous") < types.index("session_ended")
    started = next(line for line in lines if line["type"] == "session_started")
    assert started["anonymous"] is False
    assert next(line for line in lines if line["type"] == "session_anonymous")["session_id"] == session_id


async def test_target_down_for_long_then_everything_arrives_once(weed, tmp_path, db, lesson, read_events,
                                                                 fault_proxy):
    proxy = await fault_proxy(weed.endpoint)
    port = proxy.port
    await proxy.stop()  # the target is unreachable: connection refused
    settings = _settings(weed, tmp_path, "outage", endpoint=f"http://127.0.0.1:{port}")
    service = await _service(db, settings, tmp_path)
    try:
        for day in range(3):  # lessons go on for days while the target is down
            await lesson(db, class_name=f"day{day}", students=4, questions=2)
            status = await service.sync_now()
            assert status["state"] == "retrying" and status["last_error"]
        assert status["pending"] > 0 and status["pending_since"] <= time.time()
        assert status["delivered"] == 0
        pending = status["pending"]
        revived = await proxy.start(port)  # the same address comes back
        assert revived.port == port
        status = await service.sync_now()
    finally:
        await service.close()
    assert status["pending"] == 0 and status["delivered"] == pending and status["state"] == "idle"
    lines = read_events(await weed.objects("outage"))
    assert len(lines) == pending and len({line["event_id"] for line in lines}) == pending
    assert sum(1 for line in lines if line["type"] == "session_ended") == 3


async def test_500s_back_off_exponentially_with_jitter(weed, tmp_path, db, lesson, fault_proxy):
    await lesson(db, students=3, questions=1)
    proxy = await fault_proxy(weed.endpoint)
    proxy.mode = ("status", 500)
    settings = _settings(weed, tmp_path, "errors", endpoint=proxy.url, interval_seconds=0.05,
                         max_backoff_seconds=1.6)
    service = await _service(db, settings, tmp_path)
    try:
        await asyncio.sleep(6.0)
        status = await service.status()
        tries = [t for t, *_ in proxy.requests]
        proxy.mode = "pass"
        final = await service.sync_now()
    finally:
        await service.close()
    assert status["state"] == "retrying" and "500" in status["last_error"]
    gaps = [b - a for a, b in zip(tries, tries[1:])]
    # 2 s x 2^n capped at 1.6 s, each between half and all of it: never a storm, never one fixed beat.
    assert 3 <= len(tries) <= 12, gaps
    assert all(gap >= 0.45 for gap in gaps), gaps
    assert len({round(g, 2) for g in gaps}) > 1, "jitter: the waits must not all be the same"
    assert final["pending"] == 0 and final["last_error"] is None


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_stop_retrying_and_alert_the_admin(weed, tmp_path, db, lesson, fault_proxy,
                                                                     status, caplog):
    await lesson(db, students=3, questions=1)
    proxy = await fault_proxy(weed.endpoint)
    proxy.mode = ("status", status)
    settings = _settings(weed, tmp_path, "refused", endpoint=proxy.url, interval_seconds=0.05)
    service = await _service(db, settings, tmp_path)
    try:
        await asyncio.sleep(2.0)
        state = await service.status()
    finally:
        await service.close()
    assert len(proxy.requests) == 1, "a refused credential must not be retried in the background"
    assert state["state"] == "stopped" and state["alert"] and "credentials" in state["alert"]
    assert sum("stopped until an admin acts" in r.message for r in caplog.records) == 1
    assert state["pending"] > 0


async def test_wrong_secret_key_against_the_real_store_stops_with_a_clear_message(weed, tmp_path, db, lesson):
    await lesson(db, students=2, questions=1)
    settings = _settings(weed, tmp_path, "wrongkey", interval_seconds=0.2)
    creds = tmp_path / "s3.toml"
    creds.write_text('access_key_id = "argus-test-key"\nsecret_access_key = "not-the-secret"\n')
    service = await _service(db, settings, tmp_path)
    try:
        status = await service.sync_now()
        # The admin fixes the file: the next background round notices and delivers without a restart.
        weed.credentials(creds)
        os.utime(creds, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
        for _ in range(50):
            await asyncio.sleep(0.2)
            if (fixed := await service.status())["state"] == "idle":
                break
    finally:
        await service.close()
    assert status["state"] == "stopped" and "refused the credentials" in status["alert"]
    assert fixed["state"] == "idle" and fixed["pending"] == 0


@pytest.mark.parametrize("problem, message", [
    ("missing", "does not exist"),
    ("world-readable", "can be read by other users (mode 0644)"),
    ("folder", "is a folder"),
    ("incomplete", "missing: secret_access_key"),
])
async def test_a_bad_credentials_file_is_named_in_a_clear_message(weed, tmp_path, db, lesson, problem, message):
    await lesson(db, students=2, questions=1)
    settings = _settings(weed, tmp_path, "badcreds")
    creds = tmp_path / "s3.toml"
    if problem == "missing":
        creds.unlink()
    elif problem == "world-readable":
        os.chmod(creds, 0o644)
    elif problem == "folder":
        creds.unlink()
        creds.mkdir()
    else:
        creds.write_text('access_key_id = "x"\n')
        os.chmod(creds, 0o600)
    service = await _service(db, settings, tmp_path)
    try:
        status = await service.sync_now()
    finally:
        await service.close()
    assert status["state"] == "stopped"
    assert str(creds) in status["alert"] and message in status["alert"], status["alert"]
    assert status["pending"] > 0


async def test_a_slow_server_times_out_and_lessons_are_not_held_up(weed, tmp_path, db, lesson, fault_proxy):
    from appliance.store import sessions

    session_id = await lesson(db, students=30, questions=1, end=False)
    proxy = await fault_proxy(weed.endpoint)
    proxy.mode = ("slow", 6.0)
    settings = _settings(weed, tmp_path, "slow", endpoint=proxy.url, timeout_seconds=2.0)
    service = await _service(db, settings, tmp_path)
    students = await db.fetchall("SELECT id, card FROM students ORDER BY card")
    try:
        upload = asyncio.create_task(service.sync_now())
        await asyncio.sleep(0.3)
        await sessions.set_state(db, session_id, "open", 0)
        saved_during_upload = 0
        for student in students:  # the class keeps answering while the upload hangs
            await sessions.record_answer(db, session_id, 0, student["id"], student["card"], "A", time.time())
            saved_during_upload += not upload.done()
        status = await upload
    finally:
        await service.close()
    assert saved_during_upload == len(students), "answers waited for the upload"
    assert status["state"] == "retrying" and "timed out" in status["last_error"]


async def test_a_wrong_clock_is_marked_and_sequence_numbers_keep_the_order(weed, tmp_path, db, lesson,
                                                                            read_events):
    # A Pi without NTP: the clock starts in 1970, then jumps to the real time mid-lesson.
    times = iter([1000.0 + i for i in range(5)] + [time.time() + i for i in range(5)])
    await lesson(db, students=5, questions=2, clock=lambda: next(times))
    service = await _service(db, _settings(weed, tmp_path, "clock", batch_events=1), tmp_path,
                             clock_synced=lambda: False)
    try:
        status = await service.sync_now()
    finally:
        await service.close()
    assert status["clock_synchronised"] is False
    lines = read_events(await weed.objects("clock"))
    responses = [line for line in lines if line["type"] == "response"]
    assert responses[0]["time"].startswith("1970-01-01")
    assert [r["seq"] for r in responses] == sorted(r["seq"] for r in responses)
    assert all(line["time_synced"] is False for line in responses if line["time"].startswith("1970"))
    assert any(n.split("/")[3:6] == ["1970", "01", "01"] for n in await weed.objects("clock"))


async def test_a_full_disk_stops_new_batches_not_delivery(weed, tmp_path, lesson, read_events):
    """A real full disk: the data folder on a small tmpfs."""
    import subprocess

    data = tmp_path / "tiny"
    data.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(data)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        db = await Database.open(data / "argus.db")
        try:
            settings = _settings(weed, tmp_path, "fulldisk", batch_events=4)
            service = SyncService(db, settings, data, rng=random.Random(1))
            from appliance.store import accounts
            await accounts.create_user(db, "teacher", "x", "admin")  # claimed: the signing key is made
            await service.start()  # idle: nothing to send yet
            await lesson(db, students=4, questions=2)
            filler = open(data / "filler", "wb", buffering=0)  # then the disk fills to the last byte
            try:
                while True:
                    filler.write(b"x" * 4096)
                    filler.flush()
            except OSError:
                pass
            status = await service.sync_now()
            assert status["state"] == "retrying" and "cannot prepare" in status["last_error"], status
            filler.close()
            (data / "filler").unlink()
            status = await service.sync_now()
            await service.close()
            assert status["pending"] == 0 and status["last_error"] is None
        finally:
            await db.close()
        lines = read_events(await weed.objects("fulldisk"))
        assert len(lines) == len({line["event_id"] for line in lines}) == status["delivered"]
    finally:
        subprocess.run(["umount", "-l", str(data)])


async def test_lessons_held_before_sync_was_set_up_are_sent_when_it_is(weed, tmp_path, lesson, read_events):
    """No target: nothing is recorded twice on the appliance. A target configured later: the lessons on disk
    go up as events (the final version of each answer), once, and a restart does not send them again."""
    from appliance.store import outbox, sessions

    db = await Database.open(tmp_path / "data" / "argus.db")
    try:
        idle = SyncService(db, SyncSettings(), tmp_path / "data")  # no target, as shipped
        await idle.start()
        first = await lesson(db, class_name="8C", students=3, questions=2)
        second = await lesson(db, class_name="8C", students=3, questions=1, end=False)
        leaver = await db.fetchone("SELECT st.id FROM students st JOIN sessions s ON s.class_id = st.class_id"
                                   " WHERE s.id = ? AND st.card = 3", (second,))
        await sessions.record_answer(db, second, 0, leaver[0], 3, "C", time.time())  # changed: A → C
        async with db.transaction() as conn:
            await conn.execute("UPDATE students SET archived = 1 WHERE id = ?", (leaver[0],))
        await idle.close()
        assert (await db.fetchone("SELECT count(*) FROM sync_events"))[0] == 0

        service = await _service(db, _settings(weed, tmp_path, "backfill"), tmp_path)
        try:
            await service.sync_now()
        finally:
            await service.close()
        assert await outbox.start_recording(db) == 0, "recording is on: a restart writes no history again"
    finally:
        await db.close()
    lines = read_events(await weed.objects("backfill"))
    by_type = [(line["type"], line["session_id"]) for line in lines]
    assert by_type.count(("session_started", first)) == 1 and by_type.count(("session_ended", first)) == 1
    assert by_type.count(("session_started", second)) == 1 and ("session_ended", second) not in by_type
    assert by_type.count(("question_asked", first)) == 2 and by_type.count(("response", first)) == 3 * 2
    changed = [line for line in lines if line["type"] == "response" and line["session_id"] == second
               and line["card"] == 3]
    assert [(r["answer"], r["first_answer"], r["changes"]) for r in changed] == [("C", "A", 1)]
    roster = next(line for line in lines if line["type"] == "roster" and line["session_id"] == second)
    assert 3 in [s["card"] for s in roster["students"]], "a student who answered and has left is still named"
    assert len({line["event_id"] for line in lines}) == len(lines)


async def test_without_a_target_the_outbox_an_older_version_filled_is_emptied(tmp_path):
    db = await Database.open(tmp_path / "data" / "argus.db")
    try:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO sync_events (local_id, type, time, time_synced, body)"
                               " VALUES ('s1-started', 'session_started', 0, 0, '{}')")
        service = SyncService(db, SyncSettings(), tmp_path / "data")
        await service.start()
        await service.close()
        assert (await db.fetchone("SELECT count(*) FROM sync_events"))[0] == 0
    finally:
        await db.close()
