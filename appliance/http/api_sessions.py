"""Sessions: start, the teacher's live actions, ad-hoc and re-asked questions, and results."""
from __future__ import annotations

import asyncio
import dataclasses
import time

from aiohttp import web

from appliance import __version__, keys
from appliance.classroom import importers, reports
from appliance.classroom import session as rules
from appliance.classroom.models import SessionRecord
from appliance.http.access import own_class, own_quiz, owner_filter, session_in_path
from appliance.http.auth import require_user
from appliance.http.security import json_error
from appliance.http.validation import bad_request, bool_field, int_field, json_object
from appliance.http.work import off_loop
from appliance.reports.results import session_results as session_results_of
from appliance.store import quizzes, rosters
from appliance.store import sessions as store
from appliance.vision.scan import decode_gray
from appliance.vision.types import Registration


async def session_view(db, record: SessionRecord, with_responses: bool = True) -> dict:
    roster = await rosters.get_class(db, record.class_id)
    quiz = await quizzes.get_quiz(db, record.quiz_id) if record.quiz_id else None
    questions = await store.session_questions(db, record.id)
    view = {
        "id": record.id, "class_id": record.class_id, "quiz_id": record.quiz_id, "state": record.state,
        "question": record.question, "question_count": len(questions), "anonymous": record.anonymous,
        "deadline": record.deadline, "remaining": record.remaining,
        "allowed": rules.allowed_actions(rules.SessionPosition(record.state, record.question), len(questions)),
        "created_at": record.created_at, "ended_at": record.ended_at,
        "class": roster.to_json(),
        "quiz": {"id": record.quiz_id, "title": quiz.title if quiz else "Quick questions",
                 "questions": [q.to_json() for q in questions]},
    }
    if with_responses:
        view["responses"] = [r.to_json() for r in await store.responses(db, record.id)]
    return view


async def list_sessions(request: web.Request) -> web.Response:
    user = await require_user(request)
    return web.json_response(await store.list_sessions(request.app[keys.DB], owner_filter(user)))


async def create_session(request: web.Request) -> web.Response:
    user = await require_user(request)
    body = await json_object(request)
    class_id = int_field(body, "class_id")
    quiz_id = int_field(body, "quiz_id", required=False)
    anonymous = bool_field(body, "anonymous")
    roster = await own_class(request, user, class_id)
    quiz = await own_quiz(request, user, quiz_id) if quiz_id is not None else None
    record = await request.app[keys.ENGINE].start(roster, quiz, user.id, anonymous)
    return web.json_response(await session_view(request.app[keys.DB], record))


async def get_session(request: web.Request) -> web.Response:
    _, record = await session_in_path(request)
    return web.json_response(await session_view(request.app[keys.DB], record))


async def _fresh_view(request: web.Request, session_id: int) -> web.Response:
    record = await store.get_session(request.app[keys.DB], session_id)
    return web.json_response(await session_view(request.app[keys.DB], record))


def _action(action: str):
    async def handler(request: web.Request) -> web.Response:
        _, record = await session_in_path(request)
        index = int_field(await json_object(request), "question") if action == "open" else None
        await request.app[keys.ENGINE].act(record.id, action, index)
        return await _fresh_view(request, record.id)
    handler.__name__ = f"session_{action}"
    return handler


async def reask(request: web.Request) -> web.Response:
    _, record = await session_in_path(request)
    index = int_field(await json_object(request), "question")
    await request.app[keys.ENGINE].add_question(record.id, None, reask=index)
    return await _fresh_view(request, record.id)


async def adhoc_question(request: web.Request) -> web.Response:
    """Ask a question nobody prepared: typed in during the lesson, opened at once."""
    _, record = await session_in_path(request)
    body = await json_object(request)
    problems: list[str] = []
    question = importers.validate_question("question", body.get("type", "multiple"), body.get("text"),
                                           body.get("options"), body.get("correct"), body.get("time_limit"),
                                           problems)
    if question is None:
        raise bad_request("; ".join(problems))
    await request.app[keys.ENGINE].add_question(record.id, question)
    return await _fresh_view(request, record.id)


MAX_PHOTO_BYTES = 16 * 1024 * 1024


async def photo(request: web.Request) -> web.Response:
    """Read the cards in a photo of the class (e.g. taken with a phone) into the open question.

    A deliberate still is read once, without the live tracker's several-frame filter; the reader's own
    verification (exact codes for small cards) still guards against misreads.
    """
    _, record = await session_in_path(request)
    data = await request.read()
    if len(data) > MAX_PHOTO_BYTES:
        return json_error(413, f"the photo is larger than {MAX_PHOTO_BYTES // 1_048_576} MiB")
    loop = asyncio.get_running_loop()
    gray = await off_loop(request, decode_gray, data)
    if gray is None:
        return json_error(400, "the upload is not a photo that can be read (send a JPEG or PNG)")
    sightings = await loop.run_in_executor(request.app[keys.EXECUTOR], request.app[keys.READER].read, gray)
    now = time.monotonic()
    changed = await request.app[keys.ENGINE].register_photo(
        record.id, [Registration(s.card, s.answer, now) for s in sightings])
    return web.json_response({"cards": [{"card": s.card, "answer": s.answer} for s in sightings],
                              "registered": changed})


async def _results(request: web.Request) -> dict:
    _, record = await session_in_path(request)
    db = request.app[keys.DB]
    results = await session_results_of(db, record.id)
    return {"session": await session_view(db, record, with_responses=False), **results}


async def session_results(request: web.Request) -> web.Response:
    return web.json_response(await _results(request))


async def session_results_csv(request: web.Request) -> web.Response:
    results = await _results(request)
    filename = f"argus-session-{results['session']['id']}-results.csv"
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
    r.add_get("/api/v1/sessions", list_sessions)
    r.add_post("/api/v1/sessions", create_session)
    r.add_get("/api/v1/sessions/{id}", get_session)
    for action in ("open", "pause", "resume", "close", "reveal", "end"):
        r.add_post(f"/api/v1/sessions/{{id}}/{action}", _action(action))
    r.add_post("/api/v1/sessions/{id}/reask", reask)
    r.add_post("/api/v1/sessions/{id}/questions", adhoc_question)
    r.add_post("/api/v1/sessions/{id}/photo", photo)
    r.add_get("/api/v1/sessions/{id}/results", session_results)
    r.add_get("/api/v1/sessions/{id}/results.csv", session_results_csv)
    r.add_get("/api/v1/status", status)
