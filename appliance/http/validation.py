"""Reading request bodies: every bad field is a 400 that names the field."""
from __future__ import annotations

from aiohttp import web

from appliance import keys


def bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message, content_type="text/plain")


async def json_object(request: web.Request) -> dict:
    body = await request.json()
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    return body


def int_field(body: dict, name: str, *, required: bool = True, lo: int | None = None,
              hi: int | None = None) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request(f"'{name}' must be an integer")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise bad_request(f"'{name}' must be from {lo} to {hi}")
    return value


def str_field(body: dict, name: str, *, max_length: int = 100, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"'{name}' must be non-empty text")
    if len(value) > max_length:
        raise bad_request(f"'{name}' must be at most {max_length} characters")
    return value.strip()


def bool_field(body: dict, name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise bad_request(f"'{name}' must be true or false")
    return value


def path_id(request: web.Request, name: str = "id") -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise web.HTTPNotFound(text=f"{raw!r} is not an id", content_type="text/plain")
    return int(raw)


def card_count(request: web.Request) -> int:
    return request.app[keys.SETTINGS].cards.count
