"""The API description served at /api/v1/openapi.json (OpenAPI 3.1).

Kept as data next to the routes it describes; tests/test_api.py checks every registered /api/v1 route
appears here, so the two cannot drift apart.
"""
from __future__ import annotations

from aiohttp import web

from appliance import __version__

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
_STUDENT = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                             "card": {"type": "integer"}}}
_CLASS = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                           "students": {"type": "array", "items": _STUDENT}}}
_QUESTION = {"type": "object", "properties": {
    "id": {"type": ["integer", "null"]}, "text": {"type": "string"},
    "options": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 4},
    "correct": {"type": ["string", "null"], "enum": ["A", "B", "C", "D", None]}}}
_QUIZ = {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                          "questions": {"type": "array", "items": _QUESTION}}}
_RESPONSE = {"type": "object", "properties": {
    "question": {"type": "integer"}, "student_id": {"type": "integer"}, "card": {"type": "integer"},
    "answer": {"type": "string"}, "first_answer": {"type": "string"}, "first_seen": {"type": "number"},
    "last_changed": {"type": "number"}, "changes": {"type": "integer"}}}
_SESSION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "class_id": {"type": "integer"}, "quiz_id": {"type": "integer"},
    "state": {"type": "string", "enum": ["ready", "open", "closed", "revealed", "ended"]},
    "question": {"type": ["integer", "null"]}, "question_count": {"type": "integer"},
    "class": _CLASS, "quiz": _QUIZ, "responses": {"type": "array", "items": _RESPONSE}}}
_PUBLIC_STATE = {"type": "object", "properties": {"session": {"type": ["object", "null"], "properties": {
    "id": {"type": "integer"}, "state": {"type": "string"}, "question_index": {"type": ["integer", "null"]},
    "question_count": {"type": "integer"},
    "question": {"type": ["object", "null"]}, "answered": {"type": "integer"}, "total": {"type": "integer"},
    "distribution": {"type": ["object", "null"]}, "correct": {"type": ["string", "null"]},
    "class_name": {"type": "string"}, "quiz_title": {"type": "string"}}}}}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, response: dict | None = None, *, body: dict | None = None, params=(), public=False,
        extra: dict | None = None) -> dict:
    responses = {"200": {"description": "OK", **(_json(response) if response else {})}}
    if not public:
        responses["401"] = {"description": "not logged in", **_json(_ERROR)}
    responses.update(extra or {})
    op = {"summary": summary, "responses": responses}
    if body:
        op["requestBody"] = {"required": True, **_json(body)}
    if params:
        op["parameters"] = list(params)
    if public:
        op["security"] = []
    return op


def _action(summary: str, body: dict | None = None) -> dict:
    return {"post": _op(summary, _SESSION, body=body, params=[_ID], extra={
        "403": {"description": "cross-origin request", **_json(_ERROR)},
        "404": {"description": "no such session", **_json(_ERROR)},
        "409": {"description": "the session's state does not allow this", **_json(_ERROR)}})}


PATHS = {
    "/api/v1/login": {"post": _op("Log in; sets an HttpOnly session cookie", {"type": "object"}, public=True,
                                  body={"type": "object", "required": ["username", "password"], "properties": {
                                      "username": {"type": "string"}, "password": {"type": "string"}}},
                                  extra={"429": {"description": "too many failed attempts", **_json(_ERROR)}})},
    "/api/v1/logout": {"post": _op("Log out", public=True)},
    "/api/v1/me": {"get": _op("The logged-in user", {"type": "object"})},
    "/api/v1/classes": {"get": _op("Classes with their students", {"type": "array", "items": _CLASS})},
    "/api/v1/quizzes": {"get": _op("Quizzes with their questions", {"type": "array", "items": _QUIZ})},
    "/api/v1/sessions": {
        "get": _op("Sessions, newest first", {"type": "array", "items": {"type": "object"}}),
        "post": _op("Start a session for a class and a quiz", _SESSION, body={
            "type": "object", "required": ["class_id", "quiz_id"],
            "properties": {"class_id": {"type": "integer"}, "quiz_id": {"type": "integer"}}}),
    },
    "/api/v1/sessions/{id}": {"get": _op("A session with every response (teacher only)", _SESSION, params=[_ID])},
    "/api/v1/sessions/{id}/open": _action("Open a question (0-based index)", {
        "type": "object", "required": ["question"], "properties": {"question": {"type": "integer"}}}),
    "/api/v1/sessions/{id}/close": _action("Close the open question"),
    "/api/v1/sessions/{id}/reveal": _action("Reveal the distribution and the correct answer"),
    "/api/v1/sessions/{id}/end": _action("End the session"),
    "/api/v1/sessions/{id}/results": {"get": _op("Results per question and per student", {"type": "object"},
                                                 params=[_ID])},
    "/api/v1/sessions/{id}/results.csv": {"get": {
        "summary": "Results as CSV (UTF-8 with BOM, one row per student)", "parameters": [_ID],
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}}}},
    "/api/v1/status": {"get": _op("Camera and reader status", {"type": "object"})},
    "/api/v1/live": {"get": {
        "summary": "Websocket of live JSON events: 'state' for everyone; 'response' and 'camera' for teachers",
        "security": [], "responses": {"101": {"description": "switching to websocket"}}}},
    "/api/v1/public/state": {"get": _op("What the projector shows", _PUBLIC_STATE, public=True)},
    "/api/v1/public/check": {"get": _op("Whether a card is registered for the current question (yes/no only)", {
        "type": "object", "properties": {"card": {"type": "integer"}, "registered": {"type": "boolean"}}},
        params=[{"name": "card", "in": "query", "required": True, "schema": {"type": "integer"}}], public=True)},
    "/api/v1/public/qr.svg": {"get": {"summary": "QR code of the student page URL", "security": [],
                                      "responses": {"200": {"description": "SVG",
                                                            "content": {"image/svg+xml": {}}}}}},
    "/api/v1/public/student-url": {"get": _op("The student page URL shown under the QR code", {"type": "object"},
                                              public=True)},
    "/api/v1/openapi.json": {"get": _op("This document", {"type": "object"}, public=True)},
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Argus appliance API", "version": __version__},
        "components": {"securitySchemes": {"cookie": {"type": "apiKey", "in": "cookie", "name": "argus_session"}}},
        "security": [{"cookie": []}],
        "paths": PATHS,
    }


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(document())


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/openapi.json", openapi_json)
