"""The session engine: applies teacher actions, countdowns and camera registrations to the one running session.

Every change is written to the store first and published second, so anything a screen shows as registered
is already on disk. Actions are serialised by a lock; the rules themselves live in classroom/session.py.
Countdown deadlines are stored with the session, so a restart closes the question on time all the same.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from typing import Protocol

from appliance.classroom import lesson as lessons
from appliance.classroom import numbering
from appliance.classroom import session as rules
from appliance.classroom.errors import LessonRunning, NotFound
from appliance.classroom.lesson import Display, Lesson
from appliance.classroom.models import ClassRoster, Question, Quiz, SessionRecord, User
from appliance.live.bus import Bus
from appliance.live.clock import Clock, SystemClock
from appliance.live.entries import HandEntries
from appliance.store import accounts, attendance, audit, rosters
from appliance.store import sessions as store
from appliance.store.db import Database, StoreError
from appliance.vision.types import Registration

log = logging.getLogger(__name__)


class QuestionListener(Protocol):
    """Told when the camera should start or stop collecting answers (the reader, the simulated class)."""

    def question_opened(self, key: str, option_count: int) -> None: ...

    def question_closed(self) -> None: ...


def question_key(session_id: int, index: int) -> str:
    return f"s{session_id}-q{index}"


class SessionEngine(HandEntries):
    def __init__(self, db: Database, bus: Bus, clock: Clock | None = None, card_count: int = 64):
        self._db = db
        self._card_count = card_count
        self._bus = bus
        self._clock = clock or SystemClock()
        self._lock = asyncio.Lock()
        self._running: Lesson | None = None
        self._listeners: list[QuestionListener] = []
        self._timer: asyncio.Task | None = None

    def add_listener(self, listener: QuestionListener) -> None:
        self._listeners.append(listener)
        if self._running and self._running.position.state == rules.OPEN:
            self._notify_opened(self._running)

    async def restore(self) -> None:
        """Pick up the session that was running when the appliance stopped, in the state it was in."""
        record = await store.unfinished_session(self._db)
        if record is not None:
            self._running = await self._load(record)
            self._schedule_timer()
            log.info("resumed session %s (%s)", record.id, record.state)

    async def reload(self) -> None:
        """The database file was replaced (a restore): forget the lesson held in memory and pick up the one the
        new file says is running, exactly as after a restart. Called with the database held exclusively."""
        async with self._lock:
            if self._timer:
                self._timer.cancel()
                self._timer = None
            was_open = self._running and self._running.position.state in (rules.OPEN, rules.PAUSED)
            self._running = None
            if was_open:
                self._notify_closed()
            await self.restore()
            if self._running and self._running.position.state == rules.OPEN:
                self._notify_opened(self._running)
            self._publish_state()

    async def close(self) -> None:
        if self._timer:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer

    async def _load(self, record: SessionRecord) -> Lesson:
        roster = await rosters.get_class(self._db, record.class_id)
        questions = await store.session_questions(self._db, record.id)
        position = rules.SessionPosition(record.state, record.question, record.deadline, record.remaining)
        running = Lesson(record, position, roster, await store.quiz_title(self._db, record.id), questions,
                         await store.session_origins(self._db, record.id),
                         {i for i, q in enumerate(questions) if q.asked})
        for r in await store.responses(self._db, record.id):
            running.answers.setdefault(r.question, {})[r.student_id] = r.answer
        running.absent = await attendance.absent_students(self._db, record.id)
        running.spares = await attendance.spares(self._db, record.id)
        return running

    async def start(self, roster: ClassRoster, quiz: Quiz | None, teacher: User,
                    anonymous: bool = False, take_over: bool = False) -> SessionRecord:
        """Start a session for a class: with a quiz, or (quiz None) for ad-hoc questions only.

        The camera feeds one lesson. A teacher's own unfinished lesson ends; another teacher's refuses the
        start (LessonRunning) unless an admin asks to take it over, which is recorded on the ended lesson.
        """
        if quiz is not None and not quiz.questions:
            raise rules.InvalidTransition(f"quiz '{quiz.title}' has no questions")
        async with self._lock:
            running = self._running
            if running and running.position.state != rules.ENDED and running.record.teacher_id != teacher.id:
                if not (take_over and teacher.role == "admin"):
                    owner = await accounts.get_user(self._db, running.record.teacher_id)
                    raise LessonRunning(running.record.id, owner[0].username if owner else "another teacher",
                                        running.record.created_at)
                taken = running.record
                log.warning("%s took over session %s of teacher %s", teacher.username, taken.id, taken.teacher_id)
            else:
                taken = None
            questions = quiz.questions if quiz else ()
            record = await store.create_session(self._db, roster.id, quiz.id if quiz else None, teacher.id,
                                                questions, anonymous)
            await store.set_state(self._db, record.id, rules.READY, None, end_others=True, actor=teacher.id)
            if taken is not None:
                owner = await accounts.get_user(self._db, taken.teacher_id)
                await audit.record(self._db, teacher.id, "session.takeover",
                                   f"ended {owner[0].username if owner else 'another teacher'}'s running lesson "
                                   f"(session {taken.id}) to start session {record.id}")
            was_open = self._running and self._running.position.state in (rules.OPEN, rules.PAUSED)
            self._running = Lesson(record, rules.SessionPosition(rules.READY, None), roster,
                                   quiz.title if quiz else store.QUICK_TITLE, questions)
            if was_open:
                self._notify_closed()
            self._schedule_timer()
            self._publish_state()
            return record

    def _running_session(self, session_id: int) -> Lesson:
        running = self._running
        if running is None or running.record.id != session_id:
            raise rules.InvalidTransition(f"session {session_id} is not the running session")
        return running

    async def _check_exists(self, session_id: int) -> None:
        if await store.get_session(self._db, session_id) is None:
            raise NotFound(f"session {session_id} does not exist")

    async def act(self, session_id: int, action: str, index: int | None = None, actor: int | None = None) -> None:
        """Apply "open" (with index), "pause", "resume", "close", "reveal" or "end" to the running session;
        `actor` is who asked (recorded when the session ends)."""
        await self._check_exists(session_id)
        async with self._lock:
            running = self._running_session(session_id)
            before, now = running.position, self._clock.now()
            if action == "open":
                index = -1 if index is None else index
                limit = running.questions[index].time_limit if 0 <= index < len(running.questions) else None
                after = rules.open_question(before, index, len(running.questions), now, limit)
            elif action in rules.MOVES:
                after = rules.MOVES[action](before, now)
            else:
                raise ValueError(f"unknown action {action!r}")
            await self._move(running, after, actor)

    async def add_question(self, session_id: int, question: Question | None, reask: int | None = None) -> int:
        """Append an ad-hoc question, or a copy of question `reask` to ask again; opens it. Returns its index."""
        await self._check_exists(session_id)
        async with self._lock:
            running = self._running_session(session_id)
            rules.add_question(running.position)
            if reask is not None:
                if not 0 <= reask < len(running.questions):
                    raise rules.InvalidTransition(f"question index {reask} is out of range")
                question = running.questions[reask]
            index = await store.append_question(self._db, session_id, question, reask, reask is None)
            origins = running.question_origins()  # before the question is added: they count the questions
            running.questions = (*running.questions, question)
            running.origins = (*origins, numbering.Origin(reask, reask is None))
            after = rules.open_question(running.position, index, len(running.questions), self._clock.now(),
                                        question.time_limit)
            await self._move(running, after)
            return index

    async def _move(self, running: Lesson, after: rules.SessionPosition, actor: int | None = None) -> None:
        before = running.position
        await store.set_state(self._db, running.record.id, after.state, after.question,
                              deadline=after.deadline, remaining=after.remaining, actor=actor)
        running.position = after
        if after.state == rules.OPEN:
            running.asked.add(after.question)
        if after.state == rules.OPEN and before.state != rules.PAUSED:
            self._notify_opened(running)
        elif before.state in (rules.OPEN, rules.PAUSED) and after.state not in (rules.OPEN, rules.PAUSED):
            self._notify_closed()
        self._schedule_timer()
        self._publish_state()

    def _schedule_timer(self) -> None:
        if self._timer:
            self._timer.cancel()
            self._timer = None
        running = self._running
        if running and running.position.state == rules.OPEN and running.position.deadline is not None:
            self._timer = asyncio.create_task(self._close_on_deadline(running.record.id, running.position))

    async def _close_on_deadline(self, session_id: int, position: rules.SessionPosition) -> None:
        await self._clock.sleep(max(0.0, position.deadline - self._clock.now()))
        async with self._db.held(), self._lock:
            running = self._running
            if running is None or running.record.id != session_id or running.position != position:
                return  # the teacher acted first
            self._timer = None  # this task is finishing; _move must not cancel it
            log.info("question %s of session %s closed: time is up", position.question + 1, session_id)
            await self._move(running, rules.close_question(position))

    async def register(self, registration: Registration) -> None:
        """A card's answer as read by the camera: stored, then announced."""
        async with self._db.held(), self._lock:
            await self._register(registration)

    async def register_photo(self, session_id: int, registrations: list[Registration]) -> int:
        """Answers read from a photo the teacher took (cards the camera missed); returns how many changed."""
        await self._check_exists(session_id)
        async with self._lock:
            self.check_accepts_answers(session_id)
            return sum([await self._register(r, "photo") for r in registrations])

    async def _register(self, registration: Registration, source: str = "camera") -> bool:
        running = self._running
        if running is None or not rules.accepts_answers(running.position):
            return False
        if rules.expired(running.position, self._clock.now()):
            return False  # time is up; the timer is about to close the question
        student = running.student_for_card(registration.card)
        question = running.questions[running.position.question]
        if student is None or registration.answer not in question.letters():
            return False
        # Registrations carry monotonic time; the store keeps wall-clock time.
        seen_at = self._clock.now() - max(0.0, self._clock.monotonic() - registration.time)
        index = running.position.question
        try:
            response = await store.record_answer(self._db, running.record.id, index, student.id,
                                                 registration.card, registration.answer, seen_at, source)
        except StoreError as exc:
            # Not on disk, so never shown as registered; the teacher must know answers are being lost.
            log.error("could not save card %s: %s", student.card, exc)
            self._bus.publish({"type": "alert", "level": "error",
                               "message": f"Answers cannot be saved ({exc}). Free disk space now."}, "teacher",
                              owner=running.record.teacher_id)
            return False
        if response is None:
            return False
        self._announce(running, student, response)
        return True

    def _announce(self, running: Lesson, student, response, cleared: bool = False) -> None:
        """Tell the lesson's teacher about a stored (or cleared) response, then everyone the new counts."""
        answers = running.answers.setdefault(response.question, {})
        if cleared:
            answers.pop(student.id, None)
        else:
            answers[student.id] = response.answer
        # In an anonymous session (the teacher's screen may be projected) even the teacher's feed
        # carries card numbers only.
        named = {} if running.record.anonymous else {"name": student.name}
        self._bus.publish({"type": "response_cleared" if cleared else "response", "session_id": running.record.id,
                           **named, **response.to_json()}, "teacher", owner=running.record.teacher_id)
        self._publish_state()

    def _held(self, session_id: int) -> Lesson | None:
        running = self._running
        return running if running is not None and running.record.id == session_id else None

    def open_lesson(self, session_id: int) -> Lesson | None:
        """The lesson, while it runs with a question open or paused (for the "not read yet" list); else None."""
        running = self._held(session_id)
        return running if running and running.position.state in (rules.OPEN, rules.PAUSED) else None

    async def set_display(self, session_id: int, blank: bool | None = None, card_grid: bool | None = None,
                          scores: str | None = None) -> Display:
        """Blank the projector, show the grid of cards read, or scores after each reveal; None leaves a
        setting as it is."""
        await self._check_exists(session_id)
        async with self._lock:
            running = self._running_session(session_id)
            current = running.display
            running.display = Display(current.blank if blank is None else blank,
                                      current.card_grid if card_grid is None else card_grid,
                                      current.scores if scores is None else scores)
            self._publish_state()
            return running.display

    def display(self, session_id: int) -> Display:
        running = self._running
        return running.display if running and running.record.id == session_id else Display()

    def teacher_scores(self, session_id: int) -> dict:
        running = self._running
        return lessons.teacher_scores(running if running and running.record.id == session_id else None)

    async def make_anonymous(self, session_id: int) -> None:
        """No names from now on, also in the teacher's live feed (the laptop may be mirrored to the board)."""
        await self._check_exists(session_id)
        async with self._lock:
            running = self._running_session(session_id)
            await store.set_anonymous(self._db, session_id)
            running.record = dataclasses.replace(running.record, anonymous=True)
            self._publish_state()

    def _notify_opened(self, running: Lesson) -> None:
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
        return lessons.public_state(self._running, self._clock.now())

    def running_teacher(self) -> int | None:
        """The teacher whose lesson the camera feeds now, or None when no lesson runs."""
        running = self._running
        if running is None or running.position.state == rules.ENDED:
            return None
        return running.record.teacher_id

    def check_accepts_answers(self, session_id: int) -> None:
        """Raise InvalidTransition unless `session_id` runs with a question open (before costly reading)."""
        running = self._running_session(session_id)
        if not rules.accepts_answers(running.position):
            raise rules.InvalidTransition(f"no question is open (the session is {running.position.state})")

    def card_registered(self, card: int) -> bool:
        """Whether this card has an answer for the current question (yes/no only, for the student page)."""
        return lessons.card_answered(self._running, card)

    def card_in_class(self, card: int) -> bool | None:
        """Whether the running session's class has this card; None when no session runs."""
        return lessons.card_in_class(self._running, card)
