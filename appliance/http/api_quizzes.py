"""The quiz library: create and edit quizzes, search and tag them, clone, import/export, question images."""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.classroom import importers
from appliance.classroom.formats import aiken, gift, kahoot, tables, xlsx
from appliance.classroom.models import image_url
from appliance.http import isolated, shapes
from appliance.http.access import own_quiz, owner_filter
from appliance.http.schema import ID, Args, Reply, Route, Upload, array, boolean, obj, one_of, string, text
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.store import audit, image_owners, images, quizzes

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # Kahoot sheets carry styles; text banks stay far below


async def list_quizzes(request: web.Request, args: Args) -> web.Response:
    q = args.query
    found = await quizzes.list_quizzes(request.config_dict[keys.DB], owner_filter(args.user), search=q["search"],
                                       tag=q["tag"], archived=q.get("archived") == 1)
    return web.json_response(found)


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


async def delete_quiz(request: web.Request, args: Args) -> web.Response:
    """Delete for good (archive is the undoable way). Lessons already run keep their results and the title."""
    quiz = await own_quiz(request, args.user, args.path["id"])
    db = request.config_dict[keys.DB]
    lessons = await quizzes.delete_quiz(db, quiz.id)
    await audit.record(db, args.user.id, "quiz.delete", f"deleted the quiz {quiz.title!r} ({len(quiz.questions)} "
                                                         f"questions); {lessons} past lessons keep their results")
    return web.json_response({"ok": True, "lessons_kept": lessons})


async def clone_quiz(request: web.Request, args: Args) -> web.Response:
    quiz = await own_quiz(request, args.user, args.path["id"])
    copy = await quizzes.create_quiz(request.config_dict[keys.DB], args.user.id, f"{quiz.title} (copy)"[:100],
                                     list(quiz.questions), quiz.tags)
    return web.json_response(copy.to_json(), status=201)


async def import_quiz(request: web.Request, args: Args) -> web.Response:
    """A quiz file (?format=json|csv|gift|aiken|kahoot, see docs/FORMATS.md) added to the library whole, or a
    400 naming each problem. Questions cards cannot ask are left out and listed in "skipped"."""
    kind = args.query.get("format") or ("csv" if "csv" in request.content_type else "json")
    title = args.query.get("title", "")
    if kind == "kahoot":
        table = await isolated.read_sheet(request, args.body, isolated.QUIZ_CELL_CHARS)
        bank = await off_loop(request, kahoot.parse, table, title)
        draft, skipped = bank.draft, bank.skipped
    else:
        slot = request.config_dict[keys.TEXT_IMPORT_SLOT]
        if slot.locked():  # refused rather than queued: a queue of parses would hold the work threads
            return json_error(503, "the appliance is reading another quiz file; try again in a minute",
                              **{"Retry-After": "30"})
        async with slot:
            draft, skipped = await off_loop(request, _parse_text, kind, args.body, title)
    quiz = await quizzes.create_quiz(request.config_dict[keys.DB], args.user.id, draft.title, list(draft.questions),
                                     draft.tags)
    return web.json_response({**quiz.to_json(), "skipped": list(skipped)}, status=201)


def _parse_text(kind: str, data: bytes, title: str) -> tuple[importers.QuizDraft, tuple[str, ...]]:
    """A text quiz file parsed on a work thread: 2 MiB of it is real CPU, and the event loop serves the live
    pages meanwhile."""
    content = importers.decode_text(data)
    if kind == "json":
        return importers.parse_quiz_json(content), ()
    if kind == "csv":
        return importers.parse_quiz_csv(content, title), ()
    bank = gift.parse(content, title) if kind == "gift" else aiken.parse(content, title)
    return bank.draft, bank.skipped


EXPORTS = {"json": "application/json", "csv": "text/csv", "gift": "text/plain", "aiken": "text/plain",
           "xlsx": tables.XLSX_TYPE}


async def export_quiz(request: web.Request, args: Args) -> web.Response:
    """The quiz as JSON, CSV, GIFT or Aiken text (Moodle), or Kahoot's spreadsheet (.xlsx). Questions a format
    cannot hold (a poll has no right answer in GIFT, Aiken or Kahoot) are listed in the X-Argus-Left-Out
    header and, for GIFT, as comments in the file."""
    quiz = await own_quiz(request, args.user, args.path["id"])
    kind = args.path["format"]
    slug = "".join(ch if ch.isalnum() else "-" for ch in quiz.title.lower()).strip("-")[:40] or "quiz"
    left_out: list[str] = []
    if kind == "json":
        body = importers.quiz_to_json(quiz.title, quiz.tags, quiz.questions).encode()
    elif kind == "csv":
        body = importers.quiz_to_csv(quiz.questions).encode()
    elif kind == "gift":
        body = gift.export(quiz.title, quiz.questions).encode()
        left_out = [f"Q{n}" for n, q in enumerate(quiz.questions, start=1) if q.correct is None]
    elif kind == "aiken":
        text_, left_out = aiken.export(quiz.questions)
        body = text_.encode()
    else:
        sheets, left_out = kahoot.export(quiz.title, quiz.questions)
        body = await off_loop(request, xlsx.workbook, sheets, header=kahoot.HEADER_ROW - 1)
    filename = {"gift": f"{slug}-gift.txt", "aiken": f"{slug}-aiken.txt", "xlsx": f"{slug}-kahoot.xlsx"}.get(
        kind, f"{slug}.{kind}")
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if left_out:
        headers["X-Argus-Left-Out"] = "; ".join(left_out)[:2000].encode("ascii", "replace").decode()
    return web.Response(body=body, content_type=EXPORTS[kind], charset=None if kind == "xlsx" else "utf-8",
                        headers=headers)


