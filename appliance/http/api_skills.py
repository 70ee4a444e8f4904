"""A class's progress (issue 23): skills over time, the students × skills grid of mastery with its trend, as
JSON and as a spreadsheet (.xlsx, CSV in the teacher's locale); and the questions worth asking again as
review. Definitions in classroom/skills.py and classroom/review.py."""
from __future__ import annotations

import time

from aiohttp import web

from appliance import keys
from appliance.classroom import review, skills
from appliance.classroom.formats import grades, tables, xlsx
from appliance.classroom.formats.xlsx import Sheets
from appliance.http.access import own_class
from appliance.http.api_gradebooks import csv_choice
from appliance.http.schema import ID, Args, Reply, Route, array, obj, one_of
from appliance.http.work import off_loop
from appliance.reports.results import class_sessions
from appliance.store import rosters


async def _grid(request: web.Request, args: Args) -> tuple[int, dict]:
    roster = await own_class(request, args.user, args.path["id"])
    db = request.config_dict[keys.DB]
    return roster.id, skills.grid(await rosters.all_students(db, roster.id), await class_sessions(db, roster.id))


async def skills_json(request: web.Request, args: Args) -> web.Response:
    _, found = await _grid(request, args)
    return web.json_response(found)


def skills_sheets(found: dict) -> Sheets:
    names = [s["skill"] for s in found["skills"]]
    mastery = [["Student", "Card", *names]]
    levels = [["Student", "Card", *names]]
    for row in found["students"]:
        cells = [row["skills"][name] for name in names]
        mastery.append([row["name"], row["card"],
                        *[None if c["mastery"] is None else round(100 * c["mastery"], 1) for c in cells]])
        levels.append([row["name"], row["card"], *[f"{c['level']} ({c['right']}/{c['attempts']})" for c in cells]])
    trend = [["Skill", "Session", "Date", "Answers", "% right"]]
    for s in found["skills"]:
        for point in s["trend"]:
            trend.append([s["skill"], point["session_id"], grades.date_text(point["created_at"]), point["answers"],
                          round(100 * point["share"], 1)])
    d = found["definition"]
    about = [["Mastery", f"% right over each student's last {d['window']} attempts at the skill"],
             ["Mastered", f"{round(100 * d['mastered'])}% or more, with at least {d['min_attempts']} attempts"],
             ["Developing", f"{round(100 * d['developing'])}% or more"], ["Not yet", "below that"],
             ["Too few", f"fewer than {d['min_attempts']} attempts"]]
    return {"Mastery %": mastery, "Levels": levels, "Class trend": trend, "How it is worked out": about}


def _file(kind: str):
    async def skills_file(request: web.Request, args: Args) -> web.Response:
        class_id, found = await _grid(request, args)
        sheets = skills_sheets(found)
        name = f"skills-class-{class_id}.{kind}"
        if kind == "xlsx":
            body, content_type = await off_loop(request, xlsx.workbook, sheets), tables.XLSX_TYPE
        else:
            body = grades.csv_text(sheets, *await csv_choice(request, args.user, args.query)).encode()
            content_type = "text/csv"
        return web.Response(body=body, content_type=content_type, charset="utf-8" if kind == "csv" else None,
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
    skills_file.__name__ = f"skills_{kind}"
    return skills_file


async def review_list(request: web.Request, args: Args) -> web.Response:
    """The questions worth asking again, due ones first; "due" counts those a lesson would get now."""
    roster = await own_class(request, args.user, args.path["id"])
    found = review.candidates(await class_sessions(request.config_dict[keys.DB], roster.id), time.time())
    worth = [r for r in found if r["reasons"]]
    return web.json_response({"due": sum(1 for r in worth if r["due"]), "questions": worth[:50]})


_ID = {"id": ID}
_LEVEL = {"type": "object", "properties": {"attempts": {"type": "integer"}, "right": {"type": "integer"},
                                           "mastery": {"type": ["number", "null"]},
                                           "level": one_of("mastered", "developing", "not yet", "too few"),
                                           "change": {"type": ["number", "null"]}}}
ROUTES = [
    Route("GET", "/classes/{id}/skills", skills_json,
          "Skills over time: each student's mastery of each skill (share right over the last 5 attempts), "
          "and the class's share right per lesson", path_params=_ID,
          responses={200: obj({"definition": {"type": "object"}, "skills": {"type": "array"},
                               "students": {"type": "array", "items": obj({
                                   "student_id": {"type": "integer"}, "name": {"type": "string"},
                                   "card": {"type": "integer"},
                                   "skills": {"type": "object", "additionalProperties": _LEVEL}})}},
                              required=["definition", "skills", "students"])}),
    Route("GET", "/classes/{id}/review", review_list,
          "Questions worth asking again from the class's past lessons (under 70% right, or a wrong option "
          "beat the right one), spaced 1 day, 1 week, 1 month after they were last asked; due ones first",
          path_params=_ID, responses={200: obj({"due": {"type": "integer"}, "questions": array(obj({
              "text": {"type": "string"}, "share_right": {"type": "number"}, "due": {"type": "boolean"},
              "due_at": {"type": "number"}, "times_asked": {"type": "integer"},
              "reasons": array(one_of("low_share", "distractor_beats_key"), 2)}), 50)},
              required=["due", "questions"])}),
    Route("GET", "/classes/{id}/skills.xlsx", _file("xlsx"), "Skills over time as .xlsx", path_params=_ID,
          responses={200: Reply(".xlsx workbook", content_type=tables.XLSX_TYPE)}),
    Route("GET", "/classes/{id}/skills.csv", _file("csv"), "Skills over time as CSV (?sep=, ?decimal=)",
          path_params=_ID, query=obj({"sep": one_of(",", ";", "tab"), "decimal": one_of(".", ",")}),
          responses={200: Reply("CSV (UTF-8 with BOM, CRLF)", content_type="text/csv")}),
]
