"""Login, logout and who is asking. Cookies carry a random token; the database keeps only its hash."""
from __future__ import annotations

import asyncio
import time

from aiohttp import web

from appliance import keys
from appliance.accounts import passwords
from appliance.classroom.models import User
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.store import accounts

COOKIE = "argus_session"
_USER = web.RequestKey("argus_user", "User | None")


async def current_user(request: web.Request) -> User | None:
    if _USER not in request:
        token = request.cookies.get(COOKIE)
        request[_USER] = await accounts.user_for_token(request.app[keys.DB], token) if token else None
    return request[_USER]


async def require_user(request: web.Request) -> User:
    user = await current_user(request)
    if user is None:
        raise web.HTTPUnauthorized(text="log in first", content_type="text/plain")
    return user


async def require_admin(request: web.Request) -> User:
    user = await require_user(request)
    if user.role != "admin":
        raise web.HTTPForbidden(text="only an admin may do this", content_type="text/plain")
    return user


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"


async def login(request: web.Request) -> web.Response:
    body = await request.json()
    username = body.get("username") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(username, str) or not isinstance(password, str):
        return json_error(400, "send {\"username\": ..., \"password\": ...} as JSON strings")
    limiter = request.app[keys.LOGIN_LIMITER]
    client = client_address(request)
    wait = limiter.retry_after(client, time.monotonic())
    if wait > 0:
        return json_error(429, f"too many failed logins; try again in {int(wait) + 1} s",
                          **{"Retry-After": str(int(wait) + 1)})
    asyncio.get_running_loop()
    found = await accounts.find_user(request.app[keys.DB], username)
    if found is None:
        await off_loop(request, passwords.dummy_verify, password)
        ok = False
    else:
        ok = await off_loop(request, passwords.verify_password, password, found[1])
    if not ok:
        limiter.failed(client, time.monotonic())
        return json_error(401, "wrong username or password")
    limiter.succeeded(client)
    user = found[0]
    settings = request.app[keys.SETTINGS]
    lifetime = settings.server.login_hours * 3600
    token = await accounts.start_login(request.app[keys.DB], user.id, lifetime)
    response = web.json_response({"username": user.username, "role": user.role})
    response.set_cookie(COOKIE, token, max_age=int(lifetime), httponly=True, samesite="Strict", path="/")
    return response


async def logout(request: web.Request) -> web.Response:
    token = request.cookies.get(COOKIE)
    if token:
        await accounts.end_login(request.app[keys.DB], token)
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    user = await require_user(request)
    return web.json_response({"username": user.username, "role": user.role})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/login", login)
    app.router.add_post("/api/v1/logout", logout)
    app.router.add_get("/api/v1/me", me)
