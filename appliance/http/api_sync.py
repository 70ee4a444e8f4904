"""Cloud sync for the admin: state, on/off, "sync now", the public signing key. `argus sync` reaches the same
routes with the local admin token (appliance/sync/local_admin.py) instead of a login cookie."""
from __future__ import annotations

import ipaddress

from aiohttp import web

from appliance import keys
from appliance.classroom.models import User
from appliance.http.auth import require_admin
from appliance.http.schema import Args, Reply, Route, boolean, obj
from appliance.http.security import json_error
from appliance.sync import local_admin

_LOCAL_ADMIN = User(0, "argus sync (local)", "admin")


def _loopback(request: web.Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


async def admin_or_local_token(request: web.Request) -> User:
    """The API's "admin" check: a logged-in admin, or, for the sync routes only, the bearer token the running
    appliance wrote to <data dir>/local-admin.json, sent from this machine."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and request.path.startswith("/api/v1/sync"):
        if _loopback(request) and local_admin.matches(request.config_dict[keys.LOCAL_ADMIN_TOKEN], header[7:]):
            return _LOCAL_ADMIN
        raise web.HTTPUnauthorized(text="the local admin token is wrong or was sent from another machine",
                                   content_type="text/plain")
    return await require_admin(request)


def _not_configured() -> web.Response:
    return json_error(409, "no sync target is configured: set one up on the admin page (or in config.toml) first")


async def status(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await request.config_dict[keys.SYNC].status())


async def change(request: web.Request, args: Args) -> web.Response:
    service = request.config_dict[keys.SYNC]
    if args.body["enabled"] and not service.configured:
        return _not_configured()
    return web.json_response(await service.set_enabled(args.body["enabled"]))


async def now(request: web.Request, args: Args) -> web.Response:
    service = request.config_dict[keys.SYNC]
    if not service.configured:
        return _not_configured()
    return web.json_response(await service.sync_now())


async def public_key(request: web.Request, args: Args) -> web.Response:
    service = request.config_dict[keys.SYNC]
    pem = await service.public_key_pem()
    if pem is None:
        return json_error(404, "the signing key is made when the appliance is claimed")
    return web.Response(text=pem, content_type="application/x-pem-file", headers={
        "Content-Disposition": f'attachment; filename="argus-{service.appliance_id}.pub.pem"'})


_NUM_OR_NULL = {"type": ["number", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}
SYNC_STATUS = obj({
    "target": {"type": "string"}, "configured": {"type": "boolean"}, "enabled": {"type": "boolean"},
    "state": {"enum": ["off", "misconfigured", "paused", "idle", "uploading", "retrying", "stopped",
                       "waiting_for_clock", "waiting_for_claim"]},
    "pending": {"type": "integer"}, "pending_files": {"type": "integer"}, "pending_since": _NUM_OR_NULL,
    "delivered": {"type": "integer"}, "delivered_files": {"type": "integer"}, "last_success": _NUM_OR_NULL,
    "last_error": _STR_OR_NULL, "last_error_at": _NUM_OR_NULL, "alert": _STR_OR_NULL,
    "retry_in_seconds": _NUM_OR_NULL, "encrypted": {"type": "boolean"}, "clock_synchronised": {"type": "boolean"},
    "appliance_id": {"type": "string"}, "public_key": _STR_OR_NULL,
    "source": {"enum": ["config.toml", "admin page"]}, "endpoint": {"type": "string"}, "region": {"type": "string"},
    "recipient": {"type": "string"}, "interval_seconds": {"type": "number"}, "credentials_set": {"type": "boolean"},
}, required=["target", "configured", "enabled", "state", "pending", "pending_files", "pending_since", "delivered",
             "delivered_files", "last_success", "last_error", "alert", "clock_synchronised", "appliance_id"])

ROUTES = [
    Route("GET", "/sync", status, "Cloud sync: target, state, pending (since), delivered, last success and error",
          auth="admin", responses={200: SYNC_STATUS}),
    Route("PATCH", "/sync", change, "Turn cloud sync on or off", auth="admin",
          body=obj({"enabled": boolean()}, required=["enabled"]),
          responses={200: SYNC_STATUS, 409: "no sync target is configured"}),
    Route("POST", "/sync/now", now, "Deliver everything pending; answers once delivered or failed", auth="admin",
          responses={200: SYNC_STATUS, 409: "no sync target is configured"}),
    Route("GET", "/sync/public-key.pem", public_key, "The Ed25519 public key that signs every synced object",
          auth="admin", responses={200: Reply("PEM", content_type="application/x-pem-file"),
                                   404: "not claimed yet"}),
]
