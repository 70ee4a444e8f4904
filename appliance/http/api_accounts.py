"""Claiming the appliance, password changes, and the admin's teacher accounts."""
from __future__ import annotations

import asyncio
import sqlite3

from aiohttp import web

from appliance import keys
from appliance.accounts import passwords, setup_code
from appliance.accounts.login_limit import Limited
from appliance.classroom.errors import NotFound
from appliance.classroom.models import User
from appliance.http.auth import (attempt_succeeded, begin_attempt, clear_login_cookie, require_admin, require_user,
                                 set_login_cookie, too_many)
from appliance.http.live import close_user_sockets
from appliance.http.security import json_error
from appliance.http.validation import bad_request, json_object, path_id, str_field
from appliance.store import accounts, audit, sessions


def _password(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or len(value) < passwords.MIN_LENGTH:
        raise bad_request(f"'{name}' must be at least {passwords.MIN_LENGTH} characters")
    if len(value) > 200:
        raise bad_request(f"'{name}' must be at most 200 characters")
    return value


async def _hash(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(None, passwords.hash_password, password)


async def setup_status(request: web.Request) -> web.Response:
    claimed = await accounts.count_users(request.app[keys.DB]) > 0
    return web.json_response({"claimed": claimed})


async def claim(request: web.Request) -> web.Response:
    db = request.app[keys.DB]
    if await accounts.count_users(db):
        return json_error(409, "this appliance has already been set up; log in instead")
    body = await json_object(request)
    code = str_field(body, "code", max_length=40)
    username = str_field(body, "username", max_length=40)
    password = _password(body, "password")
    try:
        # Per address, and for the one code every address is guessing at.
        attempt = begin_attempt(request, "setup-code")
    except Limited as refused:
        return too_many(refused)
    if not await setup_code.code_matches(db, code):
        return json_error(403, "wrong setup code: it is printed in the appliance's log and saved as "
                               f"{setup_code.FILE_NAME} in its data folder (on the Pi: the boot partition)")
    attempt_succeeded(request, attempt)
    try:
        user_id = await setup_code.claim(db, request.app[keys.SETTINGS].data_dir, username, await _hash(password))
    except setup_code.AlreadyClaimed as exc:
        return json_error(409, str(exc))
    settings = request.app[keys.SETTINGS]
    token = await accounts.start_login(db, user_id, settings.server.session_hours * 3600)
    response = web.json_response({"username": username, "role": "admin"}, status=201)
    set_login_cookie(request, response, token)
    return response


async def change_password(request: web.Request) -> web.Response:
    user = await require_user(request)
    body = await json_object(request)
    current = body.get("current")
    new = _password(body, "new")
    if not isinstance(current, str) or len(current) > 200:
        return json_error(403, "the current password is wrong")
    try:
        # A stolen login cookie must not become unlimited guesses at the account's password.
        attempt = begin_attempt(request, f"user:{user.id}")
    except Limited as refused:
        return too_many(refused)
    db = request.app[keys.DB]
    _, stored = await accounts.get_user(db, user.id)
    loop = asyncio.get_running_loop()
    if not await loop.run_in_executor(None, passwords.verify_password, current, stored):
        return json_error(403, "the current password is wrong")
    attempt_succeeded(request, attempt)
    await accounts.set_password(db, user.id, await _hash(new))
    response = web.json_response({"ok": True, "message": "password changed; log in again"})
    clear_login_cookie(request, response)
    return response


async def list_users(request: web.Request) -> web.Response:
    await require_admin(request)
    return web.json_response(await accounts.list_users(request.app[keys.DB]))


async def create_user(request: web.Request) -> web.Response:
    admin = await require_admin(request)
    body = await json_object(request)
    username = str_field(body, "username", max_length=40)
    role = body.get("role", "teacher")
    if role not in ("teacher", "admin"):
        raise bad_request("'role' must be teacher or admin")
    password = _password(body, "password")
    try:
        user = await accounts.create_user(request.app[keys.DB], username, await _hash(password), role)
    except sqlite3.IntegrityError:
        return json_error(409, f"the username {username!r} is taken")
    await audit.record(request.app[keys.DB], admin.id, "user.create", f"added the {role} account {username!r}")
    return web.json_response({"id": user.id, "username": user.username, "role": user.role}, status=201)


async def _target(request: web.Request) -> tuple[User, User]:
    """(the admin asking, the account named in the path)."""
    admin = await require_admin(request)
    user_id = path_id(request)
    found = await accounts.get_user(request.app[keys.DB], user_id)
    if found is None:
        raise NotFound(f"user {user_id} does not exist")
    return admin, found[0]


def _only_teachers(admin: User, target: User, doing: str) -> None:
    if target.id == admin.id:
        raise web.HTTPConflict(text=f"you cannot {doing} your own account", content_type="text/plain")
    if target.role != "teacher":
        raise web.HTTPConflict(text=f"{target.username!r} is an admin; only teacher accounts can be {doing}d",
                               content_type="text/plain")


async def reset_password(request: web.Request) -> web.Response:
    admin, target = await _target(request)
    db = request.app[keys.DB]
    await accounts.set_password(db, target.id, await _hash(_password(await json_object(request), "password")))
    await close_user_sockets(request.app, target.id)
    await audit.record(db, admin.id, "user.password", f"set a new password for {target.username!r}")
    return web.json_response({"ok": True})


async def _set_disabled(request: web.Request, disabled: bool) -> web.Response:
    admin, target = await _target(request)
    _only_teachers(admin, target, "disable" if disabled else "enable")
    db = request.app[keys.DB]
    await accounts.set_disabled(db, target.id, disabled)
    if disabled:
        await close_user_sockets(request.app, target.id)
    await audit.record(db, admin.id, "user.disable" if disabled else "user.enable",
                       f"{'disabled' if disabled else 'enabled'} the account {target.username!r}")
    return web.json_response({"id": target.id, "username": target.username, "disabled": disabled})


async def disable_user(request: web.Request) -> web.Response:
    return await _set_disabled(request, True)


async def enable_user(request: web.Request) -> web.Response:
    return await _set_disabled(request, False)


async def delete_user(request: web.Request) -> web.Response:
    admin, target = await _target(request)
    _only_teachers(admin, target, "delete")
    db = request.app[keys.DB]
    running = await sessions.unfinished_session(db)
    if running is not None and running.teacher_id == target.id:
        return json_error(409, f"{target.username!r} has a lesson running; end it before deleting the account")
    moved = await accounts.delete_user(db, target.id, admin.id)
    await close_user_sockets(request.app, target.id)
    await audit.record(db, admin.id, "user.delete",
                       f"deleted the account {target.username!r}; its {moved['classes']} classes, "
                       f"{moved['quizzes']} quizzes and {moved['sessions']} lessons now belong to "
                       f"{admin.username!r}")
    return web.json_response({"deleted": target.username, "reassigned_to": admin.username, "moved": moved})


async def audit_log(request: web.Request) -> web.Response:
    await require_admin(request)
    return web.json_response(await audit.recent(request.app[keys.DB]))


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/setup", setup_status)
    r.add_post("/api/v1/setup", claim)
    r.add_post("/api/v1/me/password", change_password)
    r.add_get("/api/v1/users", list_users)
    r.add_post("/api/v1/users", create_user)
    r.add_post("/api/v1/users/{id}/password", reset_password)
    r.add_post("/api/v1/users/{id}/disable", disable_user)
    r.add_post("/api/v1/users/{id}/enable", enable_user)
    r.add_delete("/api/v1/users/{id}", delete_user)
    r.add_get("/api/v1/audit", audit_log)
