"""Review that comes back: from a class's past lessons, the questions worth asking again, spaced by when each
was last asked. Pure, no I/O; the rule is written for teachers in docs/ITEM_ANALYSIS.md.

A question is the same question in every lesson that asked it (same text, options and right answer), so a
question brought back as review counts as asked again: its spacing moves on (1 day, then 1 week, then 1
month after the last time it was asked) and its latest lesson decides whether it is still worth asking.
Worth asking again: under WEAK of the counted answers right in the latest lesson that asked it, or a wrong
option chosen by more students than the right one there. Due: the spacing since it was last asked has passed.
"""
from __future__ import annotations

import dataclasses

from appliance.classroom import items
from appliance.classroom.models import Question

DAY = 86_400.0
SPACING = (1 * DAY, 7 * DAY, 30 * DAY)  # after the 1st, 2nd, 3rd and later lessons that asked it
WEAK = 0.7


def _identity(q: Question) -> tuple:
    return q.text.strip(), tuple(q.options), q.correct


def candidates(sessions, now: float) -> list[dict]:
    """Every graded question the class answered, with why it is worth asking again (reasons; empty when it
    is not) and when it is due; worth asking and due first, the weakest first."""
    found: dict[tuple, dict] = {}
    for s in sorted(sessions, key=lambda s: (s.created_at, s.id)):
        grouped = items.session_items(s.questions, s.labels(), s.present())["items"]
        for item in grouped:
            if not item["correct"] or not item["asked"] or not item["answered"]:
                continue
            question = s.questions[item["index"]]
            counts = item["distribution"]
            right = counts.get(item["correct"], 0)
            reasons = (["low_share"] if right / item["answered"] < WEAK else []) + (
                ["distractor_beats_key"] if any(n > right for letter, n in counts.items()
                                                if letter != item["correct"]) else [])
            key = _identity(question)
            times = found.get(key, {}).get("times_asked", 0) + 1
            found[key] = {"question": question, "session_id": s.id, "position": item["index"],
                          "share_right": right / item["answered"], "answered": item["answered"],
                          "reasons": reasons, "times_asked": times, "last_asked": s.created_at,
                          "due_at": s.created_at + SPACING[min(times, len(SPACING)) - 1]}
    rows = []
    for entry in found.values():
        q = entry.pop("question")
        rows.append({**entry, "text": q.text, "options": list(q.options), "correct": q.correct,
                     "skills": list(q.skills), "due": entry["due_at"] <= now})
    rows.sort(key=lambda r: (not (r["reasons"] and r["due"]), r["share_right"], r["last_asked"]))
    return rows


def pick(sessions, now: float, count: int) -> list[dict]:
    """The `count` questions to bring back now: worth asking again and due, the weakest first."""
    return [r for r in candidates(sessions, now) if r["reasons"] and r["due"]][:count]


def as_questions(sessions, chosen: list[dict]) -> tuple[Question, ...]:
    """The chosen review questions as a lesson asks them: copies of the question the latest lesson asked
    (with its picture, skills and misconception notes), without its lesson-only state."""
    by_id = {s.id: s for s in sessions}
    return tuple(dataclasses.replace(by_id[c["session_id"]].questions[c["position"]], id=None, asked=True)
                 for c in chosen)
