"""An ended session's results CSV and its class's gradebook CSV: the same files a USB export writes
(reports/export_files.py builds both from the same sheets)."""
from __future__ import annotations

from appliance.classroom import analytics
from appliance.classroom.formats import grades
from appliance.reports.results import class_sessions, session_sheets
from appliance.store import rosters
from appliance.store.db import Database


async def session_files(db: Database, session_id: int, class_id: int) -> tuple[bytes, bytes]:
    results = grades.csv_text(await session_sheets(db, session_id)).encode()
    book = analytics.gradebook(await rosters.all_students(db, class_id), await class_sessions(db, class_id))
    return results, grades.csv_text(grades.gradebook_sheets(book)).encode()
