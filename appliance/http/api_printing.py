"""Printable cards over HTTP: a PDF of cards 1..N, a class's cards with its students' names, one card as PNG.

Rendering a page of cards is CPU work of a second or more on a Pi, so it runs in a worker thread, one PDF
at a time (keys.PRINT_SLOT): ten teachers pressing "Print" at once queue up instead of starving the card reader.
"""
from __future__ import annotations

import asyncio
import functools

import cv2
from aiohttp import web

from appliance import keys
from appliance.http.access import own_class
from appliance.http.auth import require_user
from appliance.http.validation import bad_request, card_count, path_id
from appliance.http.work import off_loop
from appliance.vision import printing
from appliance.vision.cards import render_card

# Kept beside the only routes that use it rather than in keys.py, which belongs to the app's resources.
PNG_SIZES = (100, 1000)
_PAGE_NAMES = {name.lower(): name for name in printing.PAGE_SIZES}


def _page_options(request: web.Request) -> tuple[str, int]:
    page = _PAGE_NAMES.get(request.query.get("page", "A4").lower())
    if page is None:
        raise bad_request(f"page must be one of {', '.join(printing.PAGE_SIZES)}")
    per_page = request.query.get("per_page", "1")
    if per_page not in ("1", "2", "4"):
        raise bad_request("per_page must be 1, 2 or 4")
    return page, int(per_page)


def _query_int(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        raise bad_request(f"{name} must be a number from {lo} to {hi}")
    return int(raw)


async def _pdf_response(request: web.Request, numbers: list[int], names: dict[int, str], filename: str,
                        page: str, per_page: int) -> web.Response:
    job = functools.partial(printing.cards_pdf, numbers, page=page, per_page=per_page, names=names)
    async with request.app[keys.PRINT_SLOT]:
        data = await off_loop(request, job)
    return web.Response(body=data, content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def cards_pdf(request: web.Request) -> web.Response:
    await require_user(request)
    page, per_page = _page_options(request)
    limit = card_count(request)
    count = _query_int(request, "count", limit, 1, limit)
    return await _pdf_response(request, list(range(1, count + 1)), {}, f"argus-cards-1-{count}.pdf", page, per_page)


async def class_cards_pdf(request: web.Request) -> web.Response:
    user = await require_user(request)
    roster = await own_class(request, user, path_id(request))
    page, per_page = _page_options(request)
    if not roster.students:
        raise bad_request(f"{roster.name} has no students yet: add some before printing their cards")
    students = sorted(roster.students, key=lambda s: s.card)
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in roster.name.lower()).strip("-")[:40]
    return await _pdf_response(request, [s.card for s in students], {s.card: s.name for s in students},
                               f"argus-cards-{slug or roster.id}.pdf", page, per_page)


async def card_png(request: web.Request) -> web.Response:
    await require_user(request)
    number = path_id(request, "number")
    if not 1 <= number <= card_count(request):
        raise web.HTTPNotFound(text=f"there is no card {number} (cards go up to {card_count(request)})",
                               content_type="text/plain")
    size = _query_int(request, "size", 400, *PNG_SIZES)

    def encode() -> bytes:
        ok, png = cv2.imencode(".png", render_card(number, size))
        if not ok:
            raise RuntimeError("PNG encoding failed")
        return png.tobytes()

    data = await off_loop(request, encode)
    # A card never changes for a given number and size, so the browser may keep it for a day.
    return web.Response(body=data, content_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


def add_routes(app: web.Application) -> None:
    app[keys.PRINT_SLOT] = asyncio.Semaphore(1)
    r = app.router
    r.add_get("/api/v1/cards.pdf", cards_pdf)
    r.add_get(r"/api/v1/cards/{number:\d+}.png", card_png)
    r.add_get("/api/v1/classes/{id}/cards.pdf", class_cards_pdf)
