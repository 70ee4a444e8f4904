"""The admin page's cloud sync card, in chromium: state, "N pending since", the alert, on/off and Sync now by
keyboard, and the public key. The target is an S3 endpoint nobody listens on (a school's bucket that is down);
delivery itself is tested against real servers in tests/sync/."""
from __future__ import annotations

import os
import re

from playwright.sync_api import expect

from tests.browser.admin_helpers import demo_admin
from tests.browser.conftest import free_port, run_appliance


def test_admin_sees_sync_state_and_turns_it_off_and_on(tmp_path, browser, screenshots):
    creds = tmp_path / "s3.toml"
    creds.write_text('access_key_id = "k"\nsecret_access_key = "s"\n')
    os.chmod(creds, 0o600)
    config = tmp_path / "argus.toml"
    config.write_text(f'[sync]\ntarget = "s3://results/school"\nendpoint = "http://127.0.0.1:{free_port()}"\n'
                      f'credentials_file = "{creds}"\ninterval_seconds = 1.0\ntimeout_seconds = 2.0\n')
    with run_appliance(["--demo", "--data-dir", str(tmp_path / "data"), "--config", str(config)], tmp_path) as base:
        errors: list[str] = []
        context, page = demo_admin(browser, base, errors)
        # A session makes events to send; the target is down, so they wait.
        classes = page.request.get(f"{base}/api/v1/classes").json()
        started = page.request.post(f"{base}/api/v1/sessions", data={"class_id": classes[0]["id"]},
                                    headers={"Origin": base})
        assert started.ok, started.text()
        page.goto(f"{base}/admin")
        card = page.locator("section", has=page.get_by_role("heading", name="Cloud sync"))
        expect(card.locator('[data-stat="target"] dd')).to_have_text("s3://results/school")
        expect(card.locator('[data-stat="state"] dd')).to_contain_text("retrying", timeout=20_000)
        expect(card.locator('[data-stat="pending"] dd')).to_contain_text(re.compile(r"\d+ events, 0 files pending since"))
        expect(card.locator('[data-stat="last-error"] dd')).to_contain_text("S3 upload failed")
        expect(card.locator("#sync-public-key")).to_contain_text("BEGIN PUBLIC KEY")
        key = page.request.get(f"{base}{card.get_by_role('link', name='Download the public key (PEM)').get_attribute('href')}")
        assert key.ok and key.text().startswith("-----BEGIN PUBLIC KEY-----")
        page.screenshot(path=screenshots / "admin-sync.png", full_page=True)

        # By keyboard: Sync now reports what is still pending; then off, then on again.
        card.get_by_role("button", name="Sync now").focus()
        page.keyboard.press("Enter")
        expect(card.locator("#sync-result")).to_contain_text("Not everything was delivered")
        card.get_by_role("button", name="Turn sync off").focus()
        page.keyboard.press("Enter")
        expect(card.locator("#sync-result")).to_contain_text("Cloud sync is off")
        expect(card.locator('[data-stat="state"] dd')).to_have_text("Paused by an admin")
        expect(card.get_by_role("button", name="Sync now")).to_be_hidden()
        assert page.request.get(f"{base}/api/v1/sync").json()["enabled"] is False
        card.get_by_role("button", name="Turn sync on").click()
        expect(card.locator("#sync-result")).to_contain_text("Cloud sync is on")
        expect(card.get_by_role("button", name="Turn sync off")).to_be_visible()
        context.close()
    assert not errors, errors
