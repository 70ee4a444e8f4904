"""The quiz library as a way into a lesson: search finds tags, a quiz can be previewed in place, and
"Start a lesson" leads to the dashboard with that quiz chosen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.lesson_helpers import log_in, make_quiz

pytestmark = pytest.mark.browser


def test_search_tags_preview_and_start_a_lesson_from_the_library(browser, demo_server, screenshots):
    base = demo_server
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, "/quizzes")
    quiz = make_quiz(page, base, "Rivers of Europe", [
        {"type": "multiple", "text": "Which river flows through Vienna?", "options": ["Rhine", "Danube", "Seine"],
         "correct": "B"}], tags=("geography",))
    page.reload()
    page.get_by_label("Search quizzes").fill("geograph")
    item = page.locator(".quiz-item", has_text="Rivers of Europe")
    expect(item).to_be_visible()
    expect(page.locator(".quiz-item")).to_have_count(1)  # found by its tag alone
    item.get_by_text("Preview").click()
    expect(item.locator(".preview-questions")).to_contain_text("Which river flows through Vienna?")
    expect(item.locator(".preview-options li.right")).to_contain_text("Danube")
    assert_accessible(page, "the quiz library with a preview open")
    page.screenshot(path=screenshots / "library-search-finds-tags-and-preview.png", full_page=True)
    item.get_by_role("link", name="Start a lesson with Rivers of Europe").click()
    expect(page).to_have_url(re.compile(rf"/\?quiz={quiz['id']}$"))
    expect(page.get_by_label("Quiz")).to_have_value(str(quiz["id"]))
    page.screenshot(path=screenshots / "library-start-a-lesson-with-this-quiz.png")
    context.close()
    assert not errors, errors
