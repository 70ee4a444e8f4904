"""The session state machine: which teacher action is allowed when, and where it leads. Pure, no I/O.

ready ──open(i)──► open ──close──► closed ──reveal──► revealed ──open(j)──► open ...
                   open ──pause──► paused ──resume──► open
Reveal straight from open (or paused) closes the question first; a closed question may be opened again
or another question opened without revealing; any state but ended ──end──► ended.

Countdowns are plain numbers here too: a deadline (wall-clock seconds) while running, the seconds remaining
while paused, so a restart can pick the countdown up exactly where it was.
"""
from __future__ import annotations

from dataclasses import dataclass

READY, OPEN, PAUSED, CLOSED, REVEALED, ENDED = "ready", "open", "paused", "closed", "revealed", "ended"
STATES = (READY, OPEN, PAUSED, CLOSED, REVEALED, ENDED)


class InvalidTransition(ValueError):
    """The action does not fit the session's state; the message says why, for the teacher."""


@dataclass(frozen=True)
class SessionPosition:
    state: str
    question: int | None  # current question index, None before the first one opens
    deadline: float | None = None  # when the open question closes by itself
    remaining: float | None = None  # countdown seconds left while paused


def open_question(pos: SessionPosition, index: int, question_count: int, now: float = 0.0,
                  time_limit: int | None = None) -> SessionPosition:
    if pos.state == ENDED:
        raise InvalidTransition("the session has ended")
    if pos.state in (OPEN, PAUSED):
        raise InvalidTransition(f"question {pos.question + 1} is still open; close it first")
    if not 0 <= index < question_count:
        raise InvalidTransition(f"question index {index} is out of range (0..{question_count - 1})"
                                if question_count else "this session has no questions yet; add one first")
    return SessionPosition(OPEN, index, now + time_limit if time_limit else None)


def pause(pos: SessionPosition, now: float) -> SessionPosition:
    if pos.state != OPEN:
        raise InvalidTransition(f"only an open question can be paused (the session is {pos.state})")
    remaining = max(0.0, pos.deadline - now) if pos.deadline is not None else None
    return SessionPosition(PAUSED, pos.question, None, remaining)


def resume(pos: SessionPosition, now: float) -> SessionPosition:
    if pos.state != PAUSED:
        raise InvalidTransition(f"nothing is paused (the session is {pos.state})")
    return SessionPosition(OPEN, pos.question, now + pos.remaining if pos.remaining is not None else None)


def close_question(pos: SessionPosition) -> SessionPosition:
    if pos.state not in (OPEN, PAUSED):
        raise InvalidTransition(f"no question is open (the session is {pos.state})")
    return SessionPosition(CLOSED, pos.question)


def reveal(pos: SessionPosition) -> SessionPosition:
    if pos.state not in (OPEN, PAUSED, CLOSED):
        raise InvalidTransition(f"nothing to reveal (the session is {pos.state})")
    return SessionPosition(REVEALED, pos.question)


def end(pos: SessionPosition) -> SessionPosition:
    if pos.state == ENDED:
        raise InvalidTransition("the session has already ended")
    return SessionPosition(ENDED, pos.question)


def expired(pos: SessionPosition, now: float) -> bool:
    """Whether the open question's countdown has run out."""
    return pos.state == OPEN and pos.deadline is not None and now >= pos.deadline


def accepts_answers(pos: SessionPosition) -> bool:
    return pos.state == OPEN


@dataclass(frozen=True)
class Action:
    """One thing the teacher may do now: `name` is the endpoint, `question` the index it applies to."""
    name: str
    label: str
    question: int | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "label": self.label, "question": self.question}


@dataclass(frozen=True)
class TeacherActions:
    """What the teacher page offers: one main action (the next step of the lesson), one "back" where undoing
    makes sense, the next quiz question if it may open now, and the names of every allowed action (the page
    enables exactly these buttons)."""
    main: Action | None
    back: Action | None
    next: Action | None
    allowed: tuple[str, ...]

    def to_json(self) -> dict:
        def one(action: Action | None) -> dict | None:
            return action.to_json() if action else None
        return {"main": one(self.main), "back": one(self.back), "next": one(self.next), "allowed": list(self.allowed)}


def teacher_actions(pos: SessionPosition, question_count: int, next_index: int | None,
                    planned: int) -> TeacherActions:
    """The actions that fit the state, derived from the same rules the transitions above enforce.

    `next_index` is the quiz question that comes next (None when the quiz is done); `planned` is how many
    questions the quiz has, so labels count the quiz ("question 3 of 4"), not re-asked or quick questions.
    """
    state, index = pos.state, pos.question
    next_action = (Action("open", f"Next: question {next_index + 1} of {planned}", next_index)
                   if next_index is not None and state in (CLOSED, REVEALED) else None)
    allowed: list[str] = []
    if state == READY and question_count:
        allowed.append("open")
    if state == CLOSED:
        allowed.append("reopen")
    if state == PAUSED:
        allowed.append("resume")
    if state == OPEN:
        allowed += ["pause", "photo"]
    if state in (OPEN, PAUSED):
        allowed.append("close")
    if state in (OPEN, PAUSED, CLOSED):
        allowed.append("reveal")
    if next_action:
        allowed.append("next")
    if state in (READY, CLOSED, REVEALED):
        allowed.append("quick")
        if index is not None:
            allowed.append("reask")
    if state != ENDED:
        allowed.append("end")

    if state == READY:
        main = Action("open", "Open question 1", 0) if question_count else None
    elif state == OPEN:
        main = Action("close", "Close the question", index)
    elif state == PAUSED:
        main = Action("resume", "Resume", index)
    elif state == CLOSED:
        main = Action("reveal", "Reveal the answer", index)
    elif state == REVEALED:
        main = next_action or Action("end", "End the lesson")
    else:
        main = None
    back = Action("open", "Reopen this question", index) if state == CLOSED else None
    return TeacherActions(main, back, next_action, tuple(allowed))
