"""Claiming the appliance, password changes, and the admin's teacher accounts."""
from __future__ import annotations

import asyncio
import sqlite3
import time

from aiohttp import web

from appliance import keys
from appliance.accounts import passwords, setup_code
from appliance.classroom.errors import NotFound
from appliance.http.auth import COOKIE, client_address, require_admin, require_user
from appliance.http.security import json_error
from appliance.http.validation import bad_request, json_object, path_id, str_field
from appliance.http.work import off_loop
from appliance.store import accounts


def _password(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or len(value) < passwords.MIN_LENGTH:
        raise bad_request(f"'{name}' must be at least {passwords.MIN_LENGTH} characters")
    if len(value) > 200:
        raise bad_request(f"'{name}' must be at most 200 characters")
    return value


async def _hash(request: web.Request, password: str) -> str:
    return await off_loop(request, passwords.hash_password, password)


async def setup_status(request: web.Request) -> web.Response:
    claimed = await accounts.count_users(request.app[keys.DB]) > 0
    return web.json_response({"claimed": claimed})


async def claim(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    if await accounts.count_users(db):
        return json_error(409, "this appliance has already been set up; log in instead")
    limiter, client = request.app[keys.LOGIN_LIMITER], client_address(request)
    wait = limiter.retry_after(client, time.monotonic())
    if wait > 0:
        return json_error(429, f"too many wrong codes; try again in {int(wait) + 1} s")
    body = await json_object(request)
    code = str_field(body, "code", max_length=40)
    username = str_field(body, "username", max_length=40)
    password = _password(body, "password")
    if not await setup_code.code_matches(db, code):
        limiter.failed(client, time.monotonic())
        return json_error(403, "wrong setup code: it is printed in the appliance's log and saved as "
                               f"{setup_code.FILE_NAME} in its data folder (on the Pi: the boot partition)")
    try:
        user_id = await setup_code.claim(db, request.app[keys.SETTINGS].data_dir, username, await _hash(request, password))
    except setup_code.AlreadyClaimed as exc:
        return json_error(409, str(exc))
    await request.app[keys.SYNC].ensure_key()  # the appliance's signing identity is made at claim
    settings = request.app[keys.SETTINGS]
    token = await accounts.start_login(db, user_id, settings.server.login_hours * 3600)
    response = web.json_response({"username": username, "role": "admin"}, status=201)
    response.set_cookie(COOKIE, token, max_age=int(settings.server.login_hours * 3600), httponly=True,
                        samesite="Strict", path="/")
    return response


async def change_password(request: web.Request) -> web.Response:
    user = await require_user(request)
    body = await json_object(request)
    current = body.get("current")
    new = _password(body, "new")
    db = request.app[keys.DB]
    _, stored = await accounts.get_user(db, user.id)
    asyncio.get_running_loop()
    if not isinstance(current, str) or not await off_loop(request, passwords.verify_password, current,
                                                                        stored):
        return json_error(403, "the current password is wrong")
    await accounts.set_password(db, user.id, await _hash(request, new))
    response = web.json_response({"ok": True, "message": "password changed; log in again"})
    response.del_cookie(COOKIE, path="/")
    return response


async def list_users(request: web.Request) -> web.Response:
    await require_admin(request)
    return web.json_response(await accounts.list_users(request.app[keys.DB]))


async def create_user(request: web.Request) -> web.Response:
    await require_admin(request)
    body = await json_object(request)
    username = str_field(body, "username", max_length=40)
    role = body.get("role", "teacher")
    if role not in ("teacher", "admin"):
        raise bad_request("'role' must be teacher or admin")
    password = _password(body, "password")
    try:
        user = await accounts.create_user(request.app[keys.DB], username, await _hash(request, password), role)
    except sqlite3.IntegrityError:
        return json_error(409, f"the username {username!r} is taken")
    return web.json_response({"id": user.id, "username": user.username, "role": user.role}, status=201)


async def reset_password(request: web.Request) -> web.Response:
    await require_admin(request)
    user_id = path_id(request)
    db = request.app[keys.DB]
    if await accounts.get_user(db, user_id) is None:
        raise NotFound(f"user {user_id} does not exist")
    await accounts.set_password(db, user_id, await _hash(request, _password(await json_object(request), "password")))
    return web.json_response({"ok": True})


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/setup", setup_status)
    r.add_post("/api/v1/setup", claim)
    r.add_post("/api/v1/me/password", change_password)
    r.add_get("/api/v1/users", list_users)
    r.add_post("/api/v1/users", create_user)
    r.add_post("/api/v1/users/{id}/password", reset_password)
