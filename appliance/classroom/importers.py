"""Parsing rosters and quizzes that teachers bring from elsewhere. Pure: text in, records or errors out.

Every problem is reported with its line (CSV) or field path (JSON), all of them at once, so a teacher can fix
the file in one go; nothing is returned unless the whole file is good, so nothing is ever half-imported.

Formats (also documented in docs/FORMATS.md):
- Rosters: see appliance/classroom/formats/roster_table.py (spreadsheets and CSV with a header row).
- Quiz JSON: {"format": "argus-quiz", "version": 1, "title", "tags": [..], "questions": [{"type", "text",
  "options": [..], "correct": "A".."D" | null, "time_limit": seconds | null, "skills": [..],
  "misconceptions": {"B": "adds the denominators", ..}}]}
- Quiz CSV: header `type,text,option_a,option_b,option_c,option_d,correct,time_limit`, then optionally
  `skills,note_a,note_b,note_c,note_d` (skills separated by "|"), one question a row.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from dataclasses import dataclass

from appliance.classroom.models import IMAGE_URL_PREFIX, LETTERS, Question
from appliance.classroom.spreadsheet import csv_text, imported_cell

MAX_NAME = 100
MAX_TEXT = 500
MAX_OPTION = 200
MAX_ROWS = 1000
# Questions in one quiz, whichever way it arrives (editor, JSON file, CSV file).
MAX_QUESTIONS = 200
MAX_TIME_LIMIT = 3600
MAX_QUESTIONS = 200  # a quiz, however it arrives
KINDS = ("multiple", "truefalse", "poll")


class InvalidImport(ValueError):
    """The file is not acceptable; `problems` lists every one found, each naming its line or field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        super().__init__(shown)


@dataclass(frozen=True)
class RosterRow:
    where: str  # "line 3", "row 3", "students[2]": what errors name
    name: str
    card: int | None
    email: str | None = None
    id_number: str | None = None
    team: str | None = None  # the roster's Group / Team column


@dataclass(frozen=True)
class QuizDraft:
    title: str
    tags: tuple[str, ...]
    questions: tuple[Question, ...]
    time_limits: tuple[int | None, ...]


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM); otherwise Windows-1252, what older Excel saves."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise InvalidImport([f"byte {exc.start}: the file is not text (save it as CSV UTF-8)"]) from None


def _csv_rows(text: str) -> list[list[str]]:
    if "\x00" in text:
        raise InvalidImport(["the file contains NUL bytes: it is not a CSV text file"])
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise InvalidImport([f"not valid CSV: {exc}"]) from None


def is_number(text: str) -> bool:
    """ASCII digits, and not too many: str.isdigit() alone takes '²', which int() refuses."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def plan_cards(rows: list[RosterRow], taken: set[int], card_count: int) -> tuple[list[int | None], list[str]]:
    """The card each row gets (its own, else the lowest free one) and every clash or shortage, without raising."""
    used = set(taken) | {r.card for r in rows if r.card is not None}
    problems = [f"{r.where}: card {r.card} already belongs to a student of this class"
                for r in rows if r.card is not None and r.card in taken]
    free = (n for n in range(1, card_count + 1) if n not in used)
    cards: list[int | None] = []
    for r in rows:
        card = r.card if r.card is not None else next(free, None)
        if card is None:
            problems.append(f"{r.where}: no free card left (cards go up to {card_count})")
        cards.append(card)
    return cards, problems


class CardsTaken(InvalidImport):
    """The students do not fit the class: a card given to two of them, a card already someone's, or none free."""


def assign_cards(rows: list[RosterRow], taken: set[int], card_count: int) -> list[tuple[str, int]]:
    """Give every student without a card the lowest free one; raises when the cards run out."""
    given: dict[int, str] = {}
    for r in rows:
        if r.card is not None and r.card in given:
            raise CardsTaken([f"{r.where}: card {r.card} is already given to {given[r.card]}"])
        if r.card is not None:
            given[r.card] = r.where
    cards, problems = plan_cards(rows, taken, card_count)
    if problems:
        raise CardsTaken(problems)
    return [(r.name, card) for r, card in zip(rows, cards)]


