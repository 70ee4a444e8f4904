"""Sessions: start, the teacher's live actions, ad-hoc and re-asked questions, and results."""
from __future__ import annotations

import asyncio
import dataclasses
import time

from aiohttp import web

from appliance import keys
from appliance.classroom import entries, importers, numbering, peer, review, standings
from appliance.classroom import session as rules
from appliance.classroom.errors import LessonRunning
from appliance.classroom.models import Quiz, SessionRecord
from appliance.http import shapes
from appliance.http.access import own_class, own_quiz, own_session, owner_filter
from appliance.http.schema import ID, Args, Route, Setting, Upload, array, boolean, integer, obj, one_of
from appliance.http.security import json_error
from appliance.http.validation import bad_request
from appliance.http.work import off_loop
from appliance.reports.results import class_sessions
from appliance.reports.results import session_results as session_results_of
from appliance.store import accounts, attendance, images, rosters
from appliance.store import sessions as store
from appliance.vision.scan import decode_gray
from appliance.vision.types import Registration


async def _username(db, user_id: int | None) -> str | None:
    found = await accounts.get_user(db, user_id) if user_id is not None else None
    return found[0].username if found else None


async def session_view(db, record: SessionRecord, with_responses: bool = True, display=None,
                       scores: dict | None = None, card_count: int | None = None) -> dict:
    roster = await rosters.get_class(db, record.class_id)
    spares = await attendance.spares(db, record.id)
    questions = await store.session_questions(db, record.id)
    position = rules.SessionPosition(record.state, record.question, record.deadline, record.remaining)
    # Labels, "allowed" (with "next" as the next quiz question) and the main button: as in the live state.
    summary = numbering.lesson_summary(position, await store.session_origins(db, record.id),
                                       {i for i, q in enumerate(questions) if q.asked})
    view = {
        "id": record.id, "class_id": record.class_id, "quiz_id": record.quiz_id, "state": record.state,
        "question": record.question, "question_count": len(questions), "anonymous": record.anonymous,
        "deadline": record.deadline, "remaining": record.remaining,
        "created_at": record.created_at, "ended_at": record.ended_at,
        "ended_by": await _username(db, record.ended_by), "end_reason": record.end_reason,
        "class": roster.to_json(),
        "asked": [i for i, q in enumerate(questions) if q.asked],  # the questions answers may be entered for
        "absent": sorted(await attendance.absent_students(db, record.id)),
        "spares": [{"card": card, "student_id": student} for card, student in sorted(spares.items())],
        "quiz": {"id": record.quiz_id, "title": await store.quiz_title(db, record.id),
                 "questions": [q.to_json() for q in questions]},
        **summary,
    }
    if card_count is not None:
        view["spare_cards"] = entries.spare_cards(roster, card_count)
    if display is not None:
        view["display"] = {"blank": display.blank, "card_grid": display.card_grid, "scores": display.scores}
    if scores is not None:
        view["scores"] = scores
    if with_responses:
        stored = await store.responses(db, record.id)
        view["responses"] = [r.to_json() for r in stored]
        present = [r for r in stored if r.student_id not in view["absent"]]  # an absent student moved nowhere
        view["peer"] = _peer_movement(questions, await store.session_origins(db, record.id), present, record)
    return view


def _peer_movement(questions, origins, stored, record: SessionRecord) -> dict | None:
    """Once a question voted on again is revealed: who moved from wrong to right, and back (teacher only; not
    before the reveal, as the teacher's screen may be on the projector)."""
    if record.question is None or record.state != rules.REVEALED:
        return None
    answers: dict[int, dict[int, str]] = {}
    for r in stored:
        answers.setdefault(r.question, {})[r.student_id] = r.answer
    return peer.movement(questions, origins, {i for i, q in enumerate(questions) if q.asked}, answers,
                         record.question)


async def list_sessions(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await store.list_sessions(request.config_dict[keys.DB], owner_filter(args.user)))


async def create_session(request: web.Request, args: Args) -> web.Response:
    user, body = args.user, args.body
    class_id, quiz_id, anonymous = body["class_id"], body.get("quiz_id"), body["anonymous"]
    # An admin ends another teacher's running lesson only by asking for it; it is recorded on that lesson.
    take_over = body["take_over"]
    if take_over and user.role != "admin":
        return json_error(403, "only an admin may take over another teacher's lesson")
    roster = await own_class(request, user, class_id)
    quiz = await own_quiz(request, user, quiz_id) if quiz_id is not None else None
    if body["review"]:
        quiz = await _with_review(request, roster, quiz, body["review"])
    try:
        record = await request.config_dict[keys.ENGINE].start(roster, quiz, user, anonymous, take_over)
    except LessonRunning as exc:
        return web.json_response({"error": str(exc), "running": {
            "session_id": exc.session_id, "teacher": exc.teacher, "since": exc.since,
            "may_take_over": user.role == "admin"}}, status=409)
    return await fresh_view(request, record.id)


async def _with_review(request: web.Request, roster, quiz: Quiz | None, count: int) -> Quiz:
    """The quiz with up to `count` review questions from the class's past lessons after its own (or, for quick
    questions only, the review questions alone): asked like the quiz's, counted once each (issue 23)."""
    sessions = await class_sessions(request.config_dict[keys.DB], roster.id)
    chosen = review.as_questions(sessions, review.pick(sessions, time.time(), count))
    if quiz is None:
        return Quiz(None, store.QUICK_TITLE, chosen) if chosen else None
    return dataclasses.replace(quiz, questions=quiz.questions + chosen)


