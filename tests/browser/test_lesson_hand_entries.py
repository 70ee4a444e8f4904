"""The teacher has the last word, in the browser: a lesson where the camera misses some students ends with a
complete, correct record, entered by mouse, by keyboard and on a phone.

The class holds cards 1..4, which the simulated class raises by itself, and cards 31..33, which nobody in the
simulated room holds: the camera never reads them. Runs against the demo appliance in its own process.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import act, inside_viewport, log_in, make_quiz, watch

pytestmark = pytest.mark.browser

STUDENTS = [("Ava", 1), ("Ben", 2), ("Chloé", 3), ("Dev", 4), ("Emil", 31), ("Fatou", 32), ("Gus", 33)]
QUESTIONS = [{"text": "Which is a prime number?", "options": ["9", "7", "15"], "correct": "B"},
             {"text": "2 + 2 × 2?", "options": ["8", "6", "4"], "correct": "B"}]


def _lesson(page: Page, base: str) -> tuple[int, dict[str, int]]:
    made = page.request.post(f"{base}/api/v1/classes", data={"name": "7C hand entries", "students": [
        {"name": name, "card": card} for name, card in STUDENTS]})
    assert made.status in (200, 201), made.text()
    klass = made.json()
    quiz = make_quiz(page, base, "Hand entries", QUESTIONS)
    started = page.request.post(f"{base}/api/v1/sessions", data={"class_id": klass["id"], "quiz_id": quiz["id"]})
    assert started.status == 200, started.text()
    return started.json()["id"], {s["name"]: s["id"] for s in klass["students"]}


def student(page: Page, name: str):
    return page.locator("#roster button.student", has_text=name)


def entry_for(page: Page, base: str, session_id: int, student_id: int, question: int = 0) -> tuple | None:
    view = page.request.get(f"{base}/api/v1/sessions/{session_id}").json()
    found = [(r["answer"], r["source"]) for r in view["responses"]
             if r["student_id"] == student_id and r["question"] == question]
    return found[0] if found else None


def test_a_lesson_the_camera_half_missed_ends_complete(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    watch(page, errors)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, base)
    session_id, ids = _lesson(page, base)
    page.goto(f"{base}/session/{session_id}")
    expect(page.locator("#main-button")).to_have_text("Open question 1")
    page.locator("#main-button").click()

    # The camera reads cards 1..4 (the simulated students, who raise them within seconds; one may abstain);
    # 31..33 stay in "Not read yet".
    unread = page.locator("#unread")
    expect(unread).to_be_visible()
    for name in ("Emil", "Fatou", "Gus"):
        expect(page.locator("#unread-list")).to_contain_text(name)
    page.wait_for_function("() => Number(document.getElementById('answered-count').textContent) >= 3",
                           timeout=30_000)
    page.wait_for_timeout(6_000)  # the simulated class's raise window is over
    expect(page.locator("#total-count")).to_have_text("7")
    expect(page.locator("#room-map .map-dot").first).to_be_visible()  # where the reader saw cards 1..4
    assert page.locator("#room-map .map-dot").count() >= 3
    assert_accessible(page, "the lesson with students not read yet")
    page.screenshot(path=screenshots / "hand-entries-not-read-yet.png", full_page=True)

    # By mouse: Emil's card is behind a head; the teacher saw a B.
    student(page, "Emil").click()
    dialog = page.locator("#entry-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#entry-current")).to_have_text("Now: no answer.")
    assert_accessible(page, "the answer dialog")
    page.screenshot(path=screenshots / "hand-entries-dialog.png")
    dialog.get_by_role("button", name="Answer B: 7").click()
    expect(page.locator("#entry-current")).to_have_text("Now: B, entered by you.")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    expect(student(page, "Emil")).to_have_class("student answered by-hand")
    assert entry_for(page, base, session_id, ids["Emil"]) == ("B", "teacher")

    # By keyboard: Tab to Fatou, Enter, C; Escape closes and focus comes back to her.
    fatou = student(page, "Fatou")
    fatou.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("c")
    expect(page.locator("#entry-current")).to_have_text("Now: C, entered by you.")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(fatou).to_be_focused()
    focus_ring = fatou.evaluate("b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth")
    assert focus_ring == "solid 3px", focus_ring
    assert entry_for(page, base, session_id, ids["Fatou"]) == ("C", "teacher")

    # Gus is away today: absent, left out of the count.
    student(page, "Gus").click()
    dialog.get_by_role("button", name="Mark absent").click()
    expect(page.locator("#entry-current")).to_have_text("Marked absent: mark them present to enter an answer.")
    dialog.get_by_role("button", name="Done").click()
    expect(student(page, "Gus")).to_contain_text("absent")
    expect(page.locator("#total-count")).to_have_text("6")
    # Whoever else the camera missed, from the "Not read yet" list: they said A.
    missed = [name for name in ("Ava", "Ben", "Chloé", "Dev") if name in page.locator("#unread-list").inner_text()]
    for name in missed:
        page.locator("#unread-list").get_by_role("button", name=name).click()
        dialog.get_by_role("button", name="Answer A: 9").click()
        expect(page.locator("#entry-current")).to_have_text("Now: A, entered by you.")
        dialog.get_by_role("button", name="Done").click()
    expect(page.locator("#answered-count")).to_have_text("6")
    expect(unread).to_be_hidden()  # everyone present has an answer

    # Dev forgot his card for question 2: a spare, in two clicks.
    student(page, "Dev").click()
    dialog.get_by_role("button", name="Give a spare card").click()
    expect(page.locator("#entry-spare-line")).to_contain_text("Holding spare card 61 today")
    dialog.get_by_role("button", name="Done").click()
    expect(student(page, "Dev")).to_contain_text("spare 61")

    # Reveal: the letters show, the teacher's marked as theirs.
    page.locator("#main-button").click()  # close
    expect(page.locator("#main-button")).to_have_text("Reveal the answer")
    page.locator("#main-button").click()  # reveal
    expect(student(page, "Emil")).to_contain_text("B")
    assert_accessible(page, "the revealed question with hand entries and an absence")
    page.screenshot(path=screenshots / "hand-entries-revealed.png", full_page=True)

    # After the lesson the teacher corrects a camera reading: Ava's card was read wrong.
    act(page, base, session_id, "end")
    page.reload()
    expect(page.locator("#state-pill")).to_have_text("Session ended")
    student(page, "Ava").click()
    dialog.get_by_role("button", name="Answer A: 9").click()
    expect(page.locator("#entry-current")).to_have_text("Now: A, entered by you.")
    dialog.get_by_role("button", name="Done").click()

    results = page.request.get(f"{base}/api/v1/sessions/{session_id}/results").json()
    assert results["present"] == 6 and results["questions"][0]["answered"] == 6
    rows = {r["name"]: r for r in results["students"]}
    assert rows["Gus"]["absent"] is True
    assert (rows["Ava"]["answers"][0], rows["Ava"]["sources"][0]) == ("A", "teacher")
    assert [rows[n]["sources"][0] for n in ("Ben", "Chloé", "Dev")] == [
        "teacher" if n in missed else "camera" for n in ("Ben", "Chloé", "Dev")]
    # Newest first; setting Ava to the A she already had from the teacher changes nothing and logs nothing.
    expected = [*(["answer.set"] if "Ava" not in missed else []), "spare.give", *["answer.set"] * len(missed),
                "attendance.set", "answer.set", "answer.set"]
    audit = [e["action"] for e in page.request.get(f"{base}/api/v1/audit").json()[:len(expected)]]
    assert audit == expected, (audit, missed)

    # The results page says "absent" (not 0) and marks the teacher's entries as theirs.
    page.goto(f"{base}/results/{session_id}")
    gus = page.locator("#students-body tr", has_text="Gus")
    expect(gus).to_contain_text("absent")
    expect(page.locator("#students-body tr", has_text="Emil")).to_contain_text("entered by the teacher")
    assert_accessible(page, "the results with hand entries and an absence")
    page.screenshot(path=screenshots / "hand-entries-results.png", full_page=True)
    assert not errors, errors
    context.close()


def test_hand_entries_on_a_phone(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    watch(page, errors)
    log_in(page, base)
    session_id, ids = _lesson(page, base)
    act(page, base, session_id, "open", {"question": 0})
    page.goto(f"{base}/session/{session_id}")
    expect(page.locator("#unread-list")).to_contain_text("Gus")
    student(page, "Gus").tap()
    dialog = page.locator("#entry-dialog")
    expect(dialog).to_be_visible()
    inside_viewport(page, "#entry-dialog, #entry-letters button, #entry-absent, #entry-spare", page_may_scroll=True)
    assert_accessible(page, "the answer dialog on a phone")
    page.screenshot(path=screenshots / "hand-entries-phone-dialog.png")
    dialog.get_by_role("button", name="Answer C: 15").tap()
    expect(page.locator("#entry-current")).to_have_text("Now: C, entered by you.")
    dialog.get_by_role("button", name="Done").tap()
    expect(student(page, "Gus")).to_have_class("student answered by-hand")
    assert entry_for(page, base, session_id, ids["Gus"]) == ("C", "teacher")

    # Roll call: whoever the camera has not read (Emil and Fatou hold no card it can see) is marked absent.
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#roll-call-button").tap()
    expect(student(page, "Emil")).to_contain_text("absent")
    expect(student(page, "Fatou")).to_contain_text("absent")
    expect(student(page, "Gus")).not_to_contain_text("absent")
    absent = set(page.request.get(f"{base}/api/v1/sessions/{session_id}").json()["absent"])
    assert {ids["Emil"], ids["Fatou"]} <= absent and ids["Gus"] not in absent
    expect(page.locator("#total-count")).to_have_text(str(7 - len(absent)))
    assert_accessible(page, "the roster on a phone after a roll call")
    page.screenshot(path=screenshots / "hand-entries-phone-roster.png", full_page=True)
    act(page, base, session_id, "end")
    assert not errors, errors
    context.close()
