"""Grades out: a class's gradebook and a session's results as .xlsx, CSV in the teacher's locale (?sep=,
?decimal=, remembered per teacher), Canvas or Moodle import CSV (?style=), and OneRoster 1.1 results."""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.classroom import analytics
from appliance.classroom.formats import grades, tables, xlsx
from appliance.classroom.models import User
from appliance.http.access import own_class, own_session
from appliance.http.schema import ID, Args, Reply, Route, obj, one_of
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.reports.results import class_sessions, session_sheets
from appliance.store import accounts, rosters


async def csv_choice(request: web.Request, user: User, query: dict) -> tuple[str, str]:
    """The separator and decimal mark asked for; else the teacher's last choice; else `,` and `.`. A choice
    made is remembered. `;` without a decimal mark means `,` (what Excel uses where `;` separates)."""
    sep, decimal = query.get("sep"), query.get("decimal")
    db = request.config_dict[keys.DB]
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


def _format(kind: str, handler):
    """The handler for one file type: each is its own path (gradebook.xlsx, gradebook.csv, ...)."""
    async def for_kind(request: web.Request, args: Args) -> web.Response:
        return await handler(request, args, kind)
    for_kind.__name__ = f"{handler.__name__}_{kind}"
    return for_kind


async def gradebook_file(request: web.Request, args: Args, kind: str) -> web.Response:
    roster = await own_class(request, args.user, args.path["id"])
    db = request.config_dict[keys.DB]
    book = analytics.gradebook(await rosters.all_students(db, roster.id), await class_sessions(db, roster.id))
    name = f"gradebook-class-{roster.id}"
    if kind == "xlsx":
        body = await off_loop(request, xlsx.workbook, grades.gradebook_sheets(book))
        return _file(body, tables.XLSX_TYPE, f"{name}.xlsx")
    if kind == "zip":
        class_sid, term_sid = await rosters.class_sourced_ids(db, roster.id)
        if class_sid is None:
            return json_error(409, "OneRoster results need a class imported from OneRoster; use the .xlsx or "
                                   "CSV gradebook for this one")
        body = grades.oneroster_results(book, await rosters.student_ids(db, roster.id), class_sid, term_sid)
        return _file(body, "application/zip", f"{name}-oneroster.zip")
    style = args.query.get("style")
    if style == "canvas":
        text = grades.canvas_csv(book, await rosters.student_ids(db, roster.id), roster.name)
    elif style == "moodle":
        text = grades.moodle_csv(book, await rosters.student_ids(db, roster.id))
    else:
        text = grades.csv_text(grades.gradebook_sheets(book), *await csv_choice(request, args.user, args.query))
    return _file(text, "text/csv", f"{name}{'-' + style if style else ''}.csv")


async def results_file(request: web.Request, args: Args, kind: str) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    sheets = await session_sheets(request.config_dict[keys.DB], record.id)
    name = f"argus-session-{record.id}-results"
    if kind == "xlsx":
        return _file(await off_loop(request, xlsx.workbook, sheets), tables.XLSX_TYPE, f"{name}.xlsx")
    return _file(grades.csv_text(sheets, *await csv_choice(request, args.user, args.query)), "text/csv", f"{name}.csv")


_CSV_CHOICE = {"sep": one_of(",", ";", "tab", description="CSV separator; remembered for the teacher"),
               "decimal": one_of(".", ",", description="decimal mark; `;` alone implies `,`")}
_ID = {"id": ID}
_XLSX = Reply(".xlsx workbook", content_type=tables.XLSX_TYPE)
_CSV = Reply("CSV (UTF-8 with BOM, CRLF)", content_type="text/csv")
ROUTES = [
    Route("GET", "/classes/{id}/gradebook.xlsx", _format("xlsx", gradebook_file),
          "The gradebook as .xlsx (sheets Gradebook and Sessions)", path_params=_ID, responses={200: _XLSX}),
    Route("GET", "/classes/{id}/gradebook.csv", _format("csv", gradebook_file),
          "The gradebook as CSV (?sep=, ?decimal=, remembered per teacher; ?style=canvas|moodle for LMS grade "
          "import)", path_params=_ID, query=obj({**_CSV_CHOICE, "style": one_of("canvas", "moodle")}),
          responses={200: _CSV}),
    Route("GET", "/classes/{id}/gradebook.zip", _format("zip", gradebook_file),
          "OneRoster 1.1 results (manifest, categories, lineItems, results) for a class imported from OneRoster",
          path_params=_ID, responses={200: Reply("zip of OneRoster CSV files", content_type="application/zip"),
                                      409: "the class was not imported from OneRoster"}),
    Route("GET", "/sessions/{id}/results.xlsx", _format("xlsx", results_file),
          "Results as .xlsx (sheets Results and Answer key)", path_params=_ID, responses={200: _XLSX}),
    Route("GET", "/sessions/{id}/results.csv", _format("csv", results_file),
          "Results as CSV (?sep=, ?decimal=; the answer key a section of its own)", path_params=_ID,
          query=obj(_CSV_CHOICE), responses={200: _CSV}),
]
