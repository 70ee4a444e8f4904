"""Odd input to every API route is a 400 (or 404/405/413/415) with a message, never a 500 or a traceback.

The routes come from the same table the server validates with (appliance/http/openapi.py), so a route added
later is fuzzed without anyone listing it here. Each route gets: path and query values that are not plain
ids (a Unicode digit, ids past 64 bits, signs, exponents, NUL), and, where it takes a body, bodies that are
not UTF-8, nested ten thousand deep, larger than the route's limit, NaN, a 5000-digit number, and every field
replaced by each wrong type.
"""
from __future__ import annotations

import logging
import re

import pytest

from appliance.http import openapi
from appliance.http.schema import Upload, resolve

ODD_NUMBERS = ["²", "١٢", str(2**63), str(2**64), "9" * 40, "-1", "0", "1e3", "0x10", "1.5", " 1", "%00", "null"]
WRONG_TYPES = [True, "x", "²", 2**64, -(2**63) - 1, 1.5, float(10**300), [], {}, None, [[[[[]]]]], "\x00" * 3]
ODD_BODIES = [
    b"\xff\xfe\xfa not UTF-8", b"\xc3\x28", "é".encode("latin-1"),
    b"[" * 10_000 + b"]" * 10_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    b"NaN", b"[Infinity]", b"1" * 5000, b"null", b"[]", b'"text"', b"{not json", b"",
]
# Ending the login would turn every later request into a 401, which proves nothing about the rest.
SKIPPED = {("POST", "/logout")}


def _routes():
    return [r for r in openapi.routes() if (r.method, r.path) not in SKIPPED]


def _url(path: str, odd: dict[str, str] | None = None) -> str:
    return "/api/v1" + re.sub(r"{(\w+)}", lambda m: (odd or {}).get(m.group(1), "1"), path)


async def _assert_clean(response, what: str) -> None:
    assert response.status < 500, f"{what}: {response.status} {await response.text()}"
    if response.status >= 400:
        body = await response.json()
        assert isinstance(body.get("error"), str) and body["error"], f"{what}: {body}"


@pytest.fixture
def no_tracebacks(caplog):
    caplog.set_level(logging.ERROR)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "\n".join(f"{r.name}: {r.getMessage()}" for r in errors)


async def test_odd_path_and_query_values_are_clear_errors(teacher, no_tracebacks):
    for route in _routes():
        if route.raw:
            continue
        for name in route.path_params:
            for value in ODD_NUMBERS:
                url = _url(route.path, {name: value})
                await _assert_clean(await teacher.request(route.method, url), f"{route.method} {url}")
        for name in (route.query or {}).get("properties", {}):
            for value in ODD_NUMBERS:
                url = _url(route.path)
                response = await teacher.request(route.method, url, params={name: value})
                await _assert_clean(response, f"{route.method} {url}?{name}={value!r}")


async def test_odd_bodies_are_clear_errors(teacher, settings, no_tracebacks):
    for route in _routes():
        if route.body is None:
            continue
        url = _url(route.path)
        content_type = "application/json" if not isinstance(route.body, Upload) else route.body.content_types[0]
        if content_type.endswith("/*"):
            content_type = content_type[:-1] + "png"
        for body in ODD_BODIES:
            response = await teacher.request(route.method, url, data=body, headers={"Content-Type": content_type})
            await _assert_clean(response, f"{route.method} {url} with {body[:20]!r}")
        limit = resolve(route.body.max_bytes if isinstance(route.body, Upload) else route.max_json_bytes, settings)
        response = await teacher.request(route.method, url, data=b" " * (limit + 1),
                                         headers={"Content-Type": content_type})
        assert response.status == 413, f"{route.method} {url} with {limit + 1} bytes: {response.status}"
        await _assert_clean(response, f"{route.method} {url} too large")


async def test_every_field_of_the_wrong_type_is_a_clear_error(teacher, no_tracebacks):
    for route in _routes():
        if not isinstance(route.body, dict):
            continue
        url = _url(route.path)
        fields = route.body.get("properties", {})
        for name, schema in fields.items():
            items = schema.get("items", {}).get("properties", {}) if schema.get("type") == "array" else {}
            for wrong in WRONG_TYPES:
                response = await teacher.request(route.method, url, json={name: wrong})
                await _assert_clean(response, f"{route.method} {url} with {name}={wrong!r}")
                for inner in items:  # a list of objects (a quiz's questions, a class's students)
                    response = await teacher.request(route.method, url, json={name: [{inner: wrong}]})
                    await _assert_clean(response, f"{route.method} {url} with {name}[0].{inner}={wrong!r}")


async def test_ids_past_64_bits_are_refused_by_the_contract_not_by_sqlite(teacher):
    response = await teacher.get(f"/api/v1/sessions/{2**64}")
    assert response.status == 400
    assert (await response.json())["error"] == f"'id' must be an integer from 1 to {2**63 - 1}"
    response = await teacher.post("/api/v1/sessions", json={"class_id": 2**64})
    assert response.status == 400 and "'class_id' must be an integer from 1 to" in (await response.json())["error"]
    response = await teacher.get("/api/v1/public/check", params={"card": "²"})
    assert response.status == 400 and "'card' must be an integer from 1 to" in (await response.json())["error"]


async def test_page_ids_are_plain_digits(teacher, no_tracebacks):
    for page in ("/session/{}", "/results/{}", "/classes/{}", "/classes/{}/report", "/students/{}",
                 "/quizzes/{}/edit"):
        for value in ("²", "١٢", "9" * 40):
            response = await teacher.get(page.format(value), allow_redirects=False)
            assert response.status == 404, (page, value, response.status)
