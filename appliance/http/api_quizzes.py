"""The quiz library: create and edit quizzes, search and tag them, clone, import/export, question images."""
from __future__ import annotations

import asyncio

from aiohttp import web

from appliance import keys
from appliance.classroom import importers
from appliance.classroom.models import IMAGE_URL_PREFIX, image_url
from appliance.http.access import own_quiz, owner_filter
from appliance.http.auth import require_user
from appliance.http.security import json_error
from appliance.http.validation import bad_request, bool_field, json_object, path_id
from appliance.http.work import off_loop
from appliance.store import images, quizzes

MAX_IMPORT_BYTES = 512 * 1024


async def list_quizzes(request: web.Request) -> web.Response:
    user = await require_user(request)
    q = request.query
    found = await quizzes.list_quizzes(request.app[keys.DB], owner_filter(user), search=q.get("search", "")[:100],
                                       tag=q.get("tag", "")[:40], archived=q.get("archived") == "1")
    return web.json_response([quiz.to_json() for quiz in found])


async def list_tags(request: web.Request) -> web.Response:
    user = await require_user(request)
    return web.json_response(await quizzes.all_tags(request.app[keys.DB], owner_filter(user)))


async def create_quiz(request: web.Request) -> web.Response:
    user = await require_user(request)
    draft = importers.quiz_from_data(await json_object(request))
    quiz = await quizzes.create_quiz(request.app[keys.DB], user.id, draft.title, list(draft.questions), draft.tags)
    return web.json_response(quiz.to_json(), status=201)


async def get_quiz(request: web.Request) -> web.Response:
    user = await require_user(request)
    return web.json_response((await own_quiz(request, user, path_id(request))).to_json())


async def replace_quiz(request: web.Request) -> web.Response:
    user = await require_user(request)
    quiz = await own_quiz(request, user, path_id(request))
    draft = importers.quiz_from_data(await json_object(request))
    saved = await quizzes.replace_quiz(request.app[keys.DB], quiz.id, draft.title, list(draft.questions), draft.tags)
    return web.json_response(saved.to_json())


async def archive_quiz(request: web.Request) -> web.Response:
    user = await require_user(request)
    quiz = await own_quiz(request, user, path_id(request))
    body = await json_object(request)
    await quizzes.set_archived(request.app[keys.DB], quiz.id, bool_field(body, "archived"))
    return web.json_response({"ok": True})


async def clone_quiz(request: web.Request) -> web.Response:
    user = await require_user(request)
    quiz = await own_quiz(request, user, path_id(request))
    copy = await quizzes.create_quiz(request.app[keys.DB], user.id, f"{quiz.title} (copy)"[:100],
                                     list(quiz.questions), quiz.tags)
    return web.json_response(copy.to_json(), status=201)


async def import_quiz(request: web.Request) -> web.Response:
    """A quiz file (JSON or CSV, see docs/FORMATS.md) added to the library whole, or a 400 naming each problem."""
    user = await require_user(request)
    data = await request.read()
    if len(data) > MAX_IMPORT_BYTES:
        return json_error(413, f"the quiz file is larger than {MAX_IMPORT_BYTES // 1024} KiB")
    text = importers.decode_text(data)
    kind = request.query.get("format") or ("csv" if "csv" in request.content_type else "json")
    if kind == "json":
        draft = importers.parse_quiz_json(text)
    elif kind == "csv":
        draft = importers.parse_quiz_csv(text, request.query.get("title", ""))
    else:
        raise bad_request("format must be json or csv")
    quiz = await quizzes.create_quiz(request.app[keys.DB], user.id, draft.title, list(draft.questions), draft.tags)
    return web.json_response(quiz.to_json(), status=201)


async def export_quiz(request: web.Request) -> web.Response:
    user = await require_user(request)
    quiz = await own_quiz(request, user, path_id(request))
    kind = request.match_info["format"]
    slug = "".join(ch if ch.isalnum() else "-" for ch in quiz.title.lower()).strip("-")[:40] or "quiz"
    if kind == "json":
        body, content_type = importers.quiz_to_json(quiz.title, quiz.tags, quiz.questions), "application/json"
    else:
        body, content_type = importers.quiz_to_csv(quiz.questions), "text/csv"
    return web.Response(text=body, content_type=content_type, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{slug}.{kind}"'})


async def upload_image(request: web.Request) -> web.Response:
    await require_user(request)
    data = await request.read()
    settings = request.app[keys.SETTINGS]
    asyncio.get_running_loop()
    try:
        name = await off_loop(request, images.save_image, settings.data_dir / "images", data)
    except images.InvalidImage as exc:
        return json_error(413 if "larger than" in str(exc) else 400, f"image refused: {exc}")
    return web.json_response({"image": name, "url": image_url(name)}, status=201)


async def serve_image(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if not importers.IMAGE_NAME.match(name):
        raise web.HTTPNotFound()
    path = request.app[keys.SETTINGS].data_dir / "images" / name
    if not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable"})


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/v1/quizzes", list_quizzes)
    r.add_post("/api/v1/quizzes", create_quiz)
    r.add_post("/api/v1/quizzes/import", import_quiz)
    r.add_get("/api/v1/quizzes/{id}", get_quiz)
    r.add_put("/api/v1/quizzes/{id}", replace_quiz)
    r.add_patch("/api/v1/quizzes/{id}", archive_quiz)
    r.add_post("/api/v1/quizzes/{id}/clone", clone_quiz)
    r.add_get("/api/v1/quizzes/{id}/export.{format:json|csv}", export_quiz)
    r.add_get("/api/v1/tags", list_tags)
    r.add_post("/api/v1/images", upload_image)
    r.add_get(IMAGE_URL_PREFIX + "{name}", serve_image)
