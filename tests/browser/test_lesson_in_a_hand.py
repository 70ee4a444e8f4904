"""The teacher page in a hand (390×844) and on a laptop (1280×800): the question, the count, who is missing and
the main button lead; names of up to 30 characters are never cut, so two similar ones can be told apart; the
navigation is one row; End is far from the main button. Screenshots in test-artifacts/screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import act, box, log_in, make_quiz

pytestmark = pytest.mark.browser

# 30 characters each, in pairs that differ only at the end: a cut name ("Alexandra Katar…") would hide which is which.
LONG_NAMES = ["Alexandra Katarzyna Wiśniewska", "Alexandra Katarzyna Wiśniewski",
              "Maximilian Alexander Oberhuber", "Maximilian Alexander Oberhauer",
              "Wolfeschlegelsteinhausenberger"]
SHORT_NAMES = ["Ava", "Ben", "Chloé", "Daniel", "Emma", "Łukasz Nowak", "Zoë Ng"]

NAME_FIT = """el => {
  const lineHeight = parseFloat(getComputedStyle(el).lineHeight);
  const tile = el.closest('.student');
  return {text: el.textContent, lines: Math.round(el.getBoundingClientRect().height / lineHeight),
          clippedX: el.scrollWidth > el.clientWidth + 1 || tile.scrollWidth > tile.clientWidth + 1,
          clippedY: el.scrollHeight > el.clientHeight + 1, ellipsis: getComputedStyle(el).textOverflow};
}"""


def lesson_with_long_names(page: Page, base: str) -> tuple[int, dict[str, int]]:
    made = page.request.post(f"{base}/api/v1/classes", data={
        "name": "Long names", "students": [{"name": n} for n in LONG_NAMES + SHORT_NAMES]})
    assert made.status == 201, made.text()
    ids = {s["name"]: s["id"] for s in made.json()["students"]}
    quiz = make_quiz(page, base, "Fractions", [{"type": "multiple", "text": "Which is the largest fraction?",
                                                "options": ["1/2", "2/3", "3/4", "4/5"], "correct": "D"}])
    started = page.request.post(f"{base}/api/v1/sessions", data={"class_id": made.json()["id"], "quiz_id": quiz["id"]})
    assert started.status == 200, started.text()
    session_id = started.json()["id"]
    act(page, base, session_id, "open", {"question": 0})
    for name, letter in zip(LONG_NAMES[::2], "ABC"):  # answers show a mark beside some names: less room
        entered = page.request.put(f"{base}/api/v1/sessions/{session_id}/answers",
                                   data={"question": 0, "student_id": ids[name], "answer": letter})
        assert entered.status == 200, entered.text()
    return session_id, ids


def names_fit(page: Page) -> list[str]:
    measured = []
    for name in LONG_NAMES:
        fit = page.locator(".student", has_text=name).locator(".name").evaluate(NAME_FIT)
        assert fit["text"] == name
        assert not fit["clippedX"] and not fit["clippedY"] and fit["ellipsis"] != "ellipsis", f"{name!r} is cut: {fit}"
        assert fit["lines"] <= 2, f"{name!r} takes {fit['lines']} lines: {fit}"
        measured.append(f"{name}: {fit['lines']} line(s)")
    return measured


def tab_reaches(page: Page, selector: str) -> None:
    page.locator("body").focus()
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} is not reached by Tab")


def test_the_lesson_in_a_hand_and_on_a_laptop(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    setup = browser.new_context(viewport={"width": 1280, "height": 800})
    page = setup.new_page()
    log_in(page, base)
    session_id, _ = lesson_with_long_names(page, base)
    cookies = setup.cookies()
    setup.close()

    # ---------- a phone ----------
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True)
    phone.add_cookies(cookies)
    phone.set_default_timeout(20_000)
    mobile = phone.new_page()
    mobile.on("pageerror", lambda exc: errors.append(str(exc)))
    mobile.goto(f"{base}/session/{session_id}")
    expect(mobile.locator("#question-text")).to_have_text("Which is the largest fraction?")
    expect(mobile.locator("#unread")).to_be_visible()
    expect(mobile.locator(".student", has_text=LONG_NAMES[1])).to_be_visible()

    # One row of navigation: the header is as tall as one link.
    header, link = box(mobile, ".topbar"), box(mobile, ".topbar-nav a[href='/classes']")
    assert header["height"] < 2 * link["height"], f"the header takes more than one row: {header}"
    # What a walking teacher needs leads: the question, then who is missing, then the other controls.
    question, missing, controls = box(mobile, "#question-text"), box(mobile, "#unread"), box(mobile, ".controls")
    assert question["y"] < missing["y"] < controls["y"], (question, missing, controls)
    # The main button (with the answered count) is pinned to the bottom; End is at the top, far from the thumb.
    bar, main, end = box(mobile, "#action-bar"), box(mobile, "#main-button"), box(mobile, "#end-button")
    assert abs(bar["y"] + bar["height"] - 844) < 1
    expect(mobile.locator("#action-bar .bar-count")).to_contain_text("answered")
    gap = main["y"] - (end["y"] + end["height"])
    assert gap > 400, f"End is {gap:.0f} px above the main button"
    print("phone:", *names_fit(mobile), f"End {gap:.0f} px above the main button", sep="\n  ")
    assert_accessible(mobile, "the lesson on a phone with long names")
    mobile.screenshot(path=screenshots / "hand-phone-top.png")
    mobile.screenshot(path=screenshots / "hand-phone-full.png", full_page=True)
    phone.close()

    # ---------- a laptop ----------
    laptop = browser.new_context(viewport={"width": 1280, "height": 800})
    laptop.add_cookies(cookies)
    laptop.set_default_timeout(20_000)
    desk = laptop.new_page()
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    desk.goto(f"{base}/session/{session_id}")
    expect(desk.locator(".student", has_text=LONG_NAMES[1])).to_be_visible()
    main, end = box(desk, "#main-button"), box(desk, "#end-button")
    assert end["x"] - (main["x"] + main["width"]) > 300, "End sits beside the main button"
    desk.screenshot(path=screenshots / "hand-laptop.png", full_page=True)
    print("laptop:", *names_fit(desk), sep="\n  ")
    tab_reaches(desk, "#main-button")
    tab_reaches(desk, "#end-button")
    assert_accessible(desk, "the lesson on a laptop with long names")
    act(desk, base, session_id, "end")
    laptop.close()
    assert not errors, errors
