"""Cloud sync for the admin: state, on/off, "sync now", the public signing key. `argus sync` uses the same
endpoints with the local admin token (appliance/sync/local_admin.py) instead of a login cookie."""
from __future__ import annotations

import ipaddress

from aiohttp import web

from appliance import keys
from appliance.http.auth import require_admin
from appliance.http.validation import bad_request, json_object
from appliance.sync import local_admin


def _loopback(request: web.Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


async def _require_sync_admin(request: web.Request) -> None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        if _loopback(request) and local_admin.matches(request.app[keys.LOCAL_ADMIN_TOKEN], header[7:]):
            return
        raise web.HTTPUnauthorized(text="the local admin token is wrong or was sent from another machine",
                                   content_type="text/plain")
    await require_admin(request)


async def status(request: web.Request) -> web.Response:
    await _require_sync_admin(request)
    return web.json_response(await request.app[keys.SYNC].status())


async def change(request: web.Request) -> web.Response:
    await _require_sync_admin(request)
    body = await json_object(request)
    if not isinstance(body.get("enabled"), bool):
        raise bad_request("'enabled' must be true or false")
    service = request.app[keys.SYNC]
    if body["enabled"] and not service.configured:
        raise web.HTTPConflict(text="no sync target is configured: set [sync] target in config.toml first",
                               content_type="text/plain")
    return web.json_response(await service.set_enabled(body["enabled"]))


async def now(request: web.Request) -> web.Response:
    await _require_sync_admin(request)
    service = request.app[keys.SYNC]
    if not service.configured:
        raise web.HTTPConflict(text="no sync target is configured: set [sync] target in config.toml first",
                               content_type="text/plain")
    return web.json_response(await service.sync_now())


async def public_key(request: web.Request) -> web.Response:
    await _require_sync_admin(request)
    service = request.app[keys.SYNC]
    pem = await service.public_key_pem()
    if pem is None:
        raise web.HTTPNotFound(text="the signing key is made when the appliance is claimed",
                               content_type="text/plain")
    appliance_id = (await service.status())["appliance_id"]
    return web.Response(text=pem, content_type="application/x-pem-file", headers={
        "Content-Disposition": f'attachment; filename="argus-{appliance_id}.pub.pem"'})


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/sync", status)
    r.add_patch("/api/v1/sync", change)
    r.add_post("/api/v1/sync/now", now)
    r.add_get("/api/v1/sync/public-key.pem", public_key)
