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
import weakref

from aiohttp import WSCloseCode, WSMsgType, web

from appliance import keys
from appliance.http.auth import current_user
from appliance.http.schema import Reply, Route
from appliance.http.security import json_error

log = logging.getLogger(__name__)
_SEND_TIMEOUT = 10.0
SOCKETS = web.AppKey("live_sockets", weakref.WeakSet)


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
    app = request.config_dict
    settings = app[keys.SETTINGS]
    bus = app[keys.BUS]
    if bus.subscriber_count >= settings.server.max_websocket_clients:
        return json_error(503, "too many live screens are connected; close one and retry")
    user = await current_user(request)
    # A short close timeout: at shutdown a frozen client must not hold up the exit (SIGTERM → gone in 5 s).
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=4096, timeout=1.0)
    await ws.prepare(request)
    app[SOCKETS].add(ws)
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
        app[SOCKETS].discard(ws)
        await ws.close()
    return ws


async def _close_all(app: web.Application) -> None:
    """On shutdown, tell every screen we are going away, so their handlers end before the server waits."""
    await asyncio.gather(*(ws.close(code=WSCloseCode.GOING_AWAY, message=b"appliance stopping")
                           for ws in list(app[SOCKETS])), return_exceptions=True)


def setup(app: web.Application) -> None:
    """The set of open sockets lives on the root app, so shutdown and logins (which end) can reach it."""
    app[SOCKETS] = weakref.WeakSet()
    app.on_shutdown.append(_close_all)


ROUTES = [
    Route("GET", "/live", live, "Websocket of live JSON events: 'state' for everyone; 'response' and 'camera' "
          "for teachers", auth="public", raw=True,
          responses={101: Reply("switching to websocket", content_type=None),
                     400: "not a websocket handshake", 403: "cross-origin", 503: "too many live screens"}),
]