async def upload_image(request: web.Request, args: Args) -> web.Response:
    user, data = args.user, args.body
    app = request.config_dict
    db = app[keys.DB]
    quota_mb = app[keys.SETTINGS].storage.image_quota_mb
    # The quota is checked and the image stored inside the slot too, so two uploads at once cannot both fit.
    async with app[keys.DECODE_SLOT]:
        try:
            image = await off_loop(request, images.reencode, data)
        except images.InvalidImage as exc:
            return json_error(413 if isinstance(exc, images.ImageTooLarge) else 400, f"image refused: {exc}")
        used = await image_owners.bytes_used(db, user.id)
        if not await image_owners.owns(db, image.name, user.id) and used + len(image.data) > quota_mb * 1_048_576:
            return json_error(413, f"image refused: your question images already use {used / 1_048_576:.1f} of "
                                   f"{quota_mb} MB (images no quiz uses are removed after a day)")
        await off_loop(request, images.store, app[keys.SETTINGS].data_dir / "images", image)
        await image_owners.add(db, image.name, user.id, len(image.data))
    return web.json_response({"image": image.name, "url": image_url(image.name)}, status=201)


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
    Route("GET", "/quizzes", list_quizzes, "Quizzes as the library lists them: no questions, only how many",
          query=obj({"search": string(100, default=""), "tag": string(40, default=""), "archived": one_of(0, 1)}),
          responses={200: array(obj({"id": {"type": "integer"}, "title": {"type": "string"},
                                     "tags": {"type": "array", "items": {"type": "string"}},
                                     "question_count": {"type": "integer"}},
                                    required=["id", "title", "tags", "question_count"]), 100_000)}),
    Route("POST", "/quizzes", create_quiz, "Create a quiz", body=_QUIZ_BODY, responses={201: shapes.QUIZ}),
    Route("POST", "/quizzes/import", import_quiz,
          "Import a quiz file (Argus JSON or CSV, Moodle GIFT or Aiken, a Kahoot .xlsx); errors name their line, "
          "field or cell; questions cards cannot ask are left out and listed in 'skipped'",
          query=obj({"format": one_of("json", "csv", "gift", "aiken", "kahoot"), "title": string(importers.MAX_NAME)}),
          body=Upload(("application/json", "text/csv", "text/plain", tables.XLSX_TYPE), MAX_IMPORT_BYTES),
          responses={201: {**shapes.QUIZ, "properties": {**shapes.QUIZ["properties"],
                                                          "skipped": array({"type": "string"}, 1000)}},
                     503: "busy reading another quiz file; Retry-After says when to try again"}),
    Route("GET", "/quizzes/{id}", get_quiz, "A quiz", path_params={"id": ID}, responses={200: shapes.QUIZ}),
    Route("PUT", "/quizzes/{id}", replace_quiz, "Save a quiz whole (title, tags, questions in order)",
          path_params={"id": ID}, body=_QUIZ_BODY, responses={200: shapes.QUIZ}),
    Route("PATCH", "/quizzes/{id}", archive_quiz, "Archive or restore a quiz", path_params={"id": ID},
          body=obj({"archived": boolean()}, required=["archived"]), responses={200: shapes.OK}),
    Route("DELETE", "/quizzes/{id}", delete_quiz,
          "Delete a quiz for good; lessons already run with it keep their results (their own copy of the "
          "questions, and the quiz's title). Images no other quiz or past lesson shows go with the image cleanup",
          path_params={"id": ID},
          responses={200: obj({"ok": {"type": "boolean"}, "lessons_kept": {"type": "integer"}},
                              required=["ok", "lessons_kept"]),
                     409: "a lesson with this quiz has not ended"}),
    Route("POST", "/quizzes/{id}/clone", clone_quiz, "Copy a quiz into one's library", path_params={"id": ID},
          responses={201: shapes.QUIZ}),
    Route("GET", "/quizzes/{id}/export.{format}", export_quiz,
          "Download a quiz as JSON, CSV, GIFT or Aiken (Moodle), or Kahoot's spreadsheet (xlsx)",
          path_params={"id": ID, "format": one_of("json", "csv", "gift", "aiken", "xlsx")},
          responses={200: Reply("the quiz file", content_type=None)}),
    Route("GET", "/tags", list_tags, "Every quiz tag in use", responses={200: array({"type": "string"}, 100_000)}),
    Route("POST", "/images", upload_image, "Upload a question image (PNG, JPEG, GIF or WebP, at most 24 million "
          "pixels); stored encoded again (JPEG as JPEG, the rest as PNG)",
          body=Upload(("image/*",), images.MAX_BYTES), responses={201: obj(
              {"image": {"type": "string"}, "url": {"type": "string"}}, required=["image", "url"]),
              413: "too large, too many pixels, or the teacher's image quota (storage.image_quota_mb) is used"}),
]
