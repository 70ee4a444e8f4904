-- Who ended a lesson and why: an admin who takes over the camera for another lesson ends the running one,
-- and its teacher's page says who did it and when.
ALTER TABLE sessions ADD COLUMN ended_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE sessions ADD COLUMN end_reason TEXT;

-- Which teacher uploaded which question image, and its size: the per-teacher quota counts these rows.
-- The same picture uploaded by two teachers is one file with two rows.
CREATE TABLE images (
    name       TEXT NOT NULL,
    owner_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    bytes      INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (name, owner_id)
);
CREATE INDEX images_by_owner ON images(owner_id);
