"""The admin page's backups card, in chromium against a running demo appliance: the list, "Back up now" by
keyboard, a download, a restore from the list (the appliance keeps running, the page reloads onto the restored
state) and a refused restore of a file that is no backup (nothing changes). Every state is checked with axe."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.admin_helpers import demo_admin
from tests.browser.axe import assert_accessible
from tests.browser.conftest import run_appliance

pytestmark = pytest.mark.browser


def _class_names(page, base) -> set[str]:
    return {c["name"] for c in page.request.get(f"{base}/api/v1/classes").json()}


def test_admin_backs_up_downloads_restores_and_is_refused_a_bad_file(tmp_path, browser, screenshots):
    with run_appliance(["--demo", "--data-dir", str(tmp_path / "data")], tmp_path) as base:
        errors: list[str] = []
        context, page = demo_admin(browser, base, errors, accept_downloads=True)
        page.goto(f"{base}/admin")
        card = page.locator("section", has=page.get_by_role("heading", name="Backups"))
        rows = card.locator("#backups-body tr")
        expect(rows).to_have_count(1)  # the one the appliance made when it started
        expect(rows.first).to_contain_text("Every day (automatic)")
        expect(card.locator("#backups-summary")).to_contain_text("1 kept")
        assert_accessible(page, "the admin page's backups card")

        # Back up now, by keyboard.
        card.get_by_role("button", name="Back up now").focus()
        page.keyboard.press("Enter")
        expect(rows).to_have_count(2)
        manual = card.locator('#backups-body tr[data-kind="manual"]')
        expect(manual).to_contain_text("An admin")
        expect(manual).to_contain_text(re.compile(r"\d+ KB"))
        with page.expect_download() as download:
            manual.get_by_role("link", name=re.compile("Download")).click()
        saved = tmp_path / "downloaded.db"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"SQLite format 3\x00")
        page.screenshot(path=screenshots / "admin-backups.png", full_page=True)

        # A change after the backup; then the backup is restored from the list, and the change is gone.
        made = page.request.post(f"{base}/api/v1/classes", data={"name": "Made after the backup"},
                                 headers={"Origin": base})
        assert made.ok, made.text()
        page.once("dialog", lambda dialog: dialog.accept())
        manual.get_by_role("button", name=re.compile("Restore")).click()
        result = card.locator("#restore-result")
        expect(result).to_contain_text("✓ Restored")
        expect(result).to_contain_text("argus-before-restore-")
        page.screenshot(path=screenshots / "admin-backups-restored.png", full_page=True)
        assert_accessible(page, "the admin page after a restore")
        page.wait_for_load_state("load")
        expect(card.locator('#backups-body tr[data-kind="before-restore"]')).to_have_count(1, timeout=20_000)
        expect(card.locator('#backups-body tr[data-kind="before-restore"]')).to_contain_text(
            "Before a restore (automatic)")
        assert "Made after the backup" not in _class_names(page, base)

        # A file that is no backup is refused, with the reason, and nothing changes.
        junk = tmp_path / "grades.db"
        junk.write_bytes(b"name,grade\nAva,A\n" * 100)
        count = rows.count()
        card.get_by_label("Backup file (.db)").set_input_files(str(junk))
        page.once("dialog", lambda dialog: dialog.accept())
        card.get_by_role("button", name="Restore this file").click()
        expect(result).to_contain_text("✗ Not restored")
        expect(result).to_contain_text("not a SQLite database")
        expect(result).to_contain_text("Nothing was changed.")
        expect(rows).to_have_count(count)
        page.screenshot(path=screenshots / "admin-backups-refused.png", full_page=True)
        assert_accessible(page, "the admin page after a refused restore")
        context.close()
    assert not errors, errors
