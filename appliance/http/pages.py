"""The HTML pages: thin jinja2 shells whose own ES module fetches data from /api/v1 and follows /api/v1/live.

Pages carry no data beyond ids, so every number a teacher sees comes from the same JSON API the tests check.
Teacher pages send a visitor who is not logged in to /login?next=<where they were going>.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import jinja2
from aiohttp import web

import appliance
from appliance import __version__
from appliance.http.auth import current_user

ROOT = Path(appliance.__file__).parents[1]
TEMPLATES_DIR = ROOT / "web" / "templates"
STATIC_DIR = ROOT / "web" / "static"
TEMPLATES = web.AppKey("page_templates", jinja2.Environment)


def safe_next(target: str | None) -> str:
    """Only same-site paths: "//evil.example" or "https://..." would turn login into an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def render(request: web.Request, template: str, **context) -> web.Response:
    html = request.config_dict[TEMPLATES].get_template(template).render(version=__version__, **context)
    # Pages are shells that fetch live data; a cached shell after an upgrade would load stale scripts.
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-cache"})


async def require_page_user(request: web.Request):
    user = await current_user(request)
    if user is None:
        raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='/')}")
    return user


async def login_page(request: web.Request) -> web.Response:
    target = safe_next(request.query.get("next"))
    if await current_user(request) is not None:
        raise web.HTTPFound(target)
    return render(request, "login.html", next=target)


def teacher_page(template: str, id_as: str | None = None, **context):
    """A handler for a page that needs a login; the path's {id}, if any, reaches the template as `id_as`."""
    async def handler(request: web.Request) -> web.Response:
        user = await require_page_user(request)
        ids = {id_as: int(request.match_info["id"])} if id_as else {}
        return render(request, template, user=user, **ids, **context)
    return handler


async def projector_page(request: web.Request) -> web.Response:
    return render(request, "projector.html")


async def student_page(request: web.Request) -> web.Response:
    return render(request, "student.html")


async def _revalidate_static(request: web.Request, response: web.StreamResponse) -> None:
    # Static files change only with an upgrade; "no-cache" keeps them cached but checked by ETag each load.
    if request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-cache"


def setup_pages(app: web.Application) -> None:
    app[TEMPLATES] = jinja2.Environment(
        autoescape=True,
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,  # a misspelt variable is an error, not an empty string
    )
    router = app.router
    router.add_get("/login", login_page)
    router.add_get("/", teacher_page("dashboard.html"))
    router.add_get(r"/session/{id:[0-9]{1,18}}", teacher_page("session.html", "session_id"))
    router.add_get(r"/results/{id:[0-9]{1,18}}", teacher_page("results.html", "session_id"))
    router.add_get("/projector", projector_page)
    router.add_get("/student", student_page)
    router.add_static("/static/", STATIC_DIR, append_version=False)
    app.on_response_prepare.append(_revalidate_static)
