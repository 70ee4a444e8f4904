"""Printable cards over HTTP: a PDF of cards 1..N, a class's cards with its students' names, one card as PNG.

Rendering a page of cards is CPU work of a second or more on a Pi, so it runs in a worker thread, one PDF
at a time (keys.PRINT_SLOT): ten teachers pressing "Print" at once queue up instead of starving the card reader.
"""
from __future__ import annotations

import functools

import cv2
from aiohttp import web

from appliance import keys
from appliance.classroom import entries
from appliance.http.access import own_class
from appliance.http.schema import CARD_COUNT, ID, MAX_ID, Args, Reply, Route, integer, obj, one_of
from appliance.http.validation import card_count
from appliance.http.work import off_loop
from appliance.vision import printing
from appliance.vision.cards import render_card

# Kept beside the only routes that use it rather than in keys.py, which belongs to the app's resources.
PNG_SIZES = (100, 1000)
SPARE_CAPTION = "Spare"
_PAGE_OPTIONS = {"page": one_of(*printing.PAGE_SIZES, default="A4"), "per_page": one_of(1, 2, 4, 6, default=1)}


async def _pdf_response(request: web.Request, numbers: list[int], names: dict[int, str], filename: str,
                        page: str, per_page: int) -> web.Response:
    job = functools.partial(printing.cards_pdf, numbers, page=page, per_page=per_page, names=names)
    async with request.config_dict[keys.PRINT_SLOT]:
        data = await off_loop(request, job)
    return web.Response(body=data, content_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def cards_pdf(request: web.Request, args: Args) -> web.Response:
    page, per_page = args.query["page"], args.query["per_page"]
    count = args.query.get("count", card_count(request))
    return await _pdf_response(request, list(range(1, count + 1)), {}, f"argus-cards-1-{count}.pdf", page, per_page)


async def class_cards_pdf(request: web.Request, args: Args) -> web.Response:
    roster = await own_class(request, args.user, args.path["id"])
    page, per_page = args.query["page"], args.query["per_page"]
    if not roster.students:
        raise web.HTTPConflict(text=f"{roster.name} has no students yet: add some before printing their cards",
                               content_type="text/plain")
    students = sorted(roster.students, key=lambda s: s.card)
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in roster.name.lower()).strip("-")[:40]
    # A few spare cards at the end, for a student who forgot theirs: given out for one lesson on the teacher's page.
    spares = entries.spare_cards(roster, card_count(request))
    names = {s.card: s.name for s in students} | {n: SPARE_CAPTION for n in spares}
    return await _pdf_response(request, [s.card for s in students] + spares, names,
                               f"argus-cards-{slug or roster.id}.pdf", page, per_page)


async def card_png(request: web.Request, args: Args) -> web.Response:
    number, size = args.path["number"], args.query["size"]
    if number > card_count(request):
        raise web.HTTPNotFound(text=f"there is no card {number} (cards go up to {card_count(request)})",
                               content_type="text/plain")

    def encode() -> bytes:
        ok, png = cv2.imencode(".png", render_card(number, size))
        if not ok:
            raise RuntimeError("PNG encoding failed")
        return png.tobytes()

    data = await off_loop(request, encode)
    # A card never changes for a given number and size, so the browser may keep it for a day.
    return web.Response(body=data, content_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


_PDF = Reply("PDF", content_type="application/pdf")
ROUTES = [
    Route("GET", "/cards.pdf", cards_pdf, "Printable cards 1..count as a PDF",
          query=obj({"count": integer(1, CARD_COUNT), **_PAGE_OPTIONS}), responses={200: _PDF}),
    Route("GET", "/cards/{number}.png", card_png, "One card upright (A on top) as a PNG",
          path_params={"number": integer(1, MAX_ID)},
          query=obj({"size": integer(*PNG_SIZES, default=400, description="pixels")}),
          responses={200: Reply("PNG", content_type="image/png"), 404: "no such card"}),
    Route("GET", "/classes/{id}/cards.pdf", class_cards_pdf,
          "A class's cards with its students' names as a PDF, and a few spare cards at the end",
          path_params={"id": ID}, query=obj(_PAGE_OPTIONS), responses={200: _PDF, 409: "the class has no students"}),
]
