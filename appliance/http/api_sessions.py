"""Sessions: start, the teacher's live actions, ad-hoc and re-asked questions, and results."""
from __future__ import annotations

import asyncio
import time

from aiohttp import web

from appliance import keys
from appliance.classroom import importers, reports
from appliance.classroom import session as rules
from appliance.classroom.models import SessionRecord
from appliance.http import shapes
from appliance.http.access import own_class, own_quiz, own_session, owner_filter
from appliance.http.schema import ID, Args, Reply, Route, Setting, Upload, array, boolean, integer, obj
from appliance.http.security import json_error
from appliance.http.validation import bad_request
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


async def list_sessions(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await store.list_sessions(request.config_dict[keys.DB], owner_filter(args.user)))


async def create_session(request: web.Request, args: Args) -> web.Response:
    user, body = args.user, args.body
    class_id, quiz_id, anonymous = body["class_id"], body.get("quiz_id"), body["anonymous"]
    roster = await own_class(request, user, class_id)
    quiz = await own_quiz(request, user, quiz_id) if quiz_id is not None else None
    record = await request.config_dict[keys.ENGINE].start(roster, quiz, user.id, anonymous)
    return web.json_response(await session_view(request.config_dict[keys.DB], record))


async def get_session(request: web.Request, args: Args) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    return web.json_response(await session_view(request.config_dict[keys.DB], record))


async def _fresh_view(request: web.Request, session_id: int) -> web.Response:
    record = await store.get_session(request.config_dict[keys.DB], session_id)
    return web.json_response(await session_view(request.config_dict[keys.DB], record))


def _action(action: str):
    async def handler(request: web.Request, args: Args) -> web.Response:
        record = await own_session(request, args.user, args.path["id"])
        index = args.body["question"] if action == "open" else None
        await request.config_dict[keys.ENGINE].act(record.id, action, index)
        return await _fresh_view(request, record.id)
    handler.__name__ = f"session_{action}"
    return handler


async def reask(request: web.Request, args: Args) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    index = args.body["question"]
    await request.config_dict[keys.ENGINE].add_question(record.id, None, reask=index)
    return await _fresh_view(request, record.id)


async def adhoc_question(request: web.Request, args: Args) -> web.Response:
    """Ask a question nobody prepared: typed in during the lesson, opened at once."""
    record = await own_session(request, args.user, args.path["id"])
    body = args.body
    problems: list[str] = []
    question = importers.validate_question("question", body.get("type", "multiple"), body.get("text"),
                                           body.get("options"), body.get("correct"), body.get("time_limit"),
                                           problems)
    if question is None:
        raise bad_request("; ".join(problems))
    await request.config_dict[keys.ENGINE].add_question(record.id, question)
    return await _fresh_view(request, record.id)


async def photo(request: web.Request, args: Args) -> web.Response:
    """Read the cards in a photo of the class (e.g. taken with a phone) into the open question.

    A deliberate still is read once, without the live tracker's several-frame filter; the reader's own
    verification (exact codes for small cards) still guards against misreads.
    """
    record = await own_session(request, args.user, args.path["id"])
    data = args.body
    loop = asyncio.get_running_loop()
    gray = await off_loop(request, decode_gray, data)
    if gray is None:
        return json_error(400, "the upload is not a photo that can be read (send a JPEG or PNG)")
    sightings = await loop.run_in_executor(request.config_dict[keys.EXECUTOR], request.config_dict[keys.READER].read, gray)
    now = time.monotonic()
    changed = await request.config_dict[keys.ENGINE].register_photo(
        record.id, [Registration(s.card, s.answer, now) for s in sightings])
    return web.json_response({"cards": [{"card": s.card, "answer": s.answer} for s in sightings],
                              "registered": changed})


async def _results(request: web.Request, args: Args) -> dict:
    record = await own_session(request, args.user, args.path["id"])
    db = request.config_dict[keys.DB]
    results = await session_results_of(db, record.id)
    return {"session": await session_view(db, record, with_responses=False), **results}


async def session_results(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await _results(request, args))


async def session_results_csv(request: web.Request, args: Args) -> web.Response:
    results = await _results(request, args)
    filename = f"argus-session-{results['session']['id']}-results.csv"
    return web.Response(
        text=reports.results_csv(results), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


_PATH = {"id": ID}
_QUESTION_INDEX = obj({"question": integer(0, 10_000, description="0-based")}, required=["question"])
_STATE_CONFLICT = "the session's state does not allow this"
_ACTIONS = {"open": "Open a question (0-based index); its countdown starts if it has one",
            "pause": "Pause the open question: answers and countdown stop",
            "resume": "Resume a paused question with the countdown it had left",
            "close": "Close the open question", "reveal": "Reveal the distribution and the correct answer",
            "end": "End the session"}
ROUTES = [
    Route("GET", "/sessions", list_sessions, "Sessions, newest first",
          responses={200: array(shapes.SESSION_ROW, 1_000_000)}),
    Route("POST", "/sessions", create_session, "Start a session for a class, with a quiz or for ad-hoc questions",
          body=obj({"class_id": ID, "quiz_id": ID, "anonymous": boolean(default=False)}, required=["class_id"]),
          responses={200: shapes.SESSION, 404: "no such class or quiz", 409: "the quiz has no questions"}),
    Route("GET", "/sessions/{id}", get_session, "A session with every response (teacher only)",
          path_params=_PATH, responses={200: shapes.SESSION}),
    *(Route("POST", f"/sessions/{{id}}/{action}", _action(action), summary, path_params=_PATH,
            body=_QUESTION_INDEX if action == "open" else None,
            responses={200: shapes.SESSION, 409: _STATE_CONFLICT}) for action, summary in _ACTIONS.items()),
    Route("POST", "/sessions/{id}/reask", reask, "Ask a question again (a new round, appended and opened)",
          path_params=_PATH, body=_QUESTION_INDEX, responses={200: shapes.SESSION, 409: _STATE_CONFLICT}),
    Route("POST", "/sessions/{id}/questions", adhoc_question, "Ask an ad-hoc question now (appended and opened)",
          path_params=_PATH, body=shapes.question_body(stored=False), responses={200: shapes.SESSION, 409: _STATE_CONFLICT}),
    Route("POST", "/sessions/{id}/photo", photo,
          "Read the cards in a photo of the class (JPEG/PNG body) into the open question", path_params=_PATH,
          body=Upload(("image/*",), Setting("server.max_body_bytes")),
          responses={200: obj({"cards": array(obj({"card": {"type": "integer"}, "answer": {"type": "string"}}),
                                              10_000), "registered": {"type": "integer"}}),
                     409: "no question is open"}),
    Route("GET", "/sessions/{id}/results", session_results, "Results per question and per student",
          path_params=_PATH, responses={200: obj({"session": shapes.SESSION}, required=["session"])}),
    Route("GET", "/sessions/{id}/results.csv", session_results_csv, "Results as CSV (one row per student)",
          path_params=_PATH, responses={200: Reply("CSV (UTF-8 with BOM)", content_type="text/csv")}),
]
