"""Classes and students: create, rename, archive, add by hand or from a CSV roster, reassign cards."""
from __future__ import annotations

import sqlite3

from aiohttp import web

from appliance import keys
from appliance.classroom import importers
from appliance.classroom.models import ClassRoster
from appliance.http import shapes
from appliance.http.access import own_class, own_student_class, owner_filter
from appliance.http.schema import CARD_COUNT, ID, Args, Route, Upload, array, boolean, integer, nullable, obj, one_of, text
from appliance.http.security import json_error
from appliance.http.validation import card_count
from appliance.store import rosters

MAX_ROSTER_BYTES = 256 * 1024


async def list_classes(request: web.Request, args: Args) -> web.Response:
    archived = args.query.get("archived") == 1
    classes = await rosters.list_classes(request.config_dict[keys.DB], owner_filter(args.user), archived=archived)
    return web.json_response([c.to_json() for c in classes])


def _fit(rows: list[importers.RosterRow], taken: set[int], request: web.Request) -> list[tuple[str, int]]:
    """Cards for students sent as JSON: a card someone has, or a class without a free card, is a conflict with
    the class as it is (409), not a malformed request."""
    try:
        return importers.assign_cards(rows, taken, card_count(request))
    except importers.CardsTaken as exc:
        raise web.HTTPConflict(text=str(exc), content_type="text/plain") from None


async def create_class(request: web.Request, args: Args) -> web.Response:
    rows = [importers.RosterRow(i + 1, s["name"].strip(), s.get("card"))
            for i, s in enumerate(args.body.get("students", []))]
    students = _fit(rows, set(), request)
    roster = await rosters.create_class(request.config_dict[keys.DB], args.user.id, args.body["name"].strip(),
                                        students)
    return web.json_response(roster.to_json(), status=201)


async def get_class(request: web.Request, args: Args) -> web.Response:
    roster = await own_class(request, args.user, args.path["id"])
    archived = await rosters.is_archived(request.config_dict[keys.DB], roster.id)
    return web.json_response({**roster.to_json(), "archived": archived})


async def update_class(request: web.Request, args: Args) -> web.Response:
    class_id = args.path["id"]
    await own_class(request, args.user, class_id)
    name = args.body["name"].strip() if "name" in args.body else None
    archived = args.body.get("archived")
    await rosters.update_class(request.config_dict[keys.DB], class_id, name=name, archived=archived)
    return web.json_response((await rosters.get_class(request.config_dict[keys.DB], class_id)).to_json())


async def add_student(request: web.Request, args: Args) -> web.Response:
    roster = await own_class(request, args.user, args.path["id"])
    row = importers.RosterRow(1, args.body["name"].strip(), args.body.get("card"))
    students = _fit([row], {s.card for s in roster.students}, request)
    added = await rosters.add_students(request.config_dict[keys.DB], roster.id, students)
    return web.json_response({"id": added[0].id, "name": added[0].name, "card": added[0].card}, status=201)


async def import_roster(request: web.Request, args: Args) -> web.Response:
    """A CSV roster, added whole or not at all; every bad line is reported by number."""
    roster = await own_class(request, args.user, args.path["id"])
    rows = importers.parse_roster_csv(importers.decode_text(args.body), card_count(request))
    students = importers.assign_cards(rows, {s.card for s in roster.students}, card_count(request))
    await rosters.add_students(request.config_dict[keys.DB], roster.id, students)
    return web.json_response((await rosters.get_class(request.config_dict[keys.DB], roster.id)).to_json())


async def _own_student(request: web.Request, args: Args) -> tuple[ClassRoster, int]:
    student_id = args.path["id"]
    return await own_student_class(request, args.user, student_id), student_id


async def update_student(request: web.Request, args: Args) -> web.Response:
    roster, student_id = await _own_student(request, args)
    name = args.body["name"].strip() if "name" in args.body else None
    card = args.body.get("card")
    holder = roster.by_card().get(card) if card is not None else None
    if holder is not None and holder.id != student_id:
        return json_error(409, f"card {card} already belongs to {holder.name}")
    try:
        await rosters.update_student(request.config_dict[keys.DB], student_id, name=name, card=card)
    except sqlite3.IntegrityError:
        return json_error(409, f"card {card} is already taken in this class")
    updated = (await rosters.get_class(request.config_dict[keys.DB], roster.id)).students
    student = next(s for s in updated if s.id == student_id)
    return web.json_response({"id": student.id, "name": student.name, "card": student.card})


async def remove_student(request: web.Request, args: Args) -> web.Response:
    _, student_id = await _own_student(request, args)
    archived = await rosters.remove_student(request.config_dict[keys.DB], student_id)
    return web.json_response({"ok": True, "archived": archived})


_NAME = text(100)
_CARD = nullable(integer(1, CARD_COUNT, description="null or missing: the lowest free card"))
ROUTES = [
    Route("GET", "/classes", list_classes, "Classes with their students (?archived=1 for archived ones)",
          query=obj({"archived": one_of(0, 1)}), responses={200: array(shapes.CLASS, 10_000)}),
    Route("POST", "/classes", create_class, "Create a class, optionally with students",
          body=obj({"name": _NAME, "students": array(obj({"name": _NAME, "card": _CARD}, required=["name"]),
                                                    CARD_COUNT)}, required=["name"]),
          responses={201: shapes.CLASS, 409: "no card is free for every student"}),
    Route("GET", "/classes/{id}", get_class, "A class with its students and whether it is archived",
          path_params={"id": ID}, responses={200: shapes.CLASS_WITH_ARCHIVED}),
    Route("PATCH", "/classes/{id}", update_class, "Rename or archive a class", path_params={"id": ID},
          body=obj({"name": _NAME, "archived": boolean()}), responses={200: shapes.CLASS}),
    Route("POST", "/classes/{id}/students", add_student, "Add a student (card assigned if not given)",
          path_params={"id": ID}, body=obj({"name": _NAME, "card": _CARD}, required=["name"]),
          responses={201: shapes.STUDENT, 409: "the card belongs to another student, or no card is free"}),
    Route("POST", "/classes/{id}/roster", import_roster,
          "Import a CSV roster (name[,card] per line); all or nothing, errors name their line",
          path_params={"id": ID}, body=Upload(("text/csv", "text/plain"), MAX_ROSTER_BYTES),
          responses={200: shapes.CLASS}),
    Route("PATCH", "/students/{id}", update_student, "Rename a student or reassign their card",
          path_params={"id": ID}, body=obj({"name": _NAME, "card": _CARD}),
          responses={200: shapes.STUDENT, 409: "the card belongs to another student"}),
    Route("DELETE", "/students/{id}", remove_student,
          "Remove a student (archived, keeping their results, if they have answers; the reply says which)",
          path_params={"id": ID}, responses={200: obj({"ok": boolean(), "archived": boolean()})}),
]
