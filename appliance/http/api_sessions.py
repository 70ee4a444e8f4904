"""The teacher's JSON API: classes, quizzes, sessions and their results. Every route needs a login."""
from __future__ import annotations

import dataclasses

from aiohttp import web

from appliance import __version__
from appliance.classroom import reports, scoring
from appliance.classroom.engine import NotFound
from appliance.classroom.models import SessionRecord, User
from appliance.http import keys
from appliance.http.auth import require_user
from appliance.store import rosters, quizzes, sessions as store


def _int_field(body, name: str) -> int:
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise web.HTTPBadRequest(text=f"'{name}' must be an integer", content_type="text/plain")
    return value


def _owner_filter(user: User) -> int | None:
    return None if user.role == "admin" else user.id


async def list_classes(request: web.Request) -> web.Response:
    user = await require_user(request)
    classes = await rosters.list_classes(request.app[keys.DB], _owner_filter(user))
    return web.json_response([c.to_json() for c in classes])


async def list_quizzes(request: web.Request) -> web.Response:
    user = await require_user(request)
    found = await quizzes.list_quizzes(request.app[keys.DB], _owner_filter(user))
    return web.json_response([q.to_json() for q in found])


async def _own_session(request: web.Request) -> tuple[User, SessionRecord]:
    user = await require_user(request)
    try:
        session_id = int(request.match_info["id"])
    except ValueError:
        raise NotFound(f"session {request.match_info['id']!r} does not exist") from None
    record = await store.get_session(request.app[keys.DB], session_id)
    if record is None or (user.role != "admin" and record.teacher_id != user.id):
        raise NotFound(f"session {session_id} does not exist")
    return user, record


async def _session_view(request: web.Request, record: SessionRecord, with_responses: bool = True) -> dict:
    db = request.app[keys.DB]
    roster = await rosters.get_class(db, record.class_id)
    quiz = await quizzes.get_quiz(db, record.quiz_id)
    questions = await store.session_questions(db, record.id)
    view = {
        "id": record.id, "class_id": record.class_id, "quiz_id": record.quiz_id, "state": record.state,
        "question": record.question, "question_count": len(questions),
        "created_at": record.created_at, "ended_at": record.ended_at,
        "class": roster.to_json(),
        "quiz": {"id": record.quiz_id, "title": quiz.title if quiz else "",
                 "questions": [q.to_json() for q in questions]},
    }
    if with_responses:
        view["responses"] = [r.to_json() for r in await store.responses(db, record.id)]
    return view


async def list_sessions(request: web.Request) -> web.Response:
    user = await require_user(request)
    return web.json_response(await store.list_sessions(request.app[keys.DB], _owner_filter(user)))


async def create_session(request: web.Request) -> web.Response:
    user = await require_user(request)
    body = await request.json()
    class_id, quiz_id = _int_field(body, "class_id"), _int_field(body, "quiz_id")
    db = request.app[keys.DB]
    owner = _owner_filter(user)
    roster = next((c for c in await rosters.list_classes(db, owner) if c.id == class_id), None)
    quiz = next((q for q in await quizzes.list_quizzes(db, owner) if q.id == quiz_id), None)
    if roster is None:
        raise NotFound(f"class {class_id} does not exist")
    if quiz is None:
        raise NotFound(f"quiz {quiz_id} does not exist")
    record = await request.app[keys.ENGINE].start(roster, quiz, user.id)
    return web.json_response(await _session_view(request, record))


async def get_session(request: web.Request) -> web.Response:
    _, record = await _own_session(request)
    return web.json_response(await _session_view(request, record))


def _action(action: str):
    async def handler(request: web.Request) -> web.Response:
        _, record = await _own_session(request)
        index = None
        if action == "open":
            index = _int_field(await request.json(), "question")
        await request.app[keys.ENGINE].act(record.id, action, index)
        record = await store.get_session(request.app[keys.DB], record.id)
        return web.json_response(await _session_view(request, record))
    handler.__name__ = f"session_{action}"
    return handler


async def _results(request: web.Request) -> dict:
    _, record = await _own_session(request)
    db = request.app[keys.DB]
    roster = await rosters.get_class(db, record.class_id)
    questions = await store.session_questions(db, record.id)
    results = scoring.session_results(questions, roster, await store.responses(db, record.id))
    return {"session": await _session_view(request, record, with_responses=False), **results}


async def session_results(request: web.Request) -> web.Response:
    return web.json_response(await _results(request))


async def session_results_csv(request: web.Request) -> web.Response:
    results = await _results(request)
    session = results["session"]
    filename = f"argus-session-{session['id']}-results.csv"
    return web.Response(
        text=reports.results_csv(results), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def status(request: web.Request) -> web.Response:
    await require_user(request)
    app = request.app
    reading = app[keys.READING].stats
    return web.json_response({
        "camera": dataclasses.asdict(app[keys.CAMERA].status()),
        "reader": {"frames": reading.frames, "ms_per_frame": reading.ms_per_frame,
                   "cards_last_frame": reading.cards_last_frame},
        "version": __version__,
    })


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/classes", list_classes)
    r.add_get("/api/v1/quizzes", list_quizzes)
    r.add_get("/api/v1/sessions", list_sessions)
    r.add_post("/api/v1/sessions", create_session)
    r.add_get("/api/v1/sessions/{id}", get_session)
    for action in ("open", "close", "reveal", "end"):
        r.add_post(f"/api/v1/sessions/{{id}}/{action}", _action(action))
    r.add_get("/api/v1/sessions/{id}/results", session_results)
    r.add_get("/api/v1/sessions/{id}/results.csv", session_results_csv)
    r.add_get("/api/v1/status", status)
