"""The appliance as installed, over HTTPS with its own certificate, in Debian's chromium: plain HTTP leads to
HTTPS, the admin claims it, the login cookie is Secure, and the live socket (wss) works. A teacher accepts the
self-made certificate once; chromium is told to trust exactly that certificate (its key's SPKI hash), nothing
else."""
from __future__ import annotations

import base64
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, run_appliance

ADMIN, PASSWORD = "head-office", "correct horse 1"


def _spki_hash(certificate_path) -> str:
    leaf = x509.load_pem_x509_certificates(certificate_path.read_bytes())[0]
    spki = leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def first_live_message(page, scheme: str) -> dict:
    """The first message of a live socket the page itself opens (wss:// or ws://, to the page's own host)."""
    return page.evaluate("""scheme => new Promise((resolve, reject) => {
        const socket = new WebSocket(`${scheme}://${location.host}/api/v1/live`);
        socket.onmessage = (event) => { resolve(JSON.parse(event.data)); socket.close(); };
        socket.onerror = () => reject(new Error(`the ${scheme} live socket failed`));
        setTimeout(() => reject(new Error(`no message on the ${scheme} live socket in 10 s`)), 10000);
    })""", scheme)


def test_claim_log_in_and_live_socket_over_https(tmp_path, screenshots):
    from playwright.sync_api import sync_playwright

    data, config = tmp_path / "data", tmp_path / "config.toml"
    config.write_text("[server]\nhttps = true\n[mdns]\nenabled = false\n"
                      "[camera]\nwidth = 1280\nheight = 720\n[sim]\nback_row_m = 4.5\n")
    port, https_port = free_port(), free_port()
    args = ["--camera", "sim", "--host", "127.0.0.1", "--https-port", str(https_port), "--data-dir", str(data),
            "--config", str(config)]
    with run_appliance(args, tmp_path, https_port=https_port, port=port) as base, sync_playwright() as playwright:
        trusted = f"--ignore-certificate-errors-spki-list={_spki_hash(data / 'tls' / 'appliance.pem')}"
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, trusted])
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(15_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

            # What a teacher types: the plain address. It leads to HTTPS and, unclaimed, to the setup page.
            page.goto(f"http://127.0.0.1:{port}/")
            expect(page).to_have_url(f"{base}/setup")
            fingerprint = (data / "tls" / "fingerprint.txt").read_text().strip()
            expect(page.locator("#fingerprint")).to_have_text(fingerprint)  # to compare with the boot partition's
            # In groups of four bytes that never break mid-byte, even on a phone.
            page.set_viewport_size({"width": 390, "height": 844})
            groups = page.locator("#fingerprint .fingerprint-group")
            expect(groups).to_have_count(8)
            lines = groups.evaluate_all("gs => gs.map(g => g.getClientRects().length)")
            assert lines == [1] * 8, f"a group of the fingerprint wraps: {lines}"
            assert_accessible(page, "the setup page over HTTPS on a phone")
            page.screenshot(path=screenshots / "setup-fingerprint-phone.png")
            page.set_viewport_size({"width": 1280, "height": 900})
            assert_accessible(page, "the setup page over HTTPS")
            page.get_by_label("Setup code").fill((data / "setup-code.txt").read_text().strip())
            page.get_by_label("Username").fill(ADMIN)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Password again").fill(PASSWORD)
            page.get_by_role("button", name="Create admin account").click()
            expect(page).to_have_url(f"{base}/admin")
            cookies = {c["name"]: c for c in page.context.cookies()}
            login = next(c for name, c in cookies.items() if name.startswith("argus"))
            assert login["secure"] and login["httpOnly"] and login["sameSite"] == "Strict", login

            # The live socket the lesson pages use, from the page itself: wss:// with the Secure cookie.
            first = first_live_message(page, "wss")
            assert "state" in first, first
            page.goto(f"{base}/projector")
            expect(page.locator("#link-status")).to_be_hidden()  # connected: no "Reconnecting…"
            assert_accessible(page, "the projector over HTTPS")
            # server.public_http: the QR code sends phones to plain HTTP, where no certificate warning waits.
            expect(page.locator("#student-url")).to_have_text(f"argus.local:{port}/student")
            student_url = page.evaluate("() => fetch('/api/v1/public/student-url').then(r => r.json())")["url"]
            assert student_url == f"http://argus.local:{port}/student"
            page.screenshot(path=screenshots / "https-projector.png")

            # The teacher's own browser on the plain student page. (Chromium counts 127.0.0.1 as a secure origin
            # and sends the Secure cookie even here, as no browser does to argus.local over plain HTTP; the server
            # drops it on plain HTTP anyway: tests/test_https.py.)
            page.goto(f"http://127.0.0.1:{port}/student")
            expect(page).to_have_url(f"http://127.0.0.1:{port}/student")
            page.goto(f"http://127.0.0.1:{port}/")  # anything else still leads to HTTPS
            expect(page).to_have_url(f"{base}/")

            # A phone: the student page and its live socket over plain HTTP.
            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
            phone.on("pageerror", lambda exc: errors.append(f"phone: {exc}"))
            phone.on("console", lambda msg: msg.type == "error" and errors.append(f"phone: {msg.text}"))
            phone.goto(f"http://127.0.0.1:{port}/student")
            expect(phone).to_have_url(f"http://127.0.0.1:{port}/student")
            phone.wait_for_function("() => document.getElementById('link-status').hidden")  # socket connected
            live = first_live_message(phone, "ws")
            assert live["type"] == "state", live
            assert_accessible(phone, "the student page over plain HTTP on a phone")
            phone.screenshot(path=screenshots / "http-student-phone.png")
            assert not errors, errors
        finally:
            browser.close()
