"""Before anything else answers: the request must name one of the appliance's own hosts (DNS rebinding), and
when HTTPS is on, plain HTTP only redirects to it, except for the anonymous pages (server.public_http)."""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.host.names import split_host
from appliance.http.security import json_error


def _refuse(request: web.Request, status: int, message: str) -> web.Response:
    if request.path.startswith("/api/"):
        return json_error(status, message)
    return web.Response(status=status, text=message + "\n", content_type="text/plain")


@web.middleware
async def host_middleware(request: web.Request, handler):
    """A page on another site that makes its name resolve to us (DNS rebinding) still sends its own name as
    Host: answering only our own names keeps such a page from driving the appliance from a teacher's browser."""
    allowed = request.app[keys.ALLOWED_HOSTS]
    header = request.headers.get("Host", "")
    if not allowed.allows(header):
        shown = split_host(header)[:80] or "(none)"
        return _refuse(request, 421, f"this appliance answers only to its own names ({allowed.described()}), "
                                     f"not to {shown!r}")
    return await handler(request)


def https_url(request: web.Request, port: int) -> str:
    host = split_host(request.headers["Host"])
    if ":" in host:
        host = f"[{host}]"
    return f"https://{host}{'' if port == 443 else f':{port}'}{request.path_qs}"


# What a student's phone and the projector load: no name, no single answer, nothing that changes state.
ANONYMOUS_PATHS = frozenset({"/student", "/projector", "/api/v1/live", "/api/v1/public/state", "/api/v1/public/check",
                             "/api/v1/public/qr.svg", "/api/v1/public/student-url"})
ANONYMOUS_PREFIXES = ("/static/", "/images/")


def anonymous_over_http(request: web.Request) -> bool:
    """Whether plain HTTP may answer this request itself: the phones' way around the certificate warning."""
    if request.method not in ("GET", "HEAD") or not request.app[keys.SETTINGS].server.public_http:
        return False
    return request.path in ANONYMOUS_PATHS or request.path.startswith(ANONYMOUS_PREFIXES)


@web.middleware
async def https_only_middleware(request: web.Request, handler):
    """Plain HTTP is only a way in: a teacher who types http://argus.local/ is sent to HTTPS, before any
    password or login cookie crosses the Wi-Fi. The anonymous pages are answered over plain HTTP too, as
    anonymous: a login cookie (Secure, so a browser never sends it here) is dropped if a client sends one."""
    port = request.app.get(keys.HTTPS_PORT)
    if port is None or request.secure:
        return await handler(request)
    if anonymous_over_http(request):
        headers = request.headers.copy()
        headers.popall("Cookie", None)
        return await handler(request.clone(headers=headers))
    # 308 keeps the method and body of a POST; GET gets the ordinary 302 (not 301, which browsers cache
    # for ever, so a later change of port would strand them).
    status = 302 if request.method in ("GET", "HEAD") else 308
    return web.Response(status=status, headers={"Location": https_url(request, port)})
