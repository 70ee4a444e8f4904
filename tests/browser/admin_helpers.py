"""The demo admin logged in, in a fresh browser context: the start of every admin-page browser test."""
from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page, expect


def demo_admin(browser: Browser, base: str, errors: list[str], **context_options) -> tuple[BrowserContext, Page]:
    """A context (1280 x 900, 15 s timeouts) with the demo admin logged in; page errors land in `errors`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")
    return context, page
