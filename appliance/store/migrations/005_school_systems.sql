-- What the school's systems know a class and a student by, so a OneRoster re-import updates the same class
-- and students (by sourcedId) and grades go back to Canvas, Moodle or OneRoster matched to the right person.
ALTER TABLE classes ADD COLUMN sourced_id TEXT;
ALTER TABLE classes ADD COLUMN term_sourced_id TEXT;
ALTER TABLE students ADD COLUMN sourced_id TEXT;
ALTER TABLE students ADD COLUMN id_number TEXT;
ALTER TABLE students ADD COLUMN email TEXT;
ALTER TABLE students ADD COLUMN username TEXT;
CREATE UNIQUE INDEX classes_by_sourced_id ON classes(owner_id, sourced_id) WHERE sourced_id IS NOT NULL;
CREATE UNIQUE INDEX students_by_sourced_id ON students(class_id, sourced_id) WHERE sourced_id IS NOT NULL;
-- The CSV separator and decimal mark a teacher last chose, so their Excel opens every export in columns.
ALTER TABLE users ADD COLUMN csv_separator TEXT;
ALTER TABLE users ADD COLUMN csv_decimal TEXT;
