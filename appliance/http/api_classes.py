"""Classes and students: create, rename, archive, add by hand or from a CSV roster, reassign cards."""
from __future__ import annotations

import sqlite3

from aiohttp import web

from appliance import keys
from appliance.classroom import importers
from appliance.classroom.models import ClassRoster
from appliance.http.access import own_class, own_student_class, owner_filter
from appliance.http.auth import require_user
from appliance.http.security import json_error
from appliance.http.validation import (
    bad_request,
    bool_field,
    card_count,
    int_field,
    json_object,
    path_id,
    str_field,
)
from appliance.store import rosters

MAX_ROSTER_BYTES = 256 * 1024


async def list_classes(request: web.Request) -> web.Response:
    user = await require_user(request)
    archived = request.query.get("archived") == "1"
    classes = await rosters.list_classes(request.app[keys.DB], owner_filter(user), archived=archived)
    return web.json_response([c.to_json() for c in classes])


async def create_class(request: web.Request) -> web.Response:
    user = await require_user(request)
    body = await json_object(request)
    name = str_field(body, "name")
    raw = body.get("students", [])
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise bad_request("'students' must be a list of {\"name\", \"card\"} objects")
    rows = []
    for i, s in enumerate(raw):
        card = s.get("card")
        if card is not None and (not isinstance(card, int) or isinstance(card, bool)
                                 or not 1 <= card <= card_count(request)):
            raise bad_request(f"students[{i}].card must be a number from 1 to {card_count(request)}")
        rows.append(importers.RosterRow(i + 1, str_field(s, "name"), card))
    students = importers.assign_cards(rows, set(), card_count(request))
    roster = await rosters.create_class(request.app[keys.DB], user.id, name, students)
    return web.json_response(roster.to_json(), status=201)


async def get_class(request: web.Request) -> web.Response:
    user = await require_user(request)
    roster = await own_class(request, user, path_id(request))
    archived = await rosters.is_archived(request.app[keys.DB], roster.id)
    return web.json_response({**roster.to_json(), "archived": archived})


async def update_class(request: web.Request) -> web.Response:
    user = await require_user(request)
    class_id = path_id(request)
    await own_class(request, user, class_id)
    body = await json_object(request)
    name = str_field(body, "name", required=False)
    archived = bool_field(body, "archived") if "archived" in body else None
    await rosters.update_class(request.app[keys.DB], class_id, name=name, archived=archived)
    return web.json_response((await rosters.get_class(request.app[keys.DB], class_id)).to_json())


async def add_student(request: web.Request) -> web.Response:
    user = await require_user(request)
    roster = await own_class(request, user, path_id(request))
    body = await json_object(request)
    row = importers.RosterRow(1, str_field(body, "name"),
                              int_field(body, "card", required=False, lo=1, hi=card_count(request)))
    students = importers.assign_cards([row], {s.card for s in roster.students}, card_count(request))
    added = await rosters.add_students(request.app[keys.DB], roster.id, students)
    return web.json_response({"id": added[0].id, "name": added[0].name, "card": added[0].card}, status=201)


async def import_roster(request: web.Request) -> web.Response:
    """A CSV roster, added whole or not at all; every bad line is reported by number."""
    user = await require_user(request)
    roster = await own_class(request, user, path_id(request))
    data = await request.read()
    if len(data) > MAX_ROSTER_BYTES:
        return json_error(413, f"the roster file is larger than {MAX_ROSTER_BYTES // 1024} KiB")
    rows = importers.parse_roster_csv(importers.decode_text(data), card_count(request))
    students = importers.assign_cards(rows, {s.card for s in roster.students}, card_count(request))
    await rosters.add_students(request.app[keys.DB], roster.id, students)
    return web.json_response((await rosters.get_class(request.app[keys.DB], roster.id)).to_json())


async def _own_student(request: web.Request) -> tuple[ClassRoster, int]:
    user = await require_user(request)
    student_id = path_id(request)
    return await own_student_class(request, user, student_id), student_id


async def update_student(request: web.Request) -> web.Response:
    roster, student_id = await _own_student(request)
    body = await json_object(request)
    name = str_field(body, "name", required=False)
    card = int_field(body, "card", required=False, lo=1, hi=card_count(request))
    holder = roster.by_card().get(card) if card is not None else None
    if holder is not None and holder.id != student_id:
        return json_error(409, f"card {card} already belongs to {holder.name}")
    try:
        await rosters.update_student(request.app[keys.DB], student_id, name=name, card=card)
    except sqlite3.IntegrityError:
        return json_error(409, f"card {card} is already taken in this class")
    updated = (await rosters.get_class(request.app[keys.DB], roster.id)).students
    student = next(s for s in updated if s.id == student_id)
    return web.json_response({"id": student.id, "name": student.name, "card": student.card})


async def remove_student(request: web.Request) -> web.Response:
    _, student_id = await _own_student(request)
    archived = await rosters.remove_student(request.app[keys.DB], student_id)
    return web.json_response({"ok": True, "archived": archived})


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/classes", list_classes)
    r.add_post("/api/v1/classes", create_class)
    r.add_get("/api/v1/classes/{id}", get_class)
    r.add_patch("/api/v1/classes/{id}", update_class)
    r.add_post("/api/v1/classes/{id}/students", add_student)
    r.add_post("/api/v1/classes/{id}/roster", import_roster)
    r.add_patch("/api/v1/students/{id}", update_student)
    r.add_delete("/api/v1/students/{id}", remove_student)
