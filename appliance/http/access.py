"""May this user touch this row: the one place that answers it for classes, students, quizzes and sessions.

Admins may use every teacher's rows; a teacher only their own. Each check is one query (the store getters take
the owner), and a row that exists but is someone else's is answered exactly like one that does not exist, so
ids tell a curious teacher nothing.
"""
from __future__ import annotations

from aiohttp import web

from appliance import keys
from appliance.classroom.errors import NotFound
from appliance.classroom.models import ClassRoster, Quiz, SessionRecord, User
from appliance.store import quizzes, rosters
from appliance.store import sessions as store


def owner_filter(user: User) -> int | None:
    """The owner id to filter by: None (everyone's) for an admin, the teacher's own id otherwise."""
    return None if user.role == "admin" else user.id


async def _owned(request: web.Request, user: User, kind: str, getter, row_id: int):
    row = await getter(request.config_dict[keys.DB], row_id, owner_filter(user))
    if row is None:
        raise NotFound(f"{kind} {row_id} does not exist")
    return row


async def own_class(request: web.Request, user: User, class_id: int) -> ClassRoster:
    return await _owned(request, user, "class", rosters.get_class, class_id)


async def own_student_class(request: web.Request, user: User, student_id: int) -> ClassRoster:
    """The class of a current student the user may touch."""
    class_id = await _owned(request, user, "student", rosters.student_class, student_id)
    return await own_class(request, user, class_id)


async def own_quiz(request: web.Request, user: User, quiz_id: int) -> Quiz:
    return await _owned(request, user, "quiz", quizzes.get_quiz, quiz_id)


async def own_session(request: web.Request, user: User, session_id: int) -> SessionRecord:
    return await _owned(request, user, "session", store.get_session, session_id)
