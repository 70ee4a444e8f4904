"""The live websocket: teachers see answers as they arrive; projector and students see counts only."""
from __future__ import annotations

import asyncio
import json

import aiohttp

from appliance.http import keys


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
