"""Shapes shared by the route tables of several modules, as JSON Schema: what the API answers (what the
OpenAPI document promises and tests/test_api_contract.py holds the live server to), and the question a quiz
or a lesson takes. Request schemas used by one route live beside it.
"""
from __future__ import annotations

from appliance.classroom import importers
from appliance.classroom.entries import SOURCES
from appliance.classroom.models import LETTERS
from appliance.classroom.session import STATES
from appliance.http.schema import ID, array, integer, nullable, obj, one_of, string, text, when

_INT = {"type": "integer"}
_NUM = {"type": "number"}
_STR = {"type": "string"}
_BOOL = {"type": "boolean"}
_NULL_INT = {"type": ["integer", "null"]}
_NULL_NUM = {"type": ["number", "null"]}
_NULL_STR = {"type": ["string", "null"]}


def _object(required: bool = True, **properties) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(properties)
    return schema


OK = _object(ok=_BOOL)
STUDENT = _object(id=_INT, name=_STR, card=_INT, team=_NULL_STR)
CLASS = _object(id=_INT, name=_STR, students={"type": "array", "items": STUDENT})
CLASS_WITH_ARCHIVED = {**CLASS, "properties": {**CLASS["properties"], "archived": _BOOL}}
QUESTION = _object(id=_NULL_INT, text=_STR, options={"type": "array", "items": _STR},
                   correct={"enum": [*LETTERS, None]}, type={"enum": list(importers.KINDS)},
                   time_limit=_NULL_INT, image=_NULL_STR, skills={"type": "array", "items": _STR},
                   misconceptions=_object(False, **{letter: _STR for letter in LETTERS}))
QUIZ = _object(id=_INT, title=_STR, tags={"type": "array", "items": _STR},
               questions={"type": "array", "items": QUESTION})
RESPONSE = _object(question=_INT, student_id=_INT, card=_INT, answer=_STR, first_answer=_STR, first_seen=_NUM,
                   last_changed=_NUM, changes=_INT, source={"enum": list(SOURCES)})
STATE = {"enum": list(STATES)}
SESSION = _object(
    required=False, id=_INT, class_id=_INT, quiz_id=_NULL_INT, state=STATE, question=_NULL_INT,
    question_count=_INT, allowed={"type": "array", "items": _STR}, anonymous=_BOOL, deadline=_NULL_NUM,
    remaining=_NULL_NUM, created_at=_NUM, ended_at=_NULL_NUM, **{"class": CLASS},
    quiz=_object(id=_NULL_INT, title=_STR, questions={"type": "array", "items": QUESTION}),
    responses={"type": "array", "items": RESPONSE}, absent={"type": "array", "items": _INT},
    spares={"type": "array", "items": _object(card=_INT, student_id=_INT)}, spare_cards={"type": "array", "items": _INT},
    peer={"type": ["object", "null"], "description": "after a question voted on again is closed: the students who "
                                                      "moved from a wrong answer to the right one and back"})
SESSION_ROW = _object(id=_INT, class_id=_INT, quiz_id=_NULL_INT, class_name=_STR, quiz_title=_STR, state=STATE,
                      question=_NULL_INT, created_at=_NUM, ended_at=_NULL_NUM, anonymous=_BOOL)
CAMERA = _object(ok=_BOOL, error=_NULL_STR, fps=_NUM, frames=_INT, dropped=_INT, source=_STR)
PUBLIC_STATE = _object(server_time=_NUM, session={"type": ["object", "null"], "properties": {
    "id": _INT, "state": STATE, "allowed": {"type": "array", "items": _STR}, "question_index": _NULL_INT,
    "question_count": _INT,
    "question": {"type": ["object", "null"]}, "answered": _INT, "total": _INT, "anonymous": _BOOL,
    "deadline": _NULL_NUM, "remaining": _NULL_NUM, "time_limit": _NULL_INT,
    "distribution": {"type": ["object", "null"]}, "correct": _NULL_STR, "class_name": _STR, "quiz_title": _STR,
    "card_range": {"type": ["array", "null"], "items": _INT, "minItems": 2, "maxItems": 2},
    "scores": {"type": ["object", "null"]},
    "rounds": {"type": ["array", "null"], "description": "after the reveal of a question voted on again: each "
                                                         "round's answer counts (no names)"}}})
USER = _object(id=_INT, username=_STR, role={"enum": ["teacher", "admin"]})
LOGGED_IN = _object(username=_STR, role={"enum": ["teacher", "admin"]})
ANY_OBJECT = {"type": "object"}


def question_body(*, stored: bool) -> dict:
    """A question as the editor, a quiz file or a quick question sends it; importers.validate_question enforces
    the same rules and says them in words. `stored` questions (in a quiz) may carry an id and an image and
    nothing else; a quick question's extra fields are ignored."""
    fields = {"type": one_of(*importers.KINDS, default="multiple"), "text": text(importers.MAX_TEXT),
              "options": nullable(array(text(importers.MAX_OPTION), 4)),
              "correct": nullable(one_of(*LETTERS, "")),
              "time_limit": nullable(integer(5, importers.MAX_TIME_LIMIT))}
    if stored:
        fields |= {"id": nullable(ID), "image": nullable(string(300, pattern=importers.IMAGE_PATH.pattern)),
                   "skills": nullable(array(string(importers.MAX_SKILL), importers.MAX_SKILLS,
                                            description="what it tests: free text or standard codes")),
                   "misconceptions": nullable(obj(
                       {letter: nullable(string(importers.MAX_NOTE)) for letter in LETTERS},
                       additionalProperties=False,
                       description="per wrong option, the misconception choosing it suggests"))}
    kind_is = lambda *kinds: obj({"type": one_of(*kinds)}, required=["type"])  # noqa: E731
    rules = [
        # A poll has no correct answer; the other kinds need one.
        when(kind_is("poll"), obj({"correct": one_of(None, "")}),
             obj({"correct": one_of(*LETTERS)}, required=["correct"])),
        # True/false has its two options (True and False when none are sent); the other kinds 2 to 4.
        when(kind_is("truefalse"), obj({"options": {"minItems": 0, "maxItems": 2}}),
             obj({"options": array(text(importers.MAX_OPTION), 4, 2)}, required=["options"])),
        when(kind_is("truefalse"), when(obj({"options": {"minItems": 1}}), obj({"options": {"minItems": 2}}))),
        # The right answer is one of the options.
        when(obj({"options": {"maxItems": 2}}), obj({"correct": one_of(*LETTERS[:2], None, "")})),
        when(obj({"options": {"maxItems": 3}}), obj({"correct": one_of(*LETTERS[:3], None, "")})),
    ]
    if stored:
        # A misconception belongs to a wrong option the question has: blank for the right one and past the last.
        blank = {"type": ["string", "null"], "pattern": r"^\s*$"}
        notes_blank = lambda *letters: obj({"misconceptions": nullable(obj({x: blank for x in letters}))})  # noqa: E731
        rules += [when(obj({"correct": one_of(letter)}, required=["correct"]), notes_blank(letter))
                  for letter in LETTERS]
        rules += [when(obj({"options": {"maxItems": 2}}), notes_blank("C", "D")),
                  when(obj({"options": {"maxItems": 3}}), notes_blank("D"))]
    return obj(fields, required=["text"], allOf=rules, **({"additionalProperties": False} if stored else {}))
