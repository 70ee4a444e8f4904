"""Every page the app has, with axe-core (WCAG 2.2 A/AA) in the state a teacher sees it, and focus you can see.

The sweep visits each page route; every page's <body> names its template (base.html), so the last test fails
when a template in web/templates was never checked here — a new page cannot ship without an axe run. The focus
test reaches each kind of control by Tab, as a keyboard user would, and measures the ring's contrast against
what is behind it (WCAG 2.2 asks 3:1 for focus indicators).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import REPO, run_appliance
from tests.browser.lesson_helpers import act, demo_class_id, log_in, start_session

pytestmark = pytest.mark.browser

TEMPLATES = REPO / "web" / "templates"
CHECKED: set[str] = set()  # templates axe has run on in this module
MIN_FOCUS_CONTRAST = 3.0


def page_templates() -> set[str]:
    """Templates that are pages: not the base layout and not `_partials`."""
    return {p.name for p in TEMPLATES.glob("*.html") if p.name != "base.html" and not p.name.startswith("_")}


def settled(page: Page) -> None:
    """The shell has fetched what it shows: no "Loading…" left."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.body.innerText.includes('Loading…')", timeout=15_000)


def check(page: Page, where: str) -> None:
    settled(page)
    assert_accessible(page, where)
    CHECKED.add(page.locator("body").get_attribute("data-template"))


def demo_quiz_id(page: Page, base: str) -> int:
    return next(q["id"] for q in page.request.get(f"{base}/api/v1/quizzes").json() if q["title"] == "Demo quiz")


@pytest.fixture(scope="module")
def unclaimed_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("argus-unclaimed")
    config = workdir / "config.toml"
    config.write_text("[server]\nhttps = false\n[mdns]\nenabled = false\n")
    with run_appliance(["--camera", "sim", "--host", "127.0.0.1", "--data-dir", str(workdir / "data"),
                        "--config", str(config)], workdir) as base:
        yield base


