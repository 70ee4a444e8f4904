"""The quiz library: create and edit quizzes, search and tag them, clone, import/export, question images."""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.classroom import importers
from appliance.classroom.models import image_url
from appliance.http import shapes
from appliance.http.access import own_quiz, owner_filter
from appliance.http.schema import ID, Args, Reply, Route, Upload, array, boolean, obj, one_of, string, text
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.store import images, quizzes

MAX_IMPORT_BYTES = 512 * 1024


async def list_quizzes(request: web.Request, args: Args) -> web.Response:
    q = args.query
    found = await quizzes.list_quizzes(request.config_dict[keys.DB], owner_filter(args.user), search=q["search"],
                                       tag=q["tag"], archived=q.get("archived") == 1)
    return web.json_response([quiz.to_json() for quiz in found])


async def list_tags(request: web.Request, args: Args) -> web.Response:
    return web.json_response(await quizzes.all_tags(request.config_dict[keys.DB], owner_filter(args.user)))


async def create_quiz(request: web.Request, args: Args) -> web.Response:
    draft = importers.quiz_from_data(args.body)
    quiz = await quizzes.create_quiz(request.config_dict[keys.DB], args.user.id, draft.title, list(draft.questions), draft.tags)
    return web.json_response(quiz.to_json(), status=201)


async def get_quiz(request: web.Request, args: Args) -> web.Response:
    return web.json_response((await own_quiz(request, args.user, args.path["id"])).to_json())


async def replace_quiz(request: web.Request, args: Args) -> web.Response:
    quiz = await own_quiz(request, args.user, args.path["id"])
    draft = importers.quiz_from_data(args.body)
    saved = await quizzes.replace_quiz(request.config_dict[keys.DB], quiz.id, draft.title, list(draft.questions), draft.tags)
    return web.json_response(saved.to_json())


async def archive_quiz(request: web.Request, args: Args) -> web.Response:
    quiz = await own_quiz(request, args.user, args.path["id"])
    await quizzes.set_archived(request.config_dict[keys.DB], quiz.id, args.body["archived"])
    return web.json_response({"ok": True})


async def clone_quiz(request: web.Request, args: Args) -> web.Response:
    quiz = await own_quiz(request, args.user, args.path["id"])
    copy = await quizzes.create_quiz(request.config_dict[keys.DB], args.user.id, f"{quiz.title} (copy)"[:100],
                                     list(quiz.questions), quiz.tags)
    return web.json_response(copy.to_json(), status=201)


async def import_quiz(request: web.Request, args: Args) -> web.Response:
    """A quiz file (JSON or CSV, see docs/FORMATS.md) added to the library whole, or a 400 naming each problem."""
    content = importers.decode_text(args.body)
    kind = args.query.get("format") or ("csv" if "csv" in request.content_type else "json")
    if kind == "json":
        draft = importers.parse_quiz_json(content)
    else:
        draft = importers.parse_quiz_csv(content, args.query.get("title", ""))
    quiz = await quizzes.create_quiz(request.config_dict[keys.DB], args.user.id, draft.title, list(draft.questions), draft.tags)
    return web.json_response(quiz.to_json(), status=201)


async def export_quiz(request: web.Request, args: Args) -> web.Response:
    quiz = await own_quiz(request, args.user, args.path["id"])
    kind = args.path["format"]
    slug = "".join(ch if ch.isalnum() else "-" for ch in quiz.title.lower()).strip("-")[:40] or "quiz"
    if kind == "json":
        body, content_type = importers.quiz_to_json(quiz.title, quiz.tags, quiz.questions), "application/json"
    else:
        body, content_type = importers.quiz_to_csv(quiz.questions), "text/csv"
    return web.Response(text=body, content_type=content_type, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{slug}.{kind}"'})


async def upload_image(request: web.Request, args: Args) -> web.Response:
    data = args.body
    settings = request.config_dict[keys.SETTINGS]
    try:
        name = await off_loop(request, images.save_image, settings.data_dir / "images", data)
    except images.InvalidImage as exc:
        return json_error(413 if "larger than" in str(exc) else 400, f"image refused: {exc}")
    return web.json_response({"image": name, "url": image_url(name)}, status=201)


async def serve_image(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if not importers.IMAGE_NAME.match(name):
        raise web.HTTPNotFound()
    path = request.config_dict[keys.SETTINGS].data_dir / "images" / name
    if not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable"})


_QUIZ_BODY = obj({"format": one_of("argus-quiz"), "version": one_of(1), "title": text(importers.MAX_NAME),
                  "tags": array(text(40), 100),
                  "questions": array(shapes.question_body(stored=True), importers.MAX_QUESTIONS, 1)},
                 required=["title", "questions"])
ROUTES = [
    Route("GET", "/quizzes", list_quizzes, "Quizzes with their questions",
          query=obj({"search": string(100, default=""), "tag": string(40, default=""), "archived": one_of(0, 1)}),
          responses={200: array(shapes.QUIZ, 100_000)}),
    Route("POST", "/quizzes", create_quiz, "Create a quiz", body=_QUIZ_BODY, responses={201: shapes.QUIZ}),
    Route("POST", "/quizzes/import", import_quiz, "Import a quiz file; errors name their line or field",
          query=obj({"format": one_of("json", "csv"), "title": string(importers.MAX_NAME)}),
          body=Upload(("application/json", "text/csv", "text/plain"), MAX_IMPORT_BYTES),
          responses={201: shapes.QUIZ}),
    Route("GET", "/quizzes/{id}", get_quiz, "A quiz", path_params={"id": ID}, responses={200: shapes.QUIZ}),
    Route("PUT", "/quizzes/{id}", replace_quiz, "Save a quiz whole (title, tags, questions in order)",
          path_params={"id": ID}, body=_QUIZ_BODY, responses={200: shapes.QUIZ}),
    Route("PATCH", "/quizzes/{id}", archive_quiz, "Archive or restore a quiz", path_params={"id": ID},
          body=obj({"archived": boolean()}, required=["archived"]), responses={200: shapes.OK}),
    Route("POST", "/quizzes/{id}/clone", clone_quiz, "Copy a quiz into one's library", path_params={"id": ID},
          responses={201: shapes.QUIZ}),
    Route("GET", "/quizzes/{id}/export.{format}", export_quiz, "Download a quiz as JSON or CSV",
          path_params={"id": ID, "format": one_of("json", "csv")},
          responses={200: Reply("the quiz file", content_type=None)}),
    Route("GET", "/tags", list_tags, "Every quiz tag in use", responses={200: array({"type": "string"}, 100_000)}),
    Route("POST", "/images", upload_image, "Upload a question image (PNG, JPEG, GIF or WebP)",
          body=Upload(("image/*",), images.MAX_BYTES), responses={201: obj(
              {"image": {"type": "string"}, "url": {"type": "string"}}, required=["image", "url"])}),
]
