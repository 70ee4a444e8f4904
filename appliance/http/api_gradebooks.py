"""Grades out: a class's gradebook and a session's results as .xlsx, CSV in the teacher's locale (?sep=,
?decimal=, remembered per teacher), Canvas or Moodle import CSV (?style=), and OneRoster 1.1 results."""
from __future__ import annotations

import asyncio

from aiohttp import web

from appliance.classroom import analytics
from appliance.classroom.formats import grades, tables, xlsx
from appliance import keys
from appliance.classroom.models import User
from appliance.http.access import own_class, session_in_path
from appliance.http.auth import require_user
from appliance.http.security import json_error
from appliance.http.validation import bad_request, path_id
from appliance.reports.results import class_sessions, session_results
from appliance.store import accounts, rosters

STYLES = ("", "canvas", "moodle")


async def csv_choice(request: web.Request, user: User) -> tuple[str, str]:
    """The separator and decimal mark asked for; else the teacher's last choice; else `,` and `.`. A choice
    made is remembered. `;` without a decimal mark means `,` (what Excel uses where `;` separates)."""
    sep, decimal = request.query.get("sep"), request.query.get("decimal")
    if sep is not None and sep not in grades.SEPARATORS:
        raise bad_request("sep must be , or ; or tab")
    if decimal is not None and decimal not in grades.DECIMALS:
        raise bad_request("decimal must be . or ,")
    db = request.app[keys.DB]
    stored_sep, stored_decimal = await accounts.csv_choice(db, user.id)
    if sep is None and decimal is None:
        return stored_sep or ",", stored_decimal or "."
    separator = grades.SEPARATORS[sep] if sep is not None else stored_sep or ","
    mark = decimal or ("," if sep is not None and separator == ";" else stored_decimal or ".")
    if (separator, mark) != (stored_sep, stored_decimal):
        await accounts.remember_csv_choice(db, user.id, separator, mark)
    return separator, mark


def _file(body: bytes | str, content_type: str, filename: str) -> web.Response:
    data = body.encode() if isinstance(body, str) else body
    return web.Response(body=data, content_type=content_type, charset="utf-8" if content_type == "text/csv" else None,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def gradebook_file(request: web.Request) -> web.Response:
    user = await require_user(request)
    roster = await own_class(request, user, path_id(request))
    db = request.app[keys.DB]
    book = analytics.gradebook(await rosters.all_students(db, roster.id), await class_sessions(db, roster.id))
    kind, name = request.match_info["format"], f"gradebook-class-{roster.id}"
    loop = asyncio.get_running_loop()
    if kind == "xlsx":
        body = await loop.run_in_executor(None, xlsx.workbook, grades.gradebook_sheets(book))
        return _file(body, tables.XLSX_TYPE, f"{name}.xlsx")
    if kind == "zip":
        class_sid, term_sid = await rosters.class_sourced_ids(db, roster.id)
        if class_sid is None:
            return json_error(409, "OneRoster results need a class imported from OneRoster; use the .xlsx or "
                                   "CSV gradebook for this one")
        body = grades.oneroster_results(book, await rosters.student_ids(db, roster.id), class_sid, term_sid)
        return _file(body, "application/zip", f"{name}-oneroster.zip")
    style = request.query.get("style", "")
    if style not in STYLES:
        raise bad_request("style must be canvas or moodle (or left out for a spreadsheet CSV)")
    if style == "canvas":
        text = grades.canvas_csv(book, await rosters.student_ids(db, roster.id), roster.name)
    elif style == "moodle":
        text = grades.moodle_csv(book, await rosters.student_ids(db, roster.id))
    else:
        text = grades.csv_text(grades.gradebook_sheets(book), *await csv_choice(request, user))
    return _file(text, "text/csv", f"{name}{'-' + style if style else ''}.csv")


async def results_file(request: web.Request) -> web.Response:
    user, record = await session_in_path(request)
    sheets = grades.results_sheets(await session_results(request.app[keys.DB], record.id))
    name = f"argus-session-{record.id}-results"
    if request.match_info["format"] == "xlsx":
        body = await asyncio.get_running_loop().run_in_executor(None, xlsx.workbook, sheets)
        return _file(body, tables.XLSX_TYPE, f"{name}.xlsx")
    return _file(grades.csv_text(sheets, *await csv_choice(request, user)), "text/csv", f"{name}.csv")


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/classes/{id}/gradebook.{format:csv|xlsx|zip}", gradebook_file)
    r.add_get("/api/v1/sessions/{id}/results.{format:csv|xlsx}", results_file)
