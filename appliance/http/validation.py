"""Small helpers for handlers. Input is checked before a handler runs, against its route's schema (schema.py);
what is left here are the rules a schema cannot say."""
from __future__ import annotations

from aiohttp import web

from appliance import keys


def bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message, content_type="text/plain")




def card_count(request: web.Request) -> int:
    return request.config_dict[keys.SETTINGS].cards.count
