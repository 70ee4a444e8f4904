"""Pages for claiming and running the appliance: setup, admin, own account, class and student reports, and
the camera check. Same pattern as pages.py: thin shells carrying ids only; their ES modules fetch /api/v1.
"""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.accounts import passwords
from appliance.http.pages import render, require_page_user, teacher_page
from appliance.store import accounts


async def _claimed(request: web.Request) -> bool:
    return await accounts.count_users(request.config_dict[keys.DB]) > 0


@web.middleware
async def unclaimed_goes_to_setup(request: web.Request, handler):
    """A new appliance has no account to log in with: its login page sends the admin to /setup instead."""
    if request.method == "GET" and request.path == "/login" and not await _claimed(request):
        raise web.HTTPFound("/setup")
    return await handler(request)


async def setup_page(request: web.Request) -> web.Response:
    if await _claimed(request):
        raise web.HTTPFound("/login")
    tls = request.app.get(keys.TLS)
    return render(request, "setup.html", min_length=passwords.MIN_LENGTH,
                  fingerprint=tls.info.fingerprint_sha256 if tls else None)


async def admin_page(request: web.Request) -> web.Response:
    user = await require_page_user(request)
    response = render(request, "admin.html", user=user, allowed=user.role == "admin",
                      min_length=passwords.MIN_LENGTH,
                      keep_names_days=request.config_dict[keys.SETTINGS].privacy.keep_names_days)
    if user.role != "admin":
        response.set_status(403)  # the page explains; the status tells scripts and monitoring the same
    return response


def setup(app: web.Application) -> None:
    app.middlewares.append(unclaimed_goes_to_setup)
    router = app.router
    router.add_get("/setup", setup_page)
    router.add_get("/admin", admin_page)
    router.add_get("/account", teacher_page("account.html", min_length=passwords.MIN_LENGTH))
    router.add_get(r"/classes/{id:[0-9]{1,18}}/report", teacher_page("class_report.html", "class_id"))
    router.add_get(r"/students/{id:[0-9]{1,18}}", teacher_page("student_history.html", "student_id"))
    router.add_get("/camera", teacher_page("camera.html"))

