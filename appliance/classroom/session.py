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


def add_question(pos: SessionPosition) -> None:
    """A question may be appended (asked again, or typed in) only while nothing is open."""
    if pos.state == ENDED:
        raise InvalidTransition("the session has ended")
    if pos.state in (OPEN, PAUSED):
        raise InvalidTransition(f"question {pos.question + 1} is still open; close it first")


# The actions that take nothing but the position and the time, each to its rule.
MOVES = {
    "pause": pause,
    "resume": resume,
    "close": lambda pos, now: close_question(pos),
    "reveal": lambda pos, now: reveal(pos),
    "end": lambda pos, now: end(pos),
}


def allowed_actions(pos: SessionPosition, question_count: int) -> list[str]:
    """What the teacher may do now, found by asking the rules themselves so pages never re-derive them.

    "open" (re)opens the current question (question 1 before the first), "next" opens the one after it,
    "reask" and "quick" append a question, "photo" adds answers from a photo.
    """
    def fits(rule, *args) -> bool:
        try:
            rule(*args)
        except InvalidTransition:
            return False
        return True

    current = 0 if pos.question is None else pos.question
    candidates = {
        "open": (open_question, pos, current, question_count),
        "next": (open_question, pos, current + 1, question_count),
        **{action: (rule, pos, 0.0) for action, rule in MOVES.items()},
        "reask": (add_question, pos),
        "quick": (add_question, pos),
    }
    allowed = [action for action, (rule, *args) in candidates.items() if fits(rule, *args)]
    if pos.question is None:  # nothing asked yet: "next" would skip question 1, and nothing can be asked again
        allowed = [a for a in allowed if a not in ("next", "reask")]
    if accepts_answers(pos):
        allowed.append("photo")
    return allowed


def expired(pos: SessionPosition, now: float) -> bool:
    """Whether the open question's countdown has run out."""
    return pos.state == OPEN and pos.deadline is not None and now >= pos.deadline


def accepts_answers(pos: SessionPosition) -> bool:
    return pos.state == OPEN
