"""Past one machine: three appliances sync into one SeaweedFS bucket, and the DuckDB query documented in
docs/FORMATS.md (run here exactly as written, over a downloaded copy of the bucket) gives participation and
% correct per class across them all (hand entries, clears and absences included)."""
from __future__ import annotations

import random
import re
import time
from pathlib import Path

import duckdb

from appliance.config import SyncSettings
from appliance.store import attendance, sessions
from appliance.store.db import Database
from appliance.sync.service import SyncService

FORMATS = Path(__file__).resolve().parents[2] / "docs" / "FORMATS.md"


def documented_query() -> str:
    text = FORMATS.read_text()
    return re.search(r"<!-- duckdb-query -->\n```sql\n(.*?)```", text, re.S).group(1)


async def test_three_appliances_one_bucket_one_query(weed, tmp_path, lesson):
    creds = weed.credentials(tmp_path / "s3.toml")
    settings = SyncSettings(target="s3://results/district", endpoint=weed.endpoint, credentials_file=str(creds),
                            interval_seconds=3600.0, max_kbps=0, batch_events=7)
    plans = {
        # class: (students, questions, answers): 7A answers everything, right when card % 3 == 0;
        # 8B: card 5 never answers, the others are always right.
        "7A": (4, 3, lambda q, card: "ABC"[(q + card) % 3]),
        "8B": (5, 2, lambda q, card: None if card == 5 else "ABC"[q % 3]),
        # 9C: everyone read as C (wrong); then the teacher corrects card 1 to A, clears card 2 and marks
        # card 4 absent: 2 of 3 present answered, 1 of 2 right.
        "9C": (4, 1, lambda q, card: "C"),
    }
    for number, class_name in enumerate(plans):
        db = await Database.open(tmp_path / f"appliance{number}" / "argus.db")
        students, questions, answers = plans[class_name]
        sid = await lesson(db, class_name=class_name, students=students, questions=questions, answers=answers,
                           end=class_name != "9C")
        if class_name == "9C":
            await _teacher_steps(db, sid)
        service = SyncService(db, settings, tmp_path / f"appliance{number}", rng=random.Random(number))
        await service.start()
        status = await service.sync_now()
        await service.close()
        await db.close()
        assert status["pending"] == 0, status

    copy = tmp_path / "copy"
    for name, data in (await weed.objects("results", "district")).items():
        path = copy / name.removeprefix("district/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert len({p.parts[len(copy.parts)] for p in copy.rglob("*.ndjson.gz")}) == 3, "three appliances"

    con = duckdb.connect()
    con.execute(f"SET file_search_path = '{copy.parent}'")
    rows = con.execute(documented_query()).fetchall()
    table = {r[2]: r[3:] for r in rows}
    assert table == {
        "7A": (12, 12, 100.0, 25.0),   # 4 students x 3 questions, only card 3 right
        "8B": (8, 10, 80.0, 100.0),    # card 5 of 5 never answered
        "9C": (2, 3, 66.7, 50.0),      # a hand entry, a clear and an absence, as the teacher left them
    }, rows


async def _teacher_steps(db: Database, sid: int) -> None:
    ids = {r["card"]: r["student_id"] for r in await db.fetchall(
        "SELECT card, student_id FROM responses WHERE session_id = ?", (sid,))}
    async with db.transaction() as conn:
        await sessions.upsert_answer(conn, sid, 0, ids[1], 1, "A", time.time(), "teacher")
        await sessions.clear_answer(conn, sid, 0, ids[2], time.time())
        await attendance.set_absent(conn, sid, {ids[3], ids[4]})
        await attendance.set_absent(conn, sid, {ids[4]})  # the last list counts
    await sessions.set_state(db, sid, "ended", None)
