-- A quiz can be deleted from the library while the lessons run with it keep their results: each session
-- already has its own copy of the questions, and now keeps the quiz's title as it was when it was deleted
-- (quiz_id becomes NULL). And a student may belong to a team (the roster's "Group" column), for team scores
-- on the projector.
ALTER TABLE sessions ADD COLUMN quiz_title TEXT;
ALTER TABLE students ADD COLUMN team TEXT;
