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
from appliance.classroom.formats import roster_table, tables
from appliance.classroom.importers import InvalidImport
from appliance.store import images
from tests import school_files

WHERE = re.compile(r"^(line \d+|row \d+|cell [A-Z]+\d+|questions(\[\d+\])?(\.\w+)?|title|tags|format/version|byte \d+"
                   r"|the |not valid CSV|[\w./-]+\.csv( line \d+| byte \d+)?:)")


def parse_roster_csv(text: str, card_count: int):
    return [row for row, _ in roster_table.parse(tables.read_csv(text), card_count)]
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
        rows = parse_roster_csv(text, 64)
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
        roster_table.parse(school_files.read_table(data), 64)
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
        parse_roster_csv("Ann,1\nBob,1\n,2\nCy,70\n", 64)
    assert caught.value.problems == ["line 2: card 1 is already given to line 1", "line 3: the name is empty",
                                     "line 4: card '70' is not a number from 1 to 64"]


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a",
                                                 b"RIFF\x00\x00\x00\x00WEBP"]))
def test_image_fuzz(tail, head):
    data = head + tail
    try:
        encoded = images.reencode(data)
    except images.InvalidImage as error:
        assert str(error)
        return
    assert cv2.imdecode(np.frombuffer(encoded.data, np.uint8), cv2.IMREAD_UNCHANGED) is not None


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp", ".gif"])
def test_real_images_are_encoded_again_and_stored(ext, tmp_path):
    picture = np.random.default_rng(1).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    ok, encoded = cv2.imencode(ext, picture)
    image = images.reencode(encoded.tobytes())
    assert image.name.endswith(".jpg" if ext == ".jpg" else ".png")
    assert cv2.imdecode(np.frombuffer(image.data, np.uint8), cv2.IMREAD_UNCHANGED).shape[:2] == (30, 40)
    images.store(tmp_path, image)
    assert (tmp_path / image.name).read_bytes() == image.data
    assert not list(tmp_path.glob(".*.tmp"))


# --- the school formats (classroom/formats): same promise, every problem names its line, row, cell or file ---

from appliance.classroom.formats import aiken, gift, kahoot, oneroster, xlsx, zipsafe  # noqa: E402
from tests.school_files import oneroster_files, students, zip_bytes  # noqa: E402

gift_text = st.lists(st.one_of(
    st.sampled_from(["::T::", "{", "}", "=", "~", "#", "->", "{T}", "{F}", "%50%", "%100%", "\\", "\\=", "//c",
                     "$CATEGORY: x", "[html]", "\n", "\n\n", " ", "<b>", "A", "b c"]),
    st.text(max_size=6)), max_size=40).map("".join)
aiken_text = st.lists(st.one_of(
    st.sampled_from(["A. x", "B) y", "C. z", "D. w", "E. v", "ANSWER: A", "ANSWER: B", "ANSWER: E", "answer:c",
                     "Q?", ""]), st.text(max_size=8)), max_size=14).map("\n".join)
header_words = st.sampled_from(["Name", "Surname", "Forename", "Nachname", "Vorname", "Nom", "Prénom", "Card",
                                "Karte", "E-Mail", "Student ID", "Year", ""])
table_cell = st.one_of(header_words, csv_cell)
table = st.lists(st.lists(table_cell, max_size=5).map(tuple), max_size=10).map(tuple)


def _bank_ok(bank) -> None:
    for q in bank.draft.questions:
        assert 2 <= len(q.options) <= 4 and q.correct in q.letters() and q.text
    for skipped in bank.skipped:
        assert WHERE.match(skipped), skipped


@FUZZ
@given(gift_text)
def test_gift_fuzz(text):
    try:
        _bank_ok(gift.parse(text, "T"))
    except InvalidImport as error:
        _problems_name_their_place(error)


@FUZZ
@given(aiken_text)
def test_aiken_fuzz(text):
    try:
        _bank_ok(aiken.parse(text, "T"))
    except InvalidImport as error:
        _problems_name_their_place(error)


@FUZZ
@given(table, st.booleans())
def test_roster_table_fuzz(rows, sheet):
    result = roster_table.preview(tables.Table(rows, sheet=sheet), 64, {"ann"})
    for problem in result.problems:
        assert WHERE.match(problem), problem
    assert all(r.name and len(r.name) <= importers.MAX_NAME for r in result.rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(table_cell, st.integers(-3, 99), st.floats(allow_nan=False, allow_infinity=False, width=32),
                                   st.none()), max_size=5), max_size=8))
def test_roster_xlsx_fuzz(rows):
    try:
        roster_table.parse(school_files.read_table(xlsx.workbook({"S": rows})), 64)
    except InvalidImport as error:
        _problems_name_their_place(error)


kahoot_rows = st.lists(st.lists(st.one_of(st.text(max_size=6), st.sampled_from(["1", "2", "4", "1,2", "5", "x", "20",
                                                                                 "3600", "4000", ""])),
                                min_size=0, max_size=8).map(tuple), max_size=8)


@FUZZ
@given(kahoot_rows)
def test_kahoot_fuzz(rows):
    head = ("", "Question", "Answer 1", "Answer 2", "Answer 3", "Answer 4", "Time limit", "Correct answer(s)")
    try:
        _bank_ok(kahoot.parse(tables.Table((head, *rows), sheet=True), "K"))
    except InvalidImport as error:
        _problems_name_their_place(error)


ONEROSTER = oneroster_files({"c1": students("s", 3), "c2": students("t", 2)})


@FUZZ
@given(st.sampled_from(sorted(ONEROSTER)), st.one_of(csv_text, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
       st.booleans())
def test_oneroster_fuzz(name, body, keep_header):
    header = ONEROSTER[name].split(b"\r\n", 1)[0].decode() + "\n" if keep_header else ""
    members = {**ONEROSTER, name: (header + body).encode("utf-8", "surrogatepass")}
    try:
        parsed = oneroster.parse(zipsafe.read_members(zip_bytes(members), "zip"))
    except InvalidImport as error:
        _problems_name_their_place(error)
        return
    for cls in parsed.classes:
        assert cls.sourced_id and cls.title
        assert len({s.name for s in cls.students}) == len(cls.students)  # duplicates were told apart


@FUZZ
@given(st.binary(max_size=300), st.booleans())
def test_zip_fuzz(tail, as_zip):
    data = (b"PK\x03\x04" + tail) if as_zip else tail
    try:
        zipsafe.read_members(data, "zip")
    except InvalidImport as error:
        assert error.problems and all(p for p in error.problems)


VALID_XLSX = xlsx.workbook({"S": [["Surname", "Forename", "Card"], ["Jones", "Ava", 1], ["Li", "Ben", None]]})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "[Content_Types].xml"]),
       st.integers(0, 2000), st.integers(0, 40), st.binary(max_size=40))
def test_damaged_xlsx_fuzz(member, at, cut, insert):
    """A sheet whose XML is damaged inside a valid zip reaches the reader itself: still only a clear 400."""
    import io as _io
    import zipfile as _zipfile
    source = _zipfile.ZipFile(_io.BytesIO(VALID_XLSX))
    out = _io.BytesIO()
    with _zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                at = min(at, len(data))
                data = data[:at] + insert + data[at + cut:]
            archive.writestr(info.filename, data)
    try:
        roster_table.parse(school_files.read_table(out.getvalue()), 64)
    except InvalidImport as error:
        _problems_name_their_place(error)
