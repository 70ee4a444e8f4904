"""The live websocket: every client gets its own bounded queue and its own sender task.

A phone on bad Wi-Fi or a frozen projector tab only loses its own oldest events; it never slows the
camera loop or the other screens. Anonymous clients get public events only; a logged-in teacher also gets
responses (with answers) and camera status.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

from aiohttp import WSMsgType, web

from appliance.http import keys
from appliance.http.auth import current_user
from appliance.http.security import json_error

log = logging.getLogger(__name__)
_SEND_TIMEOUT = 10.0


async def _sender(ws: web.WebSocketResponse, subscription) -> None:
    while True:
        event = await subscription.get()
        # A client that cannot take one event in this long is gone; drop it rather than hold its queue.
        await asyncio.wait_for(ws.send_json(event), _SEND_TIMEOUT)


async def _receiver(ws: web.WebSocketResponse) -> None:
    # Clients send nothing we act on; reading keeps pings and the closing handshake flowing.
    async for message in ws:
        if message.type == WSMsgType.ERROR:
            return


async def live(request: web.Request) -> web.StreamResponse:
    app = request.app
    settings = app[keys.SETTINGS]
    bus = app[keys.BUS]
    if bus.subscriber_count >= settings.server.max_websocket_clients:
        return json_error(503, "too many live screens are connected; close one and retry")
    user = await current_user(request)
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=4096)
    await ws.prepare(request)
    subscription = bus.subscribe("teacher" if user else "public", settings.server.client_queue_size)
    subscription.offer({"type": "state", "state": app[keys.ENGINE].public_state()})
    if user:
        subscription.offer({"type": "camera", "camera": dataclasses.asdict(app[keys.CAMERA].status())})
    tasks = {asyncio.create_task(_sender(ws, subscription)), asyncio.create_task(_receiver(ws))}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        subscription.close()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await ws.close()
    return ws


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/live", live)
