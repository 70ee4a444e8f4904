"""OneRoster CSV zips in: `POST /api/v1/classes/import` creates a class per OneRoster class, or updates the
one imported before (by sourcedId). ?dry_run=1 answers what would change without writing anything.

Who owns each class: an admin's import gives a class to the account of its teacher in the file (matched by
username or e-mail) when there is one, else to the admin; a teacher's import keeps only the classes the file
names them teacher of (all of them when it names them nowhere, as in a teacher's own export). No account is
ever created from a file."""
from __future__ import annotations

import asyncio

from aiohttp import web

from appliance.classroom.formats import oneroster, zipsafe
from appliance import keys
from appliance.http.auth import require_user
from appliance.http.security import json_error
from appliance.http.validation import card_count
from appliance.store import accounts, rosters

ZIP_TYPES = ("application/zip", "application/x-zip-compressed")


def _parse(data: bytes) -> oneroster.RosterFile:
    return oneroster.parse(zipsafe.read_members(data, "OneRoster zip"))


async def import_classes(request: web.Request) -> web.Response:
    user = await require_user(request)
    if request.content_type not in ZIP_TYPES:
        return json_error(415, "send the OneRoster CSV export as a zip (Content-Type: application/zip)")
    data = await request.read()
    roster_file = await asyncio.get_running_loop().run_in_executor(None, _parse, data)
    db = request.app[keys.DB]
    usernames = {u["username"].casefold(): u["id"] for u in await accounts.list_users(db)}
    names = {v: k for k, v in usernames.items()}
    matches = {c.sourced_id: oneroster.match_teacher(c, usernames) for c in roster_file.classes}
    if user.role == "admin":
        chosen = [(matches[c.sourced_id][0] or user.id, c) for c in roster_file.classes]
    else:
        mine = [c for c in roster_file.classes if matches[c.sourced_id][0] == user.id]
        chosen = [(user.id, c) for c in (mine or roster_file.classes)]
    dry_run = request.query.get("dry_run") in ("1", "true")
    summary = await rosters.import_oneroster(db, chosen, card_count(request), dry_run=dry_run)
    for entry, (_, cls) in zip(summary, chosen):
        entry.update({"title": cls.title, "course": cls.course, "term": cls.term, "owner": names.get(entry["owner_id"]),
                      "teacher_matched": matches[cls.sourced_id][1],
                      "teachers_in_file": [t.username or t.email or t.name for t in cls.teachers]})
    return web.json_response({"version": roster_file.version, "dry_run": dry_run, "classes": summary,
                              "told_apart": list(roster_file.told_apart),
                              "not_imported": len(roster_file.classes) - len(chosen)},
                             status=200 if dry_run else 201)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/classes/import", import_classes)
