-- The teacher's classroom: question types, time limits and images; quiz tags; pausing and anonymous
-- sessions with stored deadlines; students who leave a class keep their past answers; one-time setup.
-- Runs with foreign keys off (see db.py) so tables can be rebuilt without cascading deletes.

ALTER TABLE questions ADD COLUMN kind TEXT NOT NULL DEFAULT 'multiple'
    CHECK (kind IN ('multiple', 'truefalse', 'poll'));
ALTER TABLE questions ADD COLUMN time_limit INTEGER CHECK (time_limit IS NULL OR time_limit > 0);
ALTER TABLE questions ADD COLUMN image TEXT;

ALTER TABLE quizzes ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE quizzes ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quizzes ADD COLUMN updated_at REAL;

ALTER TABLE session_questions ADD COLUMN kind TEXT NOT NULL DEFAULT 'multiple';
ALTER TABLE session_questions ADD COLUMN time_limit INTEGER;
ALTER TABLE session_questions ADD COLUMN image TEXT;
-- For a re-asked question, the position it repeats; ad-hoc questions have origin NULL and adhoc = 1.
ALTER TABLE session_questions ADD COLUMN origin INTEGER;
ALTER TABLE session_questions ADD COLUMN adhoc INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sessions_new (
    id         INTEGER PRIMARY KEY,
    class_id   INTEGER NOT NULL REFERENCES classes(id),
    quiz_id    INTEGER REFERENCES quizzes(id),   -- NULL for a session of ad-hoc questions only
    teacher_id INTEGER NOT NULL REFERENCES users(id),
    state      TEXT NOT NULL CHECK (state IN ('ready', 'open', 'paused', 'closed', 'revealed', 'ended')),
    question   INTEGER,
    created_at REAL NOT NULL,
    ended_at   REAL,
    anonymous  INTEGER NOT NULL DEFAULT 0,
    deadline   REAL,      -- wall-clock time at which the open question closes by itself
    remaining  REAL       -- seconds left on the countdown while paused
);
INSERT INTO sessions_new (id, class_id, quiz_id, teacher_id, state, question, created_at, ended_at)
    SELECT id, class_id, quiz_id, teacher_id, state, question, created_at, ended_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_by_state ON sessions(state);
CREATE INDEX sessions_by_class ON sessions(class_id);

-- Card numbers are unique among a class's current students only, so a leaver's card can be handed on.
CREATE TABLE students_new (
    id       INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    card     INTEGER NOT NULL CHECK (card >= 1),
    archived INTEGER NOT NULL DEFAULT 0
);
INSERT INTO students_new (id, class_id, name, card) SELECT id, class_id, name, card FROM students;
DROP TABLE students;
ALTER TABLE students_new RENAME TO students;
CREATE INDEX students_by_class ON students(class_id);
CREATE UNIQUE INDEX students_card_in_class ON students(class_id, card) WHERE archived = 0;

CREATE TABLE appliance_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
