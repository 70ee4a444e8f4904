"""Classes and students: create, rename, archive, add by hand or from a roster (spreadsheet, CSV, pasted
cells; previewed first), reassign cards."""
from __future__ import annotations

import dataclasses
import sqlite3

from aiohttp import web

from appliance import keys
from appliance.classroom import importers
from appliance.classroom.formats import roster_table, tables, xlsx
from appliance.classroom.models import ClassRoster
from appliance.http import api_privacy, isolated, shapes
from appliance.http.access import own_class, own_student_class, owner_filter
from appliance.http.schema import (
    CARD_COUNT,
    ID,
    Args,
    Reply,
    Route,
    Upload,
    array,
    boolean,
    integer,
    nullable,
    obj,
    one_of,
    string,
    text,
)
from appliance.http.security import json_error
from appliance.http.validation import card_count
from appliance.store import rosters

MAX_ROSTER_BYTES = 2 * 1024 * 1024  # a spreadsheet of a whole year group stays far below
ROSTER_TEMPLATE = ("Last name", "First name", "Card", "Group", "Email", "Student ID")
ROSTER_TYPES = ("text/csv", "text/plain", "text/tab-separated-values", tables.XLSX_TYPE, tables.ODS_TYPE,
                "application/vnd.ms-excel")  # what browsers call .csv on Windows, and old .xls


async def list_classes(request: web.Request, args: Args) -> web.Response:
    archived = args.query.get("archived") == 1
    classes = await rosters.list_classes(request.config_dict[keys.DB], owner_filter(args.user), archived=archived)
    return web.json_response([c.to_json() for c in classes])


def _fit(rows: list[importers.RosterRow], taken: set[int], request: web.Request) -> list[tuple[str, int]]:
    """Cards for students sent as JSON: a card someone has, one card for two students, or a class without a
    free card, is a conflict between the students (409), not a malformed request: no schema can say it."""
    try:
        return importers.assign_cards(rows, taken, card_count(request))
    except importers.CardsTaken as exc:
        raise web.HTTPConflict(text=str(exc), content_type="text/plain") from None


async def create_class(request: web.Request, args: Args) -> web.Response:
    rows = [importers.RosterRow(f"students[{i}]", s["name"].strip(), s.get("card"))
            for i, s in enumerate(args.body.get("students", []))]
    students = _fit(rows, set(), request)
    roster = await rosters.create_class(request.config_dict[keys.DB], args.user.id, args.body["name"].strip(),
                                        students)
    return web.json_response(roster.to_json(), status=201)


async def get_class(request: web.Request, args: Args) -> web.Response:
    roster = await own_class(request, args.user, args.path["id"])
    archived = await rosters.is_archived(request.config_dict[keys.DB], roster.id)
    sourced_id, _ = await rosters.class_sourced_ids(request.config_dict[keys.DB], roster.id)
    return web.json_response({**roster.to_json(), "archived": archived, "sourced_id": sourced_id})


async def update_class(request: web.Request, args: Args) -> web.Response:
    class_id = args.path["id"]
    await own_class(request, args.user, class_id)
    name = args.body["name"].strip() if "name" in args.body else None
    archived = args.body.get("archived")
    await rosters.update_class(request.config_dict[keys.DB], class_id, name=name, archived=archived)
    return web.json_response((await rosters.get_class(request.config_dict[keys.DB], class_id)).to_json())


async def add_student(request: web.Request, args: Args) -> web.Response:
    roster = await own_class(request, args.user, args.path["id"])
    row = importers.RosterRow("name", args.body["name"].strip(), args.body.get("card"))
    students = _fit([row], {s.card for s in roster.students}, request)
    added = await rosters.add_students(request.config_dict[keys.DB], roster.id, students)
    return web.json_response(dataclasses.asdict(added[0]), status=201)


async def import_roster(request: web.Request, args: Args) -> web.Response:
    """A roster (.xlsx, .ods, CSV or pasted cells), added whole or not at all; every bad row is named.
    With ?dry_run=1 nothing is written: the answer is the preview of what would be imported."""
    roster = await own_class(request, args.user, args.path["id"])
    table = await isolated.read_table(request, args.body)
    names = {roster_table.name_key(s.name) for s in roster.students}
    taken = {s.card for s in roster.students}
    if args.query.get("dry_run") == 1:
        result = roster_table.preview(table, card_count(request), names)
        cards, clashes = roster_table.cards_for(result, taken, card_count(request))
        preview = result.to_json(cards)
        preview["problems"] += clashes
        preview["ok"] = not preview["problems"]
        return web.json_response(preview)
    rows = roster_table.parse(table, card_count(request), taken, names)
    await rosters.add_roster(request.config_dict[keys.DB], roster.id, rows)
    return web.json_response((await rosters.get_class(request.config_dict[keys.DB], roster.id)).to_json())


