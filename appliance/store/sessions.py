"""Quiz sessions, the questions they ran, and students' responses."""
from __future__ import annotations

import json
import time

from appliance.classroom.errors import NotFound
from appliance.classroom.models import Question, Response, SessionRecord
from appliance.classroom.numbering import Origin
from appliance.store import outbox
from appliance.store.db import Database
from appliance.store.quizzes import notes_columns, question_from_row

_SESSION_COLUMNS = ("id, class_id, quiz_id, teacher_id, state, question, created_at, ended_at, anonymous,"
                    " deadline, remaining, ended_by, end_reason")


# A session's quiz title: the quiz's own while it exists, the one it had when it was deleted, or none.
QUICK_TITLE = "Quick questions"
_TITLE = f"coalesce(q.title, s.quiz_title, '{QUICK_TITLE}')"


def _session(row) -> SessionRecord:
    values = {c: row[c] for c in _SESSION_COLUMNS.split(", ")}
    values["anonymous"] = bool(values["anonymous"])
    return SessionRecord(**values)


def _response(row) -> Response:
    return Response(
        row["question"], row["student_id"], row["card"], row["answer"], row["first_answer"],
        row["first_seen"], row["last_changed"], row["changes"], row["source"],
    )


_INSERT_QUESTION = ("INSERT INTO session_questions (session_id, position, text, options, correct, kind, time_limit,"
                    " image, origin, adhoc, skills, misconceptions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _question_row(session_id: int, position: int, q: Question, origin: int | None, adhoc: bool) -> tuple:
    return (session_id, position, q.text, json.dumps(list(q.options)), q.correct, q.kind, q.time_limit, q.image,
            origin, int(adhoc), *notes_columns(q))


async def create_session(db: Database, class_id: int, quiz_id: int | None, teacher_id: int,
                         questions: tuple[Question, ...], anonymous: bool = False) -> SessionRecord:
    now = time.time()
    async with db.transaction() as conn:
        # The quiz was read before this transaction: if it was deleted since, say so (not a foreign key error).
        async with conn.execute("SELECT ? IS NULL OR EXISTS (SELECT 1 FROM quizzes WHERE id = ?)",
                                (quiz_id, quiz_id)) as cursor:
            if not (await cursor.fetchone())[0]:
                raise NotFound(f"quiz {quiz_id} does not exist")
        cursor = await conn.execute(
            "INSERT INTO sessions (class_id, quiz_id, teacher_id, state, question, created_at, anonymous)"
            " VALUES (?, ?, ?, 'ready', NULL, ?, ?)",
            (class_id, quiz_id, teacher_id, now, int(anonymous)),
        )
        session_id = cursor.lastrowid
        await conn.executemany(_INSERT_QUESTION, [_question_row(session_id, i, q, None, False)
                                                  for i, q in enumerate(questions)])
        await outbox.session_started(conn, session_id, now)
    return SessionRecord(session_id, class_id, quiz_id, teacher_id, "ready", None, now, None, anonymous)


async def append_question(db: Database, session_id: int, question: Question, origin: int | None,
                          adhoc: bool) -> int:
    """Add a question to a running session (re-asked or ad-hoc); returns its position."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT count(*) FROM session_questions WHERE session_id = ?", (session_id,)) as c:
            position = (await c.fetchone())[0]
        await conn.execute(_INSERT_QUESTION, _question_row(session_id, position, question, origin, adhoc))
    return position


async def get_session(db: Database, session_id: int, teacher_id: int | None = None) -> SessionRecord | None:
    """The session; None if there is none, or it is not teacher_id's (when given)."""
    row = await db.fetchone(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ? AND (? IS NULL OR teacher_id = ?)",
                            (session_id, teacher_id, teacher_id))
    return _session(row) if row else None


async def quiz_title(db: Database, session_id: int) -> str:
    row = await db.fetchone(f"SELECT {_TITLE} FROM sessions s LEFT JOIN quizzes q ON q.id = s.quiz_id WHERE s.id = ?",
                            (session_id,))
    return row[0] if row else QUICK_TITLE


async def list_sessions(db: Database, teacher_id: int | None = None, class_id: int | None = None) -> list[dict]:
    where, params = ["1"], []
    if teacher_id is not None:
        where.append("s.teacher_id = ?")
        params.append(teacher_id)
    if class_id is not None:
        where.append("s.class_id = ?")
        params.append(class_id)
    rows = await db.fetchall(
        "SELECT s.id, s.class_id, s.quiz_id, c.name AS class_name,"
        f" {_TITLE} AS quiz_title, s.state, s.question, s.created_at, s.ended_at,"
        " s.anonymous FROM sessions s JOIN classes c ON c.id = s.class_id"
        f" LEFT JOIN quizzes q ON q.id = s.quiz_id WHERE {' AND '.join(where)} ORDER BY s.id DESC",
        params,
    )
    return [dict(row) | {"anonymous": bool(row["anonymous"])} for row in rows]


async def ended_sessions_of_quiz(db: Database, quiz_id: int, teacher_id: int | None) -> list[int]:
    """The ended lessons of a quiz, oldest first; only `teacher_id`'s when given."""
    rows = await db.fetchall("SELECT id FROM sessions WHERE quiz_id = ? AND state = 'ended'"
                             " AND (? IS NULL OR teacher_id = ?) ORDER BY id", (quiz_id, teacher_id, teacher_id))
    return [row["id"] for row in rows]


async def unfinished_session(db: Database) -> SessionRecord | None:
    """The newest session that has not ended: the one the camera feeds after a restart."""
    row = await db.fetchone(
        f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE state != 'ended' ORDER BY id DESC LIMIT 1"
    )
    return _session(row) if row else None


async def session_questions(db: Database, session_id: int) -> tuple[Question, ...]:
    rows = await db.fetchall(
        "SELECT text, options, correct, kind, time_limit, image, opened_at, skills, misconceptions"
        " FROM session_questions WHERE session_id = ?"
        " ORDER BY position", (session_id,)
    )
    return tuple(question_from_row(r) for r in rows)


async def session_origins(db: Database, session_id: int) -> tuple[Origin, ...]:
    """Where each of the session's questions came from (quiz, asked again, typed in), in position order."""
    rows = await db.fetchall("SELECT origin, adhoc FROM session_questions WHERE session_id = ? ORDER BY position",
                             (session_id,))
    return tuple(Origin(r["origin"], bool(r["adhoc"])) for r in rows)


async def set_anonymous(db: Database, session_id: int) -> None:
    """Turn names off for the rest of a session (one way: a lesson never turns names back on)."""
    async with db.transaction() as conn:
        cursor = await conn.execute("UPDATE sessions SET anonymous = 1 WHERE id = ? AND anonymous = 0", (session_id,))
        if cursor.rowcount:
            await outbox.session_anonymous(conn, session_id, time.time())


async def set_state(db: Database, session_id: int, state: str, question: int | None,
                    end_others: bool = False, deadline: float | None = None, remaining: float | None = None,
                    actor: int | None = None, reason: str = "ended") -> None:
    """Move a session; ending it records `actor` and `reason`. `end_others` ends every other unfinished
    session, in the same transaction, as taken over by `actor`. Each fact goes into the sync outbox in the
    same transaction."""
    now = time.time()
    async with db.transaction() as conn:
        if state == "open":  # the first opening marks the question as asked
            cursor = await conn.execute("UPDATE session_questions SET opened_at = ? WHERE session_id = ?"
                                        " AND position = ? AND opened_at IS NULL", (now, session_id, question))
            # Only the first opening is an event: delivered events leave the outbox, so a re-opening
            # could not be told apart from a new fact by the outbox itself.
            if cursor.rowcount:
                await outbox.question_asked(conn, session_id, question, now)
        if end_others:
            # One camera feeds one session: starting one ends any other left open.
            async with conn.execute("SELECT id FROM sessions WHERE state != 'ended' AND id != ?",
                                    (session_id,)) as cursor:
                others = [r[0] for r in await cursor.fetchall()]
            await conn.execute(
                "UPDATE sessions SET state = 'ended', ended_at = ?, ended_by = ?, end_reason = 'taken over'"
                " WHERE state != 'ended' AND id != ?",
                (now, actor, session_id),
            )
            for other in others:
                await outbox.session_ended(conn, other, now)
        ending = state == "ended"
        await conn.execute(
            "UPDATE sessions SET state = ?, question = ?, deadline = ?, remaining = ?,"
            " ended_at = CASE WHEN ? THEN ? ELSE ended_at END,"
            " ended_by = CASE WHEN ? THEN ? ELSE ended_by END,"
            " end_reason = CASE WHEN ? THEN ? ELSE end_reason END WHERE id = ?",
            (state, question, deadline, remaining, ending, now, ending, actor, ending, reason, session_id),
        )
        if state == "ended":
            await outbox.session_ended(conn, session_id, now)


_RESPONSE_COLUMNS = "question, student_id, card, answer, first_answer, first_seen, last_changed, changes, source"


async def record_answer(db: Database, session_id: int, question: int, student_id: int, card: int,
                        answer: str, seen_at: float, source: str = "camera") -> Response | None:
    """Store a student's answer; returns the stored response, or None when nothing changed: it was already
    that answer, or a teacher entered it by hand and this reading is the camera's or a photo's."""
    async with db.transaction() as conn:
        return await upsert_answer(conn, session_id, question, student_id, card, answer, seen_at, source)


async def upsert_answer(conn, session_id: int, question: int, student_id: int, card: int, answer: str,
                        seen_at: float, source: str) -> Response | None:
    """record_answer() inside the caller's write transaction. The rule "the teacher has the last word" is
    in the statement itself, so a camera reading racing a hand entry can never overwrite it, in any order."""
    async with conn.execute(
        "INSERT INTO responses (session_id, question, student_id, card, answer, first_answer, first_seen,"
        " last_changed, changes, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce((SELECT versions FROM"
        " response_clears WHERE session_id = ? AND question = ? AND student_id = ?), 0), ?)"
        " ON CONFLICT (session_id, question, student_id) DO UPDATE SET answer = excluded.answer,"
        " card = excluded.card, last_changed = excluded.last_changed, changes = changes + 1,"
        " source = excluded.source"
        " WHERE CASE WHEN excluded.source = 'teacher' THEN answer != excluded.answer OR source != 'teacher'"
        " ELSE answer != excluded.answer AND source != 'teacher' END"
        f" RETURNING {_RESPONSE_COLUMNS}",
        (session_id, question, student_id, card, answer, answer, seen_at, seen_at, session_id, question,
         student_id, source),
    ) as cursor:
        row = await cursor.fetchone()
    if row:
        await outbox.response(conn, session_id, row)
    return _response(row) if row else None


async def clear_answer(conn, session_id: int, question: int, student_id: int, at: float) -> Response | None:
    """Remove a student's response (inside the caller's transaction): the camera may read them again. The
    version count stays behind so the next answer's sync event is a new one. Returns what was removed."""
    async with conn.execute(f"DELETE FROM responses WHERE session_id = ? AND question = ? AND student_id = ?"
                            f" RETURNING {_RESPONSE_COLUMNS}", (session_id, question, student_id)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    await conn.execute("INSERT OR REPLACE INTO response_clears (session_id, question, student_id, versions)"
                       " VALUES (?, ?, ?, ?)", (session_id, question, student_id, row["changes"] + 2))
    await outbox.response_cleared(conn, session_id, row, at)
    return _response(row)


async def responses(db: Database, session_id: int) -> list[Response]:
    rows = await db.fetchall(
        f"SELECT {_RESPONSE_COLUMNS} FROM responses WHERE session_id = ? ORDER BY question, card",
        (session_id,),
    )
    return [_response(r) for r in rows]
