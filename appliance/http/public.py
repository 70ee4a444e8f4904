"""What anyone in the room may ask without logging in: the projector's state, "was my card read?", the QR code.

Nothing here names a student or reveals one student's answer.
"""
from __future__ import annotations

import io
import ipaddress

import pyqrcode
from aiohttp import web

from appliance import keys
from appliance.http import shapes
from appliance.http.schema import CARD_COUNT, Args, Reply, Route, integer, obj


def student_url(request: web.Request) -> str:
    settings = request.config_dict[keys.SETTINGS]
    if settings.server.public_url:
        return settings.server.public_url.rstrip("/") + "/student"
    host = request.host
    try:
        loopback = ipaddress.ip_address(host.rsplit(":", 1)[0].strip("[]")).is_loopback
    except ValueError:
        loopback = host.split(":")[0] == "localhost"
    if loopback and not settings.demo:
        # A projector browser on the appliance itself: phones reach it by its mDNS name instead.
        port = request.config_dict[keys.PORT]
        host = f"{settings.mdns.hostname}.local" + ("" if port == 80 else f":{port}")
    return f"{request.scheme}://{host}/student"


async def state(request: web.Request, args: Args) -> web.Response:
    return web.json_response(request.config_dict[keys.ENGINE].public_state())


async def check(request: web.Request, args: Args) -> web.Response:
    card = args.query["card"]
    return web.json_response({"card": card, "registered": request.config_dict[keys.ENGINE].card_registered(card)})


async def qr_svg(request: web.Request, args: Args) -> web.Response:
    buffer = io.BytesIO()
    pyqrcode.create(student_url(request), error="M").svg(buffer, scale=8, xmldecl=True, svgns=True,
                                                          title="Student page", quiet_zone=2)
    return web.Response(body=buffer.getvalue(), content_type="image/svg+xml",
                        headers={"X-Student-URL": student_url(request)})


async def student_link(request: web.Request, args: Args) -> web.Response:
    return web.json_response({"url": student_url(request)})


ROUTES = [
    Route("GET", "/public/state", state, "What the projector shows", auth="public",
          responses={200: shapes.PUBLIC_STATE}),
    Route("GET", "/public/check", check, "Whether a card is registered for the current question (yes/no only)",
          auth="public", query=obj({"card": integer(1, CARD_COUNT)}, required=["card"]),
          responses={200: obj({"card": {"type": "integer"}, "registered": {"type": "boolean"}},
                              required=["card", "registered"])}),
    Route("GET", "/public/qr.svg", qr_svg, "QR code of the student page URL", auth="public",
          responses={200: Reply("SVG", content_type="image/svg+xml")}),
    Route("GET", "/public/student-url", student_link, "The student page URL shown under the QR code",
          auth="public", responses={200: obj({"url": {"type": "string"}}, required=["url"])}),
]
