"""The SQLite store on a real file: migrations, durability semantics, rollback, answers."""
import sqlite3

import pytest

from appliance.classroom.models import Question
from appliance.store import accounts, quizzes, rosters, sessions
from appliance.store.db import Database, StoreError, migration_files


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "argus.db")
    yield database
    await database.close()


async def _lesson(db):
    user = await accounts.create_user(db, "ms.h", "hash", "teacher")
    roster = await rosters.create_class(db, user.id, "7B", [("Ann", 1), ("Bob", 2)])
    quiz = await quizzes.create_quiz(db, user.id, "Maths", [Question("2+2?", ("3", "4"), "B")])
    record = await sessions.create_session(db, roster.id, quiz.id, user.id, quiz.questions)
    return user, roster, quiz, record


async def test_database_is_wal_with_full_sync_and_foreign_keys(db, tmp_path):
    assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
    async with db.transaction() as conn:
        assert (await (await conn.execute("PRAGMA synchronous")).fetchone())[0] == 2  # FULL
        assert (await (await conn.execute("PRAGMA foreign_keys")).fetchone())[0] == 1
    assert await db.integrity_check() == "ok"


async def test_every_migration_is_applied_once(tmp_path):
    for _ in range(2):
        database = await Database.open(tmp_path / "argus.db")
        rows = await database.fetchall("SELECT version FROM schema_migrations ORDER BY version")
        await database.close()
        assert [r[0] for r in rows] == [v for v, _, _ in migration_files()]
    assert not (tmp_path / "backups").exists()  # nothing pending, nothing to back up


async def test_a_database_is_backed_up_before_a_new_migration(tmp_path):
    path = tmp_path / "argus.db"
    current = migration_files()
    database = await Database.open(path, migrations=current)
    await accounts.create_user(database, "keep", "hash", "admin")
    await database.close()
    extra = (len(current) + 1, f"{len(current) + 1:03d}_extra.sql", "ALTER TABLE users ADD COLUMN extra TEXT;")
    database = await Database.open(path, migrations=[*current, extra])
    assert (await database.fetchone("SELECT extra FROM users"))[0] is None
    await database.close()
    backups = list((tmp_path / "backups").glob("argus-before-*.db"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT username FROM users").fetchall() == [("keep",)]
    copy.close()


async def test_a_failing_migration_changes_nothing_and_names_itself(tmp_path):
    path = tmp_path / "argus.db"
    current = migration_files()
    await (await Database.open(path, migrations=current)).close()
    broken = (len(current) + 1, f"{len(current) + 1:03d}_broken.sql",
              "ALTER TABLE users ADD COLUMN half TEXT; CREATE TABLE users (x);")
    with pytest.raises(StoreError, match="_broken.sql failed"):
        await Database.open(path, migrations=[*current, broken])
    database = await Database.open(path, migrations=current)
    columns = [r[1] for r in await database.fetchall("PRAGMA table_info(users)")]
    await database.close()
    assert "half" not in columns


async def test_answers_record_first_answer_changes_and_ignore_repeats(db):
    _, roster, _, record = await _lesson(db)
    ann = roster.students[0]
    first = await sessions.record_answer(db, record.id, 0, ann.id, 1, "A", 100.0)
    assert (first.answer, first.first_answer, first.changes) == ("A", "A", 0)
    assert await sessions.record_answer(db, record.id, 0, ann.id, 1, "A", 101.0) is None
    changed = await sessions.record_answer(db, record.id, 0, ann.id, 1, "B", 102.0)
    assert (changed.answer, changed.first_answer, changed.changes) == ("B", "A", 1)
    assert (changed.first_seen, changed.last_changed) == (100.0, 102.0)
    assert [r.answer for r in await sessions.responses(db, record.id)] == ["B"]


async def test_a_failed_transaction_leaves_nothing_half_written(db):
    user = await accounts.create_user(db, "t", "hash", "teacher")
    with pytest.raises(sqlite3.IntegrityError):
        await rosters.create_class(db, user.id, "dupes", [("Ann", 1), ("Bob", 1)])  # same card twice
    assert await rosters.list_classes(db) == []
    assert (await db.fetchone("SELECT count(*) FROM students"))[0] == 0


async def test_sessions_keep_their_own_copy_of_the_questions(db):
    _, _, quiz, record = await _lesson(db)
    async with db.transaction() as conn:
        await conn.execute("UPDATE questions SET text = 'edited later' WHERE quiz_id = ?", (quiz.id,))
    assert [q.text for q in await sessions.session_questions(db, record.id)] == ["2+2?"]


async def test_starting_a_session_can_end_the_others(db):
    user, roster, quiz, first = await _lesson(db)
    second = await sessions.create_session(db, roster.id, quiz.id, user.id, quiz.questions)
    await sessions.set_state(db, second.id, "ready", None, end_others=True)
    assert (await sessions.get_session(db, first.id)).state == "ended"
    assert (await sessions.unfinished_session(db)).id == second.id


async def test_login_tokens_are_stored_hashed_and_expire(db):
    user = await accounts.create_user(db, "t", "hash", "teacher")
    token = await accounts.start_login(db, user.id, 3600)
    assert (await accounts.user_for_token(db, token)).username == "t"
    stored = (await db.fetchone("SELECT token_hash FROM auth_sessions"))[0]
    assert token not in stored
    expired = await accounts.start_login(db, user.id, -1)
    assert await accounts.user_for_token(db, expired) is None
    await accounts.end_login(db, token)
    assert await accounts.user_for_token(db, token) is None


async def test_a_full_disk_is_a_clear_error_and_loses_nothing_saved(db):
    _, roster, _, record = await _lesson(db)
    ann, bob = roster.students
    await sessions.record_answer(db, record.id, 0, ann.id, 1, "A", 1.0)
    pages = (await db.fetchone("PRAGMA page_count"))[0]
    async with db.transaction() as conn:  # SQLite's own way to make the database "full"
        await conn.execute(f"PRAGMA max_page_count = {pages}")
    big = "x" * 100_000
    with pytest.raises(StoreError, match="full"):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO appliance_state (key, value) VALUES ('filler', ?)", (big,))
    assert await db.integrity_check() == "ok"
    assert [r.answer for r in await sessions.responses(db, record.id)] == ["A"]
    assert (await db.fetchone("SELECT count(*) FROM appliance_state WHERE key = 'filler'"))[0] == 0