def validate_question(where: str, kind, text, options, correct, time_limit, problems: list[str]) -> Question | None:
    """Check one question from any source; appends problems naming `where` and returns None if bad."""
    before = len(problems)
    if kind not in KINDS:
        problems.append(f"{where}.type: must be one of {', '.join(KINDS)}")
        return None
    if kind == "truefalse" and options in (None, []):
        options = ["True", "False"]
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}.text: must be non-empty text")
    elif len(text) > MAX_TEXT:
        problems.append(f"{where}.text: longer than {MAX_TEXT} characters")
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        problems.append(f"{where}.options: must be a list of non-empty texts")
        options = []
    elif not 2 <= len(options) <= 4:
        problems.append(f"{where}.options: needs 2 to 4 options, found {len(options)}")
    elif any(len(o) > MAX_OPTION for o in options):
        problems.append(f"{where}.options: an option is longer than {MAX_OPTION} characters")
    elif kind == "truefalse" and len(options) != 2:
        problems.append(f"{where}.options: a true/false question has exactly 2 options")
    letters = LETTERS[: len(options)]
    if kind == "poll":
        if correct not in (None, ""):
            problems.append(f"{where}.correct: a poll has no correct answer")
        correct = None
    elif correct not in letters:
        problems.append(f"{where}.correct: must be one of {', '.join(letters) or 'A..D'}")
    if time_limit is not None and (not isinstance(time_limit, int) or isinstance(time_limit, bool)
                                   or not 5 <= time_limit <= MAX_TIME_LIMIT):
        problems.append(f"{where}.time_limit: must be whole seconds from 5 to {MAX_TIME_LIMIT}, or empty")
    if len(problems) > before:
        return None
    return Question(text.strip(), tuple(o.strip() for o in options), correct, kind=kind, time_limit=time_limit)


MAX_SKILLS = 10
MAX_SKILL = 100
MAX_NOTE = 200


def with_notes(where: str, question: Question, skills, misconceptions, problems: list[str]) -> Question:
    """The question with the skills it tests and a misconception note per wrong option (issue 23); bad
    values append problems naming `where`. Empty notes and repeated skills are dropped."""
    skills = [] if skills is None else skills
    if not isinstance(skills, list) or not all(isinstance(t, str) and len(t) <= MAX_SKILL for t in skills):
        problems.append(f"{where}.skills: must be a list of texts of at most {MAX_SKILL} characters")
        skills = []
    if len(skills) > MAX_SKILLS:
        problems.append(f"{where}.skills: at most {MAX_SKILLS} skills a question, found {len(skills)}")
    kept = tuple(dict.fromkeys(t.strip() for t in skills if t.strip()))
    notes = {} if misconceptions is None else misconceptions
    if not isinstance(notes, dict):
        problems.append(f"{where}.misconceptions: must be an object from option letter to a short note")
        notes = {}
    pairs = []
    for letter, note in notes.items():
        if note is None or (isinstance(note, str) and not note.strip()):
            continue
        if letter not in question.letters():
            problems.append(f"{where}.misconceptions.{letter}: not one of the options "
                            f"{', '.join(question.letters())}")
        elif letter == question.correct:
            problems.append(f"{where}.misconceptions.{letter}: {letter} is the right answer; a misconception "
                            "belongs to a wrong option")
        elif not isinstance(note, str) or len(note) > MAX_NOTE:
            problems.append(f"{where}.misconceptions.{letter}: must be text of at most {MAX_NOTE} characters")
        else:
            pairs.append((letter, " ".join(note.split())))
    return dataclasses.replace(question, skills=kept[:MAX_SKILLS], misconceptions=tuple(sorted(pairs)))


def _tags(value, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(t, str) and 0 < len(t.strip()) <= 40 for t in value):
        problems.append("tags: must be a list of short texts")
        return ()
    return tuple(sorted({t.strip().lower() for t in value}))


IMAGE_NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|webp|gif)$")
IMAGE_PATH = re.compile(r"^(/images/)?[0-9a-f]{64}\.(png|jpg|webp|gif)$")  # how a question names its image


def parse_quiz_json(text: str) -> QuizDraft:
    try:
        data = json.loads(text, parse_constant=_not_a_number)
    except json.JSONDecodeError as exc:
        raise InvalidImport([f"line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"]) from None
    except RecursionError:
        raise InvalidImport(["the file is nested too deeply to be a quiz"]) from None
    except ValueError as exc:  # NaN, or a number of more than 4300 digits
        raise InvalidImport([f"the file is not valid JSON: {exc}"]) from None
    return quiz_from_data(data)


def _not_a_number(name: str):
    raise ValueError(f"{name} is not a JSON number")


