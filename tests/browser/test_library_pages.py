"""The teacher's library through real pages: a class and its roster, printable cards, a quiz built in the
editor, the quiz library; then a session started from the dashboard with the new class and quiz.

Runs against the demo appliance in its own process (conftest.py). Every expected refusal (a bad roster line,
a card already taken, a quiz with a missing answer) is checked by what the teacher sees on the page.
"""
from __future__ import annotations

import json
import re

import cv2
import pytest
from playwright.sync_api import Page, expect

from appliance.vision.cards import render_card
from tests.school_files import oneroster_files, students, zip_bytes

pytestmark = pytest.mark.browser

BAD_ROSTER = "name,card\nZoe Adams,3\nYusuf Khan,abc\nChloé Martin,\n"
GOOD_ROSTER = "name,card\nZoe Adams,3\nYusuf Khan,4\nChloé Martin,\n"
QUIZ_TITLE = "Solar system check"
EXPECTED_REFUSALS = re.compile(r"status of (400|409)")  # asked for by the test; anything else is a failure


def watch_for_errors(page: Page, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and not EXPECTED_REFUSALS.search(msg.text)
            and errors.append(msg.text))


def csv_file(text: str, name: str = "roster.csv") -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def download_bytes(page: Page, click) -> tuple[str, bytes]:
    with page.expect_download() as info:
        click()
    download = info.value
    return download.suggested_filename, open(download.path(), "rb").read()


