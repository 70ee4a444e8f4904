"""How the questions of a session are named: quiz questions count the quiz ("Question 3 of 4"); a question
asked again keeps its number ("Question 3, asked again"); quick questions typed in count by themselves.
Pure, no I/O.

A session's questions are stored in the order they were added, each with its origin: None for a quiz
question or a quick question (adhoc), else the position it repeats (which may itself be a repeat).
"""
from __future__ import annotations

from dataclasses import dataclass

from appliance.classroom import session


@dataclass(frozen=True)
class Origin:
    repeats: int | None  # the position this question asks again, None if it is new
    adhoc: bool  # typed in during the lesson


@dataclass(frozen=True)
class QuestionLabel:
    text: str  # "Question 3 of 4", "Question 3, asked again", "Quick question 1"
    root: int  # the position of the question first asked: all rounds of one question share it
    round: int  # 1 for the first time it is asked, 2 for the first repeat, ...

    def to_json(self) -> dict:
        return {"text": self.text, "root": self.root, "round": self.round}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def planned_count(origins: tuple[Origin, ...]) -> int:
    """The quiz's own questions (they come first, in quiz order)."""
    return sum(1 for o in origins if o.repeats is None and not o.adhoc)


def roots(origins: tuple[Origin, ...]) -> list[int]:
    found: list[int] = []
    for position, origin in enumerate(origins):
        repeats = origin.repeats
        # An origin always points back (it was taken from the questions already there); a bad one counts as new.
        found.append(found[repeats] if repeats is not None and 0 <= repeats < position else position)
    return found


def labels(origins: tuple[Origin, ...]) -> list[QuestionLabel]:
    planned = planned_count(origins)
    root_of = roots(origins)
    quick_numbers: dict[int, int] = {}
    rounds: dict[int, int] = {}
    found = []
    for position, root in enumerate(root_of):
        rounds[root] = rounds.get(root, 0) + 1
        if origins[root].adhoc:
            quick_numbers.setdefault(root, len(quick_numbers) + 1)
            name = f"Quick question {quick_numbers[root]}"
        else:
            name = f"Question {root + 1}"
        n = rounds[root]
        if n == 1:
            text = name if origins[root].adhoc else f"{name} of {planned}"
        else:
            text = f"{name}, asked again" + (f" ({_ordinal(n)} time)" if n > 2 else "")
        found.append(QuestionLabel(text, root, n))
    return found


def next_quiz_question(origins: tuple[Origin, ...], asked: set[int]) -> int | None:
    """The quiz question after the furthest one asked so far; None when the quiz is done."""
    planned = planned_count(origins)
    furthest = max((i for i in asked if i < planned), default=-1)
    return furthest + 1 if furthest + 1 < planned else None


def lesson_summary(position: session.SessionPosition, origins: tuple[Origin, ...],
                   asked: set[int]) -> dict:
    """Labels, the allowed teacher actions and what the main button does: the same for the API view and the
    live state. "next" is the next quiz question, not the position after the current one (a re-ask is
    appended at the end, and the quiz goes on where it was)."""
    named = labels(origins)
    planned = planned_count(origins)
    next_index = next_quiz_question(origins, asked)
    actions = session.teacher_actions(position, len(origins), next_index, planned)
    current = named[position.question] if position.question is not None and position.question < len(named) else None
    return {"planned": planned, "label": current.text if current else None,
            "labels": [label.to_json() for label in named], "actions": actions.to_json(),
            "allowed": session.allowed_actions(position, len(origins), next_index)}
