-- A question may carry the skills it tests (free text or standard codes such as CCSS.MATH.CONTENT.5.NF.A.1)
-- and, per wrong option, a short note of the misconception that option stands for (issue 23). Both are JSON:
-- skills a list of texts, misconceptions an object from option letter to note. A lesson keeps its own copy,
-- as it does of the rest of the question, so editing the quiz later never changes a past lesson's analysis.
ALTER TABLE questions ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE questions ADD COLUMN misconceptions TEXT NOT NULL DEFAULT '{}';
ALTER TABLE session_questions ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE session_questions ADD COLUMN misconceptions TEXT NOT NULL DEFAULT '{}';
