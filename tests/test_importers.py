"""Every importer fuzzed with malformed input: it either accepts a well-formed result or raises one clear
error whose every problem names its line or field. It never crashes with anything else."""
from __future__ import annotations

import json
import re

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.classroom import importers
from appliance.classroom.importers import InvalidImport
from appliance.store import images

WHERE = re.compile(r"^(line \d+|questions(\[\d+\])?(\.\w+)?|title|tags|format/version|byte \d+|the |not valid CSV)")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

csv_cell = st.one_of(st.text(max_size=12), st.integers(-5, 200).map(str), st.sampled_from(["", " ", "\"", ";"]))
csv_text = st.lists(st.lists(csv_cell, max_size=4).map(",".join), max_size=12).map("\n".join)


def _problems_name_their_place(error: InvalidImport) -> None:
    assert error.problems
    for problem in error.problems:
        assert WHERE.match(problem), problem


@FUZZ
@given(st.one_of(csv_text, st.text(max_size=200)))
def test_roster_csv_fuzz(text):
    try:
        rows = importers.parse_roster_csv(text, 64)
    except InvalidImport as error:
        _problems_name_their_place(error)
        return
    assert rows and all(r.name and len(r.name) <= importers.MAX_NAME for r in rows)
    cards = [r.card for r in rows if r.card is not None]
    assert len(cards) == len(set(cards)) and all(1 <= c <= 64 for c in cards)


@FUZZ
@given(st.binary(max_size=300))
def test_roster_bytes_fuzz(data):
    try:
        importers.parse_roster_csv(importers.decode_text(data), 64)
    except InvalidImport as error:
        _problems_name_their_place(error)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10, 5000), st.text(max_size=10))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=5)),
                          max_leaves=20)
question = st.fixed_dictionaries({}, optional={
    "type": st.one_of(st.sampled_from(importers.KINDS), json_leaf),
    "text": st.one_of(st.text(max_size=20), json_leaf),
    "options": st.one_of(st.lists(st.text(max_size=8), max_size=6), json_value),
    "correct": st.one_of(st.sampled_from(["A", "B", "C", "D", None]), json_leaf),
    "time_limit": st.one_of(st.none(), st.integers(-5, 5000), json_leaf),
    "image": st.one_of(st.none(), st.text(max_size=10)),
})
quiz = st.fixed_dictionaries({}, optional={
    "title": st.one_of(st.text(max_size=30), json_leaf),
    "tags": st.one_of(st.lists(st.text(max_size=10), max_size=4), json_value),
    "questions": st.one_of(st.lists(question, max_size=5), json_value),
    "format": st.sampled_from(["argus-quiz", "other"]),
})


@FUZZ
@given(st.one_of(quiz, json_value))
def test_quiz_json_fuzz(data):
    try:
        draft = importers.parse_quiz_json(json.dumps(data))
    except InvalidImport as error:
        _problems_name_their_place(error)
        return
    assert draft.title and draft.questions
    for q in draft.questions:
        assert 2 <= len(q.options) <= 4 and (q.correct in q.letters() or (q.kind == "poll" and q.correct is None))


@FUZZ
@given(st.text(max_size=300))
def test_quiz_json_text_fuzz(text):
    try:
        importers.parse_quiz_json(text)
    except InvalidImport as error:
        _problems_name_their_place(error)


@FUZZ
@given(csv_text)
def test_quiz_csv_fuzz(body):
    text = ",".join(importers.QUIZ_CSV_HEADER) + "\n" + body
    try:
        draft = importers.parse_quiz_csv(text, "T")
    except InvalidImport as error:
        _problems_name_their_place(error)
        return
    assert all(2 <= len(q.options) <= 4 for q in draft.questions)


def test_broken_json_names_line_and_column():
    with pytest.raises(InvalidImport, match=r"line 2 column 15: not valid JSON"):
        importers.parse_quiz_json('{"title": "x",\n "questions": ]}')


def test_roster_reports_every_bad_line_at_once():
    with pytest.raises(InvalidImport) as caught:
        importers.parse_roster_csv("Ann,1\nBob,1\n,2\nCy,70\n", 64)
    assert caught.value.problems == ["line 2: card 1 is already given to line 1", "line 3: the name is empty",
                                     "line 4: card '70' is not a number from 1 to 64"]


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a",
                                                 b"RIFF\x00\x00\x00\x00WEBP"]))
def test_image_fuzz(tail, head):
    data = head + tail
    try:
        kind = images.check_image(data)
    except images.InvalidImage as error:
        assert str(error)
        return
    assert data.startswith(images._SIGNATURES[kind])


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp"])
def test_real_images_are_accepted(ext, tmp_path):
    ok, encoded = cv2.imencode(ext, np.random.default_rng(1).integers(0, 255, (30, 40, 3), dtype=np.uint8))
    name = images.save_image(tmp_path, encoded.tobytes())
    assert name.endswith(ext.replace("jpeg", "jpg")) and (tmp_path / name).read_bytes() == encoded.tobytes()
    assert not list(tmp_path.glob(".*.tmp"))
