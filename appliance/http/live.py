"""The live websocket: every client gets its own bounded queue and its own sender task.

A phone on bad Wi-Fi or a frozen projector tab only loses its own oldest events; it never slows the
camera loop or the other screens. Anonymous clients get public events only; a logged-in teacher also gets
camera status, and the responses (with answers) of their own lessons; an admin those of every lesson.
A logged-in socket lives only as long as its login: it is closed at logout or a password change, and the
login is checked again every server.login_recheck_seconds (expiry, an account disabled).
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

from aiohttp import WSMsgType, web

from appliance import keys
from appliance.http.auth import COOKIE, client_address, current_user
from appliance.http.schema import Reply, Route
from appliance.http.security import json_error
from appliance.live.clients import LOGIN_ENDED, LiveClient, LiveClients
from appliance.store import accounts

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


async def _watch_login(app, client: LiveClient) -> None:
    """Returns (ending the socket) once the login behind it has ended or is no longer valid as it was."""
    every = app[keys.SETTINGS].server.login_recheck_seconds
    while True:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(client.login_ended.wait(), every)
        if client.login_ended.is_set() or await accounts.user_for_token(app[keys.DB], client.token) != client.user:
            return


async def live(request: web.Request) -> web.StreamResponse:
    app = request.config_dict
    settings = app[keys.SETTINGS]
    bus = app[keys.BUS]
    clients = app[keys.LIVE_CLIENTS]
    user = await current_user(request)
    address = client_address(request)
    refusal = clients.refusal(user, address)
    if refusal:
        return json_error(503, refusal, **{"Retry-After": "10"})
    # A short close timeout: at shutdown a frozen client must not hold up the exit (SIGTERM → gone in 5 s).
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=4096, timeout=1.0)
    await ws.prepare(request)
    client = LiveClient(ws, address, user, request.cookies.get(COOKIE) if user else None)
    clients.add(client)
    subscription = bus.subscribe("teacher" if user else "public", settings.server.client_queue_size,
                                 user_id=user.id if user else None, admin=bool(user and user.role == "admin"))
    subscription.offer({"type": "state", "state": app[keys.ENGINE].public_state()})
    if user:
        subscription.offer({"type": "camera", "camera": dataclasses.asdict(app[keys.CAMERA].status())})
    tasks = {asyncio.create_task(_sender(ws, subscription)), asyncio.create_task(_receiver(ws))}
    watch = asyncio.create_task(_watch_login(app, client)) if user else None
    if watch:
        tasks.add(watch)
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        subscription.close()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        clients.discard(ws)
        if watch and watch.done() and not watch.cancelled() and watch.exception() is None:
            await ws.close(code=LOGIN_ENDED, message=b"login ended")
        await ws.close()
    return ws


async def _close_all(app: web.Application) -> None:
    """On shutdown, tell every screen we are going away, so their handlers end before the server waits."""
    await app[keys.LIVE_CLIENTS].close_all()


def setup(app: web.Application) -> None:
    """The open sockets live on the root app, so shutdown and logins (which end) can reach them."""
    app[keys.LIVE_CLIENTS] = LiveClients(app[keys.SETTINGS].server)
    app.on_shutdown.append(_close_all)


ROUTES = [
    Route("GET", "/live", live, "Websocket of live JSON events: 'state' for everyone; 'camera' for teachers; "
          "'response' for the lesson's own teacher and admins. Closed with 4001 when the login ends",
          auth="public", raw=True,
          responses={101: Reply("switching to websocket", content_type=None),
                     400: "not a websocket handshake", 403: "cross-origin",
                     503: "too many live screens (from this address, or overall)"}),
]
