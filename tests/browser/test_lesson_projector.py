"""The projector as the class sees it, at 1280×720 and 1920×1080: any question on one screen, pictures in
proportion, a countdown that says when time is up, the QR code big before the lesson and in a corner during
it, the screen blanked from the teacher's page, and the optional grid of card numbers read.

Runs against the demo appliance in its own process (conftest.py); the simulated class answers by itself.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import (
    LONG_OPTIONS,
    LONG_TEXT,
    PICTURE_SIZE,
    act,
    box,
    inside_viewport,
    logged_in_teacher,
    make_quiz,
    start_session,
    upload_picture,
    watch,
)

pytestmark = pytest.mark.browser
teacher = logged_in_teacher

VIEWPORTS = {"720p": {"width": 1280, "height": 720}, "1080p": {"width": 1920, "height": 1080}}
NAMES = ("Ava", "Ben", "Chloé")  # demo students: the projector never names anyone


@pytest.fixture(scope="module")
def quiz(teacher, demo_server):
    image = upload_picture(teacher, demo_server)
    return make_quiz(teacher, demo_server, "Projector check", [
        {"type": "multiple", "text": "Which shape is drawn in the middle?", "image": image,
         "options": ["A square", "A circle", "A triangle", "A star"], "correct": "B"},
        {"type": "multiple", "text": LONG_TEXT, "options": LONG_OPTIONS, "correct": "B", "time_limit": 5},
    ])


def projector_at(browser, base: str, viewport: dict, errors: list[str]) -> Page:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch(page, errors)
    page.goto(f"{base}/projector")
    return page


def assert_fits(page: Page) -> None:
    inside_viewport(page, "#question-text")
    inside_viewport(page, "#options .option")
    inside_viewport(page, "#answered, .join")
    if page.locator("#countdown").is_visible():
        inside_viewport(page, "#countdown")
    stage = box(page, "#stage")
    last = box(page, "#options .option >> nth=-1")
    assert last["y"] + last["height"] <= stage["y"] + stage["height"] + 0.5, "the last option is cut off"
    clipped = page.evaluate("[...document.querySelectorAll('#options .option, #question-text')]"
                            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
    assert not clipped, f"text runs out of its box: {clipped}"


LONG_WORDS = ["Parallelogram", "Quadrilateral", "Rhombicuboctahedron", "Pentagon"]
# Whether any word of an option is drawn on two lines (broken mid-word), measured with a Range per word.
BROKEN_WORDS = """() => [...document.querySelectorAll('#options .option-text')].flatMap(span => {
  const text = span.firstChild, broken = [];
  if (!text || text.nodeType !== Node.TEXT_NODE) return broken;
  for (const match of text.data.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size > 1) broken.push(match[0]);
  }
  return broken;
})"""


def assert_link_whole(page: Page, viewport: dict) -> None:
    link = box(page, "#student-url")
    assert link["x"] >= 0 and link["x"] + link["width"] <= viewport["width"] + 0.5, f"the link is cut: {link}"
    inner = page.evaluate("(() => { const e = document.getElementById('student-url');"
                          " return [e.scrollWidth, e.clientWidth, e.closest('.join').scrollWidth,"
                          " e.closest('.join').clientWidth]; })()")
    assert inner[0] <= inner[1] + 1 and inner[2] <= inner[3] + 1, f"the link runs out of its box: {inner}"


@pytest.mark.parametrize("name", VIEWPORTS)
def test_a_picture_with_long_option_words_is_never_squeezed(browser, demo_server, teacher, screenshots, name):
    image = upload_picture(teacher, demo_server)
    quiz = make_quiz(teacher, demo_server, "Shapes", [
        {"type": "multiple", "text": "Which shape has exactly five sides?", "image": image,
         "options": LONG_WORDS, "correct": "D"}])
    errors: list[str] = []
    projector = projector_at(browser, demo_server, VIEWPORTS[name], errors)
    session_id = start_session(teacher, demo_server, quiz["id"])
    try:
        assert_link_whole(projector, VIEWPORTS[name])  # big beside the QR before the lesson
        act(teacher, demo_server, session_id, "open", {"question": 0})
        expect(projector.locator("#options .option")).to_have_count(4)
        projector.wait_for_function("() => document.getElementById('question-image').complete"
                                    " && document.getElementById('question-image').naturalWidth > 0")
        projector.wait_for_timeout(300)  # the refit after the picture loaded
        assert_fits(projector)
        assert projector.evaluate(BROKEN_WORDS) == [], "an option word is broken in two"
        font = projector.evaluate("parseFloat(getComputedStyle(document.querySelector('#options .option')).fontSize)")
        options = box(projector, "#options")
        stacked = "stacked" in (projector.locator("#body").get_attribute("class") or "")
        print(f"{name}: options at {font:.0f}px, {options['width']:.0f}px wide, "
              f"{'below' if stacked else 'beside'} the picture")
        assert font >= 0.025 * VIEWPORTS[name]["height"], f"the options shrank to {font}px"
        picture = box(projector, "#question-image")
        assert abs(picture["width"] / picture["height"] - PICTURE_SIZE[0] / PICTURE_SIZE[1]) < 0.02
        assert_link_whole(projector, VIEWPORTS[name])  # small in the corner during the lesson
        answered, join = box(projector, "#answered"), box(projector, ".join")
        assert answered["x"] + answered["width"] <= join["x"], "the count runs under the QR code"
        assert_accessible(projector, f"a picture with long option words at {name}")
        projector.screenshot(path=screenshots / f"projector-picture-long-words-{name}.png")
    finally:
        act(teacher, demo_server, session_id, "end")
        projector.context.close()
    assert not errors, errors


@pytest.mark.parametrize("name", VIEWPORTS)
def test_any_question_fits_one_screen(browser, demo_server, teacher, quiz, screenshots, name):
    errors: list[str] = []
    projector = projector_at(browser, demo_server, VIEWPORTS[name], errors)
    session_id = start_session(teacher, demo_server, quiz["id"])
    try:
        # Before the first question: the QR code is the main thing, the link on one line.
        expect(projector.locator("#waiting-title")).to_have_text("Projector check")
        qr = box(projector, ".join img")
        assert qr["width"] >= 0.5 * VIEWPORTS[name]["height"], f"the QR code is small before the lesson: {qr}"
        url = projector.locator("#student-url")
        expect(url).to_contain_text("/student")
        line = projector.evaluate("parseFloat(getComputedStyle(document.getElementById('student-url')).lineHeight)")
        assert box(projector, "#student-url")["height"] <= line * 1.2, "the link wraps"
        inside_viewport(projector, ".join")
        assert_accessible(projector, f"the waiting projector at {name}")
        projector.screenshot(path=screenshots / f"projector-qr-large-before-the-lesson-{name}.png")

        # A picture question: the picture keeps its proportions, all four options are on screen.
        act(teacher, demo_server, session_id, "open", {"question": 0})
        expect(projector.locator("#question-text")).to_have_text("Which shape is drawn in the middle?")
        projector.wait_for_function("() => document.getElementById('question-image').complete"
                                    " && document.getElementById('question-image').naturalWidth > 0")
        projector.wait_for_timeout(300)  # the refit after the picture loaded
        picture = box(projector, "#question-image")
        ratio = picture["width"] / picture["height"]
        assert abs(ratio - PICTURE_SIZE[0] / PICTURE_SIZE[1]) < 0.02, f"the picture is squashed: {picture}"
        assert picture["height"] > 0.25 * VIEWPORTS[name]["height"], f"the picture is tiny: {picture}"
        expect(projector.locator("#options .option")).to_have_count(4)
        assert_fits(projector)
        # During the lesson the QR code shrinks to a corner.
        small = box(projector, ".join img")
        assert small["width"] < 0.2 * VIEWPORTS[name]["height"] and small["x"] > VIEWPORTS[name]["width"] * 0.8
        assert_accessible(projector, f"a picture question at {name}")
        projector.screenshot(path=screenshots / f"projector-picture-question-fits-{name}.png")

        # Two sentences and four long options, with a countdown.
        act(teacher, demo_server, session_id, "close")
        act(teacher, demo_server, session_id, "open", {"question": 1})
        expect(projector.locator("#question-text")).to_have_text(LONG_TEXT)
        countdown = projector.locator("#countdown")
        expect(countdown).to_be_visible()
        assert_fits(projector)
        digits = box(projector, "#countdown")
        assert digits["height"] >= 0.08 * VIEWPORTS[name]["height"], f"the countdown is small: {digits}"
        option_font = projector.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('#options .option')).fontSize)")
        assert option_font >= 14, f"the options shrank to {option_font}px"
        assert_accessible(projector, f"a long question at {name}")
        projector.screenshot(path=screenshots / f"projector-long-question-fits-{name}.png")
        # The countdown runs out, the server closes the question, the projector says so.
        expect(countdown).to_have_text("Time's up", timeout=10_000)
        expect(projector.locator("#state-pill")).to_have_text("Closed")
        expect(countdown).to_have_text("Time's up")
        projector.screenshot(path=screenshots / f"projector-countdown-times-up-{name}.png")

        # The reveal fits too.
        act(teacher, demo_server, session_id, "reveal")
        expect(projector.locator("#chart .bar-row")).to_have_count(4)
        inside_viewport(projector, "#chart .bar-row")
        projector.screenshot(path=screenshots / f"projector-reveal-fits-{name}.png")
        text = projector.locator("body").inner_text()
        assert not any(n in text for n in NAMES)
    finally:
        act(teacher, demo_server, session_id, "end")
        projector.context.close()
    assert not errors, errors


def test_blank_and_the_grid_of_cards_read(browser, demo_server, teacher, quiz, screenshots):
    errors: list[str] = []
    projector = projector_at(browser, demo_server, VIEWPORTS["720p"], errors)
    session_id = start_session(teacher, demo_server, quiz["id"])
    try:
        act(teacher, demo_server, session_id, "open", {"question": 0})
        expect(projector.locator("#options .option")).to_have_count(4)
        expect(projector.locator("#card-grid")).to_be_hidden()  # off by default

        act(teacher, demo_server, session_id, "display", {"card_grid": True})
        projector.wait_for_function("() => document.querySelectorAll('#card-grid-list li').length >= 10",
                                    timeout=25_000)
        numbers = [int(n) for n in projector.locator("#card-grid-list li").all_inner_texts()]
        assert numbers == sorted(numbers) and all(1 <= n <= 30 for n in numbers)
        grid_text = projector.locator("#card-grid").inner_text()
        assert not any(letter in grid_text for letter in "ABCD") and not any(n in grid_text for n in NAMES)
        assert_fits(projector)
        inside_viewport(projector, "#card-grid")
        assert_accessible(projector, "the projector with the card grid")
        projector.screenshot(path=screenshots / "projector-card-grid.png")

        act(teacher, demo_server, session_id, "display", {"blank": True})
        expect(projector.locator("#blank")).to_be_visible()
        shot = projector.screenshot(path=screenshots / "projector-blanked.png")
        assert shot  # the picture itself is checked by eye; the overlay covers the whole viewport:
        cover = box(projector, "#blank")
        assert cover["width"] >= 1280 and cover["height"] >= 720
        act(teacher, demo_server, session_id, "display", {"blank": False})
        expect(projector.locator("#blank")).to_be_hidden()
    finally:
        act(teacher, demo_server, session_id, "end")
        projector.context.close()
    assert not errors, errors
