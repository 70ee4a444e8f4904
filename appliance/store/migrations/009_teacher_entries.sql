-- The teacher has the last word. A response now says where it came from: the camera, the teacher's hand, or a
-- photo the teacher took; the camera (and a photo) never overwrite a teacher's entry. A lesson keeps who was
-- absent and which spare cards were handed out for it. A cleared response leaves its version count behind, so
-- the next version of that student's answer gets a new sync event id instead of repeating an old one.
ALTER TABLE responses ADD COLUMN source TEXT NOT NULL DEFAULT 'camera'
    CHECK (source IN ('camera', 'teacher', 'photo'));

CREATE TABLE session_absences (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    student_id INTEGER NOT NULL,  -- no foreign key: removing a student who never answered stays possible
    PRIMARY KEY (session_id, student_id)
);

-- A spare card stands for one student in one lesson: its answers are the student's.
CREATE TABLE session_spares (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    card       INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    PRIMARY KEY (session_id, card),
    UNIQUE (session_id, student_id)
);

CREATE TABLE response_clears (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    question   INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    versions   INTEGER NOT NULL,  -- how many versions the cleared response had had (its changes + 2 with the clear)
    PRIMARY KEY (session_id, question, student_id)
);

-- Each change of a lesson's absent list is a sync event of its own; this numbers them.
ALTER TABLE sessions ADD COLUMN attendance_version INTEGER NOT NULL DEFAULT 0;
