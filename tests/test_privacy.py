"""Privacy requests on a running appliance with a real SQLite file: one student's data exported (one zip of
JSON and CSV), erased so that the name is in neither the database file nor its WAL (read as raw bytes) nor the
unsent outbox, the erasure audited without the name; names expiring after privacy.keep_names_days; and a
lesson on the camera leaving no picture on disk."""
from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import time
import zipfile
from pathlib import Path

import aiohttp

from appliance import keys
from appliance.server import start_server
from appliance.store import privacy
from appliance.store import sessions as store_sessions

NAME = "Zebedee Quillfeather"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".webp", ".tif", ".tiff", ".y4m", ".gif"}


def _raw(data_dir) -> bytes:
    """The database file and its WAL as they are on disk, bytes and all."""
    found = b""
    for suffix in ("", "-wal"):
        path = data_dir / f"argus.db{suffix}"
        if path.exists():
            found += path.read_bytes()
    return found


async def _lesson_with(server, teacher, student_id: int, card: int = 40) -> int:
    """A lesson of the demo class where the student answered (the camera reads the others meanwhile)."""
    classes = await (await teacher.get("/api/v1/classes")).json()
    quiz = (await (await teacher.get("/api/v1/quizzes")).json())[0]
    started = await (await teacher.post("/api/v1/sessions", json={"class_id": classes[0]["id"],
                                                                  "quiz_id": quiz["id"]})).json()
    session_id = started["id"]
    opened = await teacher.post(f"/api/v1/sessions/{session_id}/open", json={"question": 0})
    assert opened.status == 200, await opened.text()
    await store_sessions.record_answer(server.app[keys.DB], session_id, 0, student_id, card, "B", time.time())
    await asyncio.sleep(3.0)  # the simulated class raises its cards; the camera check's preview is fetched too
    preview = await teacher.get("/api/v1/camera/preview.jpg")
    assert preview.status == 200 and (await preview.read()).startswith(b"\xff\xd8")
    for action in ("close", "end"):
        done = await teacher.post(f"/api/v1/sessions/{session_id}/{action}", json={})
        assert done.status == 200, await done.text()
    return session_id


