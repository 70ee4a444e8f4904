"""axe-core in the browser tests: every page must be free of WCAG 2.2 A/AA violations.

axe-core is vendored (tests/browser/vendor/axe-core, pinned) so the tests run offline. It is evaluated through
the DevTools protocol, which the pages' Content-Security-Policy does not apply to, so the pages stay as shipped.
"""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE_VERSION = "4.14.1"
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())
    assert page.evaluate("axe.version") == AXE_VERSION
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +"
        " v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))",
        WCAG_AA)
    return found


def assert_accessible(page: Page, where: str) -> None:
    found = violations(page)
    assert not found, f"axe-core found WCAG 2.2 A/AA violations on {where}:\n" + "\n".join(found)
