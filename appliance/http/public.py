"""What anyone in the room may ask without logging in: the projector's state, "was my card read?", the QR code.

Nothing here names a student or reveals one student's answer.
"""
from __future__ import annotations

import io
import ipaddress

import pyqrcode
from aiohttp import web

from appliance import keys


def student_url(request: web.Request) -> str:
    settings = request.app[keys.SETTINGS]
    if settings.server.public_url:
        return settings.server.public_url.rstrip("/") + "/student"
    host = request.host
    try:
        loopback = ipaddress.ip_address(host.rsplit(":", 1)[0].strip("[]")).is_loopback
    except ValueError:
        loopback = host.split(":")[0] == "localhost"
    if loopback and not settings.demo:
        # A projector browser on the appliance itself: phones reach it by its mDNS name instead.
        port = request.app[keys.PORT]
        host = f"{settings.mdns.hostname}.local" + ("" if port == 80 else f":{port}")
    return f"{request.scheme}://{host}/student"


async def state(request: web.Request) -> web.Response:
    return web.json_response(request.app[keys.ENGINE].public_state())


async def check(request: web.Request) -> web.Response:
    count = request.app[keys.SETTINGS].cards.count
    raw = request.query.get("card", "")
    if not raw.isdigit() or not 1 <= int(raw) <= count:
        raise web.HTTPBadRequest(text=f"card must be a number from 1 to {count}", content_type="text/plain")
    card = int(raw)
    return web.json_response({"card": card, "registered": request.app[keys.ENGINE].card_registered(card)})


async def qr_svg(request: web.Request) -> web.Response:
    buffer = io.BytesIO()
    pyqrcode.create(student_url(request), error="M").svg(buffer, scale=8, xmldecl=True, svgns=True,
                                                          title="Student page", quiet_zone=2)
    return web.Response(body=buffer.getvalue(), content_type="image/svg+xml",
                        headers={"X-Student-URL": student_url(request)})


async def student_link(request: web.Request) -> web.Response:
    return web.json_response({"url": student_url(request)})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/public/state", state)
    app.router.add_get("/api/v1/public/check", check)
    app.router.add_get("/api/v1/public/qr.svg", qr_svg)
    app.router.add_get("/api/v1/public/student-url", student_link)
