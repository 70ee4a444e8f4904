"""Claiming the appliance, password changes, and the admin's teacher accounts."""
from __future__ import annotations

import sqlite3
import time

from aiohttp import web

from appliance import keys
from appliance.accounts import passwords, setup_code
from appliance.classroom.errors import NotFound
from appliance.http import shapes
from appliance.http.auth import COOKIE, client_address
from appliance.http.schema import ID, Args, Route, obj, one_of, string, text
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.store import accounts

PASSWORD = string(200, minLength=passwords.MIN_LENGTH)


async def _hash(request: web.Request, password: str) -> str:
    return await off_loop(request, passwords.hash_password, password)


async def setup_status(request: web.Request, args: Args) -> web.Response:
    claimed = await accounts.count_users(request.config_dict[keys.DB]) > 0
    return web.json_response({"claimed": claimed})


async def claim(request: web.Request, args: Args) -> web.Response:
    db = request.config_dict[keys.DB]
    if await accounts.count_users(db):
        return json_error(409, "this appliance has already been set up; log in instead")
    limiter, client = request.config_dict[keys.LOGIN_LIMITER], client_address(request)
    wait = limiter.retry_after(client, time.monotonic())
    if wait > 0:
        return json_error(429, f"too many wrong codes; try again in {int(wait) + 1} s")
    code, username, password = args.body["code"].strip(), args.body["username"].strip(), args.body["password"]
    if not await setup_code.code_matches(db, code):
        limiter.failed(client, time.monotonic())
        return json_error(403, "wrong setup code: it is printed in the appliance's log and saved as "
                               f"{setup_code.FILE_NAME} in its data folder (on the Pi: the boot partition)")
    try:
        user_id = await setup_code.claim(db, request.config_dict[keys.SETTINGS].data_dir, username,
                                         await _hash(request, password))
    except setup_code.AlreadyClaimed as exc:
        return json_error(409, str(exc))
    await request.config_dict[keys.SYNC].ensure_key()  # the appliance's signing identity is made at claim
    settings = request.config_dict[keys.SETTINGS]
    token = await accounts.start_login(db, user_id, settings.server.login_hours * 3600)
    response = web.json_response({"username": username, "role": "admin"}, status=201)
    response.set_cookie(COOKIE, token, max_age=int(settings.server.login_hours * 3600), httponly=True,
                        samesite="Strict", path="/")
    return response


async def change_password(request: web.Request, args: Args) -> web.Response:
    user, current, new = args.user, args.body["current"], args.body["new"]
    db = request.config_dict[keys.DB]
    _, stored = await accounts.get_user(db, user.id)
    if not await off_loop(request, passwords.verify_password, current,
                                                                        stored):
        return json_error(403, "the current password is wrong")
    await accounts.set_password(db, user.id, await _hash(request, new))
    response = web.json_response({"ok": True, "message": "password changed; log in again"})
    response.del_cookie(COOKIE, path="/")
    return response


async def list_users(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await accounts.list_users(request.config_dict[keys.DB]))


async def create_user(request: web.Request, args: Args) -> web.Response:
    username, role, password = args.body["username"].strip(), args.body["role"], args.body["password"]
    try:
        user = await accounts.create_user(request.config_dict[keys.DB], username, await _hash(request, password), role)
    except sqlite3.IntegrityError:
        return json_error(409, f"the username {username!r} is taken")
    return web.json_response({"id": user.id, "username": user.username, "role": user.role}, status=201)


async def reset_password(request: web.Request, args: Args) -> web.Response:
    user_id = args.path["id"]
    db = request.config_dict[keys.DB]
    if await accounts.get_user(db, user_id) is None:
        raise NotFound(f"user {user_id} does not exist")
    await accounts.set_password(db, user_id, await _hash(request, args.body["password"]))
    return web.json_response({"ok": True})


ROUTES = [
    Route("GET", "/setup", setup_status, "Whether the appliance has been claimed", auth="public",
          responses={200: obj({"claimed": {"type": "boolean"}}, required=["claimed"])}),
    Route("POST", "/setup", claim, "Claim the appliance: the one-time setup code creates the first admin",
          auth="public", body=obj({"code": text(40), "username": text(40), "password": PASSWORD},
                                  required=["code", "username", "password"]),
          responses={201: shapes.LOGGED_IN, 403: "wrong setup code", 409: "already claimed",
                     429: "too many wrong codes"}),
    Route("POST", "/me/password", change_password, "Change one's own password (ends every login)",
          body=obj({"current": string(200), "new": PASSWORD}, required=["current", "new"]),
          responses={200: obj({"ok": {"type": "boolean"}, "message": {"type": "string"}}),
                     403: "the current password is wrong"}),
    Route("GET", "/users", list_users, "Accounts", auth="admin",
          responses={200: {"type": "array", "items": shapes.USER}}),
    Route("POST", "/users", create_user, "Add a teacher or admin account", auth="admin",
          body=obj({"username": text(40), "password": PASSWORD,
                    "role": one_of("teacher", "admin", default="teacher")}, required=["username", "password"]),
          responses={201: shapes.USER, 409: "the username is taken"}),
    Route("POST", "/users/{id}/password", reset_password, "Reset an account's password", auth="admin",
          path_params={"id": ID}, body=obj({"password": PASSWORD}, required=["password"]),
          responses={200: shapes.OK}),
]
