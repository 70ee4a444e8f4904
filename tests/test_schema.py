"""The request contract: what the validator accepts and refuses, and the document rendered from the same routes."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate as validate_openapi

from appliance.config import Settings
from appliance.http import openapi
from appliance.http.schema import (
    ID,
    MAX_ID,
    Invalid,
    Route,
    Setting,
    Upload,
    array,
    boolean,
    check_schema,
    from_text,
    integer,
    nullable,
    obj,
    one_of,
    parse_json,
    text,
    validate,
)

STUDENT = obj({"name": text(10), "card": integer(1, 64), "tags": array(text(5), 2), "ok": boolean(default=False)},
              required=["name"])


async def _noop(request, args):
    return None


def test_a_good_body_comes_back_checked_with_defaults_and_integral_floats_as_ints():
    assert validate({"name": "Ann", "card": 5.0}, STUDENT) == {"name": "Ann", "card": 5, "ok": False}


@pytest.mark.parametrize("body, problem", [
    ({}, "'name' is missing"),
    ({"name": "   "}, "'name' must be non-empty text"),
    ({"name": "x" * 11}, "'name' must be at most 10 characters"),
    ({"name": "A", "card": True}, "'card' must be an integer from 1 to 64"),
    ({"name": "A", "card": 65}, "'card' must be an integer from 1 to 64"),
    ({"name": "A", "card": 2.5}, "'card' must be an integer from 1 to 64"),
    ({"name": "A", "card": "5"}, "'card' must be an integer from 1 to 64"),
    ({"name": "A", "tags": ["a", "b", "c"]}, "'tags' must have 0 to 2 items"),
    ({"name": "A", "tags": ["toolong"]}, "'tags[0]' must be at most 5 characters"),
    ({"name": "A", "ok": 1}, "'ok' must be true or false"),
    ([], "the request body must be an object"),
])
def test_each_broken_rule_is_named(body, problem):
    with pytest.raises(Invalid) as caught:
        validate(body, STUDENT)
    assert caught.value.problems == [problem]


def test_every_problem_is_reported_at_once():
    with pytest.raises(Invalid) as caught:
        validate({"name": 3, "card": 0, "tags": "x"}, STUDENT)
    assert len(caught.value.problems) == 3


def test_enums_tell_true_from_one_and_null_is_explicit():
    assert validate(1, one_of(1, 2)) == 1
    with pytest.raises(Invalid):
        validate(True, one_of(1, 2))
    assert validate(None, nullable(one_of("A", "B"))) is None
    with pytest.raises(Invalid):
        validate(None, one_of("A", "B"))


@pytest.mark.parametrize("raw", ["²", "١٢", "1.0", "", " 1", "0x10", str(MAX_ID + 1), "9" * 25, "-1"])
def test_path_and_query_integers_are_ascii_and_bounded(raw):
    with pytest.raises(Invalid) as caught:
        from_text(raw, ID, "id")
    assert caught.value.problems == [f"'id' must be an integer from 1 to {MAX_ID}"]


def test_text_values_convert_by_their_schema():
    assert from_text(str(MAX_ID), ID, "id") == MAX_ID
    assert from_text("4", one_of(1, 2, 4), "per_page") == 4
    assert from_text("Letter", one_of("A4", "Letter"), "page") == "Letter"
    assert from_text("true", boolean(), "flag") is True


@pytest.mark.parametrize("data, problem", [
    (b"\xff\xfe{", "not UTF-8"), (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b"{not json", "not valid JSON"), (b"NaN", "not valid JSON"), (b"1" * 5000, "not valid JSON"),
])
def test_bodies_that_are_not_json_are_invalid_not_errors(data, problem):
    with pytest.raises(Invalid) as caught:
        parse_json(data)
    assert problem in str(caught.value)


def test_a_schema_may_only_say_what_the_validator_enforces():
    with pytest.raises(ValueError, match="not enforced"):
        check_schema({"type": "string", "format": "email", "oneOf": []}, "x")
    with pytest.raises(ValueError, match="minimum and a maximum"):
        check_schema(obj({"n": {"type": "integer"}}), "x")
    with pytest.raises(ValueError, match="path parameters"):
        Route("GET", "/things/{id}", _noop, "a thing")


def test_upload_content_types_take_families():
    upload = Upload(("image/*", "text/csv"), 10)
    assert upload.accepts("image/png") and upload.accepts("text/csv") and not upload.accepts("text/html")


def test_the_document_is_valid_openapi_and_says_what_is_enforced():
    settings = Settings()
    document = openapi.api_app(settings)[openapi.DOCUMENT]
    validate_openapi(document)
    paths = document["paths"]
    check = paths["/api/v1/public/check"]["get"]["parameters"][0]
    assert check["schema"] == {"type": "integer", "minimum": 1, "maximum": settings.cards.count}  # from settings
    assert "paused" in paths["/api/v1/sessions/{id}"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"]["properties"]["state"]["enum"]
    assert "/api/v1/classes/{id}/gradebook.csv" in paths and "/api/v1/status" not in paths
    for path, operations in paths.items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if param["schema"].get("type") == "integer":
                    assert param["schema"]["maximum"] <= MAX_ID, (method, path)
            if method != "get" or path.endswith("/live"):
                continue
            if op.get("security") != []:
                assert "401" in op["responses"], (method, path)


def test_settings_fill_in_bounds():
    assert Setting("cards.count").resolve(Settings()) == Settings().cards.count