async def test_export_then_erase_leaves_the_name_nowhere_in_the_files(settings_factory, tmp_path):
    creds = tmp_path / "s3.toml"
    creds.write_text('access_key_id = "k"\nsecret_access_key = "s"\n')
    os.chmod(creds, 0o600)
    # Sync on, to a bucket nobody answers for: the outbox keeps the roster (with the name) unsent.
    settings = settings_factory(sync={"target": "s3://results/school", "endpoint": "http://127.0.0.1:9",
                                      "credentials_file": str(creds), "interval_seconds": 3600.0,
                                      "timeout_seconds": 1.0})
    server = await start_server(settings)
    data_dir = settings.data_dir
    started_at = time.time()
    try:
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as admin:
            assert (await admin.post("/api/v1/login", json={"username": "demo", "password": "demo"})).status == 200
            roster = (await (await admin.get("/api/v1/classes")).json())[0]
            # A card the simulated class does not hold (it holds 1..30): only the answer given here is theirs.
            added = await admin.post(f"/api/v1/classes/{roster['id']}/students", json={"name": NAME, "card": 40})
            assert added.status in (200, 201), await added.text()
            roster = (await (await admin.get("/api/v1/classes")).json())[0]
            student = next(s for s in roster["students"] if s["name"] == NAME)
            await _lesson_with(server, admin, student["id"])
            # A table naming students without a foreign key (as attendance tables do): covered too.
            async with server.app[keys.DB].transaction() as conn:
                await conn.execute("CREATE TABLE lesson_notes (session_id INTEGER, student_id INTEGER, note TEXT)")
                await conn.execute("INSERT INTO lesson_notes VALUES (1, ?, 'late'), (1, 1, 'early')", (student["id"],))
            await server.app[keys.SYNC].sync_now()  # fixes a batch, fails to deliver it: it stays in the outbox
            outbox = await server.app[keys.DB].fetchall("SELECT type, body FROM sync_events")
            assert any(NAME in r["body"] for r in outbox), "the test needs the name in the unsent outbox"
            assert NAME.encode() in _raw(data_dir), "the test needs the name in the files to begin with"

            # Access request: one zip, JSON and CSV.
            exported = await admin.get(f"/api/v1/students/{student['id']}/export")
            assert exported.status == 200 and exported.headers["Content-Type"] == "application/zip"
            archive = zipfile.ZipFile(io.BytesIO(await exported.read()))
            assert sorted(archive.namelist()) == ["answers.csv", "student.json"]
            data = json.loads(archive.read("student.json"))
            assert data["student"]["name"] == NAME and data["class"]["name"] == roster["name"]
            assert [(a["question"], a["answer"]) for a in data["answers"]] == [(1, "B")]
            assert data["rows_by_table"]["lesson_notes"] == [{"session_id": 1, "student_id": student["id"],
                                                             "note": "late"}]
            assert len(data["rows_by_table"]["responses"]) == 1
            rows = list(csv.DictReader(io.StringIO(archive.read("answers.csv").decode("utf-8-sig"))))
            assert [(r["question"], r["answer"], r["card"]) for r in rows] == [("1", "B", "40")]

            # Another teacher may neither see nor erase them.
            made = await admin.post("/api/v1/users", json={"username": "ms.h", "password": "teacher-pass"})
            assert made.status == 201
            async with aiohttp.ClientSession(base_url=server.url,
                                             cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
                await other.post("/api/v1/login", json={"username": "ms.h", "password": "teacher-pass"})
                assert (await other.get(f"/api/v1/students/{student['id']}/export")).status == 404
                assert (await other.delete(f"/api/v1/students/{student['id']}?erase=true")).status == 404

            erased = await admin.delete(f"/api/v1/students/{student['id']}?erase=true")
            assert erased.status == 200, await erased.text()
            body = await erased.json()
            assert body["erased"] is True and body["removed"]["responses"] == 1
            assert body["removed"]["lesson_notes"] == 1
            raw = _raw(data_dir)
            assert len(raw) > 10_000
            for form in (NAME, "Quillfeather", NAME.lower()):
                assert form.encode() not in raw, f"{form!r} is still in the database file or its WAL"
            assert not (data_dir / "argus.db-wal").exists() or (data_dir / "argus.db-wal").stat().st_size == 0 \
                or NAME.encode() not in (data_dir / "argus.db-wal").read_bytes()
            # The outbox no longer carries them: no event about them, the roster without them.
            db = server.app[keys.DB]
            for row in await db.fetchall("SELECT type, body FROM sync_events"):
                event = json.loads(row["body"])
                assert event.get("student_id") != student["id"], row["body"]
                assert student["id"] not in [s["student_id"] for s in event.get("students", [])]
            assert (await db.fetchone("SELECT count(*) FROM responses WHERE student_id = ?", (student["id"],)))[0] == 0
            assert (await admin.get(f"/api/v1/students/{student['id']}/export")).status == 404
            # The class's other students and results are untouched.
            left = (await (await admin.get("/api/v1/classes")).json())[0]["students"]
            assert len(left) == len(roster["students"]) - 1
            audit = await (await admin.get("/api/v1/audit")).json()
            erasure = [e for e in audit if e["action"] == "student.erase"]
            assert len(erasure) == 1 and str(student["id"]) in erasure[0]["detail"]
            assert not any(NAME in e["detail"] or "Quillfeather" in e["detail"] for e in audit)
    finally:
        await server.stop()
    # No camera picture was ever written anywhere under the data folder or the test's folder.
    written = [p for p in tmp_path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES
               and p.stat().st_mtime >= started_at - 1]
    # ...nor in the folder the appliance ran from (the repository; browser screenshots are the tests' own).
    here = Path.cwd()
    written += [p for p in here.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
                and not {".venv", "test-artifacts", ".git"} & set(p.relative_to(here).parts)
                and p.stat().st_mtime >= started_at - 1]
    assert written == [], written
    assert not any((data_dir / "images").glob("*")) if (data_dir / "images").exists() else True


async def test_erasing_during_the_class_lesson_is_refused(server, teacher):
    roster = (await (await teacher.get("/api/v1/classes")).json())[0]
    started = await teacher.post("/api/v1/sessions", json={"class_id": roster["id"]})
    assert started.status == 200
    refused = await teacher.delete(f"/api/v1/students/{roster['students'][0]['id']}?erase=true")
    assert refused.status == 409 and "lesson" in (await refused.json())["error"]
    assert len((await (await teacher.get("/api/v1/classes")).json())[0]["students"]) == len(roster["students"])


async def test_names_expire_after_keep_names_days_and_answers_stay(server, teacher):
    db = server.app[keys.DB]
    roster = (await (await teacher.get("/api/v1/classes")).json())[0]
    added = await teacher.post(f"/api/v1/classes/{roster['id']}/students", json={"name": "Otto Late", "card": 40})
    assert added.status in (200, 201)
    roster = (await (await teacher.get("/api/v1/classes")).json())[0]
    student = next(s for s in roster["students"] if s["card"] == 40)
    await _lesson_with(server, teacher, student["id"])
    # A second class, no lesson yet: its names are kept, however old.
    other = await (await teacher.post("/api/v1/classes", json={"name": "Next term",
                                                               "students": [{"name": "Nadia Keep"}]})).json()
    assert await privacy.anonymise_expired(db, 30, now=time.time() + 29 * 86400) == 0, "not yet"
    changed = await privacy.anonymise_expired(db, 30, now=time.time() + 31 * 86400)
    assert changed == len(roster["students"])
    names = {s["name"] for s in (await (await teacher.get(f"/api/v1/classes/{roster['id']}")).json())["students"]}
    assert names == {f"Student {s['card']}" for s in roster["students"]}
    kept = (await (await teacher.get(f"/api/v1/classes/{other['id']}")).json())["students"]
    assert [s["name"] for s in kept] == ["Nadia Keep"]
    answers = await db.fetchall("SELECT student_id, answer FROM responses WHERE student_id = ?", (student["id"],))
    assert [tuple(r) for r in answers] == [(student["id"], "B")], "results stay, as numbers"
    assert await privacy.anonymise_expired(db, 30, now=time.time() + 31 * 86400) == 0, "once is enough"
    assert student["name"].encode() not in _raw(server.app[keys.SETTINGS].data_dir)


async def test_the_privacy_page_is_served_for_the_data_protection_officer(server, anonymous):
    page = await anonymous.get("/privacy")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/plain")
    text = await page.text()
    for heading in ("What is kept", "How long", "Who can see", "What leaves the appliance", "Camera pictures",
                    "Access request", "Erasure request", "Backups"):
        assert heading in text, heading


async def test_a_restore_from_before_an_erasure_does_not_bring_the_student_back(server, teacher):
    made = await (await teacher.post("/api/v1/backups")).json()
    roster = (await (await teacher.get("/api/v1/classes")).json())[0]
    gone, other = roster["students"][0], roster["students"][1]
    assert (await teacher.delete(f"/api/v1/students/{gone['id']}?erase=true")).status == 200
    ledger = (server.app[keys.SETTINGS].data_dir / "erasures.jsonl").read_text()
    assert gone["name"] not in ledger and str(gone["id"]) in ledger
    assert oct(os.stat(server.app[keys.SETTINGS].data_dir / "erasures.jsonl").st_mode & 0o777) == "0o600"
    restored = await teacher.post("/api/v1/backups/restore", json={"name": made["name"]})
    assert restored.status == 200, await restored.text()
    assert (await restored.json())["erased_again"] == 1
    names = {s["name"] for s in (await (await teacher.get(f"/api/v1/classes/{roster['id']}")).json())["students"]}
    assert gone["name"] not in names and other["name"] in names
    assert gone["name"].encode() not in _raw(server.app[keys.SETTINGS].data_dir)


async def test_students_who_left_are_listed_for_a_privacy_request(server, teacher):
    roster = (await (await teacher.get("/api/v1/classes")).json())[0]
    added = await teacher.post(f"/api/v1/classes/{roster['id']}/students", json={"name": "Lena Gone", "card": 40})
    assert added.status in (200, 201)
    student = next(s for s in (await (await teacher.get("/api/v1/classes")).json())[0]["students"] if s["card"] == 40)
    await _lesson_with(server, teacher, student["id"])
    removed = await (await teacher.delete(f"/api/v1/students/{student['id']}")).json()
    assert removed["archived"] is True  # answered once: kept for the results, no longer in the class
    listed = await (await teacher.get("/api/v1/privacy/students")).json()
    gone = next(s for s in listed if s["id"] == student["id"])
    assert gone["left_class"] is True and gone["name"] == "Lena Gone" and gone["class_name"] == roster["name"]
    assert (await teacher.get(f"/api/v1/students/{student['id']}/export")).status == 200
    assert (await teacher.delete(f"/api/v1/students/{student['id']}?erase=true")).status == 200
    assert student["id"] not in {s["id"] for s in await (await teacher.get("/api/v1/privacy/students")).json()}