async def get_session(request: web.Request, args: Args) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    return await fresh_view(request, record.id)


async def fresh_view(request: web.Request, session_id: int) -> web.Response:
    record = await store.get_session(request.config_dict[keys.DB], session_id)
    engine = request.config_dict[keys.ENGINE]
    return web.json_response(await session_view(request.config_dict[keys.DB], record, display=engine.display(session_id),
                                                scores=engine.teacher_scores(session_id),
                                                card_count=request.config_dict[keys.SETTINGS].cards.count))


async def display(request: web.Request, args: Args) -> web.Response:
    """The projector during the lesson: "blank", "card_grid" and "scores" (after each reveal: off, class,
    teams, ranking); what is left out stays."""
    record = await own_session(request, args.user, args.path["id"])
    body = args.body or {}
    await request.config_dict[keys.ENGINE].set_display(record.id, body.get("blank"), body.get("card_grid"),
                                                       body.get("scores"))
    return await fresh_view(request, record.id)


async def anonymous(request: web.Request, args: Args) -> web.Response:
    """Names off for the rest of the lesson (there is no way back: the class may already be watching)."""
    record = await own_session(request, args.user, args.path["id"])
    await request.config_dict[keys.ENGINE].make_anonymous(record.id)
    return await fresh_view(request, record.id)


def _action(action: str):
    async def handler(request: web.Request, args: Args) -> web.Response:
        record = await own_session(request, args.user, args.path["id"])
        index = args.body["question"] if action == "open" else None
        await request.config_dict[keys.ENGINE].act(record.id, action, index, actor=args.user.id)
        return await fresh_view(request, record.id)
    handler.__name__ = f"session_{action}"
    return handler


async def reask(request: web.Request, args: Args) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    index = args.body["question"]
    await request.config_dict[keys.ENGINE].add_question(record.id, None, reask=index)
    return await fresh_view(request, record.id)


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
    return await fresh_view(request, record.id)


# A 48-megapixel phone photo fits; decoded in gray it is about 50 MB.
MAX_PHOTO_PIXELS = 50_000_000


async def photo(request: web.Request, args: Args) -> web.Response:
    """Read the cards in a photo of the class (e.g. taken with a phone) into the open question.

    A deliberate still is read once, without the live tracker's several-frame filter; the reader's own
    verification (exact codes for small cards) still guards against misreads. Everything cheap is checked
    before anything costly: the session's state, then the pixel size from the header, then the decode.
    """
    record = await own_session(request, args.user, args.path["id"])
    app = request.config_dict
    engine = app[keys.ENGINE]
    engine.check_accepts_answers(record.id)
    data = args.body
    try:
        images.checked_header(data, MAX_PHOTO_PIXELS, "photo")
    except images.InvalidImage as exc:
        return json_error(413 if isinstance(exc, images.ImageTooLarge) else 400,
                          f"the upload is not a photo that can be read: {exc}")
    loop = asyncio.get_running_loop()
    async with app[keys.DECODE_SLOT]:  # held while the decoded photo is in memory
        gray = await off_loop(request, decode_gray, data)
        if gray is None:
            return json_error(400, "the upload is not a photo that can be read (send a JPEG or PNG)")
        sightings = await loop.run_in_executor(app[keys.EXECUTOR], app[keys.READER].read, gray)
        del gray
    now = time.monotonic()
    changed = await engine.register_photo(record.id, [Registration(s.card, s.answer, now) for s in sightings])
    return web.json_response({"cards": [{"card": s.card, "answer": s.answer} for s in sightings],
                              "registered": changed})


async def _results(request: web.Request, args: Args) -> dict:
    record = await own_session(request, args.user, args.path["id"])
    db = request.config_dict[keys.DB]
    results = await session_results_of(db, record.id)
    return {"session": await session_view(db, record, with_responses=False), **results}


async def session_results(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await _results(request, args))


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
          body=obj({"class_id": ID, "quiz_id": ID, "anonymous": boolean(default=False),
                    "take_over": boolean(default=False, description="admin only: end another teacher's running "
                                                                    "lesson (recorded on it)"),
                    "review": integer(0, 20, default=0, description="add this many review questions from the "
                                                                    "class's past lessons (worth asking again, "
                                                                    "due by their spacing) after the quiz's")},
                   required=["class_id"]),
          responses={200: shapes.SESSION, 403: "take_over asked by a teacher", 404: "no such class or quiz",
                     409: "the quiz has no questions, or another teacher's lesson runs (body.running names them)"}),
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
                     409: "no question is open (checked before the photo is read)",
                     413: "more than server.max_body_bytes, or 50 million pixels (read from the header)"}),
    Route("POST", "/sessions/{id}/display", display, "Blank the projector, show the grid of card numbers read, or "
          "choose the scores shown after each reveal (off, the class's % correct, teams from the roster's groups, a "
          "ranking of students on the teacher's page only; the projector then shows the class's %)",
          path_params=_PATH, body=obj({"blank": boolean(), "card_grid": boolean(), "scores": one_of(*standings.MODES)}),
          responses={200: shapes.SESSION, 409: "not the running session"}),
    Route("POST", "/sessions/{id}/anonymous", anonymous, "Hide names for the rest of the session (cannot be undone)",
          path_params=_PATH, responses={200: shapes.SESSION, 409: "not the running session"}),
    Route("GET", "/sessions/{id}/results", session_results, "Results per question and per student",
          path_params=_PATH, responses={200: obj({"session": shapes.SESSION}, required=["session"])}),
]
