"""The admin's and the teacher's remaining pages, in chromium against real appliances.

A fresh (non-demo) appliance is claimed through /setup with the code it wrote to its data folder, gets a
teacher account, shows its status and exports to a USB stick (a tmpfs stands in for the stick when we are
root). The demo appliance runs a lesson with "ask again" and a quick question, then its results, class report
and student history are checked, an anonymous session keeps names off the screen, and the camera check shows a
live picture and the cards it reads. Screenshots land in test-artifacts/screenshots/.
"""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import run_appliance

pytestmark = pytest.mark.browser

ADMIN, ADMIN_PASSWORD = "head-office", "correct horse 1"
TEACHER, TEACHER_PASSWORD, TEACHER_RESET, TEACHER_OWN = "mrs-lee", "chalkboard-1", "chalkboard-2", "chalkboard-3"
DEMO_NAMES = ("Ava", "Ben", "Chloé", "Daniel", "Emma", "Finn", "Grace", "Hugo")
ANSWER_WAIT_MS = 25_000
STICK = "ARGUS-STICK"


def watch_for_errors(page: Page, errors: list[str], name: str) -> None:
    page.on("pageerror", lambda exc: errors.append(f"{name}: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"{name}: {msg.text}"))


def forget_expected(errors: list[str], status: int) -> None:
    """Chromium logs a refused request on the console; drop the ones a step asked for."""
    errors[:] = [e for e in errors if f"status of {status}" not in e]


@pytest.fixture(scope="module")
def usb_stick(tmp_path_factory):
    """(usb_root, stick mount point or None, why not): an 8 MB tmpfs under usb_root when we may mount."""
    root = tmp_path_factory.mktemp("usb") / "media"
    stick = root / STICK
    stick.mkdir(parents=True)
    if os.geteuid() != 0:
        yield root, None, "mounting a stand-in USB stick (tmpfs) needs root"
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(stick)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        yield root, None, f"could not mount a tmpfs as a stand-in USB stick: {mounted.stderr.strip()}"
        return
    try:
        yield root, stick, None
    finally:
        subprocess.run(["umount", str(stick)], check=False)


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory, usb_stick):
    """An unclaimed appliance with the simulated camera: (base URL, data dir)."""
    workdir = tmp_path_factory.mktemp("argus-fresh")
    data = workdir / "data"
    config = workdir / "config.toml"
    config.write_text(
        "[server]\nhttps = false\n"  # chromium would refuse the self-made certificate
        "[mdns]\nenabled = false\n"
        "[camera]\nwidth = 1280\nheight = 720\n[sim]\nback_row_m = 4.5\n"
        f'[export]\nusb_root = "{usb_stick[0]}"\n')
    with run_appliance(["--camera", "sim", "--host", "127.0.0.1", "--data-dir", str(data), "--config", str(config)],
                   workdir) as base:
        yield base, data


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")


# ---------------------------------------------------------------- claiming, accounts, status, USB export

def test_claim_accounts_status_and_usb_export(fresh_server, usb_stick, browser, screenshots):
    base, data = fresh_server
    errors: list[str] = []
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin_context.set_default_timeout(15_000)
    admin = admin_context.new_page()
    watch_for_errors(admin, errors, "admin")

    # Unclaimed: the login page (and so every teacher page) leads to /setup, which says where the code is.
    admin.goto(f"{base}/")
    expect(admin).to_have_url(f"{base}/setup")
    expect(admin.locator(".topbar-nav")).to_have_count(0)  # the setup page only: no teacher menu to get lost in
    assert_accessible(admin, "the setup page")
    expect(admin.locator("main")).to_contain_text("argus-setup-code.txt")
    expect(admin.locator("main")).to_contain_text("setup-code.txt")
    code = (data / "setup-code.txt").read_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    admin.get_by_label("Setup code").fill("AAAA-BBBB-CCCC")
    admin.get_by_label("Admin username").fill(ADMIN)
    admin.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    admin.get_by_label("Password again").fill("something else")
    admin.get_by_role("button", name="Create admin account").click()
    expect(admin.locator("#setup-error")).to_have_text("The two passwords are not the same.")
    admin.get_by_label("Password again").fill(ADMIN_PASSWORD)
    admin.get_by_role("button", name="Create admin account").click()
    expect(admin.locator("#setup-error")).to_contain_text("setup code is not right")
    forget_expected(errors, 403)
    admin.screenshot(path=screenshots / "setup.png", full_page=True)

    # Codes are forgiving about case, and typed with spaces instead of dashes.
    admin.get_by_label("Setup code").fill(" " + code.lower().replace("-", " ") + " ")
    admin.get_by_role("button", name="Create admin account").click()
    # The claim lands on the admin page, whose "First steps" say what comes next.
    expect(admin).to_have_url(f"{base}/admin")
    expect(admin.locator(".who")).to_have_text(ADMIN)
    steps = admin.locator("#first-steps")
    expect(steps).to_be_visible()
    for link, target in (("Add an account for each teacher", "#accounts-title"), ("Add a class", "/classes"),
                         ("print the answer cards", "/cards"), ("Check the camera", "/camera")):
        expect(steps.get_by_role("link", name=link)).to_have_attribute("href", target)
    assert_accessible(admin, "the admin page's first steps after the claim")
    admin.screenshot(path=screenshots / "first-steps-after-claim.png", full_page=True)
    assert not (data / "setup-code.txt").exists()  # used once, then gone
    admin.goto(f"{base}/setup")  # claimed: /setup is over; logged in, the login page forwards home
    expect(admin).to_have_url(f"{base}/")

    # The admin page: status from /api/v1/health, refreshed by itself.
    admin.get_by_role("link", name="Admin").click()
    expect(admin).to_have_url(f"{base}/admin")
    camera_stat = admin.locator('[data-stat="camera"] dd')
    expect(camera_stat).to_contain_text(re.compile(r"OK · sim · \d+\.\d frames/s"))
    for stat in ("reader", "dropped", "temperature", "throttling", "memory", "disk", "uptime", "version", "backups"):
        expect(admin.locator(f'[data-stat="{stat}"] dd')).not_to_be_empty()
    expect(admin.locator('[data-stat="disk"] dd')).to_contain_text(re.compile(r"\d+(\.\d)? [MG]B"))
    expect(admin.locator("#disk-warning")).to_be_hidden()
    first_update = admin.locator("#status-updated").inner_text()
    expect(admin.locator("#status-updated")).not_to_have_text(first_update, timeout=12_000)

    # Accounts: add a teacher, then reset their password.
    admin.get_by_label("Username").fill(TEACHER)
    admin.get_by_label("Password", exact=True).fill("short")
    admin.get_by_label("Password again").fill("short")
    admin.get_by_role("button", name="Add account").click()
    expect(admin.locator("#add-user-error")).to_contain_text("at least 8 characters")
    admin.get_by_label("Password", exact=True).fill(TEACHER_PASSWORD)
    admin.get_by_label("Password again").fill(TEACHER_PASSWORD)
    admin.get_by_role("button", name="Add account").click()
    expect(admin.locator("#add-user-ok")).to_contain_text(f"Added {TEACHER}")
    row = admin.locator(f'#users-body tr[data-username="{TEACHER}"]')
    expect(row).to_contain_text("Teacher")
    expect(admin.locator("#users-body tr")).to_have_count(2)
    expect(admin.locator("#first-steps")).to_be_hidden()  # a teacher exists: the first hour is over

    # Export: the JSON download, then the USB stick.
    dump = admin.request.get(f"{base}{admin.get_by_role('link', name='Download everything (JSON)').get_attribute('href')}")
    assert dump.ok and dump.json()["format"] == "argus-dump"
    assert {u["username"] for u in dump.json()["users"]} == {ADMIN, TEACHER}
    _, stick, why_not = usb_stick
    if stick is not None:
        expect(admin.locator("#usb-summary")).to_have_text("1 USB stick found:")
        admin.get_by_role("button", name=f"Export to {STICK}").click()
        result = admin.locator("#export-result")
        expect(result).to_contain_text("written and verified: it is safe to remove the USB stick")
        expect(result).to_contain_text(str(stick))
        folders = list(stick.glob("argus-export-*"))
        assert len(folders) == 1, folders
        assert (folders[0] / "argus-dump.json").stat().st_size > 100
        assert not list(folders[0].rglob(".*.partial"))
    else:
        expect(admin.locator("#usb-summary")).to_contain_text("No USB stick found")
    # NTFS sticks: read where Debian's ntfs-3g is installed, else the page says why not and what to do.
    if Path("/usr/bin/ntfs-3g").exists():
        expect(admin.locator("#usb-formats")).to_have_text("Sticks formatted FAT32, exFAT or NTFS work.")
    else:
        expect(admin.locator("#usb-formats")).to_contain_text("ntfs-3g is not installed")
        expect(admin.locator("#usb-formats")).to_contain_text("Format the stick as exFAT instead.")
    admin.screenshot(path=screenshots / "admin.png", full_page=True)
    assert_accessible(admin, "the admin page")

    # The admin table on a phone: every row and its button on the screen, nothing to scroll sideways.
    admin.set_viewport_size({"width": 390, "height": 844})
    reset = row.get_by_role("button", name="Reset password")
    reset.scroll_into_view_if_needed()
    found = reset.bounding_box()
    assert found and found["x"] >= 0 and found["x"] + found["width"] <= 390, found
    assert admin.evaluate("document.documentElement.scrollWidth") <= 390
    admin.locator("#users-table").scroll_into_view_if_needed()
    admin.screenshot(path=screenshots / "admin-table-on-a-phone.png")
    admin.set_viewport_size({"width": 1280, "height": 900})

    # The teacher forgot their password: the admin sets a new one (this also ends their logins).
    row.get_by_role("button", name="Reset password").click()
    row.get_by_label(f"New password for {TEACHER}").fill(TEACHER_RESET)
    row.get_by_role("button", name="Save").click()
    expect(admin.locator("#toast")).to_contain_text(f"New password saved for {TEACHER}")

    # The teacher, in their own browser: no admin page, and they can change their password.
    teacher_context = browser.new_context(viewport={"width": 1280, "height": 900})
    teacher_context.set_default_timeout(15_000)
    teacher = teacher_context.new_page()
    watch_for_errors(teacher, errors, "teacher")
    teacher.goto(f"{base}/login")
    expect(teacher.locator(".forgot")).to_have_text(
        "Forgot your password? Ask your admin: they can set a new one for you on the Admin page.")
    expect(teacher.locator(".topbar-nav")).to_have_count(0)
    assert_accessible(teacher, "the login page")
    teacher.screenshot(path=screenshots / "login-forgot-your-password.png")
    log_in(teacher, base, TEACHER, TEACHER_RESET)
    expect(teacher.locator(".topbar-nav a", has_text="Admin")).to_have_count(0)
    response = teacher.goto(f"{base}/admin")
    assert response.status == 403
    expect(teacher.locator("h1")).to_have_text("Admins only")
    forget_expected(errors, 403)
    teacher.goto(f"{base}/account")
    teacher.get_by_label("Current password").fill(TEACHER_RESET)
    teacher.get_by_label("New password", exact=True).fill(TEACHER_OWN)
    teacher.get_by_label("New password again").fill(TEACHER_OWN)
    teacher.get_by_role("button", name="Change password").click()
    expect(teacher).to_have_url(re.compile(r"/login\?changed=1$"))
    expect(teacher.locator("#login-note")).to_be_visible()
    log_in(teacher, base, TEACHER, TEACHER_OWN)

    # The admin disables the teacher: logged out at once, and the login page says why they cannot get in.
    admin.reload()
    expect(admin.locator("#tls-summary")).to_contain_text("plain HTTP only")  # this test server has https off
    row.get_by_role("button", name="Disable").click()
    expect(admin.locator("#toast")).to_contain_text(f"{TEACHER} is disabled")
    expect(row).to_contain_text("Disabled")
    assert teacher.request.get(f"{base}/api/v1/me").status == 401
    teacher.goto(f"{base}/login")
    teacher.get_by_label("Username").fill(TEACHER)
    teacher.get_by_label("Password").fill(TEACHER_OWN)
    teacher.get_by_role("button", name="Log in").click()
    expect(teacher.locator("#login-error")).to_contain_text("disabled")
    forget_expected(errors, 403)
    # ...and deletes the account: it leaves the list, and the audit log tells the story newest first.
    admin.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete").click()
    expect(admin.locator("#toast")).to_contain_text(f"{TEACHER} is deleted")
    expect(admin.locator("#users-body tr")).to_have_count(1)
    actions = admin.locator("#audit-body tr")
    expect(actions.first).to_have_attribute("data-action", "user.delete")
    expect(actions).to_have_count(4)  # create, password reset, disable, delete
    expect(actions.first).to_contain_text(ADMIN)

    for context in (admin_context, teacher_context):
        context.close()
    assert not errors, "errors in the pages:\n" + "\n".join(errors)
    if why_not:
        pytest.skip(f"USB export part skipped: {why_not}")


# ---------------------------------------------------------------- the demo appliance: lesson extras and reports

FIRST_QUESTION = "What is 7 × 8?"
QUICK_QUESTION = "Is a tomato a fruit?"


@pytest.fixture
def demo_teacher(demo_server, browser):
    """A logged-in demo teacher page and a list collecting its script errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    watch_for_errors(page, errors, "teacher")
    page.on("dialog", lambda dialog: dialog.accept())  # "end the running session?" prompts
    log_in(page, demo_server, "demo", "demo")
    yield page, errors
    context.close()
    assert not errors, "errors in the pages:\n" + "\n".join(errors)


def start_from_dashboard(page: Page, base: str, quiz: str, anonymous: bool = False) -> int:
    page.goto(f"{base}/")
    page.get_by_label("Class").select_option(label="Demo class (30 students)")
    page.locator("#quiz-select").select_option(
        page.locator("#quiz-select option", has_text=quiz).get_attribute("value"))
    if anonymous:
        page.get_by_label("Anonymous (no names on screen)").check()
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/session/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def wait_for_answers(page: Page, at_least: int) -> None:
    page.wait_for_function("n => Number(document.getElementById('answered-count').textContent) >= n",
                           arg=at_least, timeout=ANSWER_WAIT_MS)


def wait_for_a_changed_answer(page: Page, base: str, session_id: int) -> None:
    """Some simulated students turn their card a second or two after raising it; wait for one of those."""
    deadline = time.monotonic() + ANSWER_WAIT_MS / 1000
    while time.monotonic() < deadline:
        view = page.request.get(f"{base}/api/v1/sessions/{session_id}").json()
        if any(r["first_answer"] != r["answer"] for r in view["responses"]):
            return
        page.wait_for_timeout(300)
    pytest.fail("no simulated student changed their answer")


def test_ask_again_quick_question_results_and_reports(demo_server, demo_teacher, screenshots):
    base = demo_server
    page, _ = demo_teacher
    session_id = start_from_dashboard(page, base, "Demo quiz")
    expect(page.locator("#anonymous-pill")).to_be_hidden()

    # Question 1, paused and resumed (the countdown stays put while paused), closed and revealed.
    expect(page.locator("#main-button")).to_have_text("Open question 1")
    page.locator("#main-button").click()
    expect(page.locator("#question-text")).to_have_text(FIRST_QUESTION)
    expect(page.locator("#reask-button")).to_be_disabled()  # nothing new may open while a question is open
    expect(page.locator("#quick-button")).to_be_disabled()
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#state-pill")).to_have_text("Paused")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#state-pill")).to_have_text("Open: cards are being read")
    wait_for_answers(page, 15)
    wait_for_a_changed_answer(page, base, session_id)
    page.locator("#main-button").click()  # Close
    expect(page.locator("#state-pill")).to_have_text("Closed")
    page.locator("#main-button").click()  # Reveal
    expect(page.locator("#state-pill")).to_have_text("Answer revealed")

    # Ask again: a copy of question 1 is added as a new round and opens at once, still called question 1.
    page.get_by_role("button", name="Ask again").click()
    expect(page.locator("#question-label")).to_have_text("Question 1, asked again")
    expect(page.locator("#question-text")).to_have_text(FIRST_QUESTION)
    expect(page.locator("#state-pill")).to_have_text("Open: cards are being read")
    wait_for_answers(page, 10)
    page.locator("#main-button").click()
    expect(page.locator("#state-pill")).to_have_text("Closed")

    # A quick question typed in during the lesson, with a time limit: the countdown runs on the teacher page.
    page.get_by_role("button", name="Quick question").click()
    page.get_by_role("button", name="Ask now").click()
    expect(page.locator("#quick-error")).to_have_text("Type the question.")
    page.get_by_label("Type").select_option("truefalse")
    expect(page.get_by_label("Answer A")).to_have_value("True")
    page.get_by_label("Question", exact=True).fill(QUICK_QUESTION)
    page.get_by_label("Right answer").select_option("A")
    page.get_by_label("Time limit in seconds").fill("2")
    page.get_by_role("button", name="Ask now").click()
    expect(page.locator("#quick-error")).to_contain_text("from 5 to 3600")
    page.get_by_label("Time limit in seconds").fill("40")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky controls would cover the form in a full-page shot
    page.screenshot(path=screenshots / "session-quick-question.png", full_page=True)
    page.get_by_role("button", name="Ask now").click()
    expect(page.locator("#quick-card")).to_be_hidden()
    expect(page.locator("#question-text")).to_have_text(QUICK_QUESTION)
    expect(page.locator("#question-label")).to_have_text("Quick question 1")
    expect(page.locator("#options .option")).to_have_count(2)
    expect(page.locator("#countdown")).to_have_text(re.compile(r"0:[0-4]\d"))
    wait_for_answers(page, 10)
    page.locator("#main-button").click()
    expect(page.locator("#state-pill")).to_have_text("Closed")
    page.locator("#end-button").click()
    expect(page.locator("#state-pill")).to_have_text("Session ended")

    # Results: first vs final answer wherever they differ, as many as the API says.
    page.locator("#results-link").click()
    expect(page).to_have_url(f"{base}/results/{session_id}")
    # One block per question: the question asked again is one item with its rounds side by side.
    expect(page.locator(".question-result")).to_have_count(6)
    expect(page.locator(".question-result .rounds-side .round")).to_have_count(2)
    results = page.request.get(f"{base}/api/v1/sessions/{session_id}/results").json()
    assert len(results["items"]) == 6 and len(results["questions"]) == 7
    # Per question, the first answer over its rounds against the one that counts.
    changed = sum(1 for s in results["students"] for a in s["items"]
                  if a["answer"] and a["first"] and a["answer"] != a["first"])
    assert changed > 0, "the simulated class changes some answers; none came through"
    expect(page.locator("#students-body td.changed")).to_have_count(changed)
    expect(page.locator("#students-body td.changed .first-answer").first).to_be_visible()
    expect(page.locator("#changes-hint")).to_contain_text(f"{changed} changed answer")
    expect(page.get_by_role("button", name="Print")).to_be_visible()

    # The class report: gradebook score as in the results, charts drawn from the server's SVG.
    page.get_by_role("link", name="Demo class: class report").click()
    expect(page).to_have_url(re.compile(r"/classes/\d+/report$"))
    expect(page.locator("#class-name")).to_have_text("Demo class")
    expect(page.locator("#gradebook-body tr")).to_have_count(30)
    # Scores are out of the questions actually asked that have a right answer, a re-asked one counted once.
    graded = len({q["root"] for q in results["questions"] if q["correct"] and q["asked"]})
    assert graded < sum(1 for q in results["questions"] if q["correct"] and q["asked"])
    student = next(s for s in sorted(results["students"], key=lambda s: s["card"]) if s["answered"])
    assert student["graded"] == graded
    row = page.locator("#gradebook-body tr", has=page.get_by_role("link", name=student["name"], exact=True))
    expect(row.locator("td.score-cell").last).to_have_text(f"{student['score']} / {graded}")
    # The hardest questions as HTML bars (their maths drawn), one per question however often asked.
    hardest = page.get_by_role("list", name="Hardest questions (% correct)")
    trends = page.request.get(f"{base}/api/v1/classes/{results['session']['class_id']}/trends").json()
    expect(hardest.locator("li")).to_have_count(min(10, len(trends["difficulty"])))
    keys = [(d["session_id"], d["question"]) for d in trends["difficulty"]]
    assert len(keys) == len(set(keys)), "a question asked again is one bar"
    charts = page.locator("img.chart-image")
    expect(charts).to_have_count(1)
    expect(charts.first).to_have_attribute("alt", "Participation per session")
    page.wait_for_function("() => [...document.querySelectorAll('img.chart-image')]"
                           ".every(img => img.complete && img.naturalWidth > 0)")
    # Shown as images, never inserted as markup: nothing in a chart can run or restyle the page.
    assert charts.first.get_attribute("src").startswith("data:image/svg+xml")
    assert page.locator("main svg").count() == 0
    csv = page.request.get(f"{base}{page.get_by_role('link', name='Download gradebook CSV').get_attribute('href')}")
    assert csv.ok and student["name"] in csv.text()
    # A European teacher's CSV: semicolons and decimal commas, chosen once and remembered by the server.
    page.get_by_label("CSV separator").select_option(";")
    csv_link = page.get_by_role("link", name="Download gradebook CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"gradebook\.csv\?sep=%3B$"))
    european = page.request.get(f"{base}{csv_link.get_attribute('href')}")
    assert european.text().lstrip("\ufeff").startswith("Student;Card;")
    page.get_by_label("CSV separator").select_option("")
    assert page.request.get(f"{base}{csv_link.get_attribute('href')}").text() == european.text()
    page.request.get(f"{base}{csv_link.get_attribute('href')}?sep=,")  # back to commas for what follows
    xlsx_link = page.get_by_role("link", name="Download gradebook (.xlsx)")
    book = page.request.get(f"{base}{xlsx_link.get_attribute('href')}")
    assert book.ok and book.body()[:2] == b"PK"
    canvas = page.request.get(f"{base}{page.get_by_role('link', name='Canvas gradebook CSV').get_attribute('href')}")
    assert canvas.text().startswith("Student,ID,SIS User ID,SIS Login ID,Section,")
    expect(page.get_by_role("link", name="OneRoster results (.zip)")).to_be_hidden()  # not a OneRoster class
    page.screenshot(path=screenshots / "class-report.png", full_page=True)

    # One student's history, printable.
    row.get_by_role("link", name=student["name"], exact=True).click()
    expect(page).to_have_url(f"{base}/students/{student['student_id']}")
    expect(page.locator("#student-name")).to_have_text(student["name"])
    history_row = page.locator("#history-body tr", has=page.get_by_role("link", name="Demo quiz"))
    expect(history_row.locator(".score-cell")).to_have_text(f"{student['score']} / {graded}")
    # The quiz's unasked questions do not count; a question asked again counts once.
    asked = len({q["root"] for q in results["questions"] if q["asked"]})
    expect(history_row).to_contain_text(f"{student['answered']} of {asked}")
    expect(page.locator("#back-link")).to_have_text("← Demo class")
    page.screenshot(path=screenshots / "student-history.png", full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator("#history-body tr")).to_have_count(1)
    page.emulate_media(media="screen")


def test_anonymous_quick_questions_session_shows_no_names(demo_server, demo_teacher):
    base = demo_server
    page, _ = demo_teacher
    start_from_dashboard(page, base, "Quick questions only", anonymous=True)
    expect(page.locator("#anonymous-pill")).to_be_visible()
    expect(page.locator("#question-text")).to_contain_text("Quick questions only")
    expect(page.locator("#main-button")).to_have_text("Ask a quick question")
    expect(page.locator("#roster .student")).to_have_count(30)

    page.get_by_role("button", name="Quick question").click()
    page.get_by_label("Question", exact=True).fill("Which is bigger?")
    page.get_by_label("Answer A").fill("3/4")
    page.get_by_label("Answer B").fill("2/3")
    page.get_by_label("Right answer").select_option("A")
    page.get_by_role("button", name="Ask now").click()
    expect(page.locator("#question-text")).to_have_text("Which is bigger?")
    wait_for_answers(page, 10)  # live responses arrive, still without names
    page.locator("#main-button").click()  # Close
    expect(page.locator("#state-pill")).to_have_text("Closed")
    page.locator("#main-button").click()  # Reveal
    expect(page.locator("#state-pill")).to_have_text("Answer revealed")
    roster = page.locator("#roster").inner_text()
    for name in DEMO_NAMES:
        assert name not in roster, f"{name} shown in an anonymous session"
    names = page.locator("#roster .name").all_inner_texts()
    assert names and all(re.fullmatch(r"Card \d+", n) for n in names)
    expect(page.locator("#main-button")).to_have_text("End the lesson")  # nothing comes next
    page.locator("#main-button").click()
    expect(page.locator("#state-pill")).to_have_text("Session ended")

    # Its results keep the names hidden too, until the teacher asks for them.
    page.locator("#results-link").click()
    expect(page.locator("#students-body tr")).to_have_count(30)
    row_names = page.locator("#students-body th").all_inner_texts()
    assert all(re.fullmatch(r"Card \d+", n) for n in row_names), row_names
    page.get_by_role("button", name="Show names").click()
    expect(page.locator("#students-body th").first).to_have_text("Ava")


def test_camera_check_shows_a_live_picture_and_the_cards(demo_server, demo_teacher, screenshots):
    base = demo_server
    page, _ = demo_teacher
    # The simulated class raises cards only while a question is open.
    classes = page.request.get(f"{base}/api/v1/classes").json()
    quizzes = page.request.get(f"{base}/api/v1/quizzes").json()
    session = page.request.post(f"{base}/api/v1/sessions", data={"class_id": classes[0]["id"],
                                                                 "quiz_id": quizzes[0]["id"]}).json()
    assert page.request.post(f"{base}/api/v1/sessions/{session['id']}/open", data={"question": 0}).ok

    page.goto(f"{base}/camera")
    expect(page.locator("#camera-status")).to_contain_text("Camera OK")
    expect(page.locator("main")).to_contain_text("hold up their card with A on top")
    expect(page.get_by_label("Class")).to_have_value(str(classes[0]["id"]))  # the only class is picked
    preview = page.locator("#preview")
    page.wait_for_function("() => { const i = document.getElementById('preview'); "
                           "return i.complete && i.naturalWidth > 0; }")
    first_src = preview.get_attribute("src")
    expect(preview).not_to_have_attribute("src", first_src, timeout=5_000)  # refreshed about once a second
    page.wait_for_function("() => document.querySelectorAll('#seen-body tr').length >= 10", timeout=ANSWER_WAIT_MS)
    expect(page.locator("#seen-body tr").first.locator(".chip")).to_have_text(re.compile(r"^[A-D]$"))
    expect(page.locator("#seen-body tr").first).to_contain_text(re.compile(r"\d+ px"))
    missing = int(page.locator("#missing-count").inner_text())
    assert missing < 30 and page.locator("#missing-list li").count() == missing
    expect(page.locator("#smallest")).to_contain_text(re.compile(r"Smallest card read: \d+ px"))
    expect(page.locator("#distance")).to_have_text(
        re.compile(r"cards of 148 mm are readable up to ~\d+\.\d m, 100 mm up to ~\d+\.\d m"))
    page.screenshot(path=screenshots / "camera-check.png", full_page=True)
    assert page.request.post(f"{base}/api/v1/sessions/{session['id']}/end").ok
