"""Power cuts: SIGKILL the appliance at random moments of a live session, many times, and check after every
restart that the database is intact, every response a screen was told about is on disk, and the session is
back in the state the teacher last saw.

CI runs a short version (a few kills); `scripts/test --full` runs the long one (marked slow).
"""
from __future__ import annotations

import asyncio
import json
import random
import signal
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest

from tests.processes import start_demo


async def _one_life(data: Path, config: Path, rng: random.Random, acknowledged: dict, seen: dict) -> None:
    """Run, act like a teacher for a random while, then pull the plug (SIGKILL: no cleanup at all)."""
    proc, url = await start_demo(data, config)
    try:
        async with aiohttp.ClientSession(url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            async with client.ws_connect("/api/v1/live") as ws:
                state = json.loads((await ws.receive()).data)["state"]["session"]
                if state is None:
                    classes = await (await client.get("/api/v1/classes")).json()
                    quizzes = await (await client.get("/api/v1/quizzes")).json()
                    await client.post("/api/v1/sessions", json={"class_id": classes[0]["id"],
                                                                "quiz_id": quizzes[0]["id"]})
                deadline = time.monotonic() + rng.uniform(1.0, 4.0)
                while time.monotonic() < deadline:
                    if rng.random() < 0.15:
                        seen["session"] = await _teacher_action(client, seen, rng)
                    try:
                        message = await asyncio.wait_for(ws.receive(), 0.2)
                    except TimeoutError:
                        continue
                    event = json.loads(message.data)
                    if event["type"] == "response":
                        acknowledged[(event["session_id"], event["question"], event["card"])] = event["answer"]
                    elif event["type"] == "state" and event["state"]["session"]:
                        s = event["state"]["session"]
                        seen["session"] = (s["id"], s["state"], s["question_index"])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)


async def _teacher_action(client, seen: dict, rng: random.Random):
    session = seen.get("session")
    if session is None:
        return None
    sid, state, question = session
    if state in ("ready", "closed", "revealed"):
        nxt = 0 if question is None else (question + rng.choice([0, 1])) % 5
        response = await client.post(f"/api/v1/sessions/{sid}/open", json={"question": nxt})
    elif state == "open":
        response = await client.post(f"/api/v1/sessions/{sid}/{rng.choice(['close', 'reveal'])}")
    else:
        return session
    view = await response.json()
    return (view["id"], view["state"], view["question"]) if response.status == 200 else session


def _check_database(path: Path, acknowledged: dict, seen: dict) -> None:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {(s, q, c) for s, q, c in db.execute("SELECT session_id, question, card FROM responses")}
        missing = set(acknowledged) - stored
        assert not missing, f"acknowledged responses lost in a power cut: {sorted(missing)}"
        if seen.get("session"):
            sid, state, question = seen["session"]
            row = db.execute("SELECT state, question FROM sessions WHERE id = ?", (sid,)).fetchone()
            assert row == (state, question), f"session {sid} came back as {row}, the teacher saw {(state, question)}"
    finally:
        db.close()


async def _power_cuts(tmp_path: Path, cycles: int, budget_s: float) -> int:
    data, config = tmp_path / "data", tmp_path / "argus.toml"
    config.write_text("[camera]\nwidth = 1280\nheight = 720\nfps = 10.0\n[sim]\nraise_seconds = 1.5\nback_row_m = 4.5\n")
    rng = random.Random(20261123)
    acknowledged: dict = {}
    seen: dict = {}
    started, done = time.monotonic(), 0
    while done < cycles and time.monotonic() - started < budget_s:
        await _one_life(data, config, rng, acknowledged, seen)
        _check_database(data / "argus.db", acknowledged, seen)
        done += 1
    assert acknowledged, "the simulated class should have answered at some point"
    print(f"power cuts survived: {done}, acknowledged responses checked: {len(acknowledged)}")
    return done


async def test_power_cuts_lose_nothing_acknowledged(tmp_path):
    assert await _power_cuts(tmp_path, cycles=4, budget_s=90) >= 2


@pytest.mark.slow
async def test_power_cuts_lose_nothing_acknowledged_long(tmp_path):
    assert await _power_cuts(tmp_path, cycles=40, budget_s=600) >= 20
