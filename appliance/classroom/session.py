"""The session state machine: which teacher action is allowed when, and where it leads. Pure, no I/O.

ready ──open(i)──► open ──close──► closed ──reveal──► revealed ──open(j)──► open ...
  any state but ended ──end──► ended.  Reveal straight from open closes the question first, and a closed
question may be opened again (re-asked) or another question opened without revealing.
"""
from __future__ import annotations

from dataclasses import dataclass

READY, OPEN, CLOSED, REVEALED, ENDED = "ready", "open", "closed", "revealed", "ended"
STATES = (READY, OPEN, CLOSED, REVEALED, ENDED)


class InvalidTransition(ValueError):
    """The action does not fit the session's state; the message says why, for the teacher."""


@dataclass(frozen=True)
class SessionPosition:
    state: str
    question: int | None  # current question index, None before the first one opens


def open_question(pos: SessionPosition, index: int, question_count: int) -> SessionPosition:
    if pos.state == ENDED:
        raise InvalidTransition("the session has ended")
    if pos.state == OPEN:
        raise InvalidTransition(f"question {pos.question + 1} is still open; close it first")
    if not 0 <= index < question_count:
        raise InvalidTransition(f"question index {index} is out of range (0..{question_count - 1})")
    return SessionPosition(OPEN, index)


def close_question(pos: SessionPosition) -> SessionPosition:
    if pos.state != OPEN:
        raise InvalidTransition(f"no question is open (the session is {pos.state})")
    return SessionPosition(CLOSED, pos.question)


def reveal(pos: SessionPosition) -> SessionPosition:
    if pos.state not in (OPEN, CLOSED):
        raise InvalidTransition(f"nothing to reveal (the session is {pos.state})")
    return SessionPosition(REVEALED, pos.question)


def end(pos: SessionPosition) -> SessionPosition:
    if pos.state == ENDED:
        raise InvalidTransition("the session has already ended")
    return SessionPosition(ENDED, pos.question)


def accepts_answers(pos: SessionPosition) -> bool:
    return pos.state == OPEN
