"""The /api/v1 sub-application: every API module's route table mounted behind its checks, and the OpenAPI
document rendered from the very same table (see schema.py), served at /api/v1/openapi.json."""
from __future__ import annotations

from aiohttp import web

from appliance import __version__
from appliance.http import (
    api_accounts,
    api_backups,
    api_camera,
    api_classes,
    api_entries,
    api_gradebooks,
    api_health,
    api_item_analysis,
    api_oneroster,
    api_printing,
    api_privacy,
    api_quizzes,
    api_reports,
    api_sessions,
    api_skills,
    api_sync,
    api_sync_settings,
    api_tls,
    auth,
    live,
    public,
)
from appliance.http.schema import Args, Route, document, mount
from appliance.http.security import api_error_middleware, api_no_store_middleware

PREFIX = "/api/v1"
# api_oneroster before api_classes: /classes/import must not be taken for /classes/{id}.
MODULES = (auth, api_accounts, api_camera, api_oneroster, api_classes, api_health, api_quizzes, api_sessions,
           api_entries, api_reports, api_item_analysis, api_skills, api_gradebooks, api_printing, api_tls, api_sync,
           api_sync_settings, api_backups, api_privacy, public, live)
DOCUMENT = web.AppKey("openapi_document", dict)


async def openapi_json(request: web.Request, args: Args) -> web.Response:
    return web.json_response(request.app[DOCUMENT])


ROUTES = [Route("GET", "/openapi.json", openapi_json, "This document", auth="public",
                responses={200: {"type": "object"}})]


def routes() -> list[Route]:
    return [route for module in (*MODULES,) for route in module.ROUTES] + ROUTES


def api_app(settings) -> web.Application:
    """The API as its own application, to be mounted at PREFIX: its middlewares see API requests only."""
    api = web.Application(middlewares=[api_no_store_middleware, api_error_middleware])
    mounted = mount(api, routes(), settings, {"user": auth.require_user,
                                                  "admin": api_sync.admin_or_local_token})
    api[DOCUMENT] = document(mounted, PREFIX, __version__)
    return api
