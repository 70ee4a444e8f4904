"""Issue #11's library and results through real pages: a quiz deleted from the library behind a keyboard-usable
confirm dialog while its lesson's results still open; the student's history giving each question's answer
("B (correct: C)", maths drawn); and the optional scores after a reveal: the class's % correct so far and team
scores on the projector (nothing before the reveal, never a name), the ranking with names on the teacher's
page only, hidden by "hide names".

Runs against the demo appliance in its own process (conftest.py); the simulated class answers by itself.
"""
from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import (
    act,
    box,
    demo_class_id,
    inside_viewport,
    logged_in_teacher,
    make_quiz,
    start_session,
    watch,
)

pytestmark = pytest.mark.browser
teacher = logged_in_teacher

QUESTIONS = [
    {"type": "multiple", "text": "What is $2^3$?", "options": ["6", "9", "8", "12"], "correct": "C"},
    {"type": "multiple", "text": "Which planet is largest?", "options": ["Mars", "Venus", "Jupiter", "Earth"],
     "correct": "C"},
]
TEAMS = {"Owls": range(1, 16), "Foxes": range(16, 31)}


def ask_and_wait(page: Page, base: str, session_id: int, index: int, at_least: int = 10) -> None:
    """Open question `index` and wait until the simulated class has given `at_least` answers, then close it."""
    act(page, base, session_id, "open", {"question": index})
    for _ in range(120):
        answered = page.request.get(f"{base}/api/v1/public/state").json()["session"]["answered"]
        if answered >= at_least:
            break
        page.wait_for_timeout(250)
    else:
        pytest.fail(f"the simulated class gave only {answered} answers in 30 s")
    act(page, base, session_id, "close")


def below_the_chart(projector: Page) -> None:
    """The scores take their own room: the whole distribution stays visible above them."""
    inside_viewport(projector, "#chart .bar-row, #scores")
    last_bar = box(projector, "#chart .bar-row >> nth=-1")
    assert last_bar["y"] + last_bar["height"] <= box(projector, "#scores")["y"] + 0.5, "the scores cover the chart"


def shown_percent(value: float) -> str:
    return f"{math.floor(value + 0.5)}%"  # as the page's Math.round


