"""A whole lesson through real pages: teacher, projector and a student phone, against the demo appliance.

The simulated classroom camera does the answering, so this covers camera → reader → engine → websocket →
three different pages, live, without a single reload. Screenshots land in test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ANSWERS_EXPECTED = 20  # of 30 simulated students; a few abstain and the reader needs a few frames each
ANSWER_WAIT_MS = 25_000
FIRST_QUESTION = "What is 7 × 8?"
SECOND_QUESTION = "Which planet is closest to the Sun?"
LETTER = re.compile(r"\b[A-D]\b")


def watch_for_errors(page: Page, errors: list[str], name: str) -> None:
    """Script errors and CSP violations show up on the console; any of them fails the test."""
    page.on("pageerror", lambda exc: errors.append(f"{name}: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"{name}: {msg.text}"))


def mark_loaded(page: Page) -> None:
    # A reload would wipe this flag, so checking it later proves the page updated itself live.
    page.evaluate("window.argusNoReload = true")


def still_same_document(page: Page) -> bool:
    return page.evaluate("window.argusNoReload === true")


def test_a_lesson_across_teacher_projector_and_student(demo_server, browser, screenshots):
    base = demo_server
    errors: list[str] = []

    projector_context = browser.new_context(viewport={"width": 1280, "height": 720})
    student_context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                          is_mobile=True, has_touch=True)
    teacher_context = browser.new_context(viewport={"width": 1280, "height": 900})
    for context in (projector_context, student_context, teacher_context):
        context.set_default_timeout(15_000)

    projector = projector_context.new_page()
    watch_for_errors(projector, errors, "projector")
    projector.goto(f"{base}/projector")
    expect(projector.locator("#waiting-title")).to_have_text("Waiting for the teacher…")
    expect(projector.locator(".join img")).to_be_visible()
    expect(projector.locator("#student-url")).to_contain_text("/student")
    mark_loaded(projector)

    student = student_context.new_page()
    watch_for_errors(student, errors, "student")
    student.goto(f"{base}/student")
    expect(student.locator("#question-position")).to_have_text("Waiting for the teacher…")
    mark_loaded(student)

    # --- the teacher logs in (a teacher page first sends them to the login page) and starts a session
    teacher = teacher_context.new_page()
    watch_for_errors(teacher, errors, "teacher")
    teacher.on("dialog", lambda dialog: dialog.accept())  # "End this session?"
    teacher.goto(f"{base}/")
    expect(teacher).to_have_url(re.compile(r"/login\?next=/$"))
    teacher.get_by_label("Username").fill("demo")
    teacher.get_by_label("Password").fill("wrong")
    teacher.get_by_role("button", name="Log in").click()
    expect(teacher.locator("#login-error")).to_have_text("Wrong username or password.")
    # Chromium logs the refused login's 401 on the console; that one was asked for.
    errors[:] = [e for e in errors if not ("teacher:" in e and "status of 401" in e)]
    teacher.get_by_label("Password").fill("demo")
    teacher.get_by_role("button", name="Log in").click()
    expect(teacher).to_have_url(f"{base}/")
    expect(teacher.locator("#camera-line")).to_contain_text("Camera OK")

    class_value = teacher.locator("#class-select option", has_text="Demo class").get_attribute("value")
    quiz_value = teacher.locator("#quiz-select option", has_text="Demo quiz").get_attribute("value")
    teacher.get_by_label("Class").select_option(class_value)
    teacher.get_by_label("Quiz").select_option(quiz_value)
    teacher.get_by_role("button", name="Start session").click()
    expect(teacher).to_have_url(re.compile(r"/session/\d+$"))
    session_id = int(teacher.url.rsplit("/", 1)[1])
    expect(teacher.locator("#state-pill")).to_have_text("Ready to start")
    expect(teacher.locator("#roster .student")).to_have_count(30)
    expect(teacher.locator("#total-count")).to_have_text("30")
    expect(projector.locator("#waiting-title")).to_have_text("Demo quiz")

    # --- question 1 opens; the simulated class raises cards and the roster fills in live
    expect(teacher.locator("#main-button")).to_have_text("Open question 1")
    teacher.locator("#main-button").click()
    expect(teacher.locator("#state-pill")).to_have_text("Open: cards are being read")
    expect(teacher.locator("#question-text")).to_have_text(FIRST_QUESTION)
    expect(projector.locator("#question-text")).to_have_text(FIRST_QUESTION)
    expect(projector.locator("#options .option")).to_have_count(4)
    expect(student.locator("#question-text")).to_have_text(FIRST_QUESTION)
    first_count = int(projector.locator("#answered-count").inner_text())

    teacher.wait_for_function(
        "n => document.querySelectorAll('#roster .student.answered').length >= n",
        arg=ANSWERS_EXPECTED, timeout=ANSWER_WAIT_MS)
    ticks = teacher.locator("#roster .student.answered .tick").count()
    assert ticks >= ANSWERS_EXPECTED
    # Before reveal the teacher sees who answered, not what: no letter chips in the roster yet.
    assert teacher.locator("#roster .chip").count() == 0
    answered_text = int(teacher.locator("#answered-count").inner_text())
    assert answered_text >= ANSWERS_EXPECTED
    teacher.screenshot(path=screenshots / "teacher-live.png", full_page=True)

    projector.wait_for_function(
        "n => Number(document.getElementById('answered-count').textContent) >= n", arg=ANSWERS_EXPECTED)
    projector_count = int(projector.locator("#answered-count").inner_text())
    assert projector_count != first_count and projector_count >= ANSWERS_EXPECTED
    expect(projector.locator("#total-count")).to_have_text("30")
    assert still_same_document(projector), "the projector reloaded instead of updating live"
    projector_text = projector.locator("body").inner_text()
    for name in ("Ava", "Ben", "Chloé"):  # demo students: the projector never names anyone
        assert name not in projector_text
    projector.screenshot(path=screenshots / "projector-live.png")

    # --- a student checks their card: "registered", never which letter was read
    answered_card = teacher.locator("#roster .student.answered .card-no").first.inner_text()
    student.get_by_label("Your card number").fill(answered_card)
    student.get_by_role("button", name="Check").click()
    result = student.locator("#check-result")
    expect(result).to_contain_text("✓ Registered")
    assert not LETTER.search(result.inner_text())
    assert student.locator(".correct, .bar-row, .correct-mark").count() == 0
    assert still_same_document(student)
    student.screenshot(path=screenshots / "student.png", full_page=True)

    # --- close, reveal: answers and a distribution appear for the teacher, the distribution on the projector
    teacher.locator("#main-button").click()  # Close
    expect(teacher.locator("#state-pill")).to_have_text("Closed")
    expect(student.locator("#question-hint")).to_have_text("This question is closed.")
    expect(teacher.locator("#main-button")).to_have_text("Reveal the answer")
    teacher.locator("#main-button").click()
    expect(teacher.locator("#state-pill")).to_have_text("Answer revealed")
    expect(teacher.locator("#chart .bar-row")).to_have_count(4)
    expect(teacher.locator("#chart .bar-row.correct")).to_contain_text("56")
    revealed = teacher.locator("#roster .student.right, #roster .student.wrong").count()
    assert revealed >= ANSWERS_EXPECTED
    assert teacher.locator("#roster .student.right .chip.letter-B").count() > 0
    teacher.screenshot(path=screenshots / "teacher-revealed.png", full_page=True)

    expect(projector.locator("#chart .bar-row")).to_have_count(4)
    expect(projector.locator("#chart .bar-row.correct")).to_contain_text("✓ correct")
    expect(projector.locator("#chart .bar-row.correct")).to_contain_text("56")
    assert still_same_document(projector)
    projector.screenshot(path=screenshots / "projector-revealed.png")
    assert not LETTER.search(student.locator("#check-result").inner_text())

    # --- next question, then end
    expect(teacher.locator("#main-button")).to_have_text("Next: question 2 of 5")
    teacher.locator("#main-button").click()
    expect(teacher.locator("#question-text")).to_have_text(SECOND_QUESTION)
    expect(teacher.locator("#question-label")).to_have_text("Question 2 of 5")
    expect(projector.locator("#question-text")).to_have_text(SECOND_QUESTION)
    expect(projector.locator("#chart")).to_be_hidden()
    expect(student.locator("#question-text")).to_have_text(SECOND_QUESTION)
    # The old "registered" no longer applies; the page checks the card again by itself.
    expect(student.locator("#check-result")).not_to_have_text(f"✓ Registered (card {answered_card})", timeout=2_000)
    teacher.locator("#main-button").click()
    expect(teacher.locator("#state-pill")).to_have_text("Closed")
    teacher.locator("#end-button").click()
    expect(teacher.locator("#state-pill")).to_have_text("Session ended")
    expect(projector.locator("#waiting-title")).to_have_text("Waiting for the teacher…")
    expect(student.locator("#question-position")).to_have_text("Waiting for the teacher…")
    assert still_same_document(projector) and still_same_document(student)

    # --- results: per question and per student, and the CSV
    teacher.locator("#results-link").click()
    expect(teacher).to_have_url(f"{base}/results/{session_id}")
    expect(teacher.locator(".question-result")).to_have_count(5)
    expect(teacher.locator("#students-body tr")).to_have_count(30)
    expect(teacher.locator(".question-result").first).to_contain_text("% correct")
    csv_link = teacher.get_by_role("link", name="Download CSV")
    assert csv_link.get_attribute("href") == f"/api/v1/sessions/{session_id}/results.csv"
    csv = teacher.request.get(f"{base}/api/v1/sessions/{session_id}/results.csv")
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text().strip().splitlines()) >= 31  # a header and a row per student at least
    teacher.screenshot(path=screenshots / "results.png", full_page=True)

    # --- the dashboard lists the session with a link to its results
    teacher.goto(f"{base}/")
    expect(teacher.locator("#sessions-body a", has_text="Results").first).to_have_attribute(
        "href", f"/results/{session_id}")
    teacher.screenshot(path=screenshots / "dashboard.png", full_page=True)

    for context in (projector_context, student_context, teacher_context):
        context.close()
    assert not errors, "errors in the pages:\n" + "\n".join(errors)
