"""Issue 23 through real pages: after a lesson the results page opens with "What to teach tomorrow" (the
hardest question, the wrong option that drew the class, a row per question with the numbers of
GET /sessions/{id}/item-analysis in words), a question asked again is one item with its rounds side by side,
and the class report's hardest questions are one bar per question with their maths drawn.

Runs against the demo appliance in its own process (conftest.py); the simulated class answers by itself, so
the page is held to what the API answers (whose numbers tests/test_item_analysis_api.py checks by hand).
"""
from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import act, demo_class_id, logged_in_teacher, make_quiz, start_session, watch

pytestmark = pytest.mark.browser
teacher = logged_in_teacher

QUESTIONS = [
    {"type": "multiple", "text": r"What is $\frac{1}{2}+\frac{1}{4}$?", "options": ["3/4", "2/6", "1/8", "1"],
     "correct": "A"},
    {"type": "multiple", "text": "Which planet is largest?", "options": ["Mars", "Venus", "Jupiter", "Earth"],
     "correct": "C"},
    {"type": "poll", "text": "Did you like it?", "options": ["Yes", "No"], "correct": None},
]


def wait_for_answers(page: Page, base: str, at_least: int) -> None:
    for _ in range(120):
        if page.request.get(f"{base}/api/v1/public/state").json()["session"]["answered"] >= at_least:
            return
        page.wait_for_timeout(250)
    pytest.fail(f"the simulated class gave fewer than {at_least} answers in 30 s")


def run_lesson(page: Page, base: str, quiz_id: int, questions: int, at_least: int = 8,
               ask_first_again: bool = False) -> int:
    """A whole lesson answered by the simulated class: each question opened until `at_least` answers, closed;
    question 1 optionally asked again (a second vote); ended."""
    session_id = start_session(page, base, quiz_id)
    steps = [("open", {"question": index}) for index in range(questions)]
    for action, body in steps + ([("reask", {"question": 0})] if ask_first_again else []):
        act(page, base, session_id, action, body)
        wait_for_answers(page, base, at_least)
        act(page, base, session_id, "close")
    act(page, base, session_id, "end")
    return session_id


def shown(share: float) -> str:
    return f"{math.floor(100 * share + 0.5)}%"  # as the page's Math.round


