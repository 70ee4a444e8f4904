"""Running the lesson from the teacher's page: one main button that always does the next thing, the keys a
presenter remote sends, blank and card-grid switches mirrored to the projector, re-asked questions named as
such, names hidden or turned off mid-lesson, and the phone layout with the main action pinned to the bottom.

Runs against the demo appliance in its own process (conftest.py); the simulated class answers by itself.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import box, inside_viewport, log_in, start_session

pytestmark = pytest.mark.browser

NAMES = ("Ava", "Ben", "Chloé")


def public_session(page: Page, base: str) -> dict:
    return page.request.get(f"{base}/api/v1/public/state").json()["session"]


def demo_quiz_id(page: Page, base: str) -> int:
    return next(q["id"] for q in page.request.get(f"{base}/api/v1/quizzes").json() if q["title"] == "Demo quiz")


def wait_answered(page: Page, at_least: int) -> None:
    page.wait_for_function("n => Number(document.getElementById('answered-count').textContent) >= n",
                           arg=at_least, timeout=25_000)


def press(page: Page, key: str) -> None:
    """A key as a remote sends it, once the previous action has finished (keys during one are ignored)."""
    expect(page.locator("#main-button")).to_be_enabled()
    page.keyboard.press(key)


def test_the_lesson_by_keyboard_and_one_main_button(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, base)
    session_id = start_session(page, base, demo_quiz_id(page, base))
    page.goto(f"{base}/session/{session_id}")
    main = page.locator("#main-button")

    expect(main).to_have_text("Open question 1")
    expect(page.locator("#question-label")).to_have_text("5 questions")
    # Disabled looks disabled: grey and dashed, not a faded copy of a live button.
    close = page.locator("#close-button")
    expect(close).to_be_disabled()
    assert close.evaluate("b => getComputedStyle(b).borderTopStyle") == "dashed"
    assert main.evaluate("b => getComputedStyle(b).borderTopStyle") == "solid"
    assert_accessible(page, "the session page before the first question")
    page.screenshot(path=screenshots / "teacher-one-main-button-ready.png")

    # Page Down (what a presenter remote sends) opens question 1.
    press(page, "PageDown")
    expect(page.locator("#state-pill")).to_have_text("Open: cards are being read")
    expect(page.locator("#question-label")).to_have_text("Question 1 of 5")
    expect(main).to_have_text("Close the question")

    # B blanks the projector (mirrored through the server) and shows it again.
    page.keyboard.press("b")
    expect(page.locator("#blank-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#blank-button")).to_be_enabled()
    assert public_session(page, base)["blank"] is True
    expect(page.locator("#blank-button")).to_be_enabled()  # keys during a request in flight are ignored
    page.keyboard.press("B")
    expect(page.locator("#blank-button")).to_have_attribute("aria-pressed", "false")
    assert public_session(page, base)["blank"] is False

    # ? shows the keys.
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help-main")).to_have_text("Close the question")
    assert_accessible(page, "the keys help")
    page.screenshot(path=screenshots / "teacher-keys-help-overlay.png")
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    wait_answered(page, 10)
    press(page, "ArrowRight")
    expect(page.locator("#state-pill")).to_have_text("Closed")
    expect(main).to_have_text("Reveal the answer")
    press(page, "PageUp")  # back: reopen the question just closed
    expect(page.locator("#state-pill")).to_have_text("Open: cards are being read")
    press(page, "Space")
    expect(page.locator("#state-pill")).to_have_text("Closed")
    press(page, "PageDown")
    expect(page.locator("#state-pill")).to_have_text("Answer revealed")
    expect(main).to_have_text("Next: question 2 of 5")
    page.screenshot(path=screenshots / "teacher-revealed-main-button-next.png")

    # Asked again: named as question 1, and the quiz then goes on at question 2, not "7 of 7".
    page.get_by_role("button", name="Ask again").click()
    expect(page.locator("#question-label")).to_have_text("Question 1, asked again")
    expect(page.locator("#state-pill")).to_have_text("Open: cards are being read")
    assert public_session(page, base)["label"] == "Question 1, asked again"
    page.screenshot(path=screenshots / "teacher-question-asked-again.png")
    press(page, "PageDown")
    expect(page.locator("#state-pill")).to_have_text("Closed")
    press(page, "PageDown")
    expect(main).to_have_text("Next: question 2 of 5")
    press(page, "PageDown")
    expect(page.locator("#question-label")).to_have_text("Question 2 of 5")
    assert "of 6" not in page.locator("main").inner_text()

    # Names: hidden on this screen only, then off for the rest of the lesson.
    wait_answered(page, 5)
    expect(page.locator("#roster")).to_contain_text("Ava")
    page.get_by_label("Hide names on this screen").check()
    roster = page.locator("#roster").inner_text()
    assert not any(name in roster for name in NAMES) and "Card 1" in roster
    assert public_session(page, base)["anonymous"] is False  # only this screen
    page.screenshot(path=screenshots / "teacher-hide-names-switch.png")
    page.get_by_label("Hide names on this screen").uncheck()
    expect(page.locator("#roster")).to_contain_text("Ava")
    page.get_by_role("button", name="Names off for the rest of the lesson").click()
    expect(page.locator("#anonymous-pill")).to_be_visible()
    assert public_session(page, base)["anonymous"] is True
    assert not any(name in page.locator("#roster").inner_text() for name in NAMES)
    expect(page.get_by_role("button", name="Names off for the rest of the lesson")).to_be_hidden()

    # The card grid switch, off by default, mirrored to the projector.
    grid = page.get_by_label("Show card numbers read on the projector")
    expect(grid).not_to_be_checked()
    grid.check()
    expect(grid).to_be_checked()
    expect(grid).to_be_enabled()  # the switch is off while its request is in flight
    assert public_session(page, base)["card_grid"] is True
    assert_accessible(page, "the session page during a question")
    page.screenshot(path=screenshots / "teacher-anonymous-mid-lesson-and-card-grid.png", full_page=True)

    # On a phone: the main action and the count pinned to the bottom, the roster below the question.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, storage_state=context.storage_state())
    mobile = phone.new_page()
    mobile.on("pageerror", lambda exc: errors.append(f"phone: {exc}"))
    mobile.goto(f"{base}/session/{session_id}")
    expect(mobile.locator("#main-button")).to_have_text("Close the question")
    inside_viewport(mobile, "#main-button", page_may_scroll=True)
    bar = box(mobile, "#action-bar")
    assert abs(bar["y"] + bar["height"] - 844) < 1, f"the bar is not pinned to the bottom: {bar}"
    expect(mobile.locator(".bar-count")).to_contain_text("/30 answered")
    assert box(mobile, "#roster")["y"] > box(mobile, "#question-text")["y"]
    mobile.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    bar = box(mobile, "#action-bar")
    assert abs(bar["y"] + bar["height"] - 844) < 1, "the bar scrolled away"
    mobile.evaluate("window.scrollTo(0, 0)")
    assert_accessible(mobile, "the session page on a phone")
    mobile.screenshot(path=screenshots / "teacher-phone-bottom-bar.png")
    mobile.locator("#main-button").tap()
    expect(mobile.locator("#state-pill")).to_have_text("Closed")
    expect(page.locator("#state-pill")).to_have_text("Closed")  # the laptop follows
    phone.close()

    page.locator("#end-button").click()
    expect(page.locator("#state-pill")).to_have_text("Session ended")
    expect(page.locator("#results-link")).to_be_visible()

    # The results name the rounds and say the re-asked question counted once.
    page.locator("#results-link").click()
    first = page.locator(".question-result").first
    expect(first).to_contain_text("Question 1 of 5")
    expect(first.locator(".rounds-note")).to_have_text("Asked 2 times: above, each student's latest answer (the "
                                                      "one the score counts); below, each round.")
    expect(first.locator(".rounds-side h4")).to_have_count(2)
    # One column per question: the one asked again is not a second column.
    expect(page.locator("#students-head th", has_text="Q1")).to_have_count(1)
    expect(page.locator("#students-head")).not_to_contain_text("again")
    context.close()
    assert not errors, errors