async def roster_template(request: web.Request, args: Args) -> web.Response:
    """An empty roster with the columns Argus reads, as .xlsx or CSV."""
    kind = args.path["format"]
    if kind == "xlsx":
        body, content_type = xlsx.workbook({"Students": [list(ROSTER_TEMPLATE)]}), tables.XLSX_TYPE
    else:
        body, content_type = ("\ufeff" + ",".join(ROSTER_TEMPLATE) + "\r\n").encode(), "text/csv"
    return web.Response(body=body, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="argus-roster-template.{kind}"'})


async def _own_student(request: web.Request, args: Args) -> tuple[ClassRoster, int]:
    student_id = args.path["id"]
    return await own_student_class(request, args.user, student_id), student_id


async def update_student(request: web.Request, args: Args) -> web.Response:
    roster, student_id = await _own_student(request, args)
    name = args.body["name"].strip() if "name" in args.body else None
    card = args.body.get("card")
    team = args.body["team"].strip() if "team" in args.body else None
    holder = roster.by_card().get(card) if card is not None else None
    if holder is not None and holder.id != student_id:
        return json_error(409, f"card {card} already belongs to {holder.name}")
    try:
        await rosters.update_student(request.config_dict[keys.DB], student_id, name=name, card=card, team=team)
    except sqlite3.IntegrityError:
        return json_error(409, f"card {card} is already taken in this class")
    updated = (await rosters.get_class(request.config_dict[keys.DB], roster.id)).students
    student = next(s for s in updated if s.id == student_id)
    return web.json_response(dataclasses.asdict(student))


async def remove_student(request: web.Request, args: Args) -> web.Response:
    if args.query.get("erase"):
        return await api_privacy.erase_student(request, args)
    _, student_id = await _own_student(request, args)
    archived = await rosters.remove_student(request.config_dict[keys.DB], student_id)
    return web.json_response({"ok": True, "archived": archived})


_NAME = text(100)
_CLASS_OR_PREVIEW = {"type": "object", "description": "the class as imported; with dry_run=1 the preview instead: "
                     "ok, problems, header, columns, ignored, students [{where, name, card, card_given}]"}
_CARD = nullable(integer(1, CARD_COUNT, description="null or missing: the lowest free card"))
ROUTES = [
    Route("GET", "/classes", list_classes, "Classes with their students (?archived=1 for archived ones)",
          query=obj({"archived": one_of(0, 1)}), responses={200: array(shapes.CLASS, 10_000)}),
    Route("POST", "/classes", create_class, "Create a class, optionally with students",
          body=obj({"name": _NAME, "students": array(obj({"name": _NAME, "card": _CARD}, required=["name"]),
                                                    CARD_COUNT)}, required=["name"]),
          responses={201: shapes.CLASS, 409: "two students given one card, or no card is free for every student"}),
    Route("GET", "/classes/{id}", get_class, "A class with its students and whether it is archived",
          path_params={"id": ID}, responses={200: shapes.CLASS_WITH_ARCHIVED}),
    Route("PATCH", "/classes/{id}", update_class, "Rename or archive a class", path_params={"id": ID},
          body=obj({"name": _NAME, "archived": boolean()}), responses={200: shapes.CLASS}),
    Route("POST", "/classes/{id}/students", add_student, "Add a student (card assigned if not given)",
          path_params={"id": ID}, body=obj({"name": _NAME, "card": _CARD}, required=["name"]),
          responses={201: shapes.STUDENT, 409: "the card belongs to another student, or no card is free"}),
    Route("POST", "/classes/{id}/roster", import_roster,
          "Import a roster (.xlsx, .ods, CSV with , ; or tab, or pasted cells; a header row such as "
          "Surname;Forename;Card is recognised); all or nothing, errors name their line, row or cell. "
          "?dry_run=1 writes nothing and answers the preview (ok, problems, header, columns, ignored, students)",
          path_params={"id": ID}, query=obj({"dry_run": one_of(0, 1)}),
          body=Upload(ROSTER_TYPES, MAX_ROSTER_BYTES), responses={200: _CLASS_OR_PREVIEW}),
    Route("GET", "/roster-template.{format}", roster_template, "An empty roster with the columns Argus reads",
          path_params={"format": one_of("xlsx", "csv")},
          responses={200: Reply("the template", content_type=None)}),
    Route("PATCH", "/students/{id}", update_student, "Rename a student, reassign their card, or set their team "
          "(\"\" for none)", path_params={"id": ID},
          body=obj({"name": _NAME, "card": _CARD, "team": string(roster_table.MAX_TEAM)}),
          responses={200: shapes.STUDENT, 409: "the card belongs to another student"}),
    Route("DELETE", "/students/{id}", remove_student,
          "Remove a student (archived, keeping their results, if they have answers; the reply says which); with "
          "erase=true, erase them and their answers everywhere (a privacy request: docs/PRIVACY.md)",
          path_params={"id": ID}, query=obj({"erase": boolean(default=False)}),
          responses={200: obj({"ok": boolean(), "archived": boolean(), "erased": boolean()}),
                     409: "erase: the student's class is in a lesson now"}),
]