def quiz_from_data(data) -> QuizDraft:
    """A quiz from the editor or a JSON file, checked whole."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InvalidImport(["the top level must be an object with 'title' and 'questions'"])
    if data.get("format", "argus-quiz") != "argus-quiz" or data.get("version", 1) != 1:
        problems.append("format/version: expected \"argus-quiz\" version 1")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_NAME:
        problems.append(f"title: must be non-empty text of at most {MAX_NAME} characters")
    tags = _tags(data.get("tags"), problems)
    raw_questions = data.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append("questions: must be a non-empty list")
        raw_questions = []
    elif len(raw_questions) > MAX_QUESTIONS:
        problems.append(f"questions: at most {MAX_QUESTIONS} questions a quiz, found {len(raw_questions)}")
        raw_questions = []
    for i, q in enumerate(raw_questions):
        where = f"questions[{i}]"
        if not isinstance(q, dict):
            problems.append(f"{where}: must be an object")
            continue
        unknown = set(q) - {"type", "text", "options", "correct", "time_limit", "id", "image", "skills",
                            "misconceptions"}
        if unknown:
            problems.append(f"{where}: unknown field {sorted(unknown)[0]!r}")
            continue
        question = validate_question(where, q.get("type", "multiple"), q.get("text"), q.get("options"),
                                     q.get("correct"), q.get("time_limit"), problems)
        image = q.get("image")
        if isinstance(image, str) and image.startswith(IMAGE_URL_PREFIX):
            image = image[len(IMAGE_URL_PREFIX):]
        if image is not None and (not isinstance(image, str) or not IMAGE_NAME.match(image)):
            problems.append(f"{where}.image: not an image stored on this appliance")
        elif question:
            question = with_notes(where, question, q.get("skills"), q.get("misconceptions"), problems)
            questions.append(dataclasses.replace(question, image=image))
    if problems:
        raise InvalidImport(problems)
    return QuizDraft(title.strip(), tags, tuple(questions), tuple(q.time_limit for q in questions))


QUIZ_CSV_HEADER = ["type", "text", "option_a", "option_b", "option_c", "option_d", "correct", "time_limit"]
# Optional, after time_limit: the skills (separated by "|") and a misconception note per wrong option.
QUIZ_CSV_NOTES = ["skills", "note_a", "note_b", "note_c", "note_d"]


def parse_quiz_csv(text: str, title: str) -> QuizDraft:
    rows = _csv_rows(text)
    head = [c.strip().lower() for c in rows[0]] if rows else []
    if head[: len(QUIZ_CSV_HEADER)] != QUIZ_CSV_HEADER:
        raise InvalidImport([f"line 1: the header must be {','.join(QUIZ_CSV_HEADER)}"
                             f" (then, optionally, {','.join(QUIZ_CSV_NOTES)})"])
    extra = [c for c in head[len(QUIZ_CSV_HEADER):] if c]
    if any(c not in QUIZ_CSV_NOTES for c in extra):
        bad = next(c for c in extra if c not in QUIZ_CSV_NOTES)
        raise InvalidImport([f"line 1: unknown column {bad!r} (after time_limit: {','.join(QUIZ_CSV_NOTES)})"])
    columns = QUIZ_CSV_HEADER + head[len(QUIZ_CSV_HEADER):]
    problems: list[str] = []
    questions: list[Question] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(questions) >= MAX_QUESTIONS:
            problems.append(f"line {number}: more than {MAX_QUESTIONS} questions (at most {MAX_QUESTIONS} a quiz)")
            break
        if len(row) > len(columns):
            problems.append(f"line {number}: {len(row)} columns, expected at most {len(columns)}")
            continue
        cells = dict(zip(columns, [imported_cell(c.strip()) for c in row] + [""] * len(columns)))
        limit_text = cells["time_limit"]
        time_limit = int(limit_text) if is_number(limit_text) else (None if not limit_text else limit_text)
        options = [cells[k] for k in ("option_a", "option_b", "option_c", "option_d") if cells[k]]
        question = validate_question(f"line {number}", cells["type"] or "multiple", cells["text"], options,
                                     cells["correct"].upper() or None, time_limit, problems)
        if question:
            notes = {letter: cells.get(f"note_{letter.lower()}") for letter in LETTERS}
            skills = [t for t in (cells.get("skills") or "").split("|") if t.strip()]
            questions.append(with_notes(f"line {number}", question, skills, notes, problems))
    if not questions and not problems:
        problems.append("the file has no questions")
    if not title.strip():
        problems.append("title: the quiz needs a title")
    if problems:
        raise InvalidImport(problems)
    return QuizDraft(title.strip()[:MAX_NAME], (), tuple(questions), tuple(q.time_limit for q in questions))


def quiz_to_json(title: str, tags: tuple[str, ...], questions: tuple[Question, ...]) -> str:
    return json.dumps({
        "format": "argus-quiz", "version": 1, "title": title, "tags": list(tags),
        "questions": [{"type": q.kind, "text": q.text, "options": list(q.options), "correct": q.correct,
                       "time_limit": q.time_limit, "skills": list(q.skills),
                       "misconceptions": dict(q.misconceptions)} for q in questions],
    }, indent=2, ensure_ascii=False)


def quiz_to_csv(questions: tuple[Question, ...]) -> str:
    rows = [QUIZ_CSV_HEADER + QUIZ_CSV_NOTES]
    for q in questions:
        options = list(q.options) + [""] * (4 - len(q.options))
        rows.append([q.kind, q.text, *options, q.correct or "", q.time_limit or "", "|".join(q.skills),
                     *[q.misconception(letter) or "" for letter in LETTERS]])
    return csv_text(rows, excel_bom=False)
