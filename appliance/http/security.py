"""Middlewares. On the root app: same-origin checks for state changes, and (a response signal) protective
headers on every response. On the /api/v1 sub-application only: errors as JSON, and no caching."""
from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from aiohttp import web

from appliance.classroom.errors import NotFound
from appliance.classroom.importers import InvalidImport
from appliance.classroom.session import InvalidTransition
from appliance.store.db import StoreError

log = logging.getLogger(__name__)

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def json_error(status: int, message: str, **headers) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers or None)


def is_cross_site(request: web.Request) -> bool:
    """True when a browser tells us the request comes from a page of another site."""
    origin = request.headers.get("Origin")
    if origin is not None:
        # Scheme, host and port: http://argus.local is another origin than https://argus.local (RFC 6454).
        scheme = "https" if request.secure else "http"
        theirs, ours = _origin(origin), _origin(f"{scheme}://{request.host}")
        # An Origin or Host that cannot be read is another site, never a match of two unknowns.
        return theirs is None or ours is None or theirs != ours
    # Without Origin, Fetch Metadata still tells cross-site navigations and form posts apart.
    return request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) with the scheme's default port filled in; None when it cannot be read."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


@web.middleware
async def same_origin_middleware(request: web.Request, handler):
    websocket = request.headers.get("Upgrade", "").lower() == "websocket"
    if (request.method not in _SAFE_METHODS or websocket) and is_cross_site(request):
        return json_error(403, "cross-origin request refused")
    return await handler(request)


@web.middleware
async def api_error_middleware(request: web.Request, handler):
    """Every API error is JSON {"error": message}; the message says what was wrong and where."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        message = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
        kept = {name: exc.headers[name] for name in ("Allow", "Retry-After", "WWW-Authenticate") if name in exc.headers}
        return json_error(exc.status, message, **kept)
    except InvalidImport as exc:
        return web.json_response({"error": str(exc), "problems": exc.problems}, status=400)
    except InvalidTransition as exc:
        return json_error(409, str(exc))
    except NotFound as exc:
        return json_error(404, str(exc))
    except StoreError as exc:
        log.error("storage failed: %s", exc)
        return json_error(507, f"could not save: {exc}")
    except json.JSONDecodeError as exc:
        return json_error(400, f"request body is not valid JSON: {exc}")
    return response


async def protective_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every response gets these, also redirects, errors, 404s and static files,
    which a middleware would miss when a handler raises or the router answers by itself."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/api/"):
        # Also for the API's 404s and 405s, which the sub-application's own middleware never sees.
        headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def api_no_store_middleware(request: web.Request, handler):
    response = await handler(request)
    response.headers.setdefault("Cache-Control", "no-store")
    return response
