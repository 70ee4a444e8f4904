"""The live websocket: teachers see answers as they arrive; projector and students see counts only."""
from __future__ import annotations

import asyncio
import json

import aiohttp

from appliance import keys


async def _next_event(ws, type_: str, timeout: float = 20.0) -> dict:
    async def read():
        while True:
            message = await ws.receive()
            assert message.type == aiohttp.WSMsgType.TEXT, message
            event = json.loads(message.data)
            if event["type"] == type_:
                return event
    return await asyncio.wait_for(read(), timeout)


async def _start(teacher) -> int:
    classes = await (await teacher.get("/api/v1/classes")).json()
    quizzes = await (await teacher.get("/api/v1/quizzes")).json()
    response = await teacher.post("/api/v1/sessions", json={"class_id": classes[0]["id"], "quiz_id": quizzes[0]["id"]})
    return (await response.json())["id"]


async def test_teacher_and_public_screens_follow_the_lesson(server, teacher, anonymous):
    async with teacher.ws_connect("/api/v1/live") as teacher_ws, anonymous.ws_connect("/api/v1/live") as public_ws:
        first = await _next_event(public_ws, "state")
        assert first["state"]["session"] is None
        assert (await _next_event(teacher_ws, "camera"))["camera"]["source"]

        sid = await _start(teacher)
        state = await _next_event(public_ws, "state")
        assert state["state"]["session"]["id"] == sid and state["state"]["session"]["state"] == "ready"

        await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
        response = await _next_event(teacher_ws, "response")
        assert response["session_id"] == sid and response["answer"] in "ABCD" and response["card"] >= 1

        # The projector's count follows the answers without asking.
        public_events = []
        while True:
            event = json.loads((await asyncio.wait_for(public_ws.receive(), 20)).data)
            public_events.append(event)
            session = event["state"]["session"]
            if session["state"] == "open" and session["answered"] >= 1:
                break
        await teacher.post(f"/api/v1/sessions/{sid}/reveal")
        while True:
            event = json.loads((await asyncio.wait_for(public_ws.receive(), 20)).data)
            public_events.append(event)
            if event["state"]["session"]["state"] == "revealed":
                break
        assert sum(event["state"]["session"]["distribution"].values()) == event["state"]["session"]["answered"]

    # Privacy: nothing the public socket carried names a student or carries one student's answer.
    names = {s["name"] for s in (await (await teacher.get("/api/v1/classes")).json())[0]["students"]}
    for event in public_events:
        assert event["type"] == "state"
        text = json.dumps(event)
        assert not any(f'"{name}"' in text for name in names)
        assert "student_id" not in text and '"card"' not in text and '"answer"' not in text


async def test_websocket_from_another_site_is_refused(server):
    async with aiohttp.ClientSession() as client:
        response = await client.get(f"{server.url}/api/v1/live", headers={
            "Origin": "http://evil.example", "Connection": "Upgrade", "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        assert response.status == 403


async def test_a_stalled_client_never_holds_up_the_others(server, teacher, anonymous):
    """One socket that never reads: the bus keeps publishing, its queue stays bounded, others keep up."""
    settings = server.app[keys.SETTINGS]
    bus = server.app[keys.BUS]
    async with anonymous.ws_connect("/api/v1/live") as stalled, anonymous.ws_connect("/api/v1/live") as live:
        await _next_event(live, "state")
        for n in range(settings.server.client_queue_size * 20):
            bus.publish({"type": "state", "state": {"session": None, "n": n}}, "public")
        last = None
        while last != settings.server.client_queue_size * 20 - 1:
            event = json.loads((await asyncio.wait_for(live.receive(), 5)).data)
            last = event["state"].get("n")
        subscriptions = list(bus._subscribers)
        assert all(sub._queue.qsize() <= settings.server.client_queue_size for sub in subscriptions)
        assert stalled is not None


async def test_a_full_disk_alerts_the_teacher_and_never_shows_the_answer_as_registered(settings_factory, tmp_path):
    """A real full disk: the data folder on a small tmpfs, filled up while a question is open."""
    import os
    import subprocess
    import time

    import pytest

    from appliance.server import start_server
    from appliance.vision.types import Registration

    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(disk)]).returncode:
        pytest.skip("mounting a small tmpfs as a disk to fill needs root")
    server = await start_server(settings_factory(storage={"data_dir": str(disk / "data")}))
    try:
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as teacher:
            await teacher.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            sid = await _start(teacher)
            await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
            engine = server.app[keys.ENGINE]
            async with teacher.ws_connect("/api/v1/live") as ws:
                await _next_event(ws, "state")
                filler = disk / "filler"
                with open(filler, "wb") as fh:  # take every last byte
                    try:
                        while True:
                            fh.write(b"\0" * 65536)
                            fh.flush()
                    except OSError:
                        pass
                for card in range(1, 31):
                    await engine.register(Registration(card, "D", time.monotonic()))
                alert = await _next_event(ws, "alert", timeout=10)
                assert alert["level"] == "error" and "cannot be saved" in alert["message"]
                filler.unlink()  # space again: answers are saved again
                await engine.register(Registration(7, "C", time.monotonic()))
                saved = await _next_event(ws, "response", timeout=10)
                assert saved["card"] == 7 and saved["answer"] == "C"
            view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
            public = await (await teacher.get("/api/v1/public/state")).json()
            # What the screens count is exactly what is on disk.
            assert public["session"]["answered"] == len({r["card"] for r in view["responses"]})
        assert await server.app[keys.DB].integrity_check() == "ok"
    finally:
        await server.stop()
        subprocess.run(["umount", str(disk)])
