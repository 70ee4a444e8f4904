"""The live session page when things go wrong: the camera is lost, or the websocket drops.

Playwright sits between the page and the real server's websocket, so the page under test is the real one
and only the events are doctored (a camera cannot be unplugged on demand in a test).
"""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CAMERA_LOST = {"ok": False, "error": "USB camera unplugged", "fps": 0.0, "frames": 0, "dropped": 0,
               "source": "opencv:0"}


def test_camera_banner_and_reconnect(demo_server, browser, screenshots):
    base = demo_server
    context = browser.new_context(viewport={"width": 1024, "height": 700})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login?next=/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")
    classes = page.request.get(f"{base}/api/v1/classes").json()
    quizzes = page.request.get(f"{base}/api/v1/quizzes").json()
    started = page.request.post(f"{base}/api/v1/sessions", headers={"Origin": base},
                                data={"class_id": classes[0]["id"], "quiz_id": quizzes[0]["id"]})
    assert started.ok, started.text()
    session_id = started.json()["id"]

    links = []  # one per websocket the page opens

    def relay(route):
        server = route.connect_to_server()

        def to_page(message):
            event = json.loads(message)
            if event["type"] == "camera":
                event["camera"] = CAMERA_LOST
            route.send(json.dumps(event))

        server.on_message(to_page)
        links.append(route)

    page.route_web_socket("**/api/v1/live", relay)
    page.goto(f"{base}/session/{session_id}")
    banner = page.locator("#camera-banner")
    expect(banner).to_have_text("No camera: USB camera unplugged")
    expect(banner).to_have_attribute("role", "alert")
    page.screenshot(path=screenshots / "teacher-camera-lost.png")

    # The camera comes back: the banner goes away.
    links[-1].send(json.dumps({"type": "camera", "camera": {**CAMERA_LOST, "ok": True, "error": None}}))
    expect(banner).to_be_hidden()

    # The link drops: the page says so, reconnects by itself and carries on without a reload.
    page.evaluate("window.argusNoReload = true")
    before = len(links)
    links[-1].close(code=1011, reason="test drops the link")
    expect(page.locator("#link-banner")).to_be_visible()
    expect(page.locator("#link-banner")).to_be_hidden(timeout=10_000)
    assert len(links) > before
    assert page.evaluate("window.argusNoReload === true")
    page.locator("#main-button").click()
    expect(page.locator("#state-pill")).to_have_text("Open: cards are being read")
    page.locator("#end-button").click()  # dialogs are dismissed by default: the session must keep running
    expect(page.locator("#state-pill")).to_have_text("Open: cards are being read")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#end-button").click()
    expect(page.locator("#state-pill")).to_have_text("Session ended")
    context.close()
