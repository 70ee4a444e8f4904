"""Backups for the admin: list, make one now, download, and restore one (from the list or an uploaded file)
while the appliance runs.

A restore is checked before anything changes (store/restore.py), the current state is backed up first, and the
file is swapped while the database is held exclusively (store/gate.py): every request, sync round and engine
step under way finishes on the old file and the next one starts on the new. The lesson engine and the sync
uploader reload from the new file inside the same hold, then every live screen is told and reconnects.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
from pathlib import Path

from aiohttp import web

from appliance import keys
from appliance.accounts import passwords
from appliance.http.auth import COOKIE, require_admin
from appliance.http.schema import Args, Invalid, Reply, Route, Upload, obj, parse_json, string, validate
from appliance.http.security import json_error
from appliance.store import audit, backup, privacy, restore
from appliance.store.db import StoreError
from appliance.store.gate import GateBusy

log = logging.getLogger(__name__)
_NAME_BODY_BYTES = 1_048_576  # JSON {"name": ...}; an uploaded file has storage.restore_max_mb
_WAIT_SECONDS = 60.0  # how long a restore waits for requests and sync rounds under way
_CHUNK = 1 << 16
_SQLITE_TYPES = ("application/vnd.sqlite3", "application/x-sqlite3", "application/octet-stream")
_NAME = string(80, pattern=r"^argus-[a-z0-9-]{1,60}\.db$", description="a backup's file name, as listed")


@web.middleware
async def database_hold_middleware(request: web.Request, handler):
    """Each request sees one database file from start to end: a restore waits for it (store/gate.py).
    Live sockets last for hours and hold nothing; each of their reads goes through the gate by itself."""
    if request.headers.get("Upgrade", "").lower() == "websocket" or keys.DB not in request.config_dict:
        return await handler(request)
    async with request.config_dict[keys.DB].held():
        return await handler(request)


def _dir(request: web.Request) -> Path:
    return request.config_dict[keys.SETTINGS].data_dir / "backups"


async def list_backups(request: web.Request, args: Args) -> web.Response:
    settings = request.config_dict[keys.SETTINGS]
    return web.json_response({"backups": backup.listing(_dir(request)), "keep": settings.storage.backup_keep,
                              "every_hours": settings.storage.backup_hours})


async def make_backup(request: web.Request, args: Args) -> web.Response:
    db, settings = request.config_dict[keys.DB], request.config_dict[keys.SETTINGS]
    path = await backup.make_backup(db, _dir(request), settings.storage.backup_keep, kind="manual")
    await audit.record(db, args.user.id, "backup.make", f"made backup {path.name}")
    entry = next(b for b in backup.listing(_dir(request)) if b["name"] == path.name)
    return web.json_response(entry, status=201)


async def download(request: web.Request, args: Args) -> web.StreamResponse:
    path = backup.find(_dir(request), args.path["name"])
    if path is None:
        return json_error(404, f"no backup called {args.path['name']}")
    return web.FileResponse(path, headers={"Content-Type": "application/vnd.sqlite3",
                                           "Content-Disposition": f'attachment; filename="{path.name}"'})


async def _read_name(request: web.Request) -> bytes:
    """The JSON body naming a backup, held to the route's declared limit (the route reads its body itself)."""
    body = bytearray()
    async for chunk in request.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > _NAME_BODY_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=_NAME_BODY_BYTES, actual_size=len(body),
                                                text=f"a JSON body naming a backup is at most {_NAME_BODY_BYTES} bytes")
    return bytes(body)


async def _receive(request: web.Request, target: Path, limit: int) -> None:
    """The uploaded file, streamed to disk (it may be far larger than a request body is allowed to be)."""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length,
                                            text=f"the file is larger than {limit // 1_048_576} MiB")
    size = 0
    with _private(target) as fh:
        async for chunk in request.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size,
                                                    text=f"the file is larger than {limit // 1_048_576} MiB")
            fh.write(chunk)  # into the page cache: quick; the flush to the SD card runs off the loop
        fh.flush()
        await asyncio.get_running_loop().run_in_executor(None, os.fsync, fh.fileno())
    if size == 0:
        raise Invalid(["the request body is empty: send a backup file, or JSON {\"name\": ...}"])


async def _check_demo(app, candidate: Path) -> None:
    """The rule demo.py applies at start, applied before a restore: demo data (whose admin's password is
    public) never becomes a real appliance's, and demo mode never takes a real appliance's accounts."""
    loop = asyncio.get_running_loop()
    marked, demo_hash, users = await loop.run_in_executor(app[keys.WORK], restore.demo_traits, candidate)
    is_demo = marked or (demo_hash is not None and await loop.run_in_executor(
        app[keys.WORK], passwords.verify_password, "demo", demo_hash))
    if is_demo and not app[keys.SETTINGS].demo:
        raise restore.RestoreRefused("demo", "the file is demo data: its admin \"demo\" has a password everyone "
                                     "knows, so it cannot become this appliance's database")
    if not is_demo and users and app[keys.SETTINGS].demo:
        raise restore.RestoreRefused("demo", "the file holds a real appliance's accounts and this is demo mode: "
                                     "restore it on the real appliance")


