"""Claiming the appliance, password changes, and the admin's teacher accounts."""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.accounts import passwords, setup_code
from appliance.accounts.login_limit import Limited
from appliance.classroom import usernames
from appliance.classroom.errors import NotFound
from appliance.classroom.models import User
from appliance.http import shapes
from appliance.http.auth import (
    attempt_succeeded,
    begin_attempt,
    clear_login_cookie,
    set_device_cookie,
    set_login_cookie,
    too_many,
)
from appliance.http.schema import ID, Args, Route, obj, one_of, string, text
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.store import accounts, audit, sessions

PASSWORD = string(passwords.MAX_LENGTH, minLength=passwords.MIN_LENGTH)


def _username(name: str) -> str:
    """The username as it is stored (usernames.display), or 400."""
    shown = usernames.display(name)
    if shown is None:
        raise web.HTTPBadRequest(text=passwords.USERNAME_PROBLEM, content_type="text/plain")
    return shown


async def _hash(request: web.Request, password: str, username: str) -> str:
    """The password's hash, or 400 when NIST SP 800-63B's rules refuse it (docs/SECURITY.md)."""
    problem = passwords.problem(password, username)
    if problem:
        raise web.HTTPBadRequest(text=passwords.PROBLEMS[problem], content_type="text/plain")
    return await off_loop(request, passwords.hash_password, password)


async def setup_status(request: web.Request, args: Args) -> web.Response:
    claimed = await accounts.count_users(request.config_dict[keys.DB]) > 0
    return web.json_response({"claimed": claimed})


async def claim(request: web.Request, args: Args) -> web.Response:
    db = request.config_dict[keys.DB]
    if await accounts.count_users(db):
        return json_error(409, "this appliance has already been set up; log in instead")
    code, username, password = args.body["code"].strip(), _username(args.body["username"]), args.body["password"]
    try:
        # Per address, and for the one code every address is guessing at.
        attempt = begin_attempt(request, "setup-code")
    except Limited as refused:
        return too_many(refused)
    if not await setup_code.code_matches(db, code):
        return json_error(403, "wrong setup code: it is printed in the appliance's log and saved as "
                               f"{setup_code.FILE_NAME} in its data folder (on the Pi: the boot partition)")
    attempt_succeeded(request, attempt)
    hashed = await _hash(request, password, username)
    try:
        user_id = await setup_code.claim(db, request.config_dict[keys.SETTINGS].data_dir, username, hashed)
    except setup_code.AlreadyClaimed as exc:
        return json_error(409, str(exc))
    await request.config_dict[keys.SYNC].ensure_key()  # the appliance's signing identity is made at claim
    settings = request.config_dict[keys.SETTINGS]
    token = await accounts.start_login(db, user_id, settings.server.login_hours * 3600,
                                       settings.login.max_logins_per_account)
    response = web.json_response({"username": username, "role": "admin"}, status=201)
    set_login_cookie(request, response, token)
    set_device_cookie(request, response, usernames.key(username), hashed)
    return response


async def change_password(request: web.Request, args: Args) -> web.Response:
    user, current, new = args.user, args.body["current"], args.body["new"]
    try:
        # A stolen login cookie must not become unlimited guesses at the account's password.
        attempt = begin_attempt(request, f"user:{user.id}")
    except Limited as refused:
        return too_many(refused)
    db = request.config_dict[keys.DB]
    _, stored = await accounts.get_user(db, user.id)
    if not await off_loop(request, passwords.verify_password, current, stored):
        return json_error(403, "the current password is wrong")
    attempt_succeeded(request, attempt)
    hashed = await _hash(request, new, user.username)
    await accounts.set_password(db, user.id, hashed)
    request.config_dict[keys.LIVE_CLIENTS].end_user(user.id)
    response = web.json_response({"ok": True, "message": "password changed; log in again"})
    clear_login_cookie(request, response)
    # The new hash revoked every device cookie of the account; this browser, which knew the password, stays one.
    set_device_cookie(request, response, usernames.key(user.username), hashed)
    return response


async def list_users(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await accounts.list_users(request.config_dict[keys.DB]))


async def create_user(request: web.Request, args: Args) -> web.Response:
    username, role, password = _username(args.body["username"]), args.body["role"], args.body["password"]
    db = request.config_dict[keys.DB]
    try:
        user = await accounts.create_user(db, username, await _hash(request, password, username), role)
    except accounts.UsernameTaken as taken:
        return json_error(409, f"the username {username!r} is taken (as {taken.existing!r}: names that look "
                               f"the same are the same name)")
    await audit.record(db, args.user.id, "user.create", f"added the {role} account {username!r}")
    return web.json_response({"id": user.id, "username": user.username, "role": user.role}, status=201)


async def _target(request: web.Request, args: Args) -> User:
    """The account named in the path."""
    user_id = args.path["id"]
    found = await accounts.get_user(request.config_dict[keys.DB], user_id)
    if found is None:
        raise NotFound(f"user {user_id} does not exist")
    return found[0]


def _only_teachers(admin: User, target: User, doing: str) -> None:
    if target.id == admin.id:
        raise web.HTTPConflict(text=f"you cannot {doing} your own account", content_type="text/plain")
    if target.role != "teacher":
        raise web.HTTPConflict(text=f"{target.username!r} is an admin; only teacher accounts can be {doing}d",
                               content_type="text/plain")


async def reset_password(request: web.Request, args: Args) -> web.Response:
    target = await _target(request, args)
    db = request.config_dict[keys.DB]
    await accounts.set_password(db, target.id, await _hash(request, args.body["password"], target.username))
    request.config_dict[keys.LIVE_CLIENTS].end_user(target.id)
    await audit.record(db, args.user.id, "user.password", f"set a new password for {target.username!r}")
    return web.json_response({"ok": True})