def test_axe_on_every_page(browser, demo_server, unclaimed_server, screenshots):
    base = demo_server
    for width, height in ((1280, 800), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto(f"{unclaimed_server}/setup")
        check(page, f"the setup page at {width}×{height}")

        page.goto(f"{base}/login")
        check(page, f"the login page at {width}×{height}")
        log_in(page, base, "/")
        check(page, f"the dashboard at {width}×{height}")
        class_id = demo_class_id(page, base)
        student_id = page.request.get(f"{base}/api/v1/classes/{class_id}").json()["students"][0]["id"]
        quiz_id = demo_quiz_id(page, base)
        for path, what in (("/classes", "the classes list"), (f"/classes/{class_id}", "a class"),
                           (f"/classes/{class_id}/report", "a class report"), (f"/students/{student_id}",
                           "a student's history"), ("/quizzes", "the quiz library"), ("/quizzes/new", "a new quiz"),
                           (f"/quizzes/{quiz_id}/edit", "a quiz in the editor"), ("/cards", "the cards page"),
                           ("/camera", "the camera check"), ("/admin", "the admin page"),
                           ("/account", "the account page"), ("/projector", "the projector, waiting"),
                           ("/student", "the student page, waiting")):
            page.goto(f"{base}{path}")
            check(page, f"{what} at {width}×{height}")

        session_id = start_session(page, base, quiz_id)
        act(page, base, session_id, "open", {"question": 0})
        page.goto(f"{base}/session/{session_id}")
        expect(page.locator("#main-button")).to_be_enabled()
        check(page, f"a lesson with a question open at {width}×{height}")
        page.screenshot(path=screenshots / f"every-page-session-{width}.png", full_page=True)
        page.goto(f"{base}/projector")
        check(page, f"the projector with a question open at {width}×{height}")
        page.goto(f"{base}/student")
        check(page, f"the student page with a question open at {width}×{height}")
        act(page, base, session_id, "end")
        # An ended lesson's page leads with its results, not a row of greyed-out controls.
        page.goto(f"{base}/session/{session_id}")
        expect(page.locator("#results-link")).to_be_visible()
        expect(page.locator("#action-bar")).to_be_hidden()
        expect(page.locator(".controls")).to_be_hidden()
        expect(page.locator("#roster")).to_be_visible()  # corrections by hand stay possible
        check(page, f"an ended lesson at {width}×{height}")
        page.locator("#results-link").click()
        expect(page).to_have_url(f"{base}/results/{session_id}")
        check(page, f"the results of an ended lesson at {width}×{height}")
        page.goto(f"{base}/quizzes/{quiz_id}/analysis")
        expect(page.locator("#item-analysis")).not_to_contain_text("Loading")
        check(page, f"the quiz's item analysis over its ended lessons at {width}×{height}")
        context.close()


def test_every_page_template_had_an_axe_run():
    """Runs after the sweep (same module, file order): a template no test visited fails here by name."""
    assert CHECKED, "the sweep above did not run"
    missing = page_templates() - CHECKED
    assert not missing, f"page templates without an axe run in tests/browser/test_every_page.py: {sorted(missing)}"


# ---------- focus rings ----------

RING = """el => {
  const cs = getComputedStyle(el);
  let ring = null, width = 0;
  if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) {
    ring = cs.outlineColor; width = parseFloat(cs.outlineWidth);
  } else if (cs.boxShadow !== 'none') {
    ring = cs.boxShadow.match(/rgba?\\([^)]+\\)/)[0];
    width = parseFloat(cs.boxShadow.replace(/rgba?\\([^)]+\\)/, '').trim().split(/\\s+/)[3] || '0');
  }
  // The ring sits outside the control (offset or spread), so behind it is the nearest painted ancestor.
  const layers = [];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    layers.push(bg);
    if (/^rgb\\(/.test(bg)) break;  // opaque
  }
  return {ring, width, layers};
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def _over(top: tuple, below: tuple[float, float, float]) -> tuple[float, float, float]:
    alpha = top[3]
    return tuple(top[i] * alpha + below[i] * (1 - alpha) for i in range(3))


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ring_contrast(page: Page, selector: str) -> tuple[float, dict]:
    """Tab until `selector` has focus (a control a keyboard cannot reach fails), then measure its ring."""
    for _ in range(250):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"{selector} was never reached by Tab")
    found = page.evaluate(f"({RING})(document.activeElement)")
    assert found["ring"], f"{selector} shows no focus ring: {found}"
    behind = (255.0, 255.0, 255.0)  # the canvas
    for layer in reversed(found["layers"]):
        behind = _over(_rgba(layer), behind)
    ring = _over(_rgba(found["ring"]), behind)
    return contrast(ring, behind), found


CONTROLS = [  # (path, selector, kind)
    ("/login", "#username", "text input"),
    ("/login", "button[type=submit]", "primary button"),
    ("/", ".topbar-nav a[href='/classes']", "header link on the navy header"),
    ("/", "#logout", "header button"),
    ("/", "#class-select", "select"),
    ("/", "#anonymous", "checkbox"),
    ("/", ".page-foot a", "link on the page"),
    ("/classes/{class_id}", "textarea", "text area"),
    ("/account", "input[type=password]", "password input"),
]


def test_focus_rings_have_3_to_1_against_what_is_behind(browser, demo_server):
    base = demo_server
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    measured = []
    class_id = None
    for path, selector, kind in CONTROLS:  # the login page's controls first, then logged in
        if path != "/login" and class_id is None:
            log_in(page, base, "/")
            class_id = demo_class_id(page, base)
        page.goto(f"{base}{path.format(class_id=class_id)}")
        settled(page)
        ratio, found = ring_contrast(page, selector)
        measured.append(f"{kind}: {ratio:.2f}:1 ({found['ring']} on {found['layers'][-1]}, {found['width']} px)")
        assert ratio >= MIN_FOCUS_CONTRAST, f"the focus ring of a {kind} ({path} {selector}) is {ratio:.2f}:1: {found}"
        assert found["width"] >= 2, f"the focus ring of a {kind} is {found['width']} px thin"
    print("\n".join(measured))
    context.close()
