"""Login, logout and who is asking. Cookies carry a random token; the database keeps only its hash."""
from __future__ import annotations

import time

from aiohttp import web

from appliance import keys
from appliance.accounts import devices, passwords
from appliance.accounts.login_limit import Attempt, Limited
from appliance.classroom import usernames
from appliance.classroom.models import User
from appliance.http import shapes
from appliance.http.addresses import client_key
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


def _guesser(request: web.Request) -> str:
    """Who is guessing: the client's address, or its /64 for a remote IPv6 one (http/addresses.py)."""
    sock = request.transport.get_extra_info("sockname") if request.transport is not None else None
    return client_key(request.remote, sock[0] if isinstance(sock, tuple) else None)


def too_many(refused: Limited) -> web.Response:
    return json_error(429, str(refused), **{"Retry-After": refused.retry_after_header})


def begin_attempt(request: web.Request, *names: str) -> Attempt:
    """Count a password (or setup code) guess from this address and under `names`; raises Limited.

    Synchronous on purpose: it runs before any await, so concurrent guesses are all counted."""
    return request.config_dict[keys.LOGIN_LIMITER].others.begin((f"address:{_guesser(request)}", *names),
                                                                time.monotonic())


def attempt_succeeded(request: web.Request, attempt: Attempt) -> None:
    request.config_dict[keys.LOGIN_LIMITER].others.succeeded(attempt)


def set_login_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    lifetime = request.config_dict[keys.SETTINGS].server.login_hours * 3600
    # Secure whenever the request came over HTTPS: the browser then never sends the cookie in clear.
    response.set_cookie(COOKIE, token, max_age=int(lifetime), httponly=True, samesite="Strict", path="/",
                        secure=request.secure)


def clear_login_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/", secure=request.secure, httponly=True, samesite="Strict")


async def login(request: web.Request, args: Args) -> web.Response:
    username, password = args.body["username"], args.body["password"]
    guard, device_key = request.config_dict[keys.LOGIN_LIMITER], request.config_dict[keys.DEVICE_KEY]
    name = usernames.key(username)
    db = request.config_dict[keys.DB]
    found = await accounts.find_user(db, username)
    # The limits are checked and counted with no await in between, so concurrent guesses are all counted.
    device = guard.known(devices.known_device(device_key, request.cookies.get(devices.COOKIE), name,
                                              found[1] if found else None))
    try:
        attempt = guard.begin(_guesser(request), name, device, time.monotonic())
    except Limited as refused:
        return too_many(refused)
    over = Limited(attempt.address_wait) if attempt.address_wait > 0 else None
    if found is None:
        if over:  # the address's wrong guesses are spent: no more hashing for names that do not exist
            return too_many(over)
        await off_loop(request, passwords.dummy_verify, password)
        ok = False
    else:
        ok = await off_loop(request, passwords.verify_password, password, found[1])
    if not ok:
        if device is not None:
            guard.device_failed(device)
        return too_many(over) if over else json_error(401, "wrong username or password")
    guard.succeeded(attempt)
    user = found[0]
    if await accounts.is_disabled(db, user.id):
        return json_error(403, f"the account {user.username!r} is disabled; ask your Argus admin")
    settings = request.config_dict[keys.SETTINGS]
    token = await accounts.start_login(db, user.id, settings.server.login_hours * 3600,
                                       settings.login.max_logins_per_account)
    response = web.json_response({"username": user.username, "role": user.role})
    set_login_cookie(request, response, token)
    if device is None:
        set_device_cookie(request, response, name, found[1])
    return response


def set_device_cookie(request: web.Request, response: web.StreamResponse, name: str, password_hash: str) -> None:
    """This browser is now a known device for the username `name` (usernames.key) with this password: see
    devices.py."""
    token = devices.token(request.config_dict[keys.DEVICE_KEY], name, password_hash)
    response.set_cookie(devices.COOKIE, token, max_age=365 * 86400, httponly=True, samesite="Strict",
                        path="/api/v1/login", secure=request.secure)


async def logout(request: web.Request, args: Args) -> web.Response:
    token = request.cookies.get(COOKIE)
    if token:
        await accounts.end_login(request.config_dict[keys.DB], token)
        request.config_dict[keys.LIVE_CLIENTS].end_login(token)
    response = web.json_response({"ok": True})
    clear_login_cookie(request, response)
    return response


async def me(request: web.Request, args: Args) -> web.Response:
    return web.json_response({"username": args.user.username, "role": args.user.role})


ROUTES = [
    Route("POST", "/login", login, "Log in; sets an HttpOnly login cookie", auth="public",
          body=obj({"username": string(100), "password": string(passwords.MAX_LENGTH)}, required=["username", "password"]),
          responses={200: shapes.LOGGED_IN, 401: "wrong username or password",
                     403: "the account is disabled", 429: "too many attempts; Retry-After says when to retry"}),
    Route("POST", "/logout", logout, "Log out", auth="public", responses={200: shapes.OK}),
    Route("GET", "/me", me, "The logged-in user", responses={200: shapes.LOGGED_IN}),
]
