"""Skills and misconception notes on questions (issue 23): checked on the way in from every source that can
carry them (editor/JSON, CSV, GIFT feedback), written back out, kept by a lesson's own copy of its questions,
and shown in the item analysis beside the option they belong to."""
from __future__ import annotations

import time

import pytest

from appliance import keys
from appliance.classroom import importers
from appliance.classroom.formats import gift
from appliance.vision.types import Registration

QUESTION = {"type": "multiple", "text": "1/2 + 1/4?", "options": ["3/4", "2/6", "1/8"], "correct": "A",
            "skills": ["adding fractions", "CCSS.MATH.CONTENT.5.NF.A.1", "adding fractions"],
            "misconceptions": {"B": "  adds the   denominators ", "C": "multiplies", }}


def test_json_keeps_skills_and_notes_and_writes_them_back():
    draft = importers.quiz_from_data({"title": "Fractions", "questions": [QUESTION]})
    q = draft.questions[0]
    assert q.skills == ("adding fractions", "CCSS.MATH.CONTENT.5.NF.A.1")  # repeated skill once, in order
    assert q.misconceptions == (("B", "adds the denominators"), ("C", "multiplies"))
    again = importers.parse_quiz_json(importers.quiz_to_json("Fractions", (), draft.questions))
    assert again.questions == draft.questions


@pytest.mark.parametrize("notes, problem", [
    ({"A": "x"}, "questions[0].misconceptions.A: A is the right answer; a misconception belongs to a wrong option"),
    ({"D": "x"}, "questions[0].misconceptions.D: not one of the options A, B, C"),
    ({"B": "x" * 201}, "questions[0].misconceptions.B: must be text of at most 200 characters"),
    (["B"], "questions[0].misconceptions: must be an object from option letter to a short note"),
])
def test_a_bad_note_is_named_and_nothing_is_imported(notes, problem):
    with pytest.raises(importers.InvalidImport) as caught:
        importers.quiz_from_data({"title": "F", "questions": [{**QUESTION, "misconceptions": notes}]})
    assert caught.value.problems == [problem]


def test_bad_skills_are_named():
    with pytest.raises(importers.InvalidImport) as caught:
        importers.quiz_from_data({"title": "F", "questions": [{**QUESTION, "skills": "fractions"}]})
    assert caught.value.problems == ["questions[0].skills: must be a list of texts of at most 100 characters"]
    many = [f"skill {n}" for n in range(11)]
    with pytest.raises(importers.InvalidImport, match=r"questions\[0\].skills: at most 10 skills"):
        importers.quiz_from_data({"title": "F", "questions": [{**QUESTION, "skills": many}]})


def test_csv_reads_the_optional_columns_and_old_files_still_import():
    text = ("type,text,option_a,option_b,option_c,option_d,correct,time_limit,skills,note_a,note_b,note_c,note_d\n"
            "multiple,1/2 + 1/4?,3/4,2/6,1/8,,A,,fractions|5.NF.A.1,,adds the denominators,,\n")
    q = importers.parse_quiz_csv(text, "F").questions[0]
    assert q.skills == ("fractions", "5.NF.A.1") and q.misconceptions == (("B", "adds the denominators"),)
    assert importers.parse_quiz_csv(importers.quiz_to_csv((q,)), "F").questions == (q,)
    old = "type,text,option_a,option_b,option_c,option_d,correct,time_limit\nmultiple,2+2?,3,4,,,B,\n"
    assert importers.parse_quiz_csv(old, "F").questions[0].skills == ()
    with pytest.raises(importers.InvalidImport, match="line 1: unknown column 'notes'"):
        importers.parse_quiz_csv(old.replace("time_limit\n", "time_limit,notes\n"), "F")
    bad = text.replace(",adds the denominators,", ",,").replace("fractions|5.NF.A.1,,", "x,adds,")
    with pytest.raises(importers.InvalidImport, match="line 2.misconceptions.A: A is the right answer"):
        importers.parse_quiz_csv(bad, "F")


