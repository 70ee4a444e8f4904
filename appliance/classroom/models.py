"""Plain records shared by the store, the session engine and the API. No I/O here."""
from __future__ import annotations

from dataclasses import asdict, dataclass

LETTERS = ("A", "B", "C", "D")
IMAGE_URL_PREFIX = "/images/"  # question pictures are served from here, by file name


def image_url(name: str | None) -> str | None:
    return f"{IMAGE_URL_PREFIX}{name}" if name else None


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str  # "admin" | "teacher"


@dataclass(frozen=True)
class Student:
    id: int
    name: str
    card: int
    team: str | None = None  # the roster's group, for team scores on the projector


@dataclass(frozen=True)
class StudentIds:
    """How the school's systems know a student: OneRoster sourcedId, student number, e-mail, login."""
    sourced_id: str | None = None
    id_number: str | None = None
    email: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class ClassRoster:
    id: int
    name: str
    students: tuple[Student, ...]

    def by_card(self) -> dict[int, Student]:
        return {s.card: s for s in self.students}

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "students": [asdict(s) for s in self.students]}


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    correct: str | None  # option letter, None for a poll
    id: int | None = None
    kind: str = "multiple"  # "multiple" | "truefalse" | "poll"
    time_limit: int | None = None  # seconds; the question closes by itself when it runs out
    image: str | None = None  # file name in the data dir's images/
    asked: bool = True  # in a session: whether it was ever opened (quiz questions: not applicable)
    skills: tuple[str, ...] = ()  # what it tests: free text or standard codes (CCSS.MATH.CONTENT.5.NF.A.1)
    misconceptions: tuple[tuple[str, str], ...] = ()  # (letter, note): what choosing a wrong option suggests

    def letters(self) -> tuple[str, ...]:
        return LETTERS[: len(self.options)]

    def misconception(self, letter: str) -> str | None:
        return dict(self.misconceptions).get(letter)

    def to_json(self) -> dict:
        return {"id": self.id, "text": self.text, "options": list(self.options), "correct": self.correct,
                "type": self.kind, "time_limit": self.time_limit,
                "image": image_url(self.image), "skills": list(self.skills),
                "misconceptions": dict(self.misconceptions)}


@dataclass(frozen=True)
class Quiz:
    id: int
    title: str
    questions: tuple[Question, ...]
    tags: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "tags": list(self.tags),
                "questions": [q.to_json() for q in self.questions]}


@dataclass(frozen=True)
class Response:
    question: int
    student_id: int
    card: int
    answer: str
    first_answer: str
    first_seen: float
    last_changed: float
    changes: int  # how many versions came before this one (answers changed, a teacher's entry, a clear)
    source: str = "camera"  # "camera", "teacher" (entered by hand; the camera never overwrites it) or "photo"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SessionRecord:
    id: int
    class_id: int
    quiz_id: int | None  # None for a session of ad-hoc questions only
    teacher_id: int
    state: str
    question: int | None
    created_at: float
    ended_at: float | None
    anonymous: bool = False
    deadline: float | None = None  # wall-clock time the open question closes by itself
    remaining: float | None = None  # seconds left on the countdown while paused
    ended_by: int | None = None  # the user who ended it (the teacher, or an admin who took over)
    end_reason: str | None = None  # "ended" by its teacher or an admin, or "taken over" for another lesson
