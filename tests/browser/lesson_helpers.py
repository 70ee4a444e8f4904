"""Shared steps of the lesson browser tests: log in, make a quiz through the API, measure what is on screen."""
from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from playwright.sync_api import Page, expect

PICTURE_SIZE = (600, 400)  # width, height of the test picture: the squashed example
LONG_TEXT = ("A train leaves the station at nine in the morning and travels at a steady eighty kilometres an hour "
             "towards the coast. A second train leaves the coast at ten, on the same line, at one hundred "
             "kilometres an hour: at what time do the two trains meet, if the coast is four hundred kilometres away?")
LONG_OPTIONS = ["At a quarter past twelve, just after the first train has passed the halfway mark of the line",
                "At exactly half past twelve, when both of them have been travelling for a while already",
                "At one o'clock in the afternoon, as the second train slows down for the junction station",
                "They never meet, because the two trains run on separate tracks for the whole of the journey"]


def watch(page: Page, errors: list[str]) -> None:
    """Collect script errors and CSP violations (they show on the console) into `errors`."""
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))


def log_in(page: Page, base: str, path: str = "/") -> None:
    page.goto(f"{base}{path}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}{path}")


def picture_png() -> bytes:
    width, height = PICTURE_SIZE
    image = np.full((height, width, 3), 235, np.uint8)
    cv2.rectangle(image, (40, 40), (width - 40, height - 40), (180, 90, 20), 12)
    cv2.circle(image, (width // 2, height // 2), 120, (30, 140, 30), -1)  # a circle squashes visibly
    return cv2.imencode(".png", image)[1].tobytes()


def make_quiz(page: Page, base: str, title: str, questions: list[dict], tags: tuple[str, ...] = ()) -> dict:
    created = page.request.post(f"{base}/api/v1/quizzes", data={"title": title, "tags": list(tags),
                                                                "questions": questions})
    assert created.status in (200, 201), created.text()
    return created.json()


def upload_picture(page: Page, base: str) -> str:
    uploaded = page.request.post(f"{base}/api/v1/images", data=picture_png(), headers={"Content-Type": "image/png"})
    assert uploaded.status == 201, uploaded.text()
    return uploaded.json()["image"]


def demo_class_id(page: Page, base: str) -> int:
    classes = page.request.get(f"{base}/api/v1/classes").json()
    return next(c["id"] for c in classes if c["name"] == "Demo class")


def start_session(page: Page, base: str, quiz_id: int, anonymous: bool = False) -> int:
    started = page.request.post(f"{base}/api/v1/sessions", data={
        "class_id": demo_class_id(page, base), "quiz_id": quiz_id, "anonymous": anonymous})
    assert started.status == 200, started.text()
    return started.json()["id"]


def act(page: Page, base: str, session_id: int, action: str, body: dict | None = None) -> dict:
    done = page.request.post(f"{base}/api/v1/sessions/{session_id}/{action}", data=body or {})
    assert done.status == 200, done.text()
    return done.json()


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not on screen"
    return found


def inside_viewport(page: Page, selector: str, page_may_scroll: bool = False) -> None:
    """Every element matching `selector` lies wholly inside the viewport, and (unless allowed) nothing scrolls.

    Measured in one go inside the page: a live page re-renders between two separate protocol calls."""
    size = page.viewport_size
    found = page.evaluate("""s => [...document.querySelectorAll(s)].map(e => {
        const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })""", selector)
    assert found, f"nothing matches {selector}"
    for i, (x, y, width, height) in enumerate(found):
        assert width > 0 and height > 0, f"{selector} #{i} is not displayed"
        assert x >= -0.5 and y >= -0.5, f"{selector} #{i} starts off screen: {(x, y, width, height)}"
        assert x + width <= size["width"] + 0.5, f"{selector} #{i} runs off the right edge: {(x, y, width, height)}"
        assert y + height <= size["height"] + 0.5, f"{selector} #{i} runs off the bottom: {(x, y, width, height)}"
    if page_may_scroll:
        return
    scroll = page.evaluate("[document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
    assert scroll[0] <= size["height"] and scroll[1] <= size["width"], f"the page scrolls: {scroll} vs {size}"


# Not in conftest.py as `teacher`: it would replace tests/conftest.py's `teacher` (an aiohttp client) in every
# browser test module, and the async tests of test_pages_http.py would get this page. A module that wants it
# says `teacher = logged_in_teacher`.
@pytest.fixture(scope="module")
def logged_in_teacher(browser, demo_server):
    """The demo teacher, logged in, in a 1280×900 window of its own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, demo_server)
    yield page
    context.close()
