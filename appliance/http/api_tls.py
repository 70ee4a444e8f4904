"""The HTTPS certificate, for admins: which one is served (with the fingerprint to check it by), and
installing the school's own certificate and key instead of the appliance's."""
from __future__ import annotations

import time

from aiohttp import web

from appliance import keys
from appliance.host.tls import MAX_PEM_BYTES, InvalidCertificate, TlsState
from appliance.http.schema import Args, Route, obj, string
from appliance.http.security import json_error
from appliance.store import audit


def status(app) -> dict:
    """`app`: the root application or a request's config_dict."""
    tls = app.get(keys.TLS)
    return {"https": tls is not None, "https_port": app.get(keys.HTTPS_PORT),
            "certificate": tls.info.as_json() if tls else None}


async def get_tls(request: web.Request, args: Args) -> web.Response:
    return web.json_response(status(request.config_dict))


def _state(request: web.Request) -> TlsState:
    tls = request.config_dict.get(keys.TLS)
    if tls is None:
        raise web.HTTPConflict(text="this appliance serves plain HTTP only (server.https is off, or demo mode)",
                               content_type="text/plain")
    return tls


async def install_certificate(request: web.Request, args: Args) -> web.Response:
    tls = _state(request)
    try:
        info = tls.install(args.body["certificate"].encode(), args.body["key"].encode(), time.time())
    except InvalidCertificate as exc:
        return json_error(400, f"certificate not installed, the current one stays: {exc}")
    await audit.record(request.config_dict[keys.DB], args.user.id, "tls.install",
                       f"installed the certificate {info.subject} (SHA-256 {info.fingerprint_sha256})")
    return web.json_response(status(request.config_dict))


async def remove_certificate(request: web.Request, args: Args) -> web.Response:
    tls = _state(request)
    info = tls.remove_installed(time.time())
    await audit.record(request.config_dict[keys.DB], args.user.id, "tls.remove",
                       f"went back to the appliance's own certificate (SHA-256 {info.fingerprint_sha256})")
    return web.json_response(status(request.config_dict))


_NUMBER, _TEXT = {"type": "number"}, {"type": "string"}
STATUS = obj({"https": {"type": "boolean"}, "https_port": {"type": ["integer", "null"]},
              "certificate": {"type": ["object", "null"], "properties": {
                  "fingerprint_sha256": _TEXT, "subject": _TEXT, "issuer": _TEXT,
                  "names": {"type": "array", "items": _TEXT}, "not_before": _NUMBER, "not_after": _NUMBER,
                  "self_made": {"type": "boolean"}}}},
             required=["https", "https_port", "certificate"])
_PEM = string(MAX_PEM_BYTES)

ROUTES = [
    Route("GET", "/tls", get_tls, "The HTTPS certificate served, with its SHA-256 fingerprint", auth="admin",
          responses={200: STATUS}),
    Route("PUT", "/tls/certificate", install_certificate, "Install the school's certificate chain and key; "
          "checked first (key matches, chain in order, dates current), a refused pair leaves the current one",
          auth="admin", body=obj({"certificate": _PEM, "key": _PEM}, required=["certificate", "key"]),
          responses={200: STATUS, 409: "HTTPS is off"}),
    Route("DELETE", "/tls/certificate", remove_certificate, "Go back to the appliance's own certificate",
          auth="admin", responses={200: STATUS, 409: "HTTPS is off"}),
]