async def _set_disabled(request: web.Request, args: Args, disabled: bool) -> web.Response:
    target = await _target(request, args)
    _only_teachers(args.user, target, "disable" if disabled else "enable")
    db = request.config_dict[keys.DB]
    await accounts.set_disabled(db, target.id, disabled)
    if disabled:
        request.config_dict[keys.LIVE_CLIENTS].end_user(target.id)
    await audit.record(db, args.user.id, "user.disable" if disabled else "user.enable",
                       f"{'disabled' if disabled else 'enabled'} the account {target.username!r}")
    return web.json_response({"id": target.id, "username": target.username, "disabled": disabled})


async def disable_user(request: web.Request, args: Args) -> web.Response:
    return await _set_disabled(request, args, True)


async def enable_user(request: web.Request, args: Args) -> web.Response:
    return await _set_disabled(request, args, False)


async def delete_user(request: web.Request, args: Args) -> web.Response:
    admin, target = args.user, await _target(request, args)
    _only_teachers(admin, target, "delete")
    db = request.config_dict[keys.DB]
    running = await sessions.unfinished_session(db)
    if running is not None and running.teacher_id == target.id:
        return json_error(409, f"{target.username!r} has a lesson running; end it before deleting the account")
    moved = await accounts.delete_user(db, target.id, admin.id)
    request.config_dict[keys.LIVE_CLIENTS].end_user(target.id)
    await audit.record(db, admin.id, "user.delete",
                       f"deleted the account {target.username!r}; its {moved['classes']} classes, "
                       f"{moved['quizzes']} quizzes and {moved['sessions']} lessons now belong to "
                       f"{admin.username!r}")
    return web.json_response({"deleted": target.username, "reassigned_to": admin.username, "moved": moved})


async def audit_log(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await audit.recent(request.config_dict[keys.DB]))


_DISABLED = obj({"id": {"type": "integer"}, "username": {"type": "string"}, "disabled": {"type": "boolean"}},
                required=["id", "username", "disabled"])
_NOT_THIS_ONE = "one's own account, or an admin's (only teacher accounts)"
_AUDIT_ENTRY = obj({"id": {"type": "integer"}, "at": {"type": "number"}, "actor_id": {"type": ["integer", "null"]},
                    "actor": {"type": "string"}, "action": {"type": "string"}, "detail": {"type": "string"}},
                   required=["id", "at", "actor_id", "actor", "action", "detail"])

_REFUSED = "a password the rules refuse (docs/SECURITY.md), or a username they refuse"
ROUTES = [
    Route("GET", "/setup", setup_status, "Whether the appliance has been claimed", auth="public",
          responses={200: obj({"claimed": {"type": "boolean"}}, required=["claimed"])}),
    Route("POST", "/setup", claim, "Claim the appliance: the one-time setup code creates the first admin",
          auth="public", body=obj({"code": text(40), "username": text(40), "password": PASSWORD},
                                  required=["code", "username", "password"]),
          responses={201: shapes.LOGGED_IN, 400: _REFUSED, 403: "wrong setup code", 409: "already claimed",
                     429: "too many attempts; Retry-After says when to retry"}),
    Route("POST", "/me/password", change_password, "Change one's own password (ends every login)",
          body=obj({"current": string(200), "new": PASSWORD}, required=["current", "new"]),
          responses={200: obj({"ok": {"type": "boolean"}, "message": {"type": "string"}}), 400: _REFUSED,
                     403: "the current password is wrong",
                     429: "too many attempts; Retry-After says when to retry"}),
    Route("GET", "/users", list_users, "Accounts", auth="admin",
          responses={200: {"type": "array", "items": shapes.USER}}),
    Route("POST", "/users", create_user, "Add a teacher or admin account", auth="admin",
          body=obj({"username": text(40), "password": PASSWORD,
                    "role": one_of("teacher", "admin", default="teacher")}, required=["username", "password"]),
          responses={201: shapes.USER, 400: _REFUSED, 409: "the username (or one that looks the same) is taken"}),
    Route("POST", "/users/{id}/password", reset_password, "Reset an account's password", auth="admin",
          path_params={"id": ID}, body=obj({"password": PASSWORD}, required=["password"]),
          responses={200: shapes.OK, 400: _REFUSED}),
    Route("POST", "/users/{id}/disable", disable_user, "Disable a teacher account: no login, its open logins and "
          "live screens end", auth="admin", path_params={"id": ID}, responses={200: _DISABLED, 409: _NOT_THIS_ONE}),
    Route("POST", "/users/{id}/enable", enable_user, "Enable a disabled teacher account", auth="admin",
          path_params={"id": ID}, responses={200: _DISABLED, 409: _NOT_THIS_ONE}),
    Route("DELETE", "/users/{id}", delete_user, "Delete a teacher account; its classes, quizzes and lessons (with "
          "every result) pass to the admin", auth="admin", path_params={"id": ID},
          responses={200: obj({"deleted": {"type": "string"}, "reassigned_to": {"type": "string"},
                               "moved": obj({"classes": {"type": "integer"}, "quizzes": {"type": "integer"},
                                             "sessions": {"type": "integer"}})},
                              required=["deleted", "reassigned_to", "moved"]),
                     409: _NOT_THIS_ONE + ", or their lesson is running"}),
    Route("GET", "/audit", audit_log, "The newest entries of the audit log of admin actions", auth="admin",
          responses={200: {"type": "array", "items": _AUDIT_ENTRY}}),
]
