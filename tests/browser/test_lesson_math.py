"""Maths in questions: $…$ is drawn by the vendored KaTeX on the projector, the teacher's page, the student's
phone, the results and the editor's preview; a formula KaTeX cannot read shows as typed; nothing a formula
says can become a link or markup (trust: false). Nothing is fetched from another site."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import act, log_in, make_quiz, start_session

pytestmark = pytest.mark.browser

QUESTION = r"What is $\frac{1}{2} + \frac{1}{4}$? (costs \$3)"
BROKEN = r"$\frac{1$"
SNEAKY = r"$\href{javascript:alert(1)}{click}$"


def test_maths_is_drawn_on_every_screen(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(15_000)
    context.on("request", lambda r: r.url.startswith(base) or r.url.startswith("data:") or outside.append(r.url))
    teacher = context.new_page()
    teacher.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(teacher, base)
    quiz = make_quiz(teacher, base, "Fractions with maths", [
        {"type": "multiple", "text": QUESTION, "options": [r"$\frac{3}{4}$", BROKEN, SNEAKY, r"$x^2$"],
         "correct": "A"}])
    session_id = start_session(teacher, base, quiz["id"])
    act(teacher, base, session_id, "open", {"question": 0})

    projector = context.new_page()
    projector.on("pageerror", lambda exc: errors.append(str(exc)))
    projector.goto(f"{base}/projector")
    student = context.new_page()
    student.goto(f"{base}/student")
    teacher.goto(f"{base}/session/{session_id}")
    for page in (projector, student, teacher):
        text = page.locator("#question-text")
        expect(text.locator(".katex")).to_have_count(1)
        expect(text).to_contain_text("(costs $3)")  # an escaped dollar is a dollar
        options = page.locator("#options .option")
        expect(options.nth(0).locator(".katex")).to_have_count(1)
        expect(options.nth(1).locator(".math-error")).to_have_text(BROKEN)  # as typed
        assert options.nth(2).locator("a").count() == 0  # \href is not trusted
        expect(options.nth(3).locator(".katex")).to_have_count(1)
    assert_accessible(projector, "the projector with maths")
    projector.screenshot(path=screenshots / "maths-on-the-projector.png")
    student.screenshot(path=screenshots / "maths-on-the-student-page.png")

    act(teacher, base, session_id, "end")
    teacher.goto(f"{base}/results/{session_id}")
    expect(teacher.locator(".question-result h3 .katex")).to_have_count(1)

    teacher.goto(f"{base}/quizzes/{quiz['id']}/edit")
    preview = teacher.locator(".math-preview").first
    expect(preview.locator(".katex")).to_have_count(1)
    teacher.locator("textarea").first.fill(r"No maths here, just $5 and \$6")
    expect(preview).to_be_hidden()
    teacher.locator("textarea").first.fill(r"Area: $\pi r^2$")
    expect(preview.locator(".katex")).to_have_count(1)
    # Answers are previewed too: typed maths in answer A is drawn under it, plain text shows no preview.
    answer = teacher.get_by_label("Answer A of question 1", exact=True)
    answer_preview = teacher.locator(f"#{answer.get_attribute('aria-describedby')}")
    answer.fill(r"$\frac{3}{4}$")
    expect(answer_preview.locator(".katex")).to_have_count(1)
    answer.fill("three quarters")
    expect(answer_preview).to_be_hidden()
    answer.fill(r"$\frac{3}{4}$ of it")
    expect(answer_preview.locator(".katex")).to_have_count(1)
    assert_accessible(teacher, "the quiz editor with a maths preview")
    teacher.screenshot(path=screenshots / "maths-editor-preview.png")
    context.close()
    assert not errors, errors
    assert not outside, f"requests left the appliance: {outside}"
