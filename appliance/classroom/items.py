"""One question, one item: a question asked again is one row in every report, chart and export, with its
rounds inside it. The answer that counts is each student's latest over the rounds (scoring.counted_round),
the same one the score counts. Pure, no I/O."""
from __future__ import annotations

from appliance.classroom import numbering, scoring
from appliance.classroom.models import Question, Response


def _by_position(responses, count: int) -> dict[int, list[Response | None]]:
    """student id → their response (or None) at each position."""
    found: dict[int, list[Response | None]] = {}
    for r in responses:
        if 0 <= r.question < count:
            found.setdefault(r.student_id, [None] * count)[r.question] = r
    return found


def _round_row(position: int, label: numbering.QuestionLabel, question: Question, answers: list[str]) -> dict:
    return {"index": position, "round": label.round, "asked": question.asked, "answered": len(answers),
            "distribution": scoring.distribution(question, answers),
            "percent_correct": scoring.percent_correct(question, answers)}


def session_items(questions: tuple[Question, ...], labels: list[numbering.QuestionLabel],
                  responses) -> dict:
    """{"items": one per question first asked (or planned) at a position, "answers": student id → per item
    {"answer": counted, "first": the student's first answer over the rounds, "source": who gave the counted
    one: "camera", "teacher" or "photo"}}."""
    students = _by_position(responses, len(questions))
    roots = sorted({label.root for label in labels})
    items, answers = [], {sid: [] for sid in students}
    for root in roots:
        positions = [i for i, label in enumerate(labels) if label.root == root]
        question = questions[root]
        counted = []
        for sid, row in students.items():
            last = scoring.counted_round(root, labels, row)
            given = [row[i] for i in positions if row[i] is not None]
            first = min(given, key=lambda r: (r.first_seen, r.question)).first_answer if given else None
            answers[sid].append({"answer": row[last].answer if last is not None else None, "first": first,
                                 "source": row[last].source if last is not None else None})
            if last is not None:
                counted.append(row[last].answer)
        rounds = [_round_row(i, labels[i], questions[i],
                             [row[i].answer for row in students.values() if row[i] is not None])
                  for i in positions]
        items.append({
            "index": root, "label": labels[root].text, "text": question.text, "options": list(question.options),
            "correct": question.correct, "asked": any(questions[i].asked for i in positions),
            "answered": len(counted), "distribution": scoring.distribution(question, counted),
            "percent_correct": scoring.percent_correct(question, counted),
            "rounds": [r for r in rounds if r["asked"] or r["round"] == 1],
        })
    return {"items": items, "answers": answers}


def hardest(sessions, limit: int | None = None) -> list[dict]:
    """Graded questions with answers over sessions (analytics.SessionData), one item each however often
    asked, by the share of counted answers that were right, hardest first. Absent students count nowhere."""
    found = []
    for s in sessions:
        labels = s.labels()
        result = session_items(s.questions, labels, s.present())
        for item in result["items"]:
            if item["correct"] and item["answered"]:
                found.append({"session_id": s.id, "question": item["index"], "text": item["text"],
                              "percent_correct": item["percent_correct"], "answered": item["answered"],
                              "rounds": len(item["rounds"])})
    found.sort(key=lambda d: d["percent_correct"])
    return found[:limit] if limit is not None else found