def test_gift_wrong_answer_feedback_is_the_misconception_both_ways():
    bank = gift.parse("1/2 + 1/4? {=3/4 ~2/6#adds the denominators ~1/8#multiplies####well done}\n", "F")
    q = bank.draft.questions[0]
    assert q.misconceptions == (("B", "adds the denominators"), ("C", "multiplies"))
    written = gift.export("F", (q,))
    assert "~2/6#adds the denominators" in written
    assert gift.parse(written, "F").draft.questions == (q,)


async def test_notes_travel_from_the_quiz_to_the_lessons_item_analysis(server, teacher):
    created = await teacher.post("/api/v1/quizzes", json={"title": "Fractions", "questions": [
        QUESTION, {**QUESTION, "text": "1/3 + 1/3?", "options": ["2/3", "2/6"], "misconceptions": {"B": "adds both"}}]})
    assert created.status in (200, 201), await created.text()
    quiz = await created.json()
    assert quiz["questions"][0]["misconceptions"] == {"B": "adds the denominators", "C": "multiplies"}
    assert quiz["questions"][0]["skills"] == ["adding fractions", "CCSS.MATH.CONTENT.5.NF.A.1"]
    refused = await teacher.put(f"/api/v1/quizzes/{quiz['id']}", json={"title": "F", "questions": [
        {**QUESTION, "misconceptions": {"A": "right answer"}}]})
    assert refused.status == 400 and "misconceptions.A" in (await refused.json())["error"]

    klass = (await (await teacher.get("/api/v1/classes")).json())[0]
    sid = (await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"],
                                                               "quiz_id": quiz["id"]})).json())["id"]
    engine = server.app[keys.ENGINE]
    for index, answers in ((0, {1: "B", 2: "B", 3: "A"}), (1, {1: "A", 2: "B", 3: "A"})):
        await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": index})
        for card, letter in answers.items():
            await engine.register(Registration(card, letter, time.monotonic()))
        await teacher.post(f"/api/v1/sessions/{sid}/close")
    # Edited after the lesson: the lesson keeps the notes it was run with.
    await teacher.put(f"/api/v1/quizzes/{quiz['id']}", json={"title": "F", "questions": [
        {**QUESTION, "misconceptions": {"B": "something else"}}]})
    await teacher.post(f"/api/v1/sessions/{sid}/end")
    analysis = await (await teacher.get(f"/api/v1/sessions/{sid}/item-analysis")).json()
    first = analysis["questions"][0]
    assert first["options"]["B"] == {"count": 2, "share": 2 / 3, "misconception": "adds the denominators"}
    assert first["options"]["A"]["misconception"] is None
    assert first["skills"] == ["adding fractions", "CCSS.MATH.CONTENT.5.NF.A.1"]
    assert "distractor_beats_key" in first["flags"]


async def test_the_exported_item_analysis_names_the_wrong_answers_and_their_misconceptions(server, teacher):
    from tests.lessons import play_lesson

    quiz = await (await teacher.post("/api/v1/quizzes", json={"title": "Fractions", "questions": [QUESTION]})).json()
    klass = (await (await teacher.get("/api/v1/classes")).json())[0]
    sid = await play_lesson(teacher, server.app[keys.ENGINE], klass["id"], quiz["id"],
                            [(0, {1: "B", 2: "B", 3: "C", 4: "A"})])
    csv = (await (await teacher.get(f"/api/v1/sessions/{sid}/results.csv")).text()).lstrip("\ufeff")
    section = csv[csv.index("\r\nItem analysis\r\n"):]
    assert ",Flags,Wrong answers chosen,Skills\r\n" in section
    assert ("Q1,1/2 + 1/4?,A,1,4,1,0.25,,0.25,0.5,0.25,,a wrong option drew more students than the right one,"
            "B 2: adds the denominators; C 1: multiplies,\"adding fractions, CCSS.MATH.CONTENT.5.NF.A.1\"\r\n") in section
    assert "\r\nStudents,4\r\nKR-20,\r\n" in section
