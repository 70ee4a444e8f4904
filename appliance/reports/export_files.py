"""The one list of files a school takes away for its classes: what the USB export writes (and what cloud
sync carries). For each class: its gradebook as .xlsx, comma CSV, Canvas and Moodle CSV, and OneRoster 1.1
results when the class came from OneRoster; for each session: its results as .xlsx and CSV."""
from __future__ import annotations

import asyncio

from appliance.classroom import analytics
from appliance.classroom.formats import grades, xlsx
from appliance.classroom.models import ClassRoster
from appliance.reports.results import class_sessions, session_sheets
from appliance.store import rosters
from appliance.store.db import Database


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")[:40] or "untitled"


async def class_files(db: Database, roster: ClassRoster) -> dict[str, bytes]:
    """File name (relative to the export folder) → contents, for one class and its sessions."""
    everyone = await rosters.all_students(db, roster.id)
    sessions = await class_sessions(db, roster.id)
    book = analytics.gradebook(everyone, sessions)
    ids = await rosters.student_ids(db, roster.id)
    stem = f"gradebook-{slug(roster.name)}-{roster.id}"
    sheets = grades.gradebook_sheets(book)
    workbooks = {f"{stem}.xlsx": sheets}
    files = {f"{stem}.csv": grades.csv_text(sheets).encode(),
             f"lms/{stem}-canvas.csv": grades.canvas_csv(book, ids, roster.name).encode(),
             f"lms/{stem}-moodle.csv": grades.moodle_csv(book, ids).encode()}
    class_sid, term_sid = await rosters.class_sourced_ids(db, roster.id)
    if class_sid is not None:
        files[f"lms/{stem}-oneroster.zip"] = grades.oneroster_results(book, ids, class_sid, term_sid)
    for s in sessions:
        results = await session_sheets(db, s.id)
        name = f"sessions/session-{s.id}-{slug(roster.name)}"
        files[f"{name}.csv"] = grades.csv_text(results).encode()
        workbooks[f"{name}.xlsx"] = results
    # Writing workbooks is the CPU-heavy part: off the event loop.
    files.update(await asyncio.get_running_loop().run_in_executor(None, _render, workbooks))
    return files


def _render(workbooks: dict[str, xlsx.Sheets]) -> dict[str, bytes]:
    return {name: xlsx.workbook(sheets) for name, sheets in workbooks.items()}


async def school_files(db: Database) -> dict[str, bytes]:
    """Every class's files, current and archived classes alike."""
    files: dict[str, bytes] = {}
    for roster in await rosters.list_classes(db) + await rosters.list_classes(db, archived=True):
        files.update(await class_files(db, roster))
    return files