def test_scores_after_reveal_on_the_projector_and_the_ranking_on_the_teachers_page(
        browser, demo_server, teacher, screenshots):
    base, errors = demo_server, []
    klass = teacher.request.get(f"{base}/api/v1/classes/{demo_class_id(teacher, base)}").json()
    for student in klass["students"]:
        team = next(name for name, cards in TEAMS.items() if student["card"] in cards)
        assert teacher.request.patch(f"{base}/api/v1/students/{student['id']}", data={"team": team}).ok
    names = [s["name"] for s in klass["students"]]
    quiz = make_quiz(teacher, base, "Scores check", QUESTIONS)
    session_id = start_session(teacher, base, quiz["id"])
    watch(teacher, errors)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(15_000)
    projector = context.new_page()
    watch(projector, errors)
    projector.goto(f"{base}/projector")
    try:
        teacher.goto(f"{base}/session/{session_id}")
        scores_select = teacher.get_by_label("Scores after each reveal")
        expect(scores_select).to_have_value("off")  # off by default
        expect(scores_select).to_be_enabled()
        scores_select.select_option("class")

        ask_and_wait(teacher, base, session_id, 0)
        expect(projector.locator("#state-pill")).to_have_text("Closed")
        expect(projector.locator("#scores")).to_be_hidden()  # nothing before the reveal
        act(teacher, base, session_id, "reveal")
        public = teacher.request.get(f"{base}/api/v1/public/state").json()["session"]
        scores = public["scores"]
        assert scores["mode"] == "class" and scores["questions"] == 1 and scores["answered"] >= 10
        expect(projector.locator("#scores-title")).to_have_text(f"{shown_percent(scores['percent'])} correct so far")
        below_the_chart(projector)
        assert_accessible(projector, "the projector with the class's % correct so far")
        projector.screenshot(path=screenshots / "projector-class-percent-correct-so-far-720p.png")
        expect(teacher.locator("#scores-summary")).to_contain_text(f"{shown_percent(scores['percent'])} correct so far")

        # The second question: no scores while it is open, team scores after its reveal.
        act(teacher, base, session_id, "open", {"question": 1})
        expect(projector.locator("#state-pill")).to_have_text("Hold up your card")
        expect(projector.locator("#scores")).to_be_hidden()
        act(teacher, base, session_id, "close")
        scores_select.select_option("teams")
        expect(scores_select).to_have_value("teams")
        act(teacher, base, session_id, "reveal")
        teams = teacher.request.get(f"{base}/api/v1/public/state").json()["session"]["scores"]["teams"]
        assert sorted(t["team"] for t in teams) == ["Foxes", "Owls"] and all(t["members"] == 15 for t in teams)
        rows = projector.locator("#team-scores li")
        expect(rows).to_have_count(2)
        for row, team in zip(rows.all(), teams):
            expect(row).to_contain_text(team["team"])
            expect(row).to_contain_text(f"{shown_percent(team['percent'])}{team['right']} of {team['answered']} right")
        expect(projector.locator("#scores-title")).to_have_text("Team scores after 2 questions")
        inside_viewport(projector, "#team-scores li")
        below_the_chart(projector)
        projector_text = projector.locator("body").inner_text()
        assert not any(name in projector_text for name in names)
        assert_accessible(projector, "the projector with team scores")
        projector.screenshot(path=screenshots / "projector-team-scores-after-reveal-720p.png")
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.wait_for_timeout(300)  # the refit after the resize
        inside_viewport(projector, "#team-scores li")
        below_the_chart(projector)
        projector.screenshot(path=screenshots / "projector-team-scores-after-reveal-1080p.png")
        projector.set_viewport_size({"width": 1280, "height": 720})

        # The ranking: names on the teacher's page only; the projector shows the class's % and no one.
        teacher.get_by_label("Hide names on this screen").set_checked(False)
        scores_select.select_option("ranking")
        ranking = teacher.locator("#scores-ranking li")
        expect(ranking.first).to_be_visible()
        assert ranking.count() == 30
        first = ranking.first.inner_text()
        assert any(first.startswith(name) for name in names), first
        expect(projector.locator("#scores-title")).to_have_text(re.compile(r"^\d+% correct so far$"))
        expect(projector.locator("#team-scores")).to_be_hidden()
        projector_text = projector.locator("body").inner_text()
        assert not any(name in projector_text for name in names)
        state_text = teacher.request.get(f"{base}/api/v1/public/state").text()
        assert not any(f'"{name}"' in state_text for name in names) and '"card"' not in state_text
        assert_accessible(teacher, "the session page with the ranking")
        teacher.locator("#scores-card").screenshot(path=screenshots / "session-ranking-with-names-teacher-only.png")

        teacher.get_by_label("Hide names on this screen").check()
        expect(ranking.first).to_have_text(re.compile(r"^Card \d+: \d+ right of \d+ answered$"))
        assert not any(name in teacher.locator("#scores-card").inner_text() for name in names)
        teacher.locator("#scores-card").screenshot(path=screenshots / "session-ranking-hide-names.png")
        teacher.get_by_label("Hide names on this screen").uncheck()
    finally:
        act(teacher, base, session_id, "end")
        context.close()
    assert not errors, errors


