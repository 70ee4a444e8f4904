"""Item analysis (issue 23): per question, how hard it was, whether it told apart the students who knew,
which options drew the class; KR-20 for the whole lesson or for every ended lesson of a quiz. Definitions
in classroom/item_analysis.py and, for teachers, docs/ITEM_ANALYSIS.md."""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.classroom.models import LETTERS
from appliance.http.access import own_quiz, own_session, owner_filter
from appliance.http.schema import ID, Args, Route, array, obj
from appliance.reports import item_analysis

_INT, _STR = {"type": "integer"}, {"type": "string"}
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_CORRELATION = {"type": ["number", "null"]}
_OPTION = obj({"count": _INT, "share": _SHARE,
               "misconception": {"type": ["string", "null"],
                                 "description": "what choosing this wrong option suggests, as the quiz says"}},
              required=["count", "share", "misconception"])
_QUESTION = obj({
    "index": {**_INT, "description": "the question's position (its first round) in the lesson or quiz, 0-based"},
    "text": _STR, "key": {"enum": list(LETTERS)}, "skills": array(_STR, 100),
    "rounds": {**_INT, "description": "how often it was asked in one lesson (the most, over a quiz's lessons)"},
    "students": {**_INT, "description": "the students counted for it (of the lessons that asked it)"},
    "answered": {**_INT, "description": "students whose answer counts (their latest over its rounds)"},
    "correct": {**_INT, "description": "students whose counted answer is right"},
    "difficulty": {**_SHARE, "description": "mean item score over the students (share right; no answer is 0)"},
    "discrimination": {**_CORRELATION, "description": "Pearson r of item score and rest score; null when either "
                                                      "does not vary"},
    "options": obj({letter: _OPTION for letter in LETTERS}),
    "flags": array({"type": "string", "pattern": "^(distractor_beats_key|negative_discrimination|unused:[A-D])$"},
                   10),
}, required=["index", "text", "key", "skills", "rounds", "students", "answered", "correct", "difficulty",
             "discrimination", "options", "flags"])
ANALYSIS = obj({
    "students": {**_INT, "description": "present students who answered at least one graded question"},
    "kr20": {"type": ["number", "null"], "description": "KR-20 over the graded questions (population variance); "
                                                         "null when fewer than 2 or the totals do not vary"},
    "questions": array(_QUESTION, 10_000),
}, required=["students", "kr20", "questions"])


async def session_analysis(request: web.Request, args: Args) -> web.Response:
    record = await own_session(request, args.user, args.path["id"])
    return web.json_response(await item_analysis.session_item_analysis(request.config_dict[keys.DB], record.id))


async def quiz_analysis(request: web.Request, args: Args) -> web.Response:
    quiz = await own_quiz(request, args.user, args.path["id"])
    return web.json_response(await item_analysis.quiz_item_analysis(request.config_dict[keys.DB], quiz.id,
                                                                     owner_filter(args.user)))


ROUTES = [
    Route("GET", "/sessions/{id}/item-analysis", session_analysis,
          "Item analysis of a lesson: difficulty, discrimination, option shares and flags per graded question; KR-20",
          path_params={"id": ID}, responses={200: ANALYSIS}),
    Route("GET", "/quizzes/{id}/item-analysis", quiz_analysis,
          "Item analysis over every ended lesson of a quiz (the teacher's own; an admin's: everyone's)",
          path_params={"id": ID}, responses={200: obj({**ANALYSIS["properties"], "sessions": _INT},
                                                      required=[*ANALYSIS["required"], "sessions"])}),
]