def full_page_with_sticky_bar(page: Page, path) -> None:
    """A full-page shot of a page with a sticky footer: a viewport as tall as the page keeps it at the end."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": page.evaluate("document.body.scrollHeight")})
    page.screenshot(path=path)
    page.set_viewport_size(size)


def log_in(page: Page, base: str, path: str) -> None:
    page.goto(f"{base}{path}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}{path}")


def build_class(page: Page, base: str, screenshots) -> int:
    page.get_by_label("Class name").fill("Test 9C")
    page.get_by_role("button", name="Create class").click()
    expect(page).to_have_url(re.compile(r"/classes/\d+$"))
    class_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#class-name")).to_have_text("Test 9C")
    expect(page.locator("#roster-empty")).to_be_visible()

    # A bad line: every problem is listed by line number, and nothing can be imported until all are good.
    page.get_by_label("Spreadsheet or CSV file").set_input_files(csv_file(BAD_ROSTER))
    page.get_by_role("button", name="Preview import").click()
    problems = page.locator("#import-result .problems")
    expect(problems).to_contain_text("Nothing can be imported yet")
    expect(problems).to_contain_text("line 3: card 'abc' is not a number")
    expect(page.get_by_role("button", name=re.compile(r"^Import \d"))).to_be_hidden()
    expect(page.locator("#roster-body tr")).to_have_count(0)

    # Cells pasted from a spreadsheet (tabs), with a Dutch header: previewed, then cancelled.
    page.get_by_label("Spreadsheet or CSV file").set_input_files([])
    page.get_by_label("Or paste cells from a spreadsheet").fill("Voornaam\tAchternaam\tKlas\nSanne\tde Vries\t2B\n")
    page.get_by_role("button", name="Preview import").click()
    expect(page.locator("#preview-body tr")).to_have_count(1)
    expect(page.locator("#preview-body")).to_contain_text("Sanne de Vries")
    expect(page.locator("#preview-summary")).to_contain_text("Ignored columns: Klas.")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#import-preview")).to_be_hidden()
    page.get_by_label("Or paste cells from a spreadsheet").fill("")

    page.get_by_label("Spreadsheet or CSV file").set_input_files(csv_file(GOOD_ROSTER))
    page.get_by_role("button", name="Preview import").click()
    expect(page.locator("#preview-body tr")).to_have_count(3)
    expect(page.locator("#roster-body tr")).to_have_count(0)  # the preview saved nothing
    page.screenshot(path=screenshots / "class-roster-preview.png", full_page=True)
    page.get_by_role("button", name="Import 3 students").click()
    expect(page.locator("#import-result")).to_contain_text("Imported 3 students")
    expect(page.locator("#roster-body tr")).to_have_count(3)
    chloe_card = page.get_by_label("Card of Chloé Martin")
    expect(chloe_card).to_have_value("1")  # no card in the file: the lowest free one

    # Reassigning to a card another student holds is refused with the server's words; the box goes back.
    chloe_card.fill("3")
    chloe_card.press("Enter")
    chloe_row = page.locator("#roster-body tr", has=chloe_card)
    expect(chloe_row.locator(".row-status")).to_have_text("card 3 already belongs to Zoe Adams")
    expect(chloe_card).to_have_value("1")
    chloe_card.fill("7")
    chloe_card.press("Enter")
    expect(chloe_row.locator(".row-status")).to_have_text("Now card 7 ✓")

    yusuf = page.get_by_label("Name of Yusuf Khan")
    yusuf.fill("Yusuf K.")
    yusuf.press("Tab")  # leaving the box saves it
    expect(page.locator("#roster-body tr", has=yusuf).locator(".row-status")).to_have_text("Saved ✓")

    page.get_by_label("Name", exact=True).fill("Ava Jones")
    page.get_by_role("button", name="Add student").click()
    expect(page.locator("#roster-body tr")).to_have_count(4)
    expect(page.get_by_label("Card of Ava Jones")).to_have_value("1")  # card 1 was freed by Chloé's move
    page.get_by_role("button", name="Remove Ava Jones").click()  # the confirm() is accepted
    expect(page.locator("#roster-body tr")).to_have_count(3)

    roster = next(c for c in page.request.get(f"{base}/api/v1/classes").json() if c["id"] == class_id)
    assert {s["name"]: s["card"] for s in roster["students"]} == {"Zoe Adams": 3, "Yusuf K.": 4, "Chloé Martin": 7}

    page.get_by_text("Print this class's cards").click()
    page.get_by_label("Cards per page").select_option("4")
    expect(page.locator("#print-link")).to_have_attribute("href", re.compile(r"cards\.pdf\?page=A4&per_page=4$"))
    name, pdf = download_bytes(page, lambda: page.get_by_role("link", name="Download PDF").click())
    assert name == "argus-cards-test-9c.pdf" and pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 2  # three students and four spare cards, four to a page
    page.screenshot(path=screenshots / "class-roster.png", full_page=True)
    return class_id


def check_oneroster_import(page: Page, base: str) -> None:
    """The school's OneRoster zip on the Classes page: a broken one names file and line, a good one makes
    its classes."""
    page.goto(f"{base}/classes")
    files = oneroster_files({"or-7a": students("s", 2)})
    broken = {**files, "enrollments.csv": files["enrollments.csv"] + b"e9,,,or-7a,school1,ghost,student,false,,\r\n"}
    page.get_by_label("OneRoster zip").set_input_files({"name": "roster.zip", "mimeType": "application/zip",
                                                        "buffer": zip_bytes(broken)})
    page.get_by_role("button", name="Import classes").click()
    expect(page.locator("#oneroster-result .problems")).to_contain_text(
        "enrollments.csv line 4: user 'ghost' is not in users.csv")
    page.get_by_label("OneRoster zip").set_input_files({"name": "roster.zip", "mimeType": "application/zip",
                                                        "buffer": zip_bytes(files)})
    page.get_by_role("button", name="Import classes").click()
    expect(page.locator("#oneroster-result")).to_contain_text("Imported 1 class from roster.zip.")
    expect(page.locator("#classes-body tr", has_text="Maths or-7a")).to_have_count(1)


def check_class_list(page: Page, base: str, screenshots) -> None:
    page.goto(f"{base}/classes")
    row = page.locator("#classes-body tr", has_text="Test 9C")
    expect(row.locator("td.num")).to_have_text("3")
    page.get_by_role("button", name="Archive Test 9C").click()
    expect(page.locator("#classes-body tr", has_text="Test 9C")).to_have_count(0)
    page.get_by_label("Show archived classes").check()
    expect(row.locator(".pill")).to_have_text("Archived")
    page.get_by_role("button", name="Restore Test 9C").click()
    page.get_by_label("Show archived classes").uncheck()
    expect(row).to_have_count(1)
    page.get_by_role("button", name="Rename Test 9C").click()
    page.get_by_label("New name for Test 9C").fill("Test 9C Science")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Test 9C Science")).to_be_visible()
    page.screenshot(path=screenshots / "classes.png", full_page=True)


def question(page: Page, number: int):
    return page.locator(".question-block").nth(number - 1)


def build_quiz(page: Page, base: str, screenshots, image_png: bytes) -> int:
    page.goto(f"{base}/quizzes")
    page.get_by_role("link", name="New quiz").click()
    expect(page).to_have_url(f"{base}/quizzes/new")
    page.get_by_label("Title").fill(QUIZ_TITLE)
    page.get_by_label("Tags").fill("Science, space")

    q1 = question(page, 1)
    q1.get_by_label("Question", exact=True).fill("Which planet is the largest?")
    for letter, text in zip("ABCD", ["Mars", "Jupiter", "Venus", "Earth"]):
        q1.get_by_label(f"Answer {letter} of question 1", exact=True).fill(text)
    q1.get_by_label("Picture (optional)").set_input_files(
        {"name": "planet.png", "mimeType": "image/png", "buffer": image_png})
    expect(q1.locator(".image-edit img")).to_have_attribute("src", re.compile(r"^/images/[0-9a-f]{64}\.png$"))

    page.get_by_role("button", name="+ Add question").click()
    q2 = question(page, 2)
    q2.get_by_label("Type").select_option("truefalse")
    expect(q2.get_by_label("Answer A of question 2", exact=True)).to_have_value("True")
    q2.get_by_label("Question", exact=True).fill("The Sun is a star.")
    q2.get_by_label("Answer A is correct").check()
    q2.get_by_label("Time limit (seconds)").fill("20")

    page.get_by_role("button", name="+ Add question").click()
    q3 = question(page, 3)
    q3.get_by_label("Type").select_option("poll")
    q3.get_by_label("Question", exact=True).fill("How much did you enjoy this topic?")
    for letter, text in zip("ABC", ["A lot", "Some", "Not much"]):
        q3.get_by_label(f"Answer {letter} of question 3", exact=True).fill(text)
    q3.get_by_role("button", name="Remove answer D of question 3").click()
    expect(q3.locator(".option-edit")).to_have_count(3)

    # Saved without question 1's right answer: the server's problem appears on question 1, not at the top.
    page.get_by_role("button", name="Save quiz").click()
    expect(q1.locator(".question-problems")).to_contain_text("Correct answer: must be one of A, B, C, D")
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    expect(page).to_have_url(f"{base}/quizzes/new")
    q1.get_by_label("Answer B is correct").check()

    page.get_by_role("button", name="Move question 3 up").click()
    expect(question(page, 2).get_by_label("Question", exact=True)).to_have_value("How much did you enjoy this topic?")
    page.get_by_role("button", name="Duplicate question 1").click()
    expect(page.locator(".question-block")).to_have_count(4)
    question(page, 2).get_by_label("Question", exact=True).fill("Which planet is the largest gas giant?")

    page.get_by_role("button", name="Save quiz").click()
    expect(page.locator("#save-status")).to_contain_text("Saved ✓")
    expect(page).to_have_url(re.compile(r"/quizzes/\d+/edit$"))
    expect(page.locator(".question-problems:visible")).to_have_count(0)
    quiz_id = int(page.url.split("/")[-2])
    quiz = page.request.get(f"{base}/api/v1/quizzes/{quiz_id}").json()
    assert quiz["tags"] == ["science", "space"]
    assert [q["type"] for q in quiz["questions"]] == ["multiple", "multiple", "poll", "truefalse"]
    assert [q["correct"] for q in quiz["questions"]] == ["B", "B", None, "A"]
    assert quiz["questions"][0]["image"] and quiz["questions"][0]["image"] == quiz["questions"][1]["image"]
    assert quiz["questions"][2]["options"] == ["A lot", "Some", "Not much"]
    assert quiz["questions"][3]["time_limit"] == 20
    full_page_with_sticky_bar(page, screenshots / "quiz-editor.png")
    return quiz_id


def check_quiz_library(page: Page, base: str, screenshots) -> None:
    page.goto(f"{base}/quizzes")
    expect(page.locator(".quiz-item", has_text=QUIZ_TITLE)).to_contain_text("4 questions")
    page.get_by_label("Search quizzes").fill("gas giant")  # a question's text, not the title
    expect(page.locator(".quiz-item")).to_have_count(1)
    expect(page.locator(".quiz-item h3")).to_have_text(QUIZ_TITLE)
    page.get_by_label("Search quizzes").fill("")
    expect(page.locator(".quiz-item")).not_to_have_count(1)
    page.get_by_role("button", name="space", exact=True).click()
    expect(page.get_by_role("button", name="space", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".quiz-item h3")).to_have_text([QUIZ_TITLE])

    page.get_by_role("button", name=f"Clone {QUIZ_TITLE}").click()
    expect(page.locator(".quiz-item h3")).to_have_text([QUIZ_TITLE, f"{QUIZ_TITLE} (copy)"])
    name, data = download_bytes(page, lambda: page.get_by_role("link", name=f"Export JSON of {QUIZ_TITLE}", exact=True).click())
    exported = json.loads(data)
    assert name == "solar-system-check.json" and exported["format"] == "argus-quiz"
    assert [q["text"] for q in exported["questions"]][1] == "Which planet is the largest gas giant?"

    # A CSV quiz asks for a title; a bad row is named by its line and nothing is added.
    bad = "type,text,option_a,option_b,option_c,option_d,correct,time_limit\nmultiple,2+2?,3,4,,,B,\nmultiple,Odd one?,x,,,,A,\n"
    page.get_by_label("Quiz file", exact=True).set_input_files(csv_file(bad, "maths.csv"))
    expect(page.get_by_label("Title for the new quiz")).to_have_value("maths")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-result .problems")).to_contain_text("line 3.options: needs 2 to 4 options, found 1")
    page.get_by_role("button", name="space", exact=True).click()  # filter off again
    expect(page.locator(".quiz-item", has_text="maths")).to_have_count(0)
    page.screenshot(path=screenshots / "quizzes.png", full_page=True)


def check_cards_page(page: Page, base: str, screenshots) -> None:
    page.goto(f"{base}/cards")
    expect(page.get_by_text("Hold the card so the letter of your answer is on top.")).to_be_visible()
    assert page.locator("img.card-preview").evaluate("img => img.complete && img.naturalWidth") == 400
    page.get_by_label("How many cards").fill("10")
    page.get_by_label("4: saves paper").check()
    expect(page.locator("#page-count")).to_have_text("10 cards on 3 pages.")
    name, pdf = download_bytes(page, lambda: page.get_by_role("link", name="Download PDF").click())
    assert name == "argus-cards-1-10.pdf" and pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 3
    page.screenshot(path=screenshots / "cards.png", full_page=True)


def test_classes_quizzes_and_cards_work_together(demo_server, browser, screenshots):
    base = demo_server
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_for_errors(page, errors)
    page.on("dialog", lambda dialog: dialog.accept())  # "Remove …?" and the editor's leave-page question

    log_in(page, base, "/classes")
    build_class(page, base, screenshots)
    check_class_list(page, base, screenshots)
    check_oneroster_import(page, base)
    ok, png = cv2.imencode(".png", render_card(5, 120))
    assert ok
    quiz_id = build_quiz(page, base, screenshots, png.tobytes())
    check_quiz_library(page, base, screenshots)
    check_cards_page(page, base, screenshots)

    # The new class and quiz are what the dashboard offers, and a session runs with them.
    page.goto(f"{base}/")
    page.get_by_label("Class").select_option(label="Test 9C Science (3 students)")
    page.get_by_label("Quiz").select_option(str(quiz_id))
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/session/\d+$"))
    expect(page.locator("#roster .student")).to_have_count(3)
    expect(page.locator("#question-label")).to_have_text("4 questions")
    expect(page.locator("#roster")).to_contain_text("Chloé Martin")

    context.close()
    assert not errors, errors



LIBRARY_PAGES = ["/classes", "/classes/1", "/quizzes", "/quizzes/new", "/quizzes/1/edit", "/cards"]
MODULES = ["classes", "class", "quizzes", "quiz_edit", "quiz_edit", "cards"]


def test_library_pages_need_a_login_and_are_thin_shells(demo_server, browser):
    context = browser.new_context()
    try:
        for path in LIBRARY_PAGES:
            response = context.request.get(f"{demo_server}{path}", max_redirects=0)
            assert response.status == 302 and response.headers["location"] == f"/login?next={path}"
        assert context.request.post(f"{demo_server}/api/v1/login", data={"username": "demo", "password": "demo"}).ok
        for path, module in zip(LIBRARY_PAGES, MODULES):
            html = context.request.get(f"{demo_server}{path}", max_redirects=0).text()
            assert f'<script type="module" src="/static/js/{module}.js"></script>' in html, path
            assert '<link rel="stylesheet" href="/static/library.css">' in html, path
        assert 'data-class-id="1" data-card-count="64"' in context.request.get(f"{demo_server}/classes/1").text()
        assert 'data-quiz-id=""' in context.request.get(f"{demo_server}/quizzes/new").text()
    finally:
        context.close()
