"""What a teacher enters by hand into a lesson (running or past): answers, the absent list, spare cards.
The domain names a problem by code; the words for it are chosen here."""
from __future__ import annotations

import time

from aiohttp import web

from appliance import keys
from appliance.classroom import entries, whereabouts
from appliance.classroom.models import LETTERS
from appliance.http import shapes
from appliance.http.access import own_session
from appliance.http.api_sessions import fresh_view
from appliance.http.schema import CARD_COUNT, ID, Args, Route, array, integer, nullable, obj, one_of
from appliance.http.security import json_error

# code → (status, message); {0} is what the problem is about. What does not exist in this lesson is a 404, what
# does not fit the question or the lesson's state a 409, as for the session's other routes.
_PROBLEMS = {
    "no_such_question": (404, "question index {0} does not exist in this session"),
    "not_asked": (409, "question index {0} has not been asked yet: open it first"),
    "not_in_class": (404, "student {0} is not in this session's class"),
    "no_such_letter": (409, "this question has no answer {0}"),
    "absent": (409, "student {0} is marked absent from this lesson: mark them present first"),
    "not_a_spare": (409, "card {0} is not one of this class's spare cards"),
    "spare_taken": (409, "spare card {0} is already given to another student in this lesson"),
    "no_spare_left": (409, "every spare card ({0}) is given out in this lesson"),
}


def _refused(exc: entries.InvalidEntry) -> web.Response:
    status, message = _PROBLEMS[exc.problem.code]
    subject = exc.problem.subject
    if isinstance(subject, list):
        subject = ", ".join(str(s) for s in subject)
    return json_error(status, message.format(subject))


async def set_answer(request: web.Request, args: Args) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    body = args.body
    try:
        await request.config_dict[keys.ENGINE].hand_answer(record, body["question"], body["student_id"],
                                                           body["answer"], args.user.id)
    except entries.InvalidEntry as exc:
        return _refused(exc)
    return await fresh_view(request, record.id)


async def set_attendance(request: web.Request, args: Args) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    try:
        await request.config_dict[keys.ENGINE].set_absent(record, set(args.body["absent"]), args.user.id)
    except entries.InvalidEntry as exc:
        return _refused(exc)
    return await fresh_view(request, record.id)


async def set_spare(request: web.Request, args: Args) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    body = args.body
    take_back = "card" in body and body["card"] is None
    try:
        await request.config_dict[keys.ENGINE].give_spare(record, body["student_id"], body.get("card"), take_back,
                                                          args.user.id)
    except entries.InvalidEntry as exc:
        return _refused(exc)
    return await fresh_view(request, record.id)


async def unread(request: web.Request, args: Args) -> web.Response:
    """While a question is open: each present student's state (answered, seen but not readable, not seen)
    and where the reader last saw their card. Card numbers and ids only; names are in the session view."""
    record = await own_session(request, args.user, args.path["id"])
    app = request.config_dict
    lesson = app[keys.ENGINE].open_lesson(record.id)
    if lesson is None:
        return web.json_response({"open": False, "students": []})
    reading = app.get(keys.READING)
    last_seen, places = (dict(reading.last_seen), dict(reading.last_place)) if reading else ({}, {})
    found = whereabouts.whereabouts(lesson.roster.students, lesson.spares, lesson.absent,
                                    set(lesson.answers.get(lesson.position.question, {})), last_seen, places,
                                    time.monotonic())
    return web.json_response({"open": True, "seen_recently_s": whereabouts.SEEN_RECENTLY_S, "students": [
        {"student_id": w.student_id, "card": w.card, "state": w.state,
         "seen_ago": None if w.seen_ago is None else round(w.seen_ago, 1),
         "place": None if w.place is None else {"x": w.place[0], "y": w.place[1],
                                                "area": whereabouts.room_words(w.place)}}
        for w in found]})


_PATH = {"id": ID}
_PLACE = {"type": ["object", "null"], "properties": {"x": {"type": "number"}, "y": {"type": "number"},
                                                      "area": {"type": "string"}}}
_WHEREABOUTS = obj({"student_id": {"type": "integer"}, "card": {"type": "integer"},
                    "state": one_of("answered", "seen", "not_seen"), "seen_ago": {"type": ["number", "null"]},
                    "place": _PLACE}, required=["student_id", "card", "state", "seen_ago", "place"])
ROUTES = [
    Route("GET", "/sessions/{id}/unread", unread,
          "While a question is open: every present student answered, seen but not readable (read in the last "
          "seen_recently_s seconds, no answer yet) or not seen, and where the reader last saw their card "
          "(shares of the frame; the top is the back of the room)", path_params=_PATH,
          responses={200: obj({"open": {"type": "boolean"}, "seen_recently_s": {"type": "number"},
                               "students": array(_WHEREABOUTS, 10_000)}, required=["open", "students"])}),
    Route("PUT", "/sessions/{id}/answers", set_answer,
          "Set a student's answer by hand (the camera never overwrites it), or clear it (null: the camera reads "
          "them again); during the lesson or after it", path_params=_PATH,
          body=obj({"question": integer(0, 10_000, description="0-based, a question already asked"),
                    "student_id": ID, "answer": nullable(one_of(*LETTERS))},
                   required=["question", "student_id", "answer"], additionalProperties=False),
          responses={200: shapes.SESSION, 404: "no such session, question or student in its class",
                     409: "the question has not been asked or has no such letter, or the student is absent"}),
    Route("PUT", "/sessions/{id}/attendance", set_attendance,
          "Set the whole list of students absent from the lesson (they count in no participation or % correct)",
          path_params=_PATH, body=obj({"absent": array(ID, 10_000)}, required=["absent"],
                                      additionalProperties=False),
          responses={200: shapes.SESSION, 404: "no such session, or a student not in its class"}),
    Route("PUT", "/sessions/{id}/spares", set_spare,
          "Give a student a spare card for this lesson (card left out: the first free one), or take it back "
          "(card null); the spare's answers are the student's", path_params=_PATH,
          body=obj({"student_id": ID, "card": nullable(integer(1, CARD_COUNT))}, required=["student_id"],
                   additionalProperties=False),
          responses={200: shapes.SESSION, 404: "no such session, or a student not in its class",
                     409: "not one of the class's spare cards, taken, or none is left"}),
]
