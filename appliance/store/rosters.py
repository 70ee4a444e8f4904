"""Classes and their students. A student who leaves is archived, keeping their past answers, and their card
becomes free for someone else."""
from __future__ import annotations

import time

from appliance.classroom.models import ClassRoster, Student
from appliance.store.db import Database


async def _insert_students(conn, class_id: int, students: list[tuple[str, int]]) -> list[Student]:
    added = []
    for name, card in students:
        cursor = await conn.execute("INSERT INTO students (class_id, name, card) VALUES (?, ?, ?)",
                                    (class_id, name, card))
        added.append(Student(cursor.lastrowid, name, card))
    return added


async def create_class(db: Database, owner_id: int, name: str, students: list[tuple[str, int]]) -> ClassRoster:
    """Create a class with (name, card) students in one transaction: all of it or nothing."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO classes (owner_id, name, created_at) VALUES (?, ?, ?)", (owner_id, name, time.time())
        )
        members = await _insert_students(conn, cursor.lastrowid, students)
    return ClassRoster(cursor.lastrowid, name, tuple(members))


async def add_students(db: Database, class_id: int, students: list[tuple[str, int]]) -> list[Student]:
    """Add (name, card) students in one transaction: a clash on any card adds none of them."""
    async with db.transaction() as conn:
        return await _insert_students(conn, class_id, students)


async def list_classes(db: Database, owner_id: int | None = None, archived: bool = False) -> list[ClassRoster]:
    """Classes (current ones unless archived=True); only the owner's when owner_id is given."""
    where, params = "WHERE archived = ?", [int(archived)]
    if owner_id is not None:
        where += " AND owner_id = ?"
        params.append(owner_id)
    classes = await db.fetchall(f"SELECT id, name FROM classes {where} ORDER BY name, id", params)
    students = await db.fetchall("SELECT id, class_id, name, card FROM students WHERE archived = 0 ORDER BY card")
    by_class: dict[int, list[Student]] = {}
    for row in students:
        by_class.setdefault(row["class_id"], []).append(Student(row["id"], row["name"], row["card"]))
    return [ClassRoster(c["id"], c["name"], tuple(by_class.get(c["id"], ()))) for c in classes]


async def get_class(db: Database, class_id: int, owner_id: int | None = None) -> ClassRoster | None:
    """The class with its current students; None if there is none, or it is not owner_id's (when given)."""
    row = await db.fetchone("SELECT id, name FROM classes WHERE id = ? AND (? IS NULL OR owner_id = ?)",
                            (class_id, owner_id, owner_id))
    if row is None:
        return None
    students = await db.fetchall(
        "SELECT id, name, card FROM students WHERE class_id = ? AND archived = 0 ORDER BY card", (class_id,)
    )
    return ClassRoster(row["id"], row["name"], tuple(Student(s["id"], s["name"], s["card"]) for s in students))


async def is_archived(db: Database, class_id: int) -> bool:
    row = await db.fetchone("SELECT archived FROM classes WHERE id = ?", (class_id,))
    return bool(row and row[0])


async def update_class(db: Database, class_id: int, *, name: str | None = None, archived: bool | None = None) -> None:
    async with db.transaction() as conn:
        if name is not None:
            await conn.execute("UPDATE classes SET name = ? WHERE id = ?", (name, class_id))
        if archived is not None:
            await conn.execute("UPDATE classes SET archived = ? WHERE id = ?", (int(archived), class_id))


async def update_student(db: Database, student_id: int, *, name: str | None = None, card: int | None = None) -> None:
    async with db.transaction() as conn:
        if name is not None:
            await conn.execute("UPDATE students SET name = ? WHERE id = ?", (name, student_id))
        if card is not None:
            await conn.execute("UPDATE students SET card = ? WHERE id = ?", (card, student_id))


async def remove_student(db: Database, student_id: int) -> bool:
    """Delete a student with no answers yet; archive one whose answers belong in past results.
    Returns True when archived."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT 1 FROM responses WHERE student_id = ? LIMIT 1", (student_id,)) as cur:
            has_answers = await cur.fetchone() is not None
        if has_answers:
            await conn.execute("UPDATE students SET archived = 1 WHERE id = ?", (student_id,))
        else:
            await conn.execute("DELETE FROM students WHERE id = ?", (student_id,))
    return has_answers


async def student_class(db: Database, student_id: int, owner_id: int | None = None) -> int | None:
    """The class of a current student; None if there is none, or the class is not owner_id's (when given)."""
    row = await db.fetchone(
        "SELECT s.class_id FROM students s JOIN classes c ON c.id = s.class_id"
        " WHERE s.id = ? AND s.archived = 0 AND (? IS NULL OR c.owner_id = ?)", (student_id, owner_id, owner_id))
    return row[0] if row else None


async def all_students(db: Database, class_id: int) -> list[Student]:
    """Current and archived students: reports over past sessions need both."""
    rows = await db.fetchall("SELECT id, name, card FROM students WHERE class_id = ? ORDER BY archived, card",
                             (class_id,))
    return [Student(r["id"], r["name"], r["card"]) for r in rows]
