"""Cloud sync set up from the admin page only, in chromium, against the real SeaweedFS and WebDAV servers of
tests/sync/: a wrong secret found by "Test connection", the right one tested, saved and delivering a lesson;
then WebDAV; then back to config.toml. Every state is checked with axe; screenshots are kept."""
from __future__ import annotations

import obstore
import pytest
from playwright.sync_api import expect

from tests.browser.admin_helpers import demo_admin
from tests.browser.axe import assert_accessible
from tests.browser.conftest import run_appliance
from tests.sync.conftest import ACCESS_KEY, SECRET_KEY, webdav, weed  # noqa: F401 - the real servers, as fixtures

pytestmark = pytest.mark.browser


def _lesson(page, base) -> None:
    classes = page.request.get(f"{base}/api/v1/classes").json()
    started = page.request.post(f"{base}/api/v1/sessions", data={"class_id": classes[0]["id"]},
                                headers={"Origin": base})
    assert started.ok, started.text()
    ended = page.request.post(f"{base}/api/v1/sessions/{started.json()['id']}/end", headers={"Origin": base})
    assert ended.ok, ended.text()


def test_admin_sets_up_sync_on_the_page_and_sees_it_deliver(tmp_path, browser, screenshots, weed, webdav):  # noqa: F811
    with run_appliance(["--demo", "--data-dir", str(tmp_path / "data")], tmp_path) as base:
        errors: list[str] = []
        context, page = demo_admin(browser, base, errors)
        context.set_default_timeout(20_000)
        page.goto(f"{base}/admin")
        card = page.locator("section", has=page.get_by_role("heading", name="Cloud sync"))
        expect(card.locator("#sync-source")).to_contain_text("config.toml")
        expect(card.locator('[data-stat="state"] dd')).to_have_text("Off (no target set up)")

        # S3 with a wrong secret: "Test connection" (by keyboard) says what is wrong; nothing is saved.
        card.get_by_label("Where results go").select_option("s3")
        expect(card.get_by_label("WebDAV login name")).to_be_hidden()
        card.get_by_label("Address").fill("s3://results/browser")
        card.get_by_label("Endpoint").fill(weed.endpoint)
        card.get_by_label("Region").fill("us-east-1")
        card.get_by_label("Access key id").fill(ACCESS_KEY)
        card.get_by_label("Secret access key").fill("not-the-secret")
        card.get_by_label("Send every (seconds)").fill("3600")
        card.get_by_role("button", name="Test connection").focus()
        page.keyboard.press("Enter")
        expect(card.locator("#sync-form-error")).to_contain_text("the secret access key is wrong")
        page.screenshot(path=screenshots / "admin-sync-setup-wrong-key.png", full_page=True)
        assert_accessible(page, "the sync set-up after a failed test")

        card.get_by_label("Secret access key").fill(SECRET_KEY)
        card.get_by_role("button", name="Test connection").click()
        expect(card.locator("#sync-form-ok")).to_contain_text("Connection works")
        card.get_by_role("button", name="Save and use").click()
        expect(card.locator("#sync-form-ok")).to_contain_text("Saved")
        expect(card.locator("#sync-source")).to_contain_text("saved on this page (credentials saved)")
        expect(card.get_by_label("Secret access key")).to_have_value("")  # never shown again
        expect(card.locator('[data-stat="target"] dd')).to_have_text("s3://results/browser")
        assert SECRET_KEY not in page.content()

        _lesson(page, base)
        card.get_by_role("button", name="Sync now").click()
        expect(card.locator("#sync-result")).to_contain_text("Everything is delivered.")
        expect(card.locator('[data-stat="state"] dd')).to_have_text("On · everything delivered")
        page.screenshot(path=screenshots / "admin-sync-setup-s3-delivered.png", full_page=True)
        assert_accessible(page, "the sync card delivering to S3")

        # WebDAV instead, from the same form.
        card.get_by_label("Where results go").select_option("webdav")
        card.get_by_label("Address").fill("webdav+" + webdav.url)
        card.get_by_label("WebDAV login name").fill("argus")
        card.get_by_label("WebDAV password").fill("dav-password")
        card.get_by_role("button", name="Save and use").click()
        expect(card.locator('[data-stat="target"] dd')).to_have_text("webdav+" + webdav.url)
        _lesson(page, base)
        card.get_by_role("button", name="Sync now").click()
        expect(card.locator("#sync-result")).to_contain_text("Everything is delivered.")
        delivered = [p.name for p in webdav.root.rglob("*.ndjson.gz")]
        assert delivered, [str(p) for p in webdav.root.rglob("*")]
        page.screenshot(path=screenshots / "admin-sync-setup-webdav.png", full_page=True)

        # Back to config.toml (sync off there).
        page.once("dialog", lambda dialog: dialog.accept())
        card.get_by_role("button", name="Use config.toml instead").click()
        expect(card.locator("#sync-source")).to_contain_text("config.toml")
        expect(card.locator('[data-stat="state"] dd')).to_have_text("Off (no target set up)")
        assert_accessible(page, "the sync card back on config.toml")
        context.close()
    assert not errors, errors
    names = [m["path"] for chunk in obstore.list(weed.store("results")) for m in chunk]
    assert any(n.endswith(".ndjson.gz") for n in names), names
    assert not any("argus-probe" in n for n in names), names
