"""The HTTPS certificate, for admins: which one is served (with the fingerprint to check it by), and
installing the school's own certificate and key instead of the appliance's."""
from __future__ import annotations

import time

from aiohttp import web

from appliance import keys
from appliance.host.tls import InvalidCertificate
from appliance.http.auth import require_admin
from appliance.http.security import json_error
from appliance.http.validation import json_object
from appliance.store import audit


def status(app: web.Application) -> dict:
    tls = app.get(keys.TLS)
    return {"https": tls is not None, "https_port": app.get(keys.HTTPS_PORT),
            "certificate": tls.info.as_json() if tls else None}


async def get_tls(request: web.Request) -> web.Response:
    await require_admin(request)
    return web.json_response(status(request.app))


def _state(request: web.Request):
    tls = request.app.get(keys.TLS)
    if tls is None:
        raise web.HTTPConflict(text="this appliance serves plain HTTP only (server.https is off, or demo mode)",
                               content_type="text/plain")
    return tls


async def install_certificate(request: web.Request) -> web.Response:
    admin = await require_admin(request)
    tls = _state(request)
    body = await json_object(request)
    certificate, key = body.get("certificate"), body.get("key")
    if not isinstance(certificate, str) or not isinstance(key, str):
        return json_error(400, "send {\"certificate\": PEM chain, \"key\": PEM private key} as JSON strings")
    try:
        info = tls.install(certificate.encode(), key.encode(), time.time())
    except InvalidCertificate as exc:
        return json_error(400, f"certificate not installed, the current one stays: {exc}")
    await audit.record(request.app[keys.DB], admin.id, "tls.install",
                       f"installed the certificate {info.subject} (SHA-256 {info.fingerprint_sha256})")
    return web.json_response(status(request.app))


async def remove_certificate(request: web.Request) -> web.Response:
    admin = await require_admin(request)
    tls = _state(request)
    info = tls.remove_installed(time.time())
    await audit.record(request.app[keys.DB], admin.id, "tls.remove",
                       f"went back to the appliance's own certificate (SHA-256 {info.fingerprint_sha256})")
    return web.json_response(status(request.app))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/tls", get_tls)
    app.router.add_put("/api/v1/tls/certificate", install_certificate)
    app.router.add_delete("/api/v1/tls/certificate", remove_certificate)
