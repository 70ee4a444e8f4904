"""Classes and their students. A student who leaves is archived, keeping their past answers, and their card
becomes free for someone else."""
from __future__ import annotations

import time

from appliance.classroom.formats import oneroster
from appliance.classroom.importers import RosterRow
from appliance.classroom.models import ClassRoster, Student, StudentIds
from appliance.store.db import Database


def _student(row) -> Student:
    return Student(row["id"], row["name"], row["card"], row["team"])


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
    students = await db.fetchall("SELECT id, class_id, name, card, team FROM students WHERE archived = 0 ORDER BY card")
    by_class: dict[int, list[Student]] = {}
    for row in students:
        by_class.setdefault(row["class_id"], []).append(_student(row))
    return [ClassRoster(c["id"], c["name"], tuple(by_class.get(c["id"], ()))) for c in classes]


async def get_class(db: Database, class_id: int, owner_id: int | None = None) -> ClassRoster | None:
    """The class with its current students; None if there is none, or it is not owner_id's (when given)."""
    row = await db.fetchone("SELECT id, name FROM classes WHERE id = ? AND (? IS NULL OR owner_id = ?)",
                            (class_id, owner_id, owner_id))
    if row is None:
        return None
    students = await db.fetchall(
        "SELECT id, name, card, team FROM students WHERE class_id = ? AND archived = 0 ORDER BY card", (class_id,)
    )
    return ClassRoster(row["id"], row["name"], tuple(_student(s) for s in students))


async def is_archived(db: Database, class_id: int) -> bool:
    row = await db.fetchone("SELECT archived FROM classes WHERE id = ?", (class_id,))
    return bool(row and row[0])


async def update_class(db: Database, class_id: int, *, name: str | None = None, archived: bool | None = None) -> None:
    async with db.transaction() as conn:
        if name is not None:
            await conn.execute("UPDATE classes SET name = ? WHERE id = ?", (name, class_id))
        if archived is not None:
            await conn.execute("UPDATE classes SET archived = ? WHERE id = ?", (int(archived), class_id))


async def update_student(db: Database, student_id: int, *, name: str | None = None, card: int | None = None,
                         team: str | None = None) -> None:
    """Change what is given; team "" takes the student out of their team."""
    async with db.transaction() as conn:
        if team is not None:
            await conn.execute("UPDATE students SET team = ? WHERE id = ?", (team or None, student_id))
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
    rows = await db.fetchall("SELECT id, name, card, team FROM students WHERE class_id = ? ORDER BY archived, card",
                             (class_id,))
    return [_student(r) for r in rows]


async def add_roster(db: Database, class_id: int, rows: list[tuple[RosterRow, int]]) -> None:
    """Students from an imported roster with their cards (and e-mail / student number when the file had
    them, and the team from a Group column), in one transaction, one statement: a year group's list holds the
    write lock only briefly."""
    async with db.transaction() as conn:
        await conn.executemany("INSERT INTO students (class_id, name, card, email, id_number, team)"
                               " VALUES (?, ?, ?, ?, ?, ?)",
                               [(class_id, row.name, card, row.email, row.id_number, row.team) for row, card in rows])


async def student_ids(db: Database, class_id: int) -> dict[int, StudentIds]:
    """Student id → how the school's systems know them, for every student (current and archived)."""
    rows = await db.fetchall("SELECT id, sourced_id, id_number, email, username FROM students WHERE class_id = ?",
                             (class_id,))
    return {r["id"]: StudentIds(r["sourced_id"], r["id_number"], r["email"], r["username"]) for r in rows}


async def class_sourced_ids(db: Database, class_id: int) -> tuple[str | None, str | None]:
    """(OneRoster class sourcedId, its term's sourcedId); (None, None) for a class not from OneRoster."""
    row = await db.fetchone("SELECT sourced_id, term_sourced_id FROM classes WHERE id = ?", (class_id,))
    return (row[0], row[1]) if row else (None, None)


class _DryRun(Exception):
    pass


async def import_oneroster(db: Database, classes: list[tuple[int, oneroster.RosterClass]], card_count: int,
                           dry_run: bool = False) -> list[dict]:
    """Create or update (by sourcedId) each (owner, class) in one transaction: all classes or none. With
    dry_run, every change is planned and checked, then rolled back."""
    summary: list[dict] = []
    try:
        async with db.transaction() as conn:
            for owner_id, cls in classes:
                summary.append(await _sync_class(conn, owner_id, cls, card_count))
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    return summary


async def _sync_class(conn, owner_id: int, cls: oneroster.RosterClass, card_count: int) -> dict:
    async with conn.execute("SELECT id, name FROM classes WHERE owner_id = ? AND sourced_id = ?",
                            (owner_id, cls.sourced_id)) as cur:
        found = await cur.fetchone()
    if found is None:
        cursor = await conn.execute(
            "INSERT INTO classes (owner_id, name, created_at, sourced_id, term_sourced_id) VALUES (?, ?, ?, ?, ?)",
            (owner_id, cls.title, time.time(), cls.sourced_id, cls.term_sourced_id))
        class_id, name, existing = cursor.lastrowid, cls.title, []
    else:
        class_id, name = found["id"], found["name"]  # a name the teacher gave the class is kept
        await conn.execute("UPDATE classes SET term_sourced_id = ?, archived = 0 WHERE id = ?",
                           (cls.term_sourced_id, class_id))
        async with conn.execute("SELECT id, sourced_id, name, card, archived FROM students WHERE class_id = ?",
                                (class_id,)) as cur:
            existing = [oneroster.Existing(r["id"], r["sourced_id"], r["name"], r["card"], bool(r["archived"]))
                        for r in await cur.fetchall()]
    plan = oneroster.plan_class(cls, existing, card_count)
    # Leavers first, so the cards they free can go to newcomers. One executemany per kind of change: the whole
    # import holds the write lock, and answers of a lesson under way wait behind it.
    await conn.executemany("UPDATE students SET archived = 1 WHERE id = ?", [(i,) for i in plan.archive])
    await conn.executemany("UPDATE students SET name = ?, id_number = ?, email = ?, username = ? WHERE id = ?",
                           [(p.name, p.identifier, p.email, p.username, i) for i, p in plan.update])
    await conn.executemany("UPDATE students SET name = ?, card = ?, archived = 0, id_number = ?, email = ?,"
                           " username = ? WHERE id = ?",
                           [(p.name, card, p.identifier, p.email, p.username, i) for i, p, card in plan.restore])
    await conn.executemany("INSERT INTO students (class_id, name, card, sourced_id, id_number, email, username)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(class_id, p.name, card, p.sourced_id, p.identifier, p.email, p.username)
                            for p, card in plan.add])
    return {"id": class_id, "name": name, "sourced_id": cls.sourced_id, "owner_id": owner_id,
            "created": found is None, "students": len(cls.students), "added": len(plan.add),
            "restored": len(plan.restore), "archived": len(plan.archive), "updated": len(plan.update)}
