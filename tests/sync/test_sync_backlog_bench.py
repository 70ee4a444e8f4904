"""Benchmark, not a timed test: a month of backlog uploads to a real SeaweedFS while the appliance serves a
live lesson with its simulated camera. Prints the upload rate, the uploader's memory, and the web page and
card reader timings before and during the upload; asserts only that everything arrived exactly once.

    ./scripts/test tests/sync/test_sync_backlog_bench.py -s -m slow      # a month: 20 days x 6 lessons
    ./scripts/test tests/sync/test_sync_backlog_bench.py -s              # CI's small version: 2 days
"""
from __future__ import annotations

import asyncio
import json
import statistics
import time

import aiohttp
import pytest

from appliance import keys
from appliance.server import start_server
from appliance.store import outbox
from appliance.store.db import Database
from tests.conftest import make_settings


async def _fill_backlog(path, days: int) -> int:
    """Response events shaped exactly as store/outbox.py writes them: 6 lessons a day, 30 students,
    10 questions, one changed answer in ten; written in bulk (a real lesson writes one per transaction)."""
    db = await Database.open(path)
    await outbox.start_recording(db)
    count = 0
    start = time.time() - days * 86400
    async with db.transaction() as conn:
        for day in range(days):
            for lesson in range(6):
                session = 10_000 + day * 6 + lesson
                at = start + day * 86400 + lesson * 3600
                await outbox._add(conn, f"s{session}-started", "session_started", at, {
                    "session_id": session, "class_id": lesson, "class_name": f"Class {lesson}", "quiz_id": 1,
                    "quiz_title": "Quiz", "teacher": "teacher", "anonymous": False, "question_count": 10})
                for q in range(10):
                    await outbox._add(conn, f"s{session}-q{q}-asked", "question_asked", at, {
                        "session_id": session, "class_id": lesson, "question": q, "text": f"Question {q}?",
                        "options": ["one", "two", "three", "four"], "correct": "B", "kind": "multiple",
                        "time_limit": None, "repeats": None, "adhoc": False})
                    for student in range(30):
                        for version in range(2 if student % 10 == 0 else 1):
                            await outbox._add(conn, f"s{session}-q{q}-st{student}-v{version}", "response",
                                              at + q * 60 + student, {
                                                  "session_id": session, "class_id": lesson, "question": q,
                                                  "student_id": 1000 * lesson + student, "card": student + 1,
                                                  "answer": "ABCD"[(q + student + version) % 4],
                                                  "first_answer": "ABCD"[(q + student) % 4],
                                                  "first_time": at, "last_time": at + version, "changes": version})
                            count += 1
                count += 11
    await db.close()
    return count


def _rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _sample(client, seconds: float, until=None) -> dict:
    """Page latency (ms) of the projector's state every 50 ms, the reader's ms per frame, the process's RSS;
    for `seconds`, or while until() is false (at least 2 s)."""
    latencies, reader, rss = [], [], []
    end = time.monotonic() + seconds
    while (time.monotonic() < end) if until is None else (not until() or time.monotonic() < end):
        started = time.perf_counter()
        async with client.get("/api/v1/public/state") as response:
            await response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        health = await (await client.get("/api/v1/health")).json()
        reader.append(health["reader"]["ms_per_frame"])
        rss.append(_rss_mb())
        await asyncio.sleep(0.05)
    latencies.sort()
    return {"page_p50_ms": statistics.median(latencies), "page_p99_ms": latencies[int(len(latencies) * 0.99) - 1],
            "reader_ms_per_frame": statistics.median(reader), "rss_max_MB": max(rss)}


async def _run(tmp_path, weed, days: int) -> None:
    settings = make_settings(tmp_path, sync={
        "target": "s3://results/backlog", "endpoint": weed.endpoint,
        "credentials_file": str(weed.credentials(tmp_path / "s3.toml")), "interval_seconds": 3600.0})
    data = tmp_path / "data"
    data.mkdir(parents=True)
    db = await Database.open(data / "argus.db")
    await outbox.set_flag(db, "sync_enabled", "0")  # off while the baseline is measured
    await db.close()
    events = await _fill_backlog(data / "argus.db", days)
    server = await start_server(settings)
    try:
        async with aiohttp.ClientSession(server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            classes = await (await client.get("/api/v1/classes")).json()
            quizzes = await (await client.get("/api/v1/quizzes")).json()
            view = await (await client.post("/api/v1/sessions", json={"class_id": classes[0]["id"],
                                                                      "quiz_id": quizzes[0]["id"]})).json()
            await client.post(f"/api/v1/sessions/{view['id']}/open", json={"question": 0})
            for _ in range(120):  # the camera and reader warm up
                if (await (await client.get("/api/v1/health")).json())["reader"]["ms_per_frame"]:
                    break
                await asyncio.sleep(0.5)
            before = await _sample(client, 8.0)
            service = server.app[keys.SYNC]
            done: dict = {}

            async def upload():
                started = time.monotonic()
                await service.sync_now()  # the same round the background loop runs, paced by max_kbps
                done["seconds"] = time.monotonic() - started

            await service.set_enabled(True)
            task = asyncio.create_task(upload())
            during = await _sample(client, 2.0, until=lambda: "seconds" in done)
            await task
            after = await _sample(client, 8.0)
            status = await service.status()
            seconds = done["seconds"]
    finally:
        await server.stop()
    objects = await weed.objects("results", "backlog")
    uploaded = sum(len(v) for k, v in objects.items() if "/events/" in k)
    lines = sum(1 for k in objects if k.endswith(".ndjson.gz"))
    print(json.dumps({
        "days": days, "events": events, "event_objects": lines, "bytes_uploaded": uploaded,
        "seconds": round(seconds, 1), "events_per_s": round(events / seconds), "kB_per_s": round(uploaded / 1024 / seconds, 1),
        "max_kbps": settings.sync.max_kbps,
        **{name: {k: round(v, 1) for k, v in sample.items()}
           for name, sample in (("before", before), ("during", during), ("after", after))}}, indent=1))
    assert status["delivered"] >= events


async def test_backlog_of_two_days_uploads_while_serving(tmp_path, weed):
    await _run(tmp_path, weed, days=2)


@pytest.mark.slow
async def test_backlog_of_a_month_uploads_while_serving(tmp_path, weed):
    await _run(tmp_path, weed, days=20)
