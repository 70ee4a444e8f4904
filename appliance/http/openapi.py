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
_SYNC = {"type": "object", "required": ["target", "pending", "delivered", "last_success", "last_error"],
         "properties": {
             "target": {"type": "string"}, "configured": {"type": "boolean"}, "enabled": {"type": "boolean"},
             "state": {"enum": ["off", "misconfigured", "paused", "idle", "uploading", "retrying", "stopped",
                                "waiting_for_clock", "waiting_for_claim"]},
             "pending": {"type": "integer"}, "pending_files": {"type": "integer"},
             "pending_since": {"type": ["number", "null"]}, "delivered": {"type": "integer"},
             "delivered_files": {"type": "integer"}, "last_success": {"type": ["number", "null"]},
             "last_error": {"type": ["string", "null"]}, "last_error_at": {"type": ["number", "null"]},
             "alert": {"type": ["string", "null"]}, "retry_in_seconds": {"type": ["number", "null"]},
             "encrypted": {"type": "boolean"}, "clock_synchronised": {"type": "boolean"},
             "appliance_id": {"type": "string"}, "public_key": {"type": ["string", "null"]}}}
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
    "/api/v1/classes": {"get": _op("Classes with their students (?archived=1 for archived ones)",
                                   {"type": "array", "items": _CLASS}),
                        "post": _op("Create a class, optionally with students", _CLASS, body={
                            "type": "object", "required": ["name"]})},
    "/api/v1/quizzes": {"get": _op("Quizzes with their questions (?search=, ?tag=, ?archived=1)",
                                   {"type": "array", "items": _QUIZ}),
                        "post": _op("Create a quiz", _QUIZ, body=_QUIZ)},
    "/api/v1/sessions": {
        "get": _op("Sessions, newest first", {"type": "array", "items": {"type": "object"}}),
        "post": _op("Start a session for a class and a quiz", _SESSION, body={
            "type": "object", "required": ["class_id", "quiz_id"],
            "properties": {"class_id": {"type": "integer"}, "quiz_id": {"type": "integer"}}}),
    },
    "/api/v1/sessions/{id}": {"get": _op("A session with every response (teacher only)", _SESSION, params=[_ID])},
    "/api/v1/sessions/{id}/open": _action("Open a question (0-based index); its countdown starts if it has one", {
        "type": "object", "required": ["question"], "properties": {"question": {"type": "integer"}}}),
    "/api/v1/sessions/{id}/pause": _action("Pause the open question: answers and countdown stop"),
    "/api/v1/sessions/{id}/resume": _action("Resume a paused question with the countdown it had left"),
    "/api/v1/sessions/{id}/reask": _action("Ask a question again (a new round, appended and opened)", {
        "type": "object", "required": ["question"], "properties": {"question": {"type": "integer"}}}),
    "/api/v1/sessions/{id}/questions": _action("Ask an ad-hoc question now (appended and opened)", _QUESTION),
    "/api/v1/sessions/{id}/photo": {"post": {
        "summary": "Read the cards in a photo of the class (JPEG/PNG body) into the open question",
        "parameters": [_ID], "requestBody": {"content": {"image/jpeg": {}, "image/png": {}}},
        "responses": {"200": {"description": "cards read and how many answers changed", **_json({"type": "object"})},
                      "400": {"description": "not a readable photo; nothing stored", **_json(_ERROR)},
                      "409": {"description": "no question is open", **_json(_ERROR)}}}},
    "/api/v1/sessions/{id}/close": _action("Close the open question"),
    "/api/v1/sessions/{id}/reveal": _action("Reveal the distribution and the correct answer"),
    "/api/v1/sessions/{id}/end": _action("End the session"),
    "/api/v1/sessions/{id}/results": {"get": _op("Results per question and per student", {"type": "object"},
                                                 params=[_ID])},
    "/api/v1/sessions/{id}/results.csv": {"get": {
        "summary": "Results as CSV (UTF-8 with BOM, one row per student)", "parameters": [_ID],
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}}}},
    "/api/v1/status": {"get": _op("Camera and reader status", {"type": "object"})},
    "/api/v1/camera/preview.jpg": {"get": {"summary": "The camera's newest frame, downscaled, read cards outlined",
                                           "responses": {"200": {"description": "JPEG",
                                                                 "content": {"image/jpeg": {}}}}}},
    "/api/v1/camera/check": {"get": _op("Cards read now, roster cards not seen (?class_id=), readable distance",
                                        {"type": "object"})},
    "/api/v1/health": {"get": _op("Status page: camera fps, reader ms, dropped frames, temperature, throttling,"
                                  " memory, disk, uptime, backups, version", {"type": "object"})},
    "/api/v1/setup": {
        "get": _op("Whether the appliance has been claimed", {"type": "object"}, public=True),
        "post": _op("Claim the appliance: the one-time setup code creates the first admin", {"type": "object"},
                    public=True, body={"type": "object", "required": ["code", "username", "password"]},
                    extra={"403": {"description": "wrong code", **_json(_ERROR)},
                           "409": {"description": "already claimed", **_json(_ERROR)}}),
    },
    "/api/v1/me/password": {"post": _op("Change one's own password (ends every login)", {"type": "object"},
                                        body={"type": "object", "required": ["current", "new"]})},
    "/api/v1/users": {"get": _op("Accounts (admin)", {"type": "array"}),
                      "post": _op("Add a teacher or admin account (admin)", {"type": "object"},
                                  body={"type": "object", "required": ["username", "password"]})},
    "/api/v1/users/{id}/password": {"post": _op("Reset an account's password (admin)", {"type": "object"},
                                                params=[_ID], body={"type": "object", "required": ["password"]})},
    "/api/v1/classes/{id}": {"get": _op("A class with its students and whether it is archived", _CLASS,
                                        params=[_ID]),
                             "patch": _op("Rename or archive a class", _CLASS, params=[_ID],
                                          body={"type": "object"})},
    "/api/v1/classes/{id}/students": {"post": _op("Add a student (card assigned if not given)", _STUDENT,
                                                  params=[_ID], body={"type": "object", "required": ["name"]})},
    "/api/v1/classes/{id}/roster": {"post": {
        "summary": "Import a CSV roster (name[,card] per line); all or nothing, errors name their line",
        "parameters": [_ID], "requestBody": {"content": {"text/csv": {}}},
        "responses": {"200": {"description": "the class", **_json(_CLASS)},
                      "400": {"description": "bad lines", **_json(_ERROR)}}}},
    "/api/v1/students/{id}": {"patch": _op("Rename a student or reassign their card", _STUDENT, params=[_ID],
                                           body={"type": "object"}),
                              "delete": _op("Remove a student (archived, keeping their results, if they have answers;"
                                                         " the reply says which)", {"type": "object"}, params=[_ID])},
    "/api/v1/students/{id}/history": {"get": _op("A student's results across sessions", {"type": "object"},
                                                 params=[_ID])},
    "/api/v1/classes/{id}/gradebook": {"get": _op("Gradebook: a row per student, a column per session",
                                                  {"type": "object"}, params=[_ID])},
    "/api/v1/classes/{id}/gradebook{csv}": {"get": {
        "summary": "Gradebook as CSV (path ends in .csv)", "parameters": [_ID],
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}}}},
    "/api/v1/classes/{id}/trends": {"get": _op("Question difficulty and participation, with SVG charts",
                                               {"type": "object"}, params=[_ID])},
    "/api/v1/quizzes/import": {"post": {
        "summary": "Import a quiz file (?format=json|csv&title=...); errors name their line or field",
        "requestBody": {"content": {"application/json": {}, "text/csv": {}}},
        "responses": {"201": {"description": "the quiz", **_json(_QUIZ)},
                      "400": {"description": "problems", **_json(_ERROR)}}}},
    "/api/v1/quizzes/{id}": {"get": _op("A quiz", _QUIZ, params=[_ID]),
                             "put": _op("Save a quiz whole (title, tags, questions in order)", _QUIZ, params=[_ID],
                                        body=_QUIZ),
                             "patch": _op("Archive or restore a quiz", params=[_ID], body={"type": "object"})},
    "/api/v1/quizzes/{id}/clone": {"post": _op("Copy a quiz into one's library", _QUIZ, params=[_ID])},
    "/api/v1/quizzes/{id}/export.{format}": {"get": {
        "summary": "Download a quiz as JSON or CSV", "parameters": [_ID, {
            "name": "format", "in": "path", "required": True, "schema": {"enum": ["json", "csv"]}}],
        "responses": {"200": {"description": "file"}}}},
    "/api/v1/cards.pdf": {"get": {
        "summary": "Printable cards 1..count as a PDF (?count=, ?page=A4|Letter, ?per_page=1|2|4)",
        "parameters": [{"name": n, "in": "query", "required": False, "schema": s} for n, s in (
            ("count", {"type": "integer"}), ("page", {"enum": ["A4", "Letter"]}), ("per_page", {"enum": [1, 2, 4]}))],
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}},
                      "400": {"description": "bad option", **_json(_ERROR)}}}},
    "/api/v1/cards/{number}.png": {"get": {
        "summary": "One card upright (A on top) as a PNG (?size= pixels, 100 to 1000)",
        "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "PNG", "content": {"image/png": {}}},
                      "404": {"description": "no such card", **_json(_ERROR)}}}},
    "/api/v1/classes/{id}/cards.pdf": {"get": {
        "summary": "A class's cards with its students' names as a PDF (?page=A4|Letter, ?per_page=1|2|4)",
        "parameters": [_ID], "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}},
                                           "404": {"description": "no such class", **_json(_ERROR)}}}},
    "/api/v1/tags": {"get": _op("Every quiz tag in use", {"type": "array"})},
    "/api/v1/images": {"post": {
        "summary": "Upload a question image (PNG, JPEG, GIF or WebP, at most 2 MiB)",
        "requestBody": {"content": {"image/*": {}}},
        "responses": {"201": {"description": "stored", **_json({"type": "object"})},
                      "400": {"description": "not an image", **_json(_ERROR)}}}},
    "/api/v1/export/dump.json": {"get": _op("Everything except secrets, as JSON (admin)", {"type": "object"})},
    "/api/v1/export/usb": {"get": _op("Mounted USB sticks (admin)", {"type": "object"}),
                           "post": _op("Export to a USB stick; answers once written and verified (admin)",
                                       {"type": "object"}, body={"type": "object", "required": ["mount"]})},
    "/api/v1/sync": {"get": _op("Cloud sync state: target, pending (since), delivered, last_success, last_error,"
                                " alert (admin, or argus sync's local token)", _SYNC),
                     "patch": _op("Turn cloud sync on or off (admin)", _SYNC,
                                  body={"type": "object", "required": ["enabled"],
                                        "properties": {"enabled": {"type": "boolean"}}})},
    "/api/v1/sync/now": {"post": _op("Deliver everything pending; answers once delivered or failed (admin)", _SYNC)},
    "/api/v1/sync/public-key.pem": {"get": {
        "summary": "The appliance's Ed25519 public key that signs every synced object (admin)",
        "responses": {"200": {"description": "PEM", "content": {"application/x-pem-file": {}}}}}},
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
