"""Classes and their students."""
from __future__ import annotations

import time

from appliance.classroom.models import ClassRoster, Student
from appliance.store.db import Database


async def create_class(db: Database, owner_id: int, name: str, students: list[tuple[str, int]]) -> ClassRoster:
    """Create a class with (name, card) students in one transaction: all of it or nothing."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO classes (owner_id, name, created_at) VALUES (?, ?, ?)", (owner_id, name, time.time())
        )
        class_id = cursor.lastrowid
        members = []
        for student_name, card in students:
            cursor = await conn.execute(
                "INSERT INTO students (class_id, name, card) VALUES (?, ?, ?)", (class_id, student_name, card)
            )
            members.append(Student(cursor.lastrowid, student_name, card))
    return ClassRoster(class_id, name, tuple(members))


async def list_classes(db: Database, owner_id: int | None = None) -> list[ClassRoster]:
    """Every class that is not archived; only the owner's when owner_id is given."""
    where, params = ("WHERE archived = 0", ()) if owner_id is None else ("WHERE archived = 0 AND owner_id = ?", (owner_id,))
    classes = await db.fetchall(f"SELECT id, name FROM classes {where} ORDER BY name, id", params)
    students = await db.fetchall("SELECT id, class_id, name, card FROM students ORDER BY card")
    by_class: dict[int, list[Student]] = {}
    for row in students:
        by_class.setdefault(row["class_id"], []).append(Student(row["id"], row["name"], row["card"]))
    return [ClassRoster(c["id"], c["name"], tuple(by_class.get(c["id"], ()))) for c in classes]


async def get_class(db: Database, class_id: int) -> ClassRoster | None:
    row = await db.fetchone("SELECT id, name FROM classes WHERE id = ?", (class_id,))
    if row is None:
        return None
    students = await db.fetchall("SELECT id, name, card FROM students WHERE class_id = ? ORDER BY card", (class_id,))
    return ClassRoster(row["id"], row["name"], tuple(Student(s["id"], s["name"], s["card"]) for s in students))


async def class_owner(db: Database, class_id: int) -> int | None:
    row = await db.fetchone("SELECT owner_id FROM classes WHERE id = ?", (class_id,))
    return row[0] if row else None
