"""The camera check in a teacher's words, on the demo appliance: "Raise all cards" makes the simulated class
hold up every card, the page gives a verdict, the focus meter moves, and the picture zooms in."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import box, log_in

pytestmark = pytest.mark.browser

VERDICTS = re.compile(r"^(Every row readable\.|Back row too small .*14\.8 cm cards\.|Every card read is big enough.*)$")


def test_camera_check_gives_a_verdict_and_a_focus_meter(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, "/camera")
    expect(page.locator("#verdict")).to_have_text(
        "No card in the picture. Ask the class to hold up their cards, A on top.")
    expect(page.locator("#focus-value")).to_have_text("no card to measure")
    page.get_by_role("button", name="Raise all cards (demo class)").click()
    page.wait_for_function("() => document.querySelectorAll('#seen-body tr').length >= 25", timeout=25_000)
    expect(page.locator("#verdict")).to_have_text(VERDICTS)
    expect(page.locator("#verdict")).not_to_have_class(re.compile("verdict-bad"))
    expect(page.locator("#focus-value")).to_have_text(re.compile(r"^\d+ \(best \d+\)$"))
    assert float(page.locator("#focus-meter").get_attribute("value") or 0) > 0 or \
        page.evaluate("document.getElementById('focus-meter').value") > 0
    # The picture takes the page's width; zoomed in, it is larger than its frame and scrolls.
    assert box(page, "#preview")["width"] >= 1000
    assert_accessible(page, "the camera check")
    page.screenshot(path=screenshots / "camera-check-verdict-and-focus.png", full_page=True)
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("#zoom-button")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("(() => { const f = document.getElementById('preview-frame');"
                         " return f.scrollWidth > f.clientWidth * 2; })()")
    page.screenshot(path=screenshots / "camera-check-zoomed-preview.png")
    # Not while a lesson's question is open: the class is answering it.
    classes = page.request.get(f"{base}/api/v1/classes").json()
    quiz = next(q for q in page.request.get(f"{base}/api/v1/quizzes").json() if q["title"] == "Demo quiz")
    session = page.request.post(f"{base}/api/v1/sessions", data={"class_id": classes[0]["id"], "quiz_id": quiz["id"]}).json()
    page.request.post(f"{base}/api/v1/sessions/{session['id']}/open", data={"question": 0})
    refused = page.request.post(f"{base}/api/v1/camera/raise-all")
    assert refused.status == 409 and "a question is open" in refused.json()["error"]
    page.request.post(f"{base}/api/v1/sessions/{session['id']}/end")
    context.close()
    assert not errors, errors
