-- When each session question was first opened: scores and participation count only questions that were
-- actually asked, not the rest of a quiz the lesson never reached.
ALTER TABLE session_questions ADD COLUMN opened_at REAL;
UPDATE session_questions SET opened_at = (SELECT created_at FROM sessions s WHERE s.id = session_questions.session_id)
WHERE EXISTS (SELECT 1 FROM responses r WHERE r.session_id = session_questions.session_id
              AND r.question = session_questions.position)
   OR position <= coalesce((SELECT question FROM sessions s WHERE s.id = session_questions.session_id), -1);
