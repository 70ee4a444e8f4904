"""Reports across sessions (student history, gradebook, class trends with SVG charts) and exports
(download, full JSON dump, USB stick)."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from appliance import keys
from appliance.classroom import analytics, charts, reports
from appliance.http.access import own_class, own_student_class
from appliance.http.auth import require_admin, require_user
from appliance.http.security import json_error
from appliance.http.validation import json_object, path_id, str_field
from appliance.reports import export
from appliance.reports.results import class_sessions
from appliance.store import rosters


async def _class_data(request: web.Request):
    user = await require_user(request)
    roster = await own_class(request, user, path_id(request))
    db = request.app[keys.DB]
    return roster, await rosters.all_students(db, roster.id), await class_sessions(db, roster.id)


async def student_history(request: web.Request) -> web.Response:
    user = await require_user(request)
    student_id = path_id(request)
    db = request.app[keys.DB]
    roster = await own_student_class(request, user, student_id)
    student = next(s for s in await rosters.all_students(db, roster.id) if s.id == student_id)
    return web.json_response(analytics.student_history(student, await class_sessions(db, roster.id)))


async def gradebook(request: web.Request) -> web.Response:
    roster, students, sessions = await _class_data(request)
    book = analytics.gradebook(students, sessions)
    if request.match_info.get("csv"):
        return web.Response(text=reports.gradebook_csv(book), content_type="text/csv", charset="utf-8", headers={
            "Content-Disposition": f'attachment; filename="gradebook-class-{roster.id}.csv"'})
    return web.json_response({"class": {"id": roster.id, "name": roster.name}, **book})


async def trends(request: web.Request) -> web.Response:
    roster, students, sessions = await _class_data(request)
    data = analytics.trends(students, sessions)
    hardest = [(f"{d['text']}", d["percent_correct"]) for d in data["difficulty"][:10]]
    participation = [(f"#{p['session_id']} {p['title']}", p["percent"]) for p in data["participation"][-10:]]
    return web.json_response({
        "class": {"id": roster.id, "name": roster.name}, **data,
        "charts": {"difficulty": charts.bar_chart("Hardest questions (% correct)", hardest),
                   "participation": charts.bar_chart("Participation per session", participation)},
    })


async def dump(request: web.Request) -> web.Response:
    await require_admin(request)
    body = json.dumps(await export.full_dump(request.app[keys.DB]), indent=1, ensure_ascii=False)
    return web.Response(text=body, content_type="application/json", headers={
        "Content-Disposition": 'attachment; filename="argus-dump.json"'})


async def usb_status(request: web.Request) -> web.Response:
    await require_admin(request)
    root = Path(request.app[keys.SETTINGS].export.usb_root)
    return web.json_response({"root": str(root), "mounts": [str(m) for m in export.usb_mounts(root)]})


async def usb_export(request: web.Request) -> web.Response:
    await require_admin(request)
    root = Path(request.app[keys.SETTINGS].export.usb_root)
    mount = str_field(await json_object(request), "mount", max_length=4096)
    if Path(mount) not in export.usb_mounts(root):
        return json_error(409, f"{mount} is not a mounted USB stick under {root}; plug it in and refresh")
    files = await export.build_files(request.app[keys.DB])
    loop = asyncio.get_running_loop()
    try:
        folder = await loop.run_in_executor(None, export.write_export, Path(mount), files)
    except export.ExportError as exc:
        return json_error(507, str(exc))
    return web.json_response({"folder": str(folder), "files": sorted(files), "verified": True,
                              "message": "Export written and verified: it is safe to remove the USB stick."})


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/students/{id}/history", student_history)
    r.add_get("/api/v1/classes/{id}/gradebook", gradebook)
    r.add_get("/api/v1/classes/{id}/gradebook{csv:\\.csv}", gradebook)
    r.add_get("/api/v1/classes/{id}/trends", trends)
    r.add_get("/api/v1/export/dump.json", dump)
    r.add_get("/api/v1/export/usb", usb_status)
    r.add_post("/api/v1/export/usb", usb_export)
