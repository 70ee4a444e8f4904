"""The HTML pages: thin jinja2 shells whose own ES module fetches data from /api/v1 and follows /api/v1/live.

Pages carry no data beyond ids, so every number a teacher sees comes from the same JSON API the tests check.
Teacher pages send a visitor who is not logged in to /login?next=<where they were going>.
"""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from aiohttp import web

from appliance import __version__, keys
from appliance.http.auth import current_user


def _web_folder(name: str) -> Path:
    """A folder of the package appliance.web (the repository's web/) as a real path: jinja2's loader and
    aiohttp's static route read the file system, and pip always installs Argus unzipped."""
    folder = resources.files("appliance.web") / name
    if not isinstance(folder, Path) or not folder.is_dir():
        raise RuntimeError(f"Argus is installed without its web files: {folder} is not a folder")
    return folder


TEMPLATES_DIR = _web_folder("templates")
STATIC_DIR = _web_folder("static")
TEMPLATES = web.AppKey("page_templates", jinja2.Environment)


# A path on this site: "/" then printable ASCII, with no second slash or a backslash right after it. Browsers
# drop tabs and newlines from URLs and read a backslash as "/", so "/<TAB>/evil.example" would leave the site.
_SAME_SITE_PATH = re.compile(r"/(?![/\\])[!-~]*")


def safe_next(target: str | None) -> str:
    """Only same-site paths: "//evil.example" or "https://..." would turn login into an open redirect."""
    if not target or not _SAME_SITE_PATH.fullmatch(target) or "\\" in target:
        return "/"
    parts = urlsplit(target)
    # No dot segments either: "/..//evil.example" resolves to the path "//evil.example".
    if parts.scheme or parts.netloc or {".", ".."} & set(parts.path.split("/")):
        return "/"
    return target


def render(request: web.Request, template: str, **context) -> web.Response:
    html = request.config_dict[TEMPLATES].get_template(template).render(version=__version__, template_name=template, **context)
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
    return render(request, "student.html", card_count=request.app[keys.SETTINGS].cards.count)


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
