"""Small helpers for handlers. Input is checked before a handler runs, against its route's schema (schema.py);
what is left here are the rules a schema cannot say."""
from __future__ import annotations

from aiohttp import web

from appliance.classroom.models import User
from appliance.http import keys


def bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message, content_type="text/plain")


def owner_filter(user: User) -> int | None:
    """Admins see every teacher's classes and quizzes; a teacher sees their own."""
    return None if user.role == "admin" else user.id


def may_use(user: User, owner_id: int | None) -> bool:
    return owner_id is not None and (user.role == "admin" or owner_id == user.id)


def card_count(request: web.Request) -> int:
    return request.config_dict[keys.SETTINGS].cards.count
