"""The session engine: applies teacher actions and camera registrations to the one running session.

Every change is written to the store first and published second, so anything a screen shows as registered
is already on disk. Actions are serialised by a lock; the rules themselves live in classroom/session.py.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Protocol

from appliance.bus import Bus
from appliance.classroom import scoring, session as rules
from appliance.classroom.models import ClassRoster, Question, Quiz, SessionRecord
from appliance.store import rosters, quizzes, sessions as store
from appliance.store.db import Database
from appliance.vision.types import Registration

log = logging.getLogger(__name__)


class QuestionListener(Protocol):
    """Told when the camera should start or stop collecting answers (the reader, the simulated class)."""

    def question_opened(self, key: str, option_count: int) -> None: ...

    def question_closed(self) -> None: ...


class NotFound(LookupError):
    pass


def question_key(session_id: int, index: int) -> str:
    return f"s{session_id}-q{index}"


@dataclass
class _Running:
    record: SessionRecord
    position: rules.SessionPosition
    roster: ClassRoster
    quiz_title: str
    questions: tuple[Question, ...]
    # answers[question][student_id] = letter: mirrors the stored responses for quick counts.
    answers: dict[int, dict[int, str]] = field(default_factory=dict)


class SessionEngine:
    def __init__(self, db: Database, bus: Bus):
        self._db = db
        self._bus = bus
        self._lock = asyncio.Lock()
        self._running: _Running | None = None
        self._listeners: list[QuestionListener] = []

    def add_listener(self, listener: QuestionListener) -> None:
        self._listeners.append(listener)
        if self._running and self._running.position.state == rules.OPEN:
            self._notify_opened(self._running)

    async def restore(self) -> None:
        """Pick up the session that was running when the appliance stopped, in the state it was in."""
        record = await store.unfinished_session(self._db)
        if record is not None:
            self._running = await self._load(record)
            log.info("resumed session %s (%s)", record.id, record.state)

    async def _load(self, record: SessionRecord) -> _Running:
        roster = await rosters.get_class(self._db, record.class_id)
        quiz = await quizzes.get_quiz(self._db, record.quiz_id)
        questions = await store.session_questions(self._db, record.id)
        running = _Running(record, rules.SessionPosition(record.state, record.question), roster,
                           quiz.title if quiz else "", questions)
        for r in await store.responses(self._db, record.id):
            running.answers.setdefault(r.question, {})[r.student_id] = r.answer
        return running

    async def start(self, roster: ClassRoster, quiz: Quiz, teacher_id: int) -> SessionRecord:
        if not quiz.questions:
            raise rules.InvalidTransition(f"quiz '{quiz.title}' has no questions")
        async with self._lock:
            record = await store.create_session(self._db, roster.id, quiz.id, teacher_id, quiz.questions)
            await store.set_state(self._db, record.id, rules.READY, None, end_others=True)
            was_open = self._running and self._running.position.state == rules.OPEN
            self._running = _Running(record, rules.SessionPosition(rules.READY, None), roster, quiz.title,
                                     quiz.questions)
            if was_open:
                self._notify_closed()
            self._publish_state()
            return record

    async def act(self, session_id: int, action: str, index: int | None = None) -> None:
        """Apply "open" (with index), "close", "reveal" or "end" to the running session."""
        async with self._lock:
            running = self._running
            if running is None or running.record.id != session_id:
                record = await store.get_session(self._db, session_id)
                if record is None:
                    raise NotFound(f"session {session_id} does not exist")
                raise rules.InvalidTransition(f"session {session_id} is not running (it is {record.state})")
            before = running.position
            if action == "open":
                after = rules.open_question(before, index, len(running.questions))
            elif action == "close":
                after = rules.close_question(before)
            elif action == "reveal":
                after = rules.reveal(before)
            elif action == "end":
                after = rules.end(before)
            else:
                raise ValueError(f"unknown action {action!r}")
            await store.set_state(self._db, session_id, after.state, after.question)
            running.position = after
            if after.state == rules.OPEN:
                self._notify_opened(running)
            elif before.state == rules.OPEN:
                self._notify_closed()
            self._publish_state()

    async def register(self, registration: Registration) -> None:
        """A card's answer as read by the camera: stored, then announced."""
        async with self._lock:
            running = self._running
            if running is None or not rules.accepts_answers(running.position):
                return
            student = running.roster.by_card().get(registration.card)
            question = running.questions[running.position.question]
            if student is None or registration.answer not in question.letters():
                return
            # Registrations carry monotonic time; the store keeps wall-clock time.
            seen_at = time.time() - max(0.0, time.monotonic() - registration.time)
            index = running.position.question
            response = await store.record_answer(self._db, running.record.id, index, student.id,
                                                 student.card, registration.answer, seen_at)
            if response is None:
                return
            running.answers.setdefault(index, {})[student.id] = response.answer
            self._bus.publish({"type": "response", "session_id": running.record.id, **response.to_json()},
                              "teacher")
            self._publish_state()

    def _notify_opened(self, running: _Running) -> None:
        index = running.position.question
        key = question_key(running.record.id, index)
        for listener in self._listeners:
            listener.question_opened(key, len(running.questions[index].options))

    def _notify_closed(self) -> None:
        for listener in self._listeners:
            listener.question_closed()

    def _publish_state(self) -> None:
        self._bus.publish({"type": "state", "state": self.public_state()}, "public")

    def public_state(self) -> dict:
        """What the projector and students may see: never a name, never one student's answer."""
        running = self._running
        if running is None or running.position.state == rules.ENDED:
            return {"session": None}
        pos = running.position
        question = running.questions[pos.question] if pos.question is not None else None
        answers = list(running.answers.get(pos.question, {}).values()) if question else []
        revealed = pos.state == rules.REVEALED and question is not None
        return {"session": {
            "id": running.record.id,
            "state": pos.state,
            "question_index": pos.question,
            "question_count": len(running.questions),
            "question": {"text": question.text, "options": list(question.options)} if question else None,
            "answered": len(answers),
            "total": len(running.roster.students),
            "distribution": scoring.distribution(question, answers) if revealed else None,
            "correct": question.correct if revealed else None,
            "class_name": running.roster.name,
            "quiz_title": running.quiz_title,
        }}

    def card_registered(self, card: int) -> bool:
        """Whether this card has an answer for the current question (yes/no only, for the student page)."""
        running = self._running
        if running is None or running.position.question is None or running.position.state == rules.ENDED:
            return False
        student = running.roster.by_card().get(card)
        return bool(student and student.id in running.answers.get(running.position.question, {}))

    def running_session_id(self) -> int | None:
        return self._running.record.id if self._running else None
