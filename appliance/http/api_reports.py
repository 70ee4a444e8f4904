"""Reports across sessions (student history, gradebook, class trends with SVG charts) and exports
(download, full JSON dump, USB stick)."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from appliance import keys
from appliance.classroom import analytics, charts
from appliance.http.access import own_class, own_student_class
from appliance.http.schema import ID, Args, Route, obj, text
from appliance.http.security import json_error
from appliance.reports import export
from appliance.reports.results import class_sessions
from appliance.store import rosters


async def _class_data(request: web.Request, args: Args):
    roster = await own_class(request, args.user, args.path["id"])
    db = request.config_dict[keys.DB]
    return roster, await rosters.all_students(db, roster.id), await class_sessions(db, roster.id)


async def student_history(request: web.Request, args: Args) -> web.Response:
    student_id = args.path["id"]
    db = request.config_dict[keys.DB]
    roster = await own_student_class(request, args.user, student_id)
    student = next(s for s in await rosters.all_students(db, roster.id) if s.id == student_id)
    return web.json_response(analytics.student_history(student, await class_sessions(db, roster.id)))


async def gradebook(request: web.Request, args: Args) -> web.Response:
    roster, students, sessions = await _class_data(request, args)
    book = analytics.gradebook(students, sessions)
    return web.json_response({"class": {"id": roster.id, "name": roster.name}, **book})


async def trends(request: web.Request, args: Args) -> web.Response:
    roster, students, sessions = await _class_data(request, args)
    data = analytics.trends(students, sessions)
    hardest = [(f"{d['text']}", d["percent_correct"]) for d in data["difficulty"][:10]]
    participation = [(f"#{p['session_id']} {p['title']}", p["percent"]) for p in data["participation"][-10:]]
    return web.json_response({
        "class": {"id": roster.id, "name": roster.name}, **data,
        "charts": {"difficulty": charts.bar_chart("Hardest questions (% correct)", hardest),
                   "participation": charts.bar_chart("Participation per session", participation)},
    })


async def dump(request: web.Request, args: Args) -> web.Response:
    body = json.dumps(await export.full_dump(request.config_dict[keys.DB]), indent=1, ensure_ascii=False)
    return web.Response(text=body, content_type="application/json", headers={
        "Content-Disposition": 'attachment; filename="argus-dump.json"'})


async def usb_status(request: web.Request, args: Args) -> web.Response:
    root = Path(request.config_dict[keys.SETTINGS].export.usb_root)
    return web.json_response({"root": str(root), "mounts": [str(m) for m in export.usb_mounts(root)],
                              "ntfs": export.ntfs_supported()})


async def usb_export(request: web.Request, args: Args) -> web.Response:
    root = Path(request.config_dict[keys.SETTINGS].export.usb_root)
    mount = args.body["mount"].strip()
    if Path(mount) not in export.usb_mounts(root):
        return json_error(409, f"{mount} is not a mounted USB stick under {root}; plug it in and refresh")
    files = await export.build_files(request.config_dict[keys.DB])
    loop = asyncio.get_running_loop()
    try:
        folder = await loop.run_in_executor(None, export.write_export, Path(mount), files)
    except export.ExportError as exc:
        return json_error(507, str(exc))
    return web.json_response({"folder": str(folder), "files": sorted(files), "verified": True,
                              "message": "Export written and verified: it is safe to remove the USB stick."})


_CLASS_REF = obj({"id": {"type": "integer"}, "name": {"type": "string"}}, required=["id", "name"])
ROUTES = [
    Route("GET", "/students/{id}/history", student_history, "A student's results across sessions",
          path_params={"id": ID}, responses={200: {"type": "object"}}),
    Route("GET", "/classes/{id}/gradebook", gradebook, "Gradebook: a row per student, a column per session",
          path_params={"id": ID}, responses={200: obj({"class": _CLASS_REF}, required=["class"])}),
    Route("GET", "/classes/{id}/trends", trends, "Question difficulty and participation, with SVG charts",
          path_params={"id": ID}, responses={200: obj({"class": _CLASS_REF, "charts": obj(
              {"difficulty": {"type": "string"}, "participation": {"type": "string"}})}, required=["class"])}),
    Route("GET", "/export/dump.json", dump, "Everything except secrets, as JSON", auth="admin",
          responses={200: {"type": "object"}}),
    Route("GET", "/export/usb", usb_status, "Mounted USB sticks", auth="admin", responses={200: obj(
        {"root": {"type": "string"}, "mounts": {"type": "array", "items": {"type": "string"}},
         "ntfs": {"type": "boolean", "description": "whether sticks formatted NTFS are mounted (ntfs-3g installed)"}})}),
    Route("POST", "/export/usb", usb_export, "Export to a USB stick; answers once written and verified",
          auth="admin", body=obj({"mount": text(4096)}, required=["mount"]),
          responses={200: obj({"folder": {"type": "string"}, "verified": {"type": "boolean"}}),
                     409: "not a mounted USB stick", 507: "the stick could not be written"}),
]
