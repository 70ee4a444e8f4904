"""The login page's script, in chromium: after logging in it goes only to a path on this site, however the
`next` parameter was crafted (browsers drop tabs and newlines and read a backslash as a slash)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("bad", ["/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "//evil.example",
                                 "/%5Cevil.example", "https://evil.example/",
                                 "/..//evil.example", "/.//evil.example"])
def test_logging_in_never_leaves_the_site(demo_server, browser, bad):
    context = browser.new_context()
    try:
        page = context.new_page()
        off_site = []
        page.on("request", lambda request: "evil.example" in request.url.split("?")[0] and off_site.append(request.url))
        page.goto(f"{demo_server}/login?next={bad}")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{demo_server}/")
        assert not off_site, off_site
    finally:
        context.close()


def test_a_path_on_the_site_is_kept(demo_server, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{demo_server}/login?next=/admin")
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{demo_server}/admin")
    finally:
        context.close()
