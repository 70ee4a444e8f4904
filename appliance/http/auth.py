"""Login, logout and who is asking. Cookies carry a random token; the database keeps only its hash."""
from __future__ import annotations

import time

from aiohttp import web

from appliance import keys
from appliance.accounts import passwords
from appliance.classroom.models import User
from appliance.http import shapes
from appliance.http.schema import Args, Route, obj, string
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.store import accounts

COOKIE = "argus_session"
_USER = web.RequestKey("argus_user", "User | None")


async def current_user(request: web.Request) -> User | None:
    if _USER not in request:
        token = request.cookies.get(COOKIE)
        request[_USER] = await accounts.user_for_token(request.config_dict[keys.DB], token) if token else None
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


async def login(request: web.Request, args: Args) -> web.Response:
    username, password = args.body["username"], args.body["password"]
    limiter = request.config_dict[keys.LOGIN_LIMITER]
    client = client_address(request)
    wait = limiter.retry_after(client, time.monotonic())
    if wait > 0:
        return json_error(429, f"too many failed logins; try again in {int(wait) + 1} s",
                          **{"Retry-After": str(int(wait) + 1)})
    found = await accounts.find_user(request.config_dict[keys.DB], username)
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
    settings = request.config_dict[keys.SETTINGS]
    lifetime = settings.server.login_hours * 3600
    token = await accounts.start_login(request.config_dict[keys.DB], user.id, lifetime)
    response = web.json_response({"username": user.username, "role": user.role})
    response.set_cookie(COOKIE, token, max_age=int(lifetime), httponly=True, samesite="Strict", path="/")
    return response


async def logout(request: web.Request, args: Args) -> web.Response:
    token = request.cookies.get(COOKIE)
    if token:
        await accounts.end_login(request.config_dict[keys.DB], token)
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


async def me(request: web.Request, args: Args) -> web.Response:
    return web.json_response({"username": args.user.username, "role": args.user.role})


ROUTES = [
    Route("POST", "/login", login, "Log in; sets an HttpOnly login cookie", auth="public",
          body=obj({"username": string(100), "password": string(200)}, required=["username", "password"]),
          responses={200: shapes.LOGGED_IN, 401: "wrong username or password", 429: "too many failed logins"}),
    Route("POST", "/logout", logout, "Log out", auth="public", responses={200: shapes.OK}),
    Route("GET", "/me", me, "The logged-in user", responses={200: shapes.LOGGED_IN}),
]
