-- Accounts, rosters, quizzes, sessions and responses: the walking skeleton's schema.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'teacher')),
    created_at    REAL NOT NULL
);

CREATE TABLE auth_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);

CREATE TABLE classes (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    archived   INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);

CREATE TABLE students (
    id       INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    card     INTEGER NOT NULL CHECK (card >= 1),
    UNIQUE (class_id, card)
);

CREATE TABLE quizzes (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users(id),
    title      TEXT NOT NULL,
    created_at REAL NOT NULL
);

CREATE TABLE questions (
    id       INTEGER PRIMARY KEY,
    quiz_id  INTEGER NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text     TEXT NOT NULL,
    options  TEXT NOT NULL,          -- JSON array of 2..4 option texts
    correct  TEXT CHECK (correct IN ('A', 'B', 'C', 'D')),  -- NULL for a poll
    UNIQUE (quiz_id, position)
);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    class_id   INTEGER NOT NULL REFERENCES classes(id),
    quiz_id    INTEGER NOT NULL REFERENCES quizzes(id),
    teacher_id INTEGER NOT NULL REFERENCES users(id),
    state      TEXT NOT NULL CHECK (state IN ('ready', 'open', 'closed', 'revealed', 'ended')),
    question   INTEGER,
    created_at REAL NOT NULL,
    ended_at   REAL
);

-- The questions as they were when the session ran, so editing a quiz never rewrites past results.
CREATE TABLE session_questions (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    options    TEXT NOT NULL,
    correct    TEXT CHECK (correct IN ('A', 'B', 'C', 'D')),
    PRIMARY KEY (session_id, position)
);

CREATE TABLE responses (
    session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    question     INTEGER NOT NULL,
    student_id   INTEGER NOT NULL REFERENCES students(id),
    card         INTEGER NOT NULL,
    answer       TEXT NOT NULL CHECK (answer IN ('A', 'B', 'C', 'D')),
    first_answer TEXT NOT NULL CHECK (first_answer IN ('A', 'B', 'C', 'D')),
    first_seen   REAL NOT NULL,
    last_changed REAL NOT NULL,
    changes      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, question, student_id)
);

CREATE INDEX sessions_by_state ON sessions(state);
CREATE INDEX students_by_class ON students(class_id);
