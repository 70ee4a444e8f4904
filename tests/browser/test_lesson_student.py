"""The student's phone: type the card number once and the page says by itself when the camera read it, for
every question; a card of another class and a number outside the printed range are said in words.
"""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import act, log_in, start_session

pytestmark = pytest.mark.browser

CARDS = (1, 2, 3, 4, 5)  # one phone each; the simulated class answers with most of its 30 cards


def test_the_student_page_follows_the_card_without_a_click(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    teacher_context = browser.new_context()
    teacher = teacher_context.new_page()
    log_in(teacher, base)
    quiz_id = next(q["id"] for q in teacher.request.get(f"{base}/api/v1/quizzes").json() if q["title"] == "Demo quiz")
    session_id = start_session(teacher, base, quiz_id)

    phones = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                 has_touch=True)
    phones.set_default_timeout(15_000)
    pages = {}
    for card in CARDS:
        page = phones.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/student")
        page.get_by_label("Your card number").fill(str(card))
        page.get_by_role("button", name="Check").click()
        expect(page.locator("#check-result")).to_have_text(f"Card {card}: no question is open yet.")
        page.evaluate("window.argusNoReload = true")
        pages[card] = page
    first = pages[CARDS[0]]
    # The class's real range (the demo class holds cards 1 to 30), not the 64 cards printed for the appliance.
    expect(first.locator("#card-range")).to_contain_text("Cards in this class go from 1 to 30.")

    # Out of the printed range, and a card that is real but not this class's (the demo class has 1-30).
    other = phones.new_page()
    other.goto(f"{base}/student")
    other.get_by_label("Your card number").fill("99")
    other.get_by_role("button", name="Check").click()
    expect(other.locator("#check-result")).to_have_text("Cards go from 1 to 64.")
    other.get_by_label("Your card number").fill("50")
    other.get_by_role("button", name="Check").click()
    expect(other.locator("#check-result")).to_have_text(
        "Card 50 is not in this class. Check the number printed on your card.")
    assert_accessible(other, "the student page with a card of another class")
    other.screenshot(path=screenshots / "student-card-not-in-this-class.png", full_page=True)

    for question in (0, 1):
        act(teacher, base, session_id, "open", {"question": question})
        for card, page in pages.items():
            expect(page.locator("#check-result")).to_have_text(re.compile(rf"card {card}\)$"))
        # Wait until the class has answered, then every phone whose card was read says so, untouched.
        read: set[int] = set()
        deadline = time.monotonic() + 25
        while len(read) < 20 and time.monotonic() < deadline:
            teacher.wait_for_timeout(500)
            view = teacher.request.get(f"{base}/api/v1/sessions/{session_id}").json()
            read = {r["card"] for r in view["responses"] if r["question"] == question}
        assert read & set(CARDS), "none of the five cards was read; the check below would prove nothing"
        for card, page in pages.items():
            # A card read so far says so by itself; one not read yet may still be read while we look.
            expected = (f"✓ Registered (card {card})" if card in read
                        else re.compile(rf"^(Not registered yet|✓ Registered) \(card {card}\)$"))
            expect(page.locator("#check-result")).to_have_text(expected, timeout=10_000)
            assert page.evaluate("window.argusNoReload === true")
        act(teacher, base, session_id, "close")
        if question == 0:
            registered = next(c for c in CARDS if c in read)
            assert_accessible(pages[registered], "the student page")
            pages[registered].screenshot(path=screenshots / "student-updates-without-a-click.png", full_page=True)
    act(teacher, base, session_id, "end")
    phones.close()
    teacher_context.close()
    assert not errors, errors
