"""Two teachers, one camera, in chromium against the real demo appliance: a teacher's Start never ends a
colleague's lesson (the page names whose lesson runs), an admin may take it over after saying so twice, and
the teacher whose lesson was ended sees who ended it and when."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_pages import log_in, watch_for_errors

pytestmark = pytest.mark.browser


def _context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context


def _start(page, base: str, class_name: str, quiz: str) -> None:
    page.goto(f"{base}/")
    page.locator("#class-select").select_option(
        page.locator("#class-select option", has_text=class_name).get_attribute("value"))
    page.locator("#quiz-select").select_option(
        page.locator("#quiz-select option", has_text=quiz).get_attribute("value"))
    page.get_by_role("button", name="Start session").click()


def test_an_admin_takes_over_a_running_lesson_and_its_teacher_is_told(demo_server, browser):
    base = demo_server
    admin_context, teacher_context = _context(browser), _context(browser)
    errors: list[str] = []
    try:
        admin = admin_context.new_page()
        teacher = teacher_context.new_page()
        watch_for_errors(admin, errors, "admin")
        watch_for_errors(teacher, errors, "teacher")
        prompts: list[str] = []

        def accept(dialog):
            prompts.append(dialog.message)
            dialog.accept()
        admin.on("dialog", accept)

        log_in(admin, base, "demo", "demo")
        made = admin.request.post(f"{base}/api/v1/users", data={"username": "alice", "password": "alice-pass-1"})
        assert made.ok, made.text()
        log_in(teacher, base, "alice", "alice-pass-1")
        klass = teacher.request.post(f"{base}/api/v1/classes", data={
            "name": "7C", "students": [{"name": "Pupil One", "card": 1}]})
        quiz = teacher.request.post(f"{base}/api/v1/quizzes", data={"title": "Alice's quiz", "questions": [
            {"type": "multiple", "text": "2 + 2?", "options": ["4", "5"], "correct": "A"}]})
        assert klass.ok and quiz.ok

        _start(teacher, base, "7C", "Alice's quiz")
        expect(teacher).to_have_url(re.compile(r"/session/\d+$"))
        expect(teacher.locator("#state-pill")).to_have_text("Ready to start")

        _start(admin, base, "Demo class", "Demo quiz")
        expect(admin).to_have_url(re.compile(r"/session/\d+$"))
        assert any("alice's lesson is running" in p for p in prompts), prompts

        banner = teacher.locator("#ended-banner")
        expect(banner).to_be_visible()
        expect(banner).to_have_text(re.compile(r"^This lesson was ended by demo at \d\d:\d\d( [AP]M)? to start another "
                                               r"lesson\.$"))
        expect(teacher.locator("#state-pill")).to_have_text("Session ended")

        # Now the admin's lesson runs: the teacher's Start is refused with a message naming whose it is.
        _start(teacher, base, "7C", "Alice's quiz")
        expect(teacher.locator("#toast")).to_contain_text("demo's lesson is running")
        expect(teacher).to_have_url(f"{base}/")
        errors[:] = [e for e in errors if "status of 409" not in e]  # the refusal asked for above
    finally:
        admin_context.close()
        teacher_context.close()
    assert not errors, "errors in the pages:\n" + "\n".join(errors)
