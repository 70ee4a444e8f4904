-- An admin can disable a teacher's account (kept, but it cannot log in) and keeps a short log of what
-- admins did to accounts, certificates and other teachers' lessons.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       REAL NOT NULL,
    actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor    TEXT NOT NULL,      -- the username as it was, so the entry still reads well after a deletion
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL
);
