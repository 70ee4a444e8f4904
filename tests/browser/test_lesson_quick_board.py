"""A quick question whose answers are on the board: one key or one button, no typing, and the screens show the
bare letters (no "A  A"). Demo appliance in its own process; the simulated class answers by itself."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import act, demo_class_id, log_in, watch

pytestmark = pytest.mark.browser


def quick_only_session(page: Page, base: str) -> int:
    started = page.request.post(f"{base}/api/v1/sessions", data={"class_id": demo_class_id(page, base)})
    assert started.status == 200, started.text()
    return started.json()["id"]


def asked(page: Page, base: str, session_id: int) -> list[dict]:
    return page.request.get(f"{base}/api/v1/sessions/{session_id}").json()["quiz"]["questions"]


def test_quick_questions_from_the_board_by_key_and_by_button(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch(page, errors)
    log_in(page, base)
    session_id = quick_only_session(page, base)
    page.goto(f"{base}/session/{session_id}")
    expect(page.locator("#board-abcd")).to_be_enabled()
    assert_accessible(page, "a quick-question lesson with the one-step button")

    # One key: Q asks an A–D question that is on the board; it opens at once.
    page.locator("body").press("q")
    expect(page.locator("#state-pill")).to_contain_text(re.compile("open", re.I))
    questions = asked(page, base, session_id)
    assert len(questions) == 1
    assert questions[0]["options"] == ["A", "B", "C", "D"] and questions[0]["type"] == "poll"
    options = page.locator("#options .option")
    expect(options).to_have_count(4)
    expect(options.nth(1)).to_have_text("B")  # the chip alone, not "B B"
    assert_accessible(page, "a question on the board, open")
    page.screenshot(path=screenshots / "quick-board-open.png", full_page=True)

    # The projector and a phone show the same four letters.
    projector = context.new_page()
    projector.goto(f"{base}/projector")
    expect(projector.locator(".option")).to_have_count(4)
    expect(projector.locator(".option").first).to_have_text("A")
    projector.close()

    act(page, base, session_id, "close")
    # One button in the quick-question card: True / False, no typing.
    page.reload()
    page.locator("#quick-button").click()
    card = page.locator("#quick-card")
    expect(card).to_be_visible()
    assert_accessible(page, "the quick-question card with the board buttons")
    card.get_by_role("button", name="True / False").click()
    expect(card).to_be_hidden()
    expect(page.locator("#state-pill")).to_contain_text(re.compile("open", re.I))
    questions = asked(page, base, session_id)
    assert len(questions) == 2 and questions[1]["options"] == ["True", "False"]
    expect(page.locator("#options .option")).to_have_count(2)

    # And by key T, after closing: keyboard only.
    act(page, base, session_id, "close")
    page.reload()
    expect(page.locator("#board-abcd")).to_be_enabled()
    page.locator("body").press("t")
    expect(page.locator("#question-label")).to_contain_text("Quick question 3")
    expect(page.locator("#options .option")).to_have_count(2)
    assert len(asked(page, base, session_id)) == 3
    act(page, base, session_id, "end")
    assert not errors, errors
    context.close()
