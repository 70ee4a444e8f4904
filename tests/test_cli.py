"""The `argus` command as a user runs it: a real process, real signals, real files."""
from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import cv2
import numpy as np

from tests.processes import free_port, wait_for_line

ARGUS = [sys.executable, "-m", "appliance"]


def _start(args: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen([*ARGUS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _demo_args(tmp_path: Path, port: int, *extra: str) -> list[str]:
    # A small, quick simulated class keeps these process tests light on a 2-core machine.
    config = tmp_path / "argus.toml"
    config.write_text("[camera]\nwidth = 1280\nheight = 720\nfps = 10.0\n[sim]\nraise_seconds = 2.0\nback_row_m = 4.5\n")
    return ["run", "--demo", "--port", str(port), "--data-dir", str(tmp_path / "data"), "--config", str(config),
            *extra]


def _stop(proc: subprocess.Popen, timeout: float = 5.0) -> tuple[int, float]:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=timeout)
    return code, time.monotonic() - started


def test_demo_prints_its_url_and_login_and_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    proc = _start(_demo_args(tmp_path, port))
    try:
        assert wait_for_line(proc, "Argus demo running at") == f"Argus demo running at http://127.0.0.1:{port}/"
        assert wait_for_line(proc, "Log in as") == "Log in as demo / demo"
    finally:
        code, seconds = _stop(proc)
    assert code == 0 and seconds < 5


async def test_sigterm_mid_question_keeps_every_acknowledged_response(tmp_path):
    port = free_port()
    proc = _start(_demo_args(tmp_path, port))
    acknowledged: dict[int, str] = {}
    try:
        wait_for_line(proc, "Argus demo running at")
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", cookie_jar=jar) as client:
            await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            classes = await (await client.get("/api/v1/classes")).json()
            quizzes = await (await client.get("/api/v1/quizzes")).json()
            sid = (await (await client.post("/api/v1/sessions", json={
                "class_id": classes[0]["id"], "quiz_id": quizzes[0]["id"]})).json())["id"]
            async with client.ws_connect("/api/v1/live") as ws:
                await client.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
                while len(acknowledged) < 5:
                    event = json.loads((await asyncio.wait_for(ws.receive(), 20)).data)
                    if event["type"] == "response":
                        acknowledged[event["card"]] = event["answer"]
                # Stop while the class is still answering.
                code, seconds = _stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0 and seconds < 5
    db = sqlite3.connect(tmp_path / "data" / "argus.db")
    stored = dict(db.execute("SELECT card, answer FROM responses WHERE session_id = ?", (sid,)).fetchall())
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    # Every answer a screen was told about is on disk (a student may have changed it again since).
    assert set(acknowledged) <= set(stored)


def test_port_in_use_is_a_clear_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([*ARGUS, *_demo_args(tmp_path, port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def test_bad_config_stops_startup_naming_the_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[camera]\nfps = \"fast\"\n")
    result = subprocess.run([*ARGUS, "run", "--config", str(config), "--data-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "camera.fps: expected float" in result.stderr


def test_demo_refuses_to_listen_beyond_loopback(tmp_path):
    result = subprocess.run([*ARGUS, "run", "--demo", "--host", "0.0.0.0", "--data-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "127.0.0.1 only" in result.stderr


async def test_outside_demo_there_is_no_account_until_one_is_added(tmp_path):
    data = tmp_path / "data"
    port = free_port()
    config = tmp_path / "argus.toml"
    config.write_text("[server]\nhttps = false\n[mdns]\nenabled = false\n[camera]\nwidth = 640\nheight = 360\n")
    args = ["run", "--camera", "sim", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data),
            "--config", str(config)]
    added = subprocess.run([*ARGUS, "user", "add", "ms.h", "--password-stdin", "--data-dir", str(data)],
                           input="a long password\n", capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    short = subprocess.run([*ARGUS, "user", "add", "mr.k", "--password-stdin", "--data-dir", str(data)],
                           input="short\n", capture_output=True, text=True, timeout=60)
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    proc = _start(args)
    try:
        wait_for_line(proc, "Argus running at")
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as client:
            demo = await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            assert demo.status == 401
            real = await client.post("/api/v1/login", json={"username": "ms.h", "password": "a long password"})
            assert real.status == 200 and (await real.json())["role"] == "teacher"
    finally:
        assert _stop(proc)[0] == 0


def test_cards_png_writes_every_card_upright(tmp_path):
    out = tmp_path / "cards"
    result = subprocess.run([*ARGUS, "cards", "--png", str(out), "--count", "6"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"card-{n}.png" for n in range(1, 7)]
    scanned = subprocess.run([*ARGUS, "scan", "--json", *[str(out / f"card-{n}.png") for n in range(1, 7)]],
                             capture_output=True, text=True, timeout=120)
    rows = [json.loads(line) for line in scanned.stdout.splitlines()]
    assert [r["cards"] for r in rows] == [[{"card": n, "answer": "A"}] for n in range(1, 7)]


def test_scan_reads_a_photo_with_several_cards_and_reports_bad_files(tmp_path):
    from appliance.vision.cards import render_card

    photo = np.full((900, 1600), 200, np.uint8)
    expected = []
    for i, (card, turns) in enumerate([(3, 0), (17, 1), (42, 2), (64, 3)]):
        image = np.rot90(render_card(card, 300), turns)  # k quarter turns counter-clockwise
        photo[100:400, 50 + i * 380:350 + i * 380] = image
        expected.append({"card": card, "answer": "ABCD"[turns]})
    path = tmp_path / "class photo.jpg"
    cv2.imwrite(str(path), cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    garbage = tmp_path / "notes.jpg"
    garbage.write_bytes(b"this is not an image")
    result = subprocess.run([*ARGUS, "scan", str(path), str(garbage), "--json"], capture_output=True, text=True,
                            timeout=120)
    first, second = [json.loads(line) for line in result.stdout.splitlines()]
    assert first["photo"] == str(path) and first["cards"] == expected and first["ms"] >= 0
    assert second["photo"] == str(garbage) and "notes.jpg" in second["error"]
    assert result.returncode == 1 and "notes.jpg" in result.stderr
