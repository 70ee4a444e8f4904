"""The teacher's library pages: classes and their rosters, the quiz library and editor, printable cards.

Same pattern as pages.py: thin shells that carry ids (and the configured card count) only; each page's ES
module fetches and saves everything through /api/v1, so the pages can show nothing the API would refuse.
"""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.http.pages import render, require_page_user, teacher_page


async def class_page(request: web.Request) -> web.Response:
    user = await require_page_user(request)
    return render(request, "class.html", user=user, class_id=int(request.match_info["id"]),
                  card_count=request.config_dict[keys.SETTINGS].cards.count)


async def cards_page(request: web.Request) -> web.Response:
    user = await require_page_user(request)
    return render(request, "cards.html", user=user, card_count=request.config_dict[keys.SETTINGS].cards.count)


def setup(app: web.Application) -> None:
    router = app.router
    router.add_get("/classes", teacher_page("classes.html"))
    router.add_get(r"/classes/{id:[0-9]{1,18}}", class_page)
    router.add_get("/quizzes", teacher_page("quizzes.html"))
    router.add_get("/quizzes/new", teacher_page("quiz_edit.html", quiz_id=""))
    router.add_get(r"/quizzes/{id:[0-9]{1,18}}/edit", teacher_page("quiz_edit.html", "quiz_id"))
    router.add_get(r"/quizzes/{id:[0-9]{1,18}}/analysis", teacher_page("quiz_analysis.html", "quiz_id"))
    router.add_get("/cards", cards_page)
