"""The page routes over plain HTTP (no browser needed): who gets redirected where, and that nothing in the
templates or scripts would break under the strict Content-Security-Policy the server sends."""
from __future__ import annotations

import re

import pytest

from appliance.http.pages import STATIC_DIR, TEMPLATES_DIR, safe_next

TEACHER_PAGES = ["/", "/session/1", "/results/1"]
PUBLIC_PAGES = ["/login", "/projector", "/student"]


@pytest.mark.parametrize("path", TEACHER_PAGES)
async def test_teacher_pages_send_visitors_to_login_and_back(anonymous, path):
    response = await anonymous.get(path, allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == f"/login?next={path}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_public_pages_render_with_their_module(anonymous, path):
    response = await anonymous.get(path)
    assert response.status == 200
    html = await response.text()
    name = "login" if path == "/login" else path.strip("/")
    assert f'<script type="module" src="/static/js/{name}.js"></script>' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


async def test_teacher_pages_render_once_logged_in(teacher):
    for path in TEACHER_PAGES:
        response = await teacher.get(path, allow_redirects=False)
        assert response.status == 200, path
    assert 'data-session-id="1"' in await (await teacher.get("/session/1")).text()
    # Logged in already: the login page forwards to where the teacher was going.
    response = await teacher.get("/login?next=/results/1", allow_redirects=False)
    assert response.headers["Location"] == "/results/1"


async def test_login_never_redirects_off_site(teacher):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "evil"):
        response = await teacher.get("/login", params={"next": target}, allow_redirects=False)
        assert response.headers["Location"] == "/"
    assert safe_next("/session/3?x=1") == "/session/3?x=1"


async def test_static_files_are_revalidated(anonymous):
    response = await anonymous.get("/static/js/live.js")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-cache"


def test_nothing_inline_that_a_strict_csp_would_block():
    for template in TEMPLATES_DIR.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"{template.name}: inline script"
        assert not re.search(r"\son[a-z]+=", text), f"{template.name}: inline event handler"
        assert not re.search(r"\sstyle=|<style", text), f"{template.name}: inline style"
    for script in (STATIC_DIR / "js").glob("*.js"):
        text = script.read_text()
        assert ".innerHTML" not in text and "insertAdjacentHTML" not in text, f"{script.name}: HTML from data"
        assert "eval(" not in text and "new Function" not in text, script.name
