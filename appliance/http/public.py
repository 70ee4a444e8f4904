"""What anyone in the room may ask without logging in: the projector's state, "was my card read?", the QR code.

Nothing here names a student or reveals one student's answer.
"""
from __future__ import annotations

import io
import ipaddress
import math
import time

import pyqrcode
from aiohttp import web

from appliance import keys
from appliance.host.names import split_host
from appliance.http import shapes
from appliance.http.auth import client_address
from appliance.http.request_rate import RequestRate
from appliance.http.schema import CARD_COUNT, Args, Reply, Route, integer, obj
from appliance.http.security import json_error

# Without a limit one phone could ask for every card in turn and list who has answered.
CHECK_RATE = web.AppKey("public_check_rate", RequestRate)


def student_url(request: web.Request) -> str:
    """The student page's address for the QR code: the configured public URL, else the name this request
    reached us by (host_middleware already made sure it is one of ours), with our own scheme and port: plain
    HTTP when server.public_http serves the student page there, so phones meet no certificate warning."""
    app = request.config_dict
    settings = app[keys.SETTINGS]
    if settings.server.public_url:
        return settings.server.public_url.rstrip("/") + "/student"
    host = split_host(request.headers.get("Host", ""))
    if not settings.demo and (host == "localhost" or _is_loopback(host)):
        # A projector browser on the appliance itself: phones reach it by its mDNS name instead.
        host = f"{settings.mdns.hostname}.local"
    https_port = app.get(keys.HTTPS_PORT)
    if https_port is not None and not settings.server.public_http:
        scheme, port = "https", https_port
    else:
        scheme, port = "http", app[keys.PORT]
    default = 443 if scheme == "https" else 80
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}{'' if port == default else f':{port}'}/student"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def state(request: web.Request, args: Args) -> web.Response:
    return web.json_response(request.config_dict[keys.ENGINE].public_state())


async def check(request: web.Request, args: Args) -> web.Response:
    wait = request.config_dict[CHECK_RATE].admit(client_address(request), time.monotonic())
    if wait:
        seconds = str(math.ceil(wait))
        return json_error(429, f"too many checks from this device; try again in {seconds} s", **{"Retry-After": seconds})
    card = args.query["card"]
    engine = request.config_dict[keys.ENGINE]
    return web.json_response({"card": card, "registered": engine.card_registered(card),
                              "in_class": engine.card_in_class(card)})


async def qr_svg(request: web.Request, args: Args) -> web.Response:
    buffer = io.BytesIO()
    pyqrcode.create(student_url(request), error="M").svg(buffer, scale=8, xmldecl=True, svgns=True,
                                                          title="Student page", quiet_zone=2)
    return web.Response(body=buffer.getvalue(), content_type="image/svg+xml",
                        headers={"X-Student-URL": student_url(request)})


async def student_link(request: web.Request, args: Args) -> web.Response:
    return web.json_response({"url": student_url(request)})


def setup(app: web.Application) -> None:
    """The per-address limit of card checks lives on the root app, for the whole process."""
    app[CHECK_RATE] = RequestRate(app[keys.SETTINGS].server.public_checks_per_minute, 60.0)


ROUTES = [
    Route("GET", "/public/state", state, "What the projector shows", auth="public",
          responses={200: shapes.PUBLIC_STATE}),
    Route("GET", "/public/check", check, "Whether a card is registered for the current question (yes/no only),"
          " and whether it is in the running class", auth="public",
          query=obj({"card": integer(1, CARD_COUNT)}, required=["card"]),
          responses={200: obj({"card": {"type": "integer"}, "registered": {"type": "boolean"},
                               "in_class": {"type": ["boolean", "null"]}}, required=["card", "registered"]),
                     429: "too many checks from this address (server.public_checks_per_minute); see Retry-After"}),
    Route("GET", "/public/qr.svg", qr_svg, "QR code of the student page URL", auth="public",
          responses={200: Reply("SVG", content_type="image/svg+xml")}),
    Route("GET", "/public/student-url", student_link, "The student page URL shown under the QR code",
          auth="public", responses={200: obj({"url": {"type": "string"}}, required=["url"])}),
]
