"""Past one machine: two appliances sync into one SeaweedFS bucket, and the DuckDB query documented in
docs/FORMATS.md (run here exactly as written, over a downloaded copy of the bucket) gives participation and
% correct per class across both."""
from __future__ import annotations

import random
import re
from pathlib import Path

import duckdb

from appliance.config import SyncSettings
from appliance.store.db import Database
from appliance.sync.service import SyncService

FORMATS = Path(__file__).resolve().parents[2] / "docs" / "FORMATS.md"


def documented_query() -> str:
    text = FORMATS.read_text()
    return re.search(r"<!-- duckdb-query -->\n```sql\n(.*?)```", text, re.S).group(1)


async def test_two_appliances_one_bucket_one_query(weed, tmp_path, lesson):
    creds = weed.credentials(tmp_path / "s3.toml")
    settings = SyncSettings(target="s3://results/district", endpoint=weed.endpoint, credentials_file=str(creds),
                            interval_seconds=3600.0, max_kbps=0, batch_events=7)
    plans = {
        # class: (students, questions, answers): 7A answers everything, right when card % 3 == 0;
        # 8B: card 5 never answers, the others are always right.
        "7A": (4, 3, lambda q, card: "ABC"[(q + card) % 3]),
        "8B": (5, 2, lambda q, card: None if card == 5 else "ABC"[q % 3]),
    }
    for number, class_name in enumerate(plans):
        db = await Database.open(tmp_path / f"appliance{number}" / "argus.db")
        students, questions, answers = plans[class_name]
        await lesson(db, class_name=class_name, students=students, questions=questions, answers=answers)
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
    assert len({p.parts[len(copy.parts)] for p in copy.rglob("*.ndjson.gz")}) == 2, "two appliances"

    con = duckdb.connect()
    con.execute(f"SET file_search_path = '{copy.parent}'")
    rows = con.execute(documented_query()).fetchall()
    table = {r[2]: r[3:] for r in rows}
    assert table == {
        "7A": (12, 12, 100.0, 25.0),   # 4 students x 3 questions, only card 3 right
        "8B": (8, 10, 80.0, 100.0),    # card 5 of 5 never answered
    }, rows
