"""Errors the domain names, so every layer above can raise and map them without importing a service."""
from __future__ import annotations

from appliance.classroom.session import InvalidTransition


class NotFound(LookupError):
    """No such row, or not this user's: callers answer both the same way (404), so ids leak nothing."""


class LessonRunning(InvalidTransition):
    """Another teacher's lesson has the camera; only an admin may end it to start another."""

    def __init__(self, session_id: int, teacher: str, since: float):
        self.session_id, self.teacher, self.since = session_id, teacher, since
        super().__init__(f"{teacher}'s lesson is running on this appliance; it has to end before another "
                         "starts (an admin may take it over)")


class QuizInUse(InvalidTransition):
    """A quiz cannot be deleted while a lesson with it has not ended (409)."""
