"""Privacy requests for the admin and the class's teacher: one student's data exported (JSON and CSV in one
zip) or erased everywhere, and the page a data-protection officer reads (docs/PRIVACY.md, served at /privacy).
The erasure is audited without the name: the log keeps the student's number and class, not who they were."""
from __future__ import annotations

import io
import json
import zipfile

from aiohttp import web

from appliance import keys
from appliance.classroom.spreadsheet import csv_text
from appliance.http.pages import STATIC_DIR
from appliance.http.schema import ID, MAX_ID, Args, Reply, Route, obj
from appliance.http.security import json_error
from appliance.store import audit, privacy

_CSV_COLUMNS = ("session_id", "lesson_at", "quiz", "question", "question_text", "card", "answer", "first_answer",
                "correct", "first_seen", "last_changed", "changes")


async def _allowed(request: web.Request, args: Args) -> int | None:
    """The student's id when the caller is an admin or the teacher of their class; 404 otherwise (another
    teacher's student is none of their business, not even its existence)."""
    student_id = args.path["id"]
    owner = await privacy.student_owner(request.config_dict[keys.DB], student_id)
    if owner is None or (args.user.role != "admin" and owner != args.user.id):
        raise web.HTTPNotFound(text=f"no student {student_id} in your classes")
    return student_id


def _zip(data: dict) -> bytes:
    # One CSV writer for the whole appliance: a question starting with "=" stays text in a spreadsheet.
    table = csv_text([_CSV_COLUMNS, *([answer.get(c) for c in _CSV_COLUMNS] for answer in data["answers"])])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("student.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("answers.csv", table)
    return out.getvalue()


async def export_student(request: web.Request, args: Args) -> web.Response:
    student_id = await _allowed(request, args)
    data = await privacy.export_student(request.config_dict[keys.DB], student_id)
    await audit.record(request.config_dict[keys.DB], args.user.id, "student.export",
                       f"exported everything held about student {student_id} (class {data['class']['id']})")
    return web.Response(body=_zip(data), content_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="argus-student-{student_id}.zip"'})


async def every_student(request: web.Request, args: Args) -> web.Response:
    owner = None if args.user.role == "admin" else args.user.id
    return web.json_response(await privacy.every_student(request.config_dict[keys.DB], owner))


async def erase_student(request: web.Request, args: Args) -> web.Response:
    """DELETE /students/{id}?erase=true (api_classes.py routes it here)."""
    student_id = await _allowed(request, args)
    db = request.config_dict[keys.DB]
    if await privacy.in_a_lesson(db, student_id):
        return json_error(409, "the student's class is in a lesson now: erase them after it ends")
    async with request.config_dict[keys.SYNC].paused():
        done = await privacy.erase_student(db, student_id, request.config_dict[keys.SETTINGS].data_dir)
    if done is None:
        return json_error(404, f"no student {student_id}")
    await audit.record(db, args.user.id, "student.erase",
                       f"erased student {student_id} of class {done['class_id']} from every table and the unsent "
                       "outbox (their name is not recorded here)")
    return web.json_response({"ok": True, "erased": True, "archived": False, "removed": done["removed"]})


async def privacy_page(request: web.Request) -> web.StreamResponse:
    """docs/PRIVACY.md as plain text: for the school's data-protection officer, no login needed."""
    return web.Response(body=(STATIC_DIR / "PRIVACY.md").read_bytes(), content_type="text/plain", charset="utf-8")


def setup(app: web.Application) -> None:
    app.router.add_get("/privacy", privacy_page)


ROUTES = [
    Route("GET", "/privacy/students", every_student, "Every student held (yours; all for an admin), also those "
          "who left their class and those of archived classes: whom a privacy request can be about",
          responses={200: {"type": "array", "items": obj({
              "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "name": {"type": "string"},
              "card": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "left_class": {"type": "boolean"},
              "class_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "class_name": {"type": "string"},
              "class_archived": {"type": "boolean"}})}}),
    Route("GET", "/students/{id}/export", export_student, "Everything held about one student (an access "
          "request): student.json and answers.csv in one zip", path_params={"id": ID},
          responses={200: Reply("a zip of student.json and answers.csv", content_type="application/zip")}),
]