def test_delete_from_the_library_keeps_results_and_the_history_shows_each_answer(
        browser, demo_server, teacher, screenshots):
    base, errors = demo_server, []
    quiz = make_quiz(teacher, base, "Powers to delete", QUESTIONS[:1])
    session_id = start_session(teacher, base, quiz["id"])
    ask_and_wait(teacher, base, session_id, 0)
    act(teacher, base, session_id, "reveal")
    act(teacher, base, session_id, "end")
    results = teacher.request.get(f"{base}/api/v1/sessions/{session_id}/results").json()
    wrong = next(s for s in results["students"] if s["answers"][0] not in (None, "C"))
    watch(teacher, errors)

    teacher.goto(f"{base}/quizzes")
    item = teacher.locator(".quiz-item", has_text="Powers to delete")
    delete = item.get_by_role("button", name="Delete Powers to delete")
    delete.click()
    dialog = teacher.get_by_role("dialog", name='Delete "Powers to delete"?')
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Lessons already run with it keep their results")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()  # the safe choice has the focus
    assert_accessible(teacher, "the library's delete dialog")
    teacher.screenshot(path=screenshots / "library-delete-confirm-dialog.png")
    teacher.keyboard.press("Escape")  # cancels: nothing deleted, the focus back on the button
    expect(dialog).to_be_hidden()
    expect(delete).to_be_focused()
    expect(item).to_be_visible()

    teacher.keyboard.press("Enter")  # by keyboard alone: open again, Tab to "Delete for good", Enter
    expect(dialog).to_be_visible()
    teacher.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Delete for good")).to_be_focused()
    teacher.keyboard.press("Enter")
    expect(teacher.locator(".quiz-item", has_text="Powers to delete")).to_have_count(0)
    expect(teacher.get_by_label("Search quizzes")).to_be_focused()  # not lost with the deleted row
    assert teacher.request.get(f"{base}/api/v1/quizzes/{quiz['id']}").status == 404
    teacher.screenshot(path=screenshots / "library-quiz-deleted.png")

    teacher.goto(f"{base}/results/{session_id}")  # the results still open, under the quiz's title
    expect(teacher.locator("#results-subtitle")).to_contain_text("Powers to delete")
    expect(teacher.locator("main")).to_contain_text(wrong["name"])
    teacher.screenshot(path=screenshots / "results-still-open-after-the-quiz-was-deleted.png", full_page=True)

    teacher.goto(f"{base}/students/{wrong['student_id']}")
    lesson = teacher.locator(f".lesson-answers[data-session-id='{session_id}']")
    expect(lesson.locator("h3")).to_contain_text("Powers to delete")
    row = lesson.locator(".answer-row")
    expect(row).to_have_count(1)
    expect(row.locator(".answer-cell")).to_have_text(f"{wrong['answers'][0]} (correct: C)")
    expect(row.locator(".verdict")).to_have_text("wrong")
    expect(row.locator(".katex")).to_have_count(1)  # "$2^3$" drawn as maths, as on the other screens
    lesson.scroll_into_view_if_needed()
    assert_accessible(teacher, "a student's history with each question's answer")
    teacher.screenshot(path=screenshots / "history-each-question-answer.png", full_page=True)
    assert not errors, errors


def test_a_team_per_student_on_the_class_page(browser, demo_server, teacher, screenshots):
    base, errors = demo_server, []
    watch(teacher, errors)
    class_id = demo_class_id(teacher, base)
    klass = teacher.request.get(f"{base}/api/v1/classes/{class_id}").json()
    ava = next(s for s in klass["students"] if s["card"] == 1)
    teacher.goto(f"{base}/classes/{class_id}")
    team = teacher.get_by_label(f"Team of {ava['name']}")
    team.fill("Hawks")
    team.press("Enter")
    row = teacher.locator("#roster-body tr", has=team)
    expect(row.locator(".row-status")).to_have_text("Saved ✓")
    saved = teacher.request.get(f"{base}/api/v1/classes/{class_id}").json()
    assert next(s for s in saved["students"] if s["id"] == ava["id"])["team"] == "Hawks"
    assert_accessible(teacher, "the class page with a team per student")
    teacher.screenshot(path=screenshots / "class-roster-team-per-student.png")
    team.fill("")
    team.press("Enter")
    expect(row.locator(".row-status")).to_have_text("In no team ✓")
    assert not errors, errors
