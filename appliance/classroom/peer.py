"""Peer instruction: vote, discuss, vote again (issue 23). A second vote is a round of the same question
(numbering.py: a question asked again); this compares the rounds. Pure, no I/O.

Only counts leave for the projector (public_rounds); who moved from a wrong answer to the right one, and back,
is for the teacher's page only (movement)."""
from __future__ import annotations

from appliance.classroom import numbering, scoring
from appliance.classroom.models import Question


def rounds_of(origins: tuple[numbering.Origin, ...], position: int) -> list[int]:
    """The positions of every round of the question at `position`, up to and including it, in order."""
    labels = numbering.labels(origins)
    root = labels[position].root
    return [i for i in range(position + 1) if labels[i].root == root]


def public_rounds(questions: tuple[Question, ...], origins: tuple[numbering.Origin, ...], asked: set[int],
                  answers: dict[int, dict[int, str]], position: int) -> list[dict] | None:
    """Each asked round of the question at `position` with its answer counts, when there is more than one:
    what the projector shows side by side after the reveal. Counts only: no name, no card."""
    rounds = [i for i in rounds_of(origins, position) if i in asked or i == position]
    if len(rounds) < 2:
        return None
    return [{"round": n, "position": i, "answered": len(answers.get(i, {})),
             "distribution": scoring.distribution(questions[i], list(answers.get(i, {}).values()))}
            for n, i in enumerate(rounds, start=1)]


def movement(questions: tuple[Question, ...], origins: tuple[numbering.Origin, ...], asked: set[int],
             answers: dict[int, dict[int, str]], position: int) -> dict | None:
    """Between the round before and the round at `position`: who went from a wrong answer to the right one,
    who from the right one to a wrong one, and how many stayed. Students who answered both rounds only.
    None for a first round, or for a question without a right answer."""
    rounds = [i for i in rounds_of(origins, position) if i in asked or i == position]
    key = questions[position].correct
    if len(rounds) < 2 or key is None:
        return None
    before, after = answers.get(rounds[-2], {}), answers.get(position, {})
    both = sorted(set(before) & set(after))
    verdicts = [(sid, before[sid] == key, after[sid] == key) for sid in both]
    return {"position": position, "from_round": len(rounds) - 1, "to_round": len(rounds), "key": key,
            "wrong_to_right": [sid for sid, was, now in verdicts if not was and now],
            "right_to_wrong": [sid for sid, was, now in verdicts if was and not now],
            "stayed_right": sum(1 for _, was, now in verdicts if was and now),
            "stayed_wrong": sum(1 for _, was, now in verdicts if not was and not now),
            "answered_both": len(both)}
