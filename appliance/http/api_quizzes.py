"""The quiz library: create and edit quizzes, search and tag them, clone, import/export, question images."""
from __future__ import annotations

import asyncio

from aiohttp import web

from appliance import keys
from appliance.classroom import importers
from appliance.classroom.formats import aiken, gift, kahoot, tables, xlsx
from appliance.classroom.models import IMAGE_URL_PREFIX, image_url
from appliance.http.access import own_quiz, owner_filter
from appliance.http.auth import require_user
from appliance.http.security import json_error
from appliance.http.validation import bad_request, bool_field, json_object, path_id
from appliance.store import images, quizzes

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # Kahoot sheets carry styles; text banks stay far below


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
    """A quiz file (?format=json|csv|gift|aiken|kahoot, see docs/FORMATS.md) added to the library whole, or a
    400 naming each problem. Questions cards cannot ask are left out and listed in "skipped"."""
    user = await require_user(request)
    data = await request.read()
    if len(data) > MAX_IMPORT_BYTES:
        return json_error(413, f"the quiz file is larger than {MAX_IMPORT_BYTES // 1024} KiB")
    kind = request.query.get("format") or ("csv" if "csv" in request.content_type else "json")
    title = request.query.get("title", "")
    skipped: tuple[str, ...] = ()
    if kind == "kahoot":
        bank = await asyncio.get_running_loop().run_in_executor(None, _kahoot, data, title)
        draft, skipped = bank.draft, bank.skipped
    elif kind in ("json", "csv", "gift", "aiken"):
        text = importers.decode_text(data)
        if kind == "json":
            draft = importers.parse_quiz_json(text)
        elif kind == "csv":
            draft = importers.parse_quiz_csv(text, title)
        else:
            bank = (gift.parse(text, title) if kind == "gift" else aiken.parse(text, title))
            draft, skipped = bank.draft, bank.skipped
    else:
        raise bad_request("format must be json, csv, gift, aiken or kahoot")
    quiz = await quizzes.create_quiz(request.app[keys.DB], user.id, draft.title, list(draft.questions), draft.tags)
    return web.json_response({**quiz.to_json(), "skipped": list(skipped)}, status=201)


def _kahoot(data: bytes, title: str):
    return kahoot.parse(tables.read_sheet(data), title)


EXPORTS = {"json": "application/json", "csv": "text/csv", "gift": "text/plain", "aiken": "text/plain",
           "xlsx": tables.XLSX_TYPE}


async def export_quiz(request: web.Request) -> web.Response:
    """The quiz as JSON, CSV, GIFT or Aiken text (Moodle), or Kahoot's spreadsheet (.xlsx). Questions a
    format cannot hold (a poll has no right answer in GIFT, Aiken or Kahoot) are listed in the
    X-Argus-Left-Out header and, for GIFT, as comments in the file."""
    user = await require_user(request)
    quiz = await own_quiz(request, user, path_id(request))
    kind = request.match_info["format"]
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
        text, left_out = aiken.export(quiz.questions)
        body = text.encode()
    else:
        sheets, left_out = kahoot.export(quiz.title, quiz.questions)
        body = xlsx.workbook(sheets, header=kahoot.HEADER_ROW - 1)
    filename = {"gift": f"{slug}-gift.txt", "aiken": f"{slug}-aiken.txt", "xlsx": f"{slug}-kahoot.xlsx"}.get(
        kind, f"{slug}.{kind}")
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if left_out:
        headers["X-Argus-Left-Out"] = "; ".join(left_out)[:2000].encode("ascii", "replace").decode()
    return web.Response(body=body, content_type=EXPORTS[kind],
                        charset=None if kind == "xlsx" else "utf-8", headers=headers)


async def upload_image(request: web.Request) -> web.Response:
    await require_user(request)
    data = await request.read()
    settings = request.app[keys.SETTINGS]
    loop = asyncio.get_running_loop()
    try:
        name = await loop.run_in_executor(None, images.save_image, settings.data_dir / "images", data)
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
    r.add_get("/api/v1/quizzes/{id}/export.{format:json|csv|gift|aiken|xlsx}", export_quiz)
    r.add_get("/api/v1/tags", list_tags)
    r.add_post("/api/v1/images", upload_image)
    r.add_get(IMAGE_URL_PREFIX + "{name}", serve_image)