def _private(path: Path):
    """A new file only the appliance's user can read: a candidate holds every student's name."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _copy(source: Path, target: Path) -> None:
    with open(source, "rb") as src, _private(target) as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())


async def restore_backup(request: web.Request) -> web.StreamResponse:
    user = await require_admin(request)
    app = request.config_dict
    settings, db = app[keys.SETTINGS], app[keys.DB]
    loop = asyncio.get_running_loop()
    # The candidate lives beside the database so the swap is one rename on the same file system.
    candidate = settings.data_dir / f".restore-{secrets.token_hex(6)}.db"
    try:
        try:
            if request.content_type == "application/json":
                body = validate(parse_json(await _read_name(request)), obj({"name": _NAME}, required=["name"],
                                                                           additionalProperties=False))
                source = backup.find(_dir(request), body["name"])
                if source is None:
                    return json_error(404, f"no backup called {body['name']}")
                what = body["name"]
                await loop.run_in_executor(app[keys.WORK], _copy, source, candidate)
            elif request.content_type in ("", *_SQLITE_TYPES):
                what = "an uploaded file"
                await _receive(request, candidate, settings.storage.restore_max_mb * 1_048_576)
            else:
                return json_error(415, f"send a backup file (application/octet-stream) or JSON {{\"name\": ...}},"
                                       f" not {request.content_type}")
        except Invalid as exc:
            return web.json_response({"error": str(exc), "problems": exc.problems}, status=400)
        try:
            version = await loop.run_in_executor(app[keys.WORK], restore.check_candidate, candidate)
            await _check_demo(app, candidate)
        except restore.RestoreRefused as exc:
            return web.json_response({"error": f"not restored: {exc}", "code": exc.code}, status=422)
        login = await restore.login_row(db, request.cookies.get(COOKIE, ""))
        try:
            async with db.exclusive(_WAIT_SECONDS):
                # Inside the hold: nothing written after this copy can be lost by the swap.
                before = await backup.make_backup(db, _dir(request), settings.storage.backup_keep,
                                                  kind="before-restore")
                try:
                    await db.replace_file(candidate, before)
                except StoreError as exc:  # the file could not be opened or migrated: the state before is back
                    return web.json_response({"error": f"not restored: {exc}; nothing changed",
                                              "code": "migration"}, status=422)
                # A backup from before an erasure still holds the student: they are erased again at once.
                erased_again = await privacy.reapply_erasures(db, settings.data_dir)
                await app[keys.ENGINE].reload()
                await app[keys.SYNC].reload()
                kept = login is not None and await restore.keep_login(db, login)
        except GateBusy as exc:
            return json_error(503, f"not restored: the appliance is busy ({exc}); nothing changed, try again",
                              **{"Retry-After": "10"})
    finally:
        candidate.unlink(missing_ok=True)
    # The restoring admin's id may name nobody, or someone else, in the restored file unless the login was kept.
    await audit.record(db, user.id if kept else None, "backup.restore",
                       f"{user.username} restored {what} (database version {version}); the state before is in "
                       f"{before.name}; {erased_again} student(s) erased since that backup erased again")
    log.warning("%s restored %s; the state before is in %s", user.username, what, before.name)
    # Every live screen reconnects: it is sent the restored state on connect, and teacher pages refetch.
    await app[keys.LIVE_CLIENTS].close_all(b"database restored")
    return web.json_response({"restored": what, "version": version, "backup_before": before.name,
                              "login_kept": kept, "erased_again": erased_again})


BACKUP = obj({"name": {"type": "string"}, "kind": {"enum": ["daily", "manual", "before-restore", "before-update",
                                                            "other"]},
              "created_at": {"type": "number"}, "bytes": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}},
             required=["name", "kind", "created_at", "bytes"])

ROUTES = [
    Route("GET", "/backups", list_backups, "Backups kept on the appliance, newest first: time, size, what made "
          "them", auth="admin", responses={200: obj({"backups": {"type": "array", "items": BACKUP},
                                                      "keep": {"type": "integer", "minimum": 1, "maximum": 365},
                                                      "every_hours": {"type": "number"}})}),
    Route("POST", "/backups", make_backup, "Make a backup now", auth="admin", responses={201: BACKUP}),
    Route("GET", "/backups/{name}", download, "Download one backup (a SQLite file)", auth="admin",
          path_params={"name": _NAME},
          responses={200: Reply("the backup", content_type="application/vnd.sqlite3")}),
    Route("POST", "/backups/restore", restore_backup,
          "Restore a backup: JSON {\"name\": ...} for one in the list, or the file itself as the body. Checked "
          "first (integrity, an Argus database, not newer); the current state is backed up first; live screens "
          "reconnect", auth="admin", raw=True,
          body=Upload(("application/json", *_SQLITE_TYPES), max_bytes=_NAME_BODY_BYTES,
                      description="JSON {\"name\": \"argus-daily-...db\"}, or a backup file of at most "
                                  "storage.restore_max_mb"),
          responses={200: obj({"restored": {"type": "string"}, "version": {"type": "integer", "minimum": 1,
                                                                           "maximum": 999},
                               "backup_before": {"type": "string"}, "login_kept": {"type": "boolean"},
                               "erased_again": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}}),
                     400: "neither a file nor {\"name\": ...}", 404: "no backup of that name",
                     422: "refused: damaged, not an Argus database, or newer; nothing changed",
                     503: "busy: nothing changed, try again"}),
]
