"""SIGKILL at any moment, uploads included: after a restart the rest is delivered and the bucket holds every
acknowledged response exactly once. The appliance runs as a real process syncing to a real SeaweedFS through
a proxy that slows every request, so many kills land in the middle of an upload. `argus sync now|status`
then talk to the running appliance with its local admin token."""
from __future__ import annotations

import asyncio
import collections
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.processes import start_demo


async def _teach(client, ws, rng: random.Random, acknowledged: dict, seconds: float, session) -> None:
    """Open and close questions while the simulated class answers; note every acknowledged answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if session and (session[1] != "open" or rng.random() < 0.03):
            sid, state, question = session
            if state in ("ready", "closed", "revealed"):
                nxt = 0 if question is None else (question + 1) % 5
                response = await client.post(f"/api/v1/sessions/{sid}/open", json={"question": nxt})
            elif state == "open":
                response = await client.post(f"/api/v1/sessions/{sid}/close")
            else:
                response = None
            if response is not None and response.status == 200:
                view = await response.json()
                session = (view["id"], view["state"], view["question"])
        try:
            message = await asyncio.wait_for(ws.receive(), 0.2)
        except TimeoutError:
            continue
        event = json.loads(message.data)
        if event["type"] == "response":
            acknowledged[(event["session_id"], event["question"], event["card"])] = event["answer"]
        elif event["type"] == "state" and event["state"]["session"]:
            s = event["state"]["session"]
            session = (s["id"], s["state"], s["question_index"])


async def _one_life(data: Path, config: Path, rng: random.Random, acknowledged: dict, lives: int) -> None:
    proc, url = await start_demo(data, config, stderr=open(data.parent / "appliance.log", "a"))
    try:
        async with aiohttp.ClientSession(url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            async with client.ws_connect("/api/v1/live") as ws:
                state = json.loads((await ws.receive()).data)["state"]["session"]
                session = state and (state["id"], state["state"], state["question_index"])
                if state is None or lives % 3 == 2:  # now and then a new session, which ends the last one
                    classes = await (await client.get("/api/v1/classes")).json()
                    quizzes = await (await client.get("/api/v1/quizzes")).json()
                    view = await (await client.post("/api/v1/sessions", json={
                        "class_id": classes[0]["id"], "quiz_id": quizzes[0]["id"]})).json()
                    session = (view["id"], view["state"], view["question"])
                await _teach(client, ws, rng, acknowledged, rng.uniform(4.0, 8.0), session)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appliance", "sync", *args], capture_output=True, text=True,
                          timeout=120)


async def _power_cuts(tmp_path: Path, weed, fault_proxy, read_events, cycles: int, budget_s: float) -> None:
    proxy = await fault_proxy(weed.endpoint)
    proxy.mode = ("slow", 0.25)
    data, config = tmp_path / "data", tmp_path / "argus.toml"
    creds = weed.credentials(tmp_path / "s3.toml")
    config.write_text(
        "[camera]\nwidth = 1280\nheight = 720\nfps = 10.0\n[sim]\nraise_seconds = 1.5\nback_row_m = 4.5\n"
        f'[sync]\ntarget = "s3://results/powercut"\nendpoint = "{proxy.url}"\ncredentials_file = "{creds}"\n'
        "interval_seconds = 1.0\nbatch_events = 8\nmax_kbps = 0\ntimeout_seconds = 5.0\nmax_backoff_seconds = 2.0\n")
    rng = random.Random(20261201)
    acknowledged: dict = {}
    started, lives = time.monotonic(), 0
    while lives < cycles and time.monotonic() - started < budget_s:
        await _one_life(data, config, rng, acknowledged, lives)
        lives += 1
    assert acknowledged, "the simulated class should have answered"
    uploads_cut = sum(1 for _, method, path, _ in proxy.requests if method == "PUT")

    # One more start: the appliance delivers the rest; `argus sync now` waits for it.
    proc, url = await start_demo(data, config, stderr=open(data.parent / "appliance.log", "a"))
    try:
        proxy.mode = "pass"
        now = await asyncio.get_running_loop().run_in_executor(None, _cli, "now", "--data-dir", str(data))
        assert now.returncode == 0, now.stdout + now.stderr
        assert "pending:      0 events, 0 files" in now.stdout, now.stdout
        status = await asyncio.get_running_loop().run_in_executor(
            None, _cli, "status", "--json", "--data-dir", str(data))
        report = json.loads(status.stdout)
        assert report["pending"] == 0 and report["delivered"] > 0 and report["last_error"] is None
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)

    lines = read_events(await weed.objects("results", "powercut"))
    ids = collections.Counter(line["event_id"] for line in lines)
    twice = [i for i, n in ids.items() if n > 1]
    assert not twice, f"events delivered twice: {twice[:5]}"
    seqs = [line["seq"] for line in lines]
    assert len(seqs) == len(set(seqs))
    versions = {(r["session_id"], r["question"], r["card"], r["changes"]): r["answer"]
                for r in lines if r["type"] == "response"}
    db = sqlite3.connect(data / "argus.db")
    stored = db.execute("SELECT session_id, question, card, answer, changes FROM responses").fetchall()
    db.close()
    for session_id, question, card, answer, changes in stored:
        assert versions.get((session_id, question, card, changes)) == answer, (session_id, question, card)
    # Every acknowledged answer is in the bucket, exactly once per version.
    final = {(s, q, c): a for (s, q, c, _), a in sorted(versions.items(), key=lambda kv: kv[0][3])}
    missing = [k for k in acknowledged if k not in final]
    assert not missing, f"acknowledged responses never reached the bucket: {missing[:5]}"
    print(f"power cuts: {lives}, acknowledged responses: {len(acknowledged)}, events in the bucket: "
          f"{len(lines)}, upload requests cut into: {uploads_cut}")


async def test_sigkill_at_any_moment_delivers_every_response_exactly_once(tmp_path, weed, fault_proxy,
                                                                          read_events):
    await _power_cuts(tmp_path, weed, fault_proxy, read_events, cycles=4, budget_s=90)


@pytest.mark.slow
async def test_sigkill_at_any_moment_delivers_every_response_exactly_once_long(tmp_path, weed, fault_proxy,
                                                                               read_events):
    await _power_cuts(tmp_path, weed, fault_proxy, read_events, cycles=30, budget_s=600)
