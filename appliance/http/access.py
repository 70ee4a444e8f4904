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
from appliance.http.auth import require_user
from appliance.http.validation import path_id
from appliance.store import quizzes, rosters
from appliance.store import sessions as store


def owner_filter(user: User) -> int | None:
    """The owner id to filter by: None (everyone's) for an admin, the teacher's own id otherwise."""
    return None if user.role == "admin" else user.id


async def own_class(request: web.Request, user: User, class_id: int) -> ClassRoster:
    roster = await rosters.get_class(request.app[keys.DB], class_id, owner_filter(user))
    if roster is None:
        raise NotFound(f"class {class_id} does not exist")
    return roster


async def own_student_class(request: web.Request, user: User, student_id: int) -> ClassRoster:
    """The class of a current student the user may touch."""
    class_id = await rosters.student_class(request.app[keys.DB], student_id, owner_filter(user))
    if class_id is None:
        raise NotFound(f"student {student_id} does not exist")
    return await own_class(request, user, class_id)


async def own_quiz(request: web.Request, user: User, quiz_id: int) -> Quiz:
    quiz = await quizzes.get_quiz(request.app[keys.DB], quiz_id, owner_filter(user))
    if quiz is None:
        raise NotFound(f"quiz {quiz_id} does not exist")
    return quiz


async def own_session(request: web.Request, user: User, session_id: int) -> SessionRecord:
    record = await store.get_session(request.app[keys.DB], session_id, owner_filter(user))
    if record is None:
        raise NotFound(f"session {session_id} does not exist")
    return record


async def session_in_path(request: web.Request) -> tuple[User, SessionRecord]:
    """The logged-in user and the session named by the path's {id}, if it is theirs to touch."""
    user = await require_user(request)
    return user, await own_session(request, user, path_id(request))