def test_results_show_what_to_teach_tomorrow_and_one_item_per_question(demo_server, teacher, screenshots):
    base, errors = demo_server, []
    watch(teacher, errors)
    quiz = make_quiz(teacher, base, "Item analysis check", QUESTIONS)
    session_id = run_lesson(teacher, base, quiz["id"], 3, ask_first_again=True)  # question 1 voted on twice

    analysis = teacher.request.get(f"{base}/api/v1/sessions/{session_id}/item-analysis").json()
    assert [q["index"] for q in analysis["questions"]] == [0, 1]  # the poll is not an item
    assert analysis["questions"][0]["rounds"] == 2 and analysis["students"] >= 8
    teacher.goto(f"{base}/results/{session_id}")
    table = teacher.locator("#item-analysis-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    for row, question in zip(rows.all(), analysis["questions"]):
        expect(row.locator("td").nth(0)).to_contain_text(
            f"{shown(question['difficulty'])}{question['correct']} of {question['answered']} answers")
        for letter, option in question["options"].items():
            expect(row.locator("td").nth(2)).to_contain_text(f"{letter} {option['count']} ({shown(option['share'])})")
        if "distractor_beats_key" in question["flags"]:
            expect(row).to_contain_text("A wrong option drew more students than the right one")
    expect(rows.first.locator(".katex")).to_have_count(1)  # the maths is drawn, not shown as LaTeX
    hardest = min(analysis["questions"], key=lambda q: q["difficulty"])
    label = "Question 1 of 3" if hardest["index"] == 0 else "Question 2 of 3"
    expect(teacher.locator(".ia-hardest")).to_contain_text(f"Hardest question: {label}")
    expect(teacher.locator(".ia-hardest")).to_contain_text(f"{shown(hardest['difficulty'])} right.")
    kr20 = "not enough to tell" if analysis["kr20"] is None else f"{analysis['kr20']:.2f}"
    expect(teacher.locator(".ia-headline")).to_contain_text(f"(KR-20): {kr20}")

    # One question, one item: three blocks (not four), the one asked again with both rounds side by side.
    expect(teacher.locator(".question-result")).to_have_count(3)
    first = teacher.locator(".question-result").first
    expect(first.locator(".rounds-side .round")).to_have_count(2)
    expect(first.locator(".rounds-side h4").first).to_contain_text("Round 1")
    expect(teacher.locator("#students-head th")).to_have_count(2 + 3 + 1)  # card, name, 3 questions, score
    teacher.get_by_text("How these numbers are worked out").click()
    assert_accessible(teacher, "the results page with item analysis and rounds")
    teacher.screenshot(path=screenshots / "results-item-analysis.png", full_page=True)

    # The class report: one bar per question (the re-asked one once), the label's maths drawn.
    teacher.get_by_role("link", name="Demo class: class report").click()
    bars = teacher.get_by_role("list", name="Hardest questions (% correct)")
    mine = bars.locator("li", has_text="asked 2 times")
    expect(mine.first.locator(".katex")).to_have_count(1)
    assert "\\frac" not in bars.inner_text()
    assert_accessible(teacher, "the class report with the hardest questions drawn with maths")
    teacher.screenshot(path=screenshots / "class-report-hardest-questions.png", full_page=True)
    assert not errors, errors


def test_the_editor_takes_skills_and_mistakes_and_the_results_name_them(demo_server, teacher, screenshots):
    base, errors = demo_server, []
    watch(teacher, errors)
    teacher.goto(f"{base}/quizzes/new")
    teacher.get_by_label("Title").fill("Fractions with notes")
    block = teacher.locator(".question-block").first
    block.get_by_label("Question", exact=True).fill(r"What is $\frac{1}{2}+\frac{1}{4}$?")
    for letter, text in zip("ABCD", ["3/4", "2/6", "1/8", "1"]):
        block.get_by_label(f"Answer {letter} of question 1", exact=True).fill(text)
    block.get_by_text("Skills and common mistakes (question 1)").click()
    notes = block.locator(".note-edit")
    expect(notes).to_have_count(4)  # before a right answer is ticked, every answer may carry a note
    block.get_by_label("Choosing A suggests").fill("a note that will be dropped")
    block.get_by_label("Answer A is correct").check()
    expect(notes).to_have_count(3)  # the right answer has no misconception
    expect(block.get_by_label("Answer A is correct")).to_be_focused()  # focus stays where the teacher was
    block.get_by_label("Skills it tests").fill("adding fractions, CCSS.MATH.CONTENT.5.NF.A.1")
    block.get_by_label("Choosing B suggests").fill("adds the denominators")
    block.get_by_label("Choosing D suggests").fill("adds the numerators only")
    assert_accessible(teacher, "the quiz editor with skills and misconception notes")
    teacher.screenshot(path=screenshots / "quiz-editor-skills-and-mistakes.png", full_page=True)
    teacher.get_by_role("button", name="Save quiz").click()
    expect(teacher.locator("#save-status")).to_contain_text("Saved ✓")
    quiz_id = int(teacher.url.split("/")[-2])
    saved = teacher.request.get(f"{base}/api/v1/quizzes/{quiz_id}").json()["questions"][0]
    assert saved["skills"] == ["adding fractions", "CCSS.MATH.CONTENT.5.NF.A.1"]
    assert saved["misconceptions"] == {"B": "adds the denominators", "D": "adds the numerators only"}
    teacher.reload()  # read back into the editor, open because it has notes
    expect(teacher.get_by_label("Choosing B suggests")).to_have_value("adds the denominators")

    session_id = run_lesson(teacher, base, quiz_id, 1)
    teacher.goto(f"{base}/results/{session_id}")
    row = teacher.locator("#item-analysis-table tbody tr").first
    expect(row.locator(".ia-misconception")).to_have_text([": adds the denominators", ": adds the numerators only"])
    expect(row).to_contain_text("Skills: adding fractions, CCSS.MATH.CONTENT.5.NF.A.1")
    analysis = teacher.request.get(f"{base}/api/v1/sessions/{session_id}/item-analysis").json()["questions"][0]
    wrong = [(letter, o) for letter, o in analysis["options"].items() if letter != "A" and o["count"]]
    if wrong:  # the headline names the wrong answer that drew most students, with its note if it has one
        letter, option = max(wrong, key=lambda pair: pair[1]["count"])
        expect(teacher.locator(".ia-distractor")).to_contain_text(f"{option['count']} chose {letter}")
        if option["misconception"]:
            expect(teacher.locator(".ia-distractor")).to_contain_text(f"{letter}: {option['misconception']}")
    assert_accessible(teacher, "the results page naming the misconceptions")
    teacher.screenshot(path=screenshots / "results-misconceptions.png", full_page=True)
    assert not errors, errors


def test_discuss_and_vote_again_on_the_teachers_page_and_the_projector(demo_server, browser, teacher, screenshots):
    base, errors = demo_server, []
    watch(teacher, errors)
    quiz = make_quiz(teacher, base, "Peer instruction", QUESTIONS[:2])
    session_id = start_session(teacher, base, quiz["id"])
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(15_000)
    projector = context.new_page()
    watch(projector, errors)
    projector.goto(f"{base}/projector")
    try:
        teacher.goto(f"{base}/session/{session_id}")
        act(teacher, base, session_id, "open", {"question": 0})
        wait_for_answers(teacher, base, 10)
        teacher.locator("#main-button").click()  # close, without revealing
        expect(teacher.locator("#state-pill")).to_have_text("Closed")
        vote_again = teacher.get_by_role("button", name="Discuss and vote again")
        expect(vote_again).to_be_enabled()
        vote_again.click()
        expect(teacher.locator("#question-label")).to_have_text("Question 1, asked again")
        expect(teacher.get_by_role("button", name="Ask again")).to_be_disabled()  # open: nothing new may start
        wait_for_answers(teacher, base, 10)
        teacher.locator("#main-button").click()
        expect(teacher.locator("#state-pill")).to_have_text("Closed")
        teacher.locator("#main-button").click()
        expect(teacher.locator("#state-pill")).to_have_text("Answer revealed")

        view = teacher.request.get(f"{base}/api/v1/sessions/{session_id}").json()
        moved = view["peer"]
        names = {s["id"]: s["name"] for s in view["class"]["students"]}
        card = teacher.locator("#peer-card")
        expect(card).to_be_visible()
        expect(card.locator(".peer-title")).to_have_text("After the discussion: round 1 → round 2")
        right = card.locator(".moved-right")
        expect(right.locator("h3")).to_have_text(f"Wrong → right ({len(moved['wrong_to_right'])})")
        expect(right.locator("li")).to_have_text([names[i] for i in moved["wrong_to_right"]])
        expect(card.locator(".moved-wrong li")).to_have_text([names[i] for i in moved["right_to_wrong"]])
        assert_accessible(teacher, "the teacher's page after a second vote")
        teacher.screenshot(path=screenshots / "teacher-peer-instruction-moves.png", full_page=True)
        teacher.get_by_label("Hide names on this screen").check()
        assert not any(names[i] in card.inner_text() for i in moved["wrong_to_right"] + moved["right_to_wrong"])
        teacher.get_by_label("Hide names on this screen").uncheck()

        rounds = teacher.request.get(f"{base}/api/v1/public/state").json()["session"]["rounds"]
        shown = projector.locator(".projector-round")
        expect(shown).to_have_count(2)
        expect(shown.nth(0).locator(".round-title")).to_have_text(f"First vote · {rounds[0]['answered']} answered")
        expect(shown.nth(1).locator(".round-title")).to_have_text(
            f"After the discussion · {rounds[1]['answered']} answered")
        for block, round_ in zip(shown.all(), rounds):
            total = sum(round_["distribution"].values())
            for row, (letter, count) in zip(block.locator(".bar-value").all(), round_["distribution"].items()):
                expect(row).to_have_text(f"{count} ({math.floor(100 * count / total + 0.5) if total else 0}%)")
        assert not any(name in projector.locator("body").inner_text() for name in names.values())
        assert_accessible(projector, "the projector with both votes side by side")
        projector.screenshot(path=screenshots / "projector-peer-instruction-rounds-720p.png")
    finally:
        act(teacher, base, session_id, "end")
        context.close()
    assert not errors, errors


def test_the_class_report_shows_skills_over_time(demo_server, teacher, screenshots):
    base, errors = demo_server, []
    watch(teacher, errors)
    with_skills = [{**QUESTIONS[0], "skills": ["fractions"]}, {**QUESTIONS[1], "skills": ["planets", "fractions"]}]
    quiz = make_quiz(teacher, base, "Skills check", with_skills)
    session_id = run_lesson(teacher, base, quiz["id"], 2)
    class_id = teacher.request.get(f"{base}/api/v1/sessions/{session_id}").json()["class_id"]
    grid = teacher.request.get(f"{base}/api/v1/classes/{class_id}/skills").json()
    teacher.goto(f"{base}/classes/{class_id}/report")
    table = teacher.locator("#skills-grid")
    expect(table.locator("thead th")).to_have_count(2 + len(grid["skills"]))
    expect(table.locator("tbody tr")).to_have_count(len(grid["students"]))
    column = [s["skill"] for s in grid["skills"]].index("fractions")
    row = next(r for r in sorted(grid["students"], key=lambda r: r["card"]) if r["skills"]["fractions"]["attempts"])
    standing = row["skills"]["fractions"]
    line = table.locator("tbody tr", has=teacher.get_by_role("rowheader", name=row["name"], exact=True))
    expect(line.locator("td.skill-cell").nth(column)).to_contain_text(f"{math.floor(100 * standing['mastery'] + 0.5)}%")
    expect(line.locator("td.skill-cell").nth(column)).to_contain_text(
        f"{standing['right']} of last {min(5, standing['attempts'])}")
    behind = [r["name"] for r in grid["students"] if r["skills"]["fractions"]["level"] == "not yet"]
    if behind:
        expect(teacher.locator("#skills-behind")).to_contain_text(f"Behind on fractions: {behind[0]}")
    assert_accessible(teacher, "the class report with skills over time")
    teacher.screenshot(path=screenshots / "class-report-skills.png", full_page=True)
    teacher.get_by_label("Card numbers instead of names").check()
    expect(table.locator("tbody th").first).to_have_text(re.compile(r"^Card \d+$"))
    assert row["name"] not in teacher.locator("#skills-grid, #skills-behind").all_inner_texts()[0]
    xlsx = teacher.request.get(f"{base}/api/v1/classes/{class_id}/skills.xlsx")
    assert xlsx.ok and xlsx.body()[:2] == b"PK"
    assert not errors, errors


def test_review_questions_on_the_dashboard_and_the_class_report(demo_server, teacher, screenshots):
    """The lessons above were all today, so nothing is due yet (the API test moves a lesson two days back and
    starts one with its review question): the pages say so, list what will come back and when."""
    base, errors = demo_server, []
    watch(teacher, errors)
    # A lesson whose question the simulated class (which does not know the key) gets mostly wrong.
    quiz = make_quiz(teacher, base, "Review source", QUESTIONS[1:2])
    run_lesson(teacher, base, quiz["id"], 1, at_least=10)
    teacher.goto(f"{base}/")
    class_id = demo_class_id(teacher, base)
    teacher.get_by_label("Class").select_option(str(class_id))
    review = teacher.request.get(f"{base}/api/v1/classes/{class_id}/review").json()
    assert review["due"] == 0 and review["questions"], "the lessons above left hard questions"
    expect(teacher.locator("#review-hint")).to_contain_text("No review questions are due for this class now")
    teacher.get_by_label("Review questions to add").fill("2")
    assert_accessible(teacher, "the dashboard with review questions")
    teacher.screenshot(path=screenshots / "dashboard-review-questions.png", full_page=True)

    teacher.goto(f"{base}/classes/{class_id}/report")
    items = teacher.locator("#review-list li")
    expect(items).to_have_count(len(review["questions"]))
    first = review["questions"][0]
    expect(items.first).to_contain_text(f"{math.floor(100 * first['share_right'] + 0.5)}% right last time")
    expect(items.first).to_contain_text("due ")
    assert "\\frac" not in teacher.locator("#review-list").inner_text()  # the maths is drawn
    assert_accessible(teacher, "the class report with questions worth asking again")
    assert not errors, errors


def test_a_quizs_item_analysis_over_its_lessons_from_the_library(demo_server, teacher, screenshots):
    base, errors = demo_server, []
    watch(teacher, errors)
    quiz = make_quiz(teacher, base, "Twice taught", QUESTIONS[:2])
    for _ in range(2):
        run_lesson(teacher, base, quiz["id"], 2, at_least=6)
    analysis = teacher.request.get(f"{base}/api/v1/quizzes/{quiz['id']}/item-analysis").json()
    assert analysis["sessions"] == 2
    teacher.goto(f"{base}/quizzes")
    teacher.get_by_role("link", name="Item analysis of Twice taught over its lessons").click()
    expect(teacher).to_have_url(f"{base}/quizzes/{quiz['id']}/analysis")
    expect(teacher.locator("#analysis-subtitle")).to_have_text("2 ended lessons")
    rows = teacher.locator("#item-analysis-table tbody tr")
    expect(rows).to_have_count(2)
    for row, question in zip(rows.all(), analysis["questions"]):
        expect(row.locator("td").nth(0)).to_contain_text(
            f"{shown(question['difficulty'])}{question['correct']} of {question['answered']} answers")
    expect(teacher.locator(".ia-headline")).to_contain_text(f"{analysis['students']} students counted")
    assert_accessible(teacher, "a quiz's item analysis over its lessons")
    teacher.screenshot(path=screenshots / "quiz-item-analysis.png", full_page=True)
    assert not errors, errors
