"""What every question-bank importer (GIFT, Aiken, Kahoot) returns: the quiz, and the questions it had to
leave out because cards cannot ask them (short answer, matching, numeric, more than four options...), each
named by its line or cell. Those are reported, never turned into something the author did not write."""
from __future__ import annotations

from dataclasses import dataclass

from appliance.classroom.importers import MAX_NAME, InvalidImport, QuizDraft
from appliance.classroom.models import Question

MAX_QUESTIONS = 200


@dataclass(frozen=True)
class Bank:
    draft: QuizDraft
    skipped: tuple[str, ...]


def finish(title: str, questions: list[Question], skipped: list[str], problems: list[str]) -> Bank:
    """The bank, or InvalidImport with every problem: nothing is imported unless the whole file is good."""
    if len(questions) > MAX_QUESTIONS:
        problems.append(f"the file has {len(questions)} questions; at most {MAX_QUESTIONS} a quiz")
    if not questions and not problems:
        problems.append("the file has no question cards can ask" + (f" ({len(skipped)} left out: "
                        f"{'; '.join(skipped[:3])})" if skipped else ""))
    if not title.strip():
        problems.append("title: the quiz needs a title")
    if problems:
        raise InvalidImport(problems)
    return Bank(QuizDraft(title.strip()[:MAX_NAME], (), tuple(questions), tuple(q.time_limit for q in questions)),
                tuple(skipped))
