"""An ended session's results CSV and its class's gradebook CSV: the same files a USB export writes."""
from __future__ import annotations

from appliance.classroom import analytics, reports
from appliance.reports.results import class_sessions, session_results
from appliance.store import rosters
from appliance.store.db import Database


async def session_files(db: Database, session_id: int, class_id: int) -> tuple[bytes, bytes]:
    results = reports.results_csv(await session_results(db, session_id)).encode()
    book = analytics.gradebook(await rosters.all_students(db, class_id), await class_sessions(db, class_id))
    return results, reports.gradebook_csv(book).encode()
