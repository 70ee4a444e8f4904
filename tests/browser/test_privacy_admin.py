"""The admin page's privacy card, in chromium against a running demo appliance: the link to the page for the
data-protection officer, a student's data downloaded (one zip), an erasure refused during the class's lesson and
done after it, with the audit log keeping no name. Every state is checked with axe; screenshots are kept."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.admin_helpers import demo_admin
from tests.browser.axe import assert_accessible
from tests.browser.conftest import run_appliance

pytestmark = pytest.mark.browser


def test_admin_exports_and_erases_a_student(tmp_path, browser, screenshots):
    config = tmp_path / "argus.toml"
    config.write_text("[privacy]\nkeep_names_days = 365\n")
    with run_appliance(["--demo", "--data-dir", str(tmp_path / "data"), "--config", str(config)], tmp_path) as base:
        errors: list[str] = []
        context, page = demo_admin(browser, base, errors, accept_downloads=True)
        page.goto(f"{base}/admin")
        card = page.locator("section", has=page.get_by_role("heading", name="Privacy", exact=True))
        expect(card.locator("#privacy-retention")).to_contain_text("365 days after their last lesson")
        policy = page.request.get(f"{base}{card.get_by_role('link', name='How Argus handles students').get_attribute('href')}")
        assert policy.ok and "Camera pictures" in policy.text()

        card.get_by_label("Class").select_option(label="Demo class")
        card.get_by_label("Student").select_option(label="Ben (card 2)")
        with page.expect_download() as download:
            card.get_by_role("link", name="Download their data").click()
        saved = tmp_path / "ben.zip"
        download.value.save_as(saved)
        archive = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
        assert json.loads(archive.read("student.json"))["student"]["name"] == "Ben"
        assert "answers.csv" in archive.namelist()
        page.screenshot(path=screenshots / "admin-privacy.png", full_page=True)
        assert_accessible(page, "the admin page's privacy card")

        # During the class's lesson the erasure is refused, in words.
        classes = page.request.get(f"{base}/api/v1/classes").json()
        started = page.request.post(f"{base}/api/v1/sessions", data={"class_id": classes[0]["id"]},
                                    headers={"Origin": base})
        assert started.ok, started.text()
        page.once("dialog", lambda dialog: dialog.accept())
        card.get_by_role("button", name="Erase this student").click()
        result = card.locator("#privacy-result")
        expect(result).to_contain_text("✗ Not erased")
        expect(result).to_contain_text("in a lesson now")
        assert_accessible(page, "the privacy card after a refused erasure")
        ended = page.request.post(f"{base}/api/v1/sessions/{started.json()['id']}/end", headers={"Origin": base})
        assert ended.ok, ended.text()

        # After the lesson, by keyboard: the erasure goes through and Ben is gone from the list.
        page.once("dialog", lambda dialog: dialog.accept())
        card.get_by_role("button", name="Erase this student").focus()
        page.keyboard.press("Enter")
        expect(result).to_contain_text("✓ Ben is erased.")
        expect(card.get_by_label("Student").locator("option", has_text="Ben (card 2)")).to_have_count(0)
        page.screenshot(path=screenshots / "admin-privacy-erased.png", full_page=True)
        assert_accessible(page, "the privacy card after an erasure")
        audit = page.request.get(f"{base}/api/v1/audit").json()
        assert any(e["action"] == "student.erase" for e in audit)
        assert not any("Ben" in e["detail"] for e in audit)
        context.close()
    assert not errors, errors
