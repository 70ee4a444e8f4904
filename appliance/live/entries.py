"""What the teacher enters by hand into a lesson, running or past: an answer set or cleared, the absent list,
a spare card. Part of the session engine (its lock, its running lesson), kept apart to stay readable: each
change and its audit entry commit in one transaction, then the running lesson and its screens hear of it."""
from __future__ import annotations

from appliance.classroom import entries
from appliance.classroom.models import SessionRecord
from appliance.store import attendance, audit, rosters
from appliance.store import sessions as store


class HandEntries:
    """Mixed into SessionEngine, whose _lock, _db, _clock, _card_count, _held() and _announce() it uses."""

    async def hand_answer(self, record: SessionRecord, question: int, student_id: int, answer: str | None,
                          actor: int) -> None:
        """A teacher sets (a letter) or clears (None) a student's answer, during the lesson or after it.
        A set answer is the teacher's: the camera never overwrites it; clearing hands the student back to the
        camera. Raises InvalidEntry (nothing written) when the question, student or letter does not fit."""
        async with self._lock:
            running = self._held(record.id)
            roster = running.roster if running else await rosters.get_class(self._db, record.class_id)
            questions = running.questions if running else await store.session_questions(self._db, record.id)
            asked = running.asked if running else {i for i, q in enumerate(questions) if q.asked}
            absent = running.absent if running else await attendance.absent_students(self._db, record.id)
            problem = entries.check_answer(questions, asked, roster, absent, question, student_id, answer)
            if problem:
                raise entries.InvalidEntry(problem)
            student = next(s for s in roster.students if s.id == student_id)
            now = self._clock.now()
            where = f"session {record.id}, question {question + 1}, {student.name} (card {student.card})"
            async with self._db.transaction() as conn:
                if answer is None:
                    response = await store.clear_answer(conn, record.id, question, student_id, now)
                    if response is not None:
                        await audit.add(conn, actor, "answer.clear", f"{where}: cleared {response.answer} "
                                        f"(from the {response.source}); the camera reads them again")
                else:
                    response = await store.upsert_answer(conn, record.id, question, student_id, student.card,
                                                         answer, now, "teacher")
                    if response is not None:
                        await audit.add(conn, actor, "answer.set", f"{where}: set to {answer} by hand")
            if running and response is not None:
                self._announce(running, student, response, cleared=answer is None)

    async def set_absent(self, record: SessionRecord, absent: set[int], actor: int) -> None:
        """Replace the lesson's absent list (the whole list); absent students count in no total."""
        async with self._lock:
            running = self._held(record.id)
            roster = running.roster if running else await rosters.get_class(self._db, record.class_id)
            problem = entries.check_absent(roster, absent)
            if problem:
                raise entries.InvalidEntry(problem)
            names = {s.id: f"{s.name} (card {s.card})" for s in roster.students}
            async with self._db.transaction() as conn:
                added, removed = await attendance.set_absent(conn, record.id, absent)
                if added or removed:
                    said = [f"absent: {', '.join(names[i] for i in sorted(added))}" if added else "",
                            f"present: {', '.join(names[i] for i in sorted(removed))}" if removed else ""]
                    await audit.add(conn, actor, "attendance.set",
                                    f"session {record.id}: " + "; ".join(x for x in said if x))
            if running:
                running.absent = set(absent)
                self._publish_state()

    async def give_spare(self, record: SessionRecord, student_id: int, card: int | None, take_back: bool,
                         actor: int) -> int | None:
        """Give a student a spare card for this lesson (`card`, or the first free one when None), or take
        theirs back; its answers are the student's. Returns the card given."""
        async with self._lock:
            running = self._held(record.id)
            roster = running.roster if running else await rosters.get_class(self._db, record.class_id)
            given = running.spares if running else await attendance.spares(self._db, record.id)
            if take_back:
                card, problem = None, entries.check_absent(roster, {student_id})
            else:
                card, problem = entries.pick_spare(roster, self._card_count, given, student_id, card)
            if problem:
                raise entries.InvalidEntry(problem)
            student = next(s for s in roster.students if s.id == student_id)
            async with self._db.transaction() as conn:
                before = await attendance.set_spare(conn, record.id, student_id, card)
                if before != card:
                    what = f"gave spare card {card} to" if card is not None else f"took spare card {before} back from"
                    await audit.add(conn, actor, "spare.give" if card is not None else "spare.return",
                                    f"session {record.id}: {what} {student.name} (card {student.card})")
            if running:
                running.spares = {c: s for c, s in given.items() if s != student_id}
                if card is not None:
                    running.spares[card] = student_id
            return card
