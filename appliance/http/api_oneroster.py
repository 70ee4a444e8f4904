"""OneRoster CSV zips in: `POST /api/v1/classes/import` creates a class per OneRoster class, or updates the
one imported before (by sourcedId). ?dry_run=1 answers what would change without writing anything.

Who owns each class: an admin's import gives a class to the account of its teacher in the file (matched by
username or e-mail) when there is one, else to the admin; a teacher's import keeps only the classes the file
names them teacher of (all of them when it names them nowhere, as in a teacher's own export). No account is
ever created from a file."""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.classroom.formats import oneroster, zipsafe
from appliance.http.schema import Args, Route, Setting, Upload, obj, one_of
from appliance.http.validation import card_count
from appliance.http.work import off_loop
from appliance.store import accounts, rosters

# A zip's media type as browsers and tools send it; the bytes themselves decide (zipsafe refuses a non-zip).
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")


def _parse(data: bytes) -> oneroster.RosterFile:
    return oneroster.parse(zipsafe.read_members(data, "OneRoster zip"))


async def import_classes(request: web.Request, args: Args) -> web.Response:
    user = args.user
    roster_file = await off_loop(request, _parse, args.body)
    db = request.config_dict[keys.DB]
    usernames = {u["username"].casefold(): u["id"] for u in await accounts.list_users(db)}
    names = {v: k for k, v in usernames.items()}
    matches = {c.sourced_id: oneroster.match_teacher(c, usernames) for c in roster_file.classes}
    if user.role == "admin":
        chosen = [(matches[c.sourced_id][0] or user.id, c) for c in roster_file.classes]
    else:
        mine = [c for c in roster_file.classes if matches[c.sourced_id][0] == user.id]
        chosen = [(user.id, c) for c in (mine or roster_file.classes)]
    dry_run = args.query.get("dry_run") == 1
    summary = await rosters.import_oneroster(db, chosen, card_count(request), dry_run=dry_run)
    for entry, (_, cls) in zip(summary, chosen):
        entry.update({"title": cls.title, "course": cls.course, "term": cls.term, "owner": names.get(entry["owner_id"]),
                      "teacher_matched": matches[cls.sourced_id][1],
                      "teachers_in_file": [t.username or t.email or t.name for t in cls.teachers]})
    return web.json_response({"version": roster_file.version, "dry_run": dry_run, "classes": summary,
                              "told_apart": list(roster_file.told_apart),
                              "not_imported": len(roster_file.classes) - len(chosen)},
                             status=200 if dry_run else 201)


_SUMMARY = obj({"version": {"type": "string"}, "dry_run": {"type": "boolean"},
                "classes": {"type": "array", "items": {"type": "object"}},
                "told_apart": {"type": "array", "items": {"type": "string"}}, "not_imported": {"type": "integer"}},
               required=["version", "classes"])
ROUTES = [
    Route("POST", "/classes/import", import_classes,
          "Import a OneRoster 1.1/1.2 CSV zip: a class per OneRoster class with its students; re-importing "
          "updates by sourcedId. ?dry_run=1 plans without writing. Problems name their file and line",
          query=obj({"dry_run": one_of(0, 1)}), body=Upload(ZIP_TYPES, Setting("server.max_body_bytes")),
          responses={200: _SUMMARY, 201: _SUMMARY}),
]
