"""Hostile uploads and spreadsheet exports against a real server: decompression bombs refused from their header,
every image encoded again before it is stored, a per-teacher image quota, unused images cleaned up, one
question cap for every import, quiz lists that load no questions, and every CSV cell defused."""
from __future__ import annotations

import csv
import io
import json
import re
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest

from appliance import keys
from appliance.bench.upload_bomb import _chunk, bomb_png
from appliance.server import start_server
from appliance.store import images
from appliance.vision.image_header import BadHeader, read_header

QUIZ = {"title": "Pictures", "questions": [
    {"type": "multiple", "text": "Which shape?", "options": ["Square", "Circle"], "correct": "A"}]}


def _encoded(ext: str, shape=(30, 40, 3), seed: int = 1) -> bytes:
    picture = np.random.default_rng(seed).integers(0, 255, shape, dtype=np.uint8)
    return cv2.imencode(ext, picture)[1].tobytes()


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp", ".gif"])
def test_the_header_gives_the_size_every_decoder_will_use(ext):
    header = read_header(_encoded(ext, (37, 53, 3)))
    assert (header.width, header.height) == (53, 37) and header.kind == ext.lstrip(".").replace("jpeg", "jpg")


def test_a_lossless_webp_header_is_read_too():
    data = cv2.imencode(".webp", np.zeros((21, 34, 3), np.uint8), [cv2.IMWRITE_WEBP_QUALITY, 101])[1].tobytes()
    assert data[12:16] == b"VP8L" and (read_header(data).width, read_header(data).height) == (34, 21)


def test_headers_that_lie_or_break_are_refused_without_decoding():
    assert read_header(bomb_png()).pixels == 900_000_000
    jpeg_bomb = b"\xff\xd8\xff\xc0\x00\x11\x08" + struct.pack(">HH", 30000, 30000) + b"\x03" + bytes(9)
    assert read_header(jpeg_bomb).pixels == 900_000_000
    gif_bomb = b"GIF89a" + struct.pack("<HH", 65535, 65535) + bytes(10)
    assert read_header(gif_bomb).pixels == 65535 ** 2
    for broken in (b"\x89PNG\r\n\x1a\n" + bytes(4), b"\xff\xd8\xff" + b"\xfe\x00\x04" * 2000, b"GIF89a\x00",
                   b"RIFF\0\0\0\0WEBPVP8 " + bytes(20), b"%PDF-1.4", b"\x89PNG\r\n\x1a\n" + _chunk(
                       b"IHDR", struct.pack(">IIBBBBB", 0, 10, 8, 0, 0, 0, 0))):
        with pytest.raises(BadHeader):
            read_header(broken)
    with pytest.raises(images.ImageTooLarge, match="too many pixels"):
        images.reencode(bomb_png())


@pytest.fixture
async def small_quota_server(settings_factory):
    running = await start_server(settings_factory(storage={"image_quota_mb": 1}))
    yield running
    await running.stop()


async def _upload(client, data: bytes, content_type: str = "image/png"):
    return await client.post("/api/v1/images", data=data, headers={"Content-Type": content_type})


async def test_a_decompression_bomb_is_refused_from_its_header(teacher):
    response = await _upload(teacher, bomb_png())
    assert response.status == 413 and "too many pixels (30000 x 30000" in (await response.json())["error"]


async def test_a_class_photo_is_refused_before_reading_when_no_question_is_open(teacher):
    classes = await (await teacher.get("/api/v1/classes")).json()
    quizzes = await (await teacher.get("/api/v1/quizzes")).json()
    sid = (await (await teacher.post("/api/v1/sessions", json={"class_id": classes[0]["id"],
                                                               "quiz_id": quizzes[0]["id"]})).json())["id"]
    # Not even looked at while the session is only ready: no decode, no card reader.
    early = await teacher.post(f"/api/v1/sessions/{sid}/photo", data=b"not a photo at all",
                               headers={"Content-Type": "image/jpeg"})
    assert early.status == 409 and "no question is open" in (await early.json())["error"]
    await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
    bomb = await teacher.post(f"/api/v1/sessions/{sid}/photo", data=bomb_png(),
                              headers={"Content-Type": "image/png"})
    assert bomb.status == 413 and "too many pixels" in (await bomb.json())["error"]
    garbage = await teacher.post(f"/api/v1/sessions/{sid}/photo", data=b"not a photo at all",
                                 headers={"Content-Type": "image/jpeg"})
    assert garbage.status == 400
    photo = await teacher.post(f"/api/v1/sessions/{sid}/photo", data=_encoded(".jpg", (480, 640, 3)),
                               headers={"Content-Type": "image/jpeg"})
    assert photo.status == 200 and (await photo.json())["cards"] == []


async def test_uploads_are_encoded_again_never_stored_as_sent(server, teacher, anonymous):
    polyglot = b"GIF89a\x01\x00\x01\x00\x00\x00\x00<html><script>alert(document.cookie)</script></html>"
    refused = await _upload(teacher, polyglot, "image/gif")
    assert refused.status == 400 and "damaged" in (await refused.json())["error"]

    # A real picture with a page glued on: the picture is kept, the page is not.
    sent = _encoded(".png") + b"<html><script>alert(1)</script></html>"
    stored = await (await _upload(teacher, sent)).json()
    served = await (await anonymous.get(stored["url"])).read()
    assert served != sent and b"<script" not in served
    assert cv2.imdecode(np.frombuffer(served, np.uint8), cv2.IMREAD_UNCHANGED).shape == (30, 40, 3)

    # A phone photo's metadata (EXIF: where it was taken) is dropped with the re-encoding.
    exif = b"\xff\xe1" + struct.pack(">H", 2 + 6 + 18) + b"Exif\0\0" + b"GPS 51.5N 0.12W   "
    jpeg = _encoded(".jpg")
    tagged = jpeg[:2] + exif + jpeg[2:]
    served = await (await anonymous.get((await (await _upload(teacher, tagged, "image/jpeg")).json())["url"])).read()
    assert b"GPS" not in served and served.startswith(b"\xff\xd8\xff")
    gif = await (await _upload(teacher, _encoded(".gif"), "image/gif")).json()
    assert gif["image"].endswith(".png")


async def test_each_teacher_has_an_image_quota(small_quota_server):
    import aiohttp
    async with aiohttp.ClientSession(base_url=small_quota_server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) \
            as teacher:
        await teacher.post("/api/v1/login", json={"username": "demo", "password": "demo"})
        noise = [_encoded(".png", (400, 400, 3), seed) for seed in range(3)]  # ~480 KB each as PNG
        first, second = await _upload(teacher, noise[0]), await _upload(teacher, noise[1])
        assert first.status == 201 and second.status == 201
        again = await _upload(teacher, noise[0])  # the same picture again costs nothing
        assert again.status == 201
        over = await _upload(teacher, noise[2])
        assert over.status == 413 and "of 1 MB" in (await over.json())["error"]


async def test_images_no_quiz_uses_are_deleted(server, teacher):
    kept = (await (await _upload(teacher, _encoded(".png", seed=1))).json())["image"]
    in_past_lesson = (await (await _upload(teacher, _encoded(".png", seed=2))).json())["image"]
    dropped = (await (await _upload(teacher, _encoded(".png", seed=3))).json())["image"]
    quiz = {**QUIZ, "questions": [dict(QUIZ["questions"][0], image=kept),
                                  dict(QUIZ["questions"][0], image=in_past_lesson)]}
    made = await (await teacher.post("/api/v1/quizzes", json=quiz)).json()
    classes = await (await teacher.get("/api/v1/classes")).json()
    started = await teacher.post("/api/v1/sessions", json={"class_id": classes[0]["id"], "quiz_id": made["id"]})
    assert started.status == 200
    edited = {**QUIZ, "questions": [dict(QUIZ["questions"][0], image=kept)]}  # the quiz drops one picture
    assert (await teacher.put(f"/api/v1/quizzes/{made['id']}", json=edited)).status == 200

    folder: Path = server.app[keys.SETTINGS].data_dir / "images"
    db = server.app[keys.DB]
    assert await images.collect_garbage(db, folder) == []  # within a day of upload everything stays
    assert await images.collect_garbage(db, folder, grace_s=0) == [dropped]
    assert sorted(p.name for p in folder.iterdir()) == sorted([kept, in_past_lesson])  # results keep theirs
    rows = await db.fetchall("SELECT name FROM images")
    assert sorted(r[0] for r in rows) == sorted([kept, in_past_lesson])


def _csv_import(text: str, title: str = "Back"):
    return f"/api/v1/quizzes/import?format=csv&title={title}", text.encode()


async def test_quiz_csv_export_defuses_formulas_and_imports_back_unchanged(teacher):
    hostile = {"title": "Spreadsheet", "questions": [
        {"type": "multiple", "text": '=HYPERLINK("http://evil.example","click")', "options": ["+1", "@SUM(A1)"],
         "correct": "A"},
        {"type": "multiple", "text": "-2 + 3?", "options": ["=1", "1"], "correct": "B"}]}
    made = await (await teacher.post("/api/v1/quizzes", json=hostile)).json()
    text = await (await teacher.get(f"/api/v1/quizzes/{made['id']}/export.csv")).text()
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells
    path, body = _csv_import(text)
    back = await (await teacher.post(path, data=body)).json()
    assert [(q["text"], q["options"]) for q in back["questions"]] == [
        (q["text"], q["options"]) for q in hostile["questions"]]


def test_every_csv_the_appliance_writes_goes_through_one_function():
    root = Path(__file__).resolve().parents[1] / "appliance"
    writers = [str(p.relative_to(root)) for p in root.rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\b", p.read_text(encoding="utf-8"))]
    assert writers == ["classroom/spreadsheet.py"]


async def test_one_question_cap_for_every_import_and_lists_without_questions(teacher):
    question = {"type": "multiple", "text": "Q?", "options": ["a", "b"], "correct": "A"}
    big = {"title": "Big", "questions": [question] * 201}
    too_many = await teacher.post("/api/v1/quizzes", json=big)
    assert too_many.status == 400 and "1 to 200 items" in (await too_many.json())["error"]
    from_json = await teacher.post("/api/v1/quizzes/import?format=json", data=json.dumps(big).encode())
    assert from_json.status == 400 and "at most 200 questions a quiz, found 201" in (await from_json.json())["error"]
    header = "type,text,option_a,option_b,option_c,option_d,correct,time_limit\n"
    path, body = _csv_import(header + "multiple,Q?,a,b,,,A,\n" * 5000)
    from_csv = await teacher.post(path, data=body)
    assert from_csv.status == 400 and "line 202: more than 200 questions" in (await from_csv.json())["error"]
    path, body = _csv_import(header + "multiple,Q?,a,b,,,A,\n" * 200, "Just right")
    assert (await teacher.post(path, data=body)).status == 201

    listed = await (await teacher.get("/api/v1/quizzes")).json()
    assert all(set(q) == {"id", "title", "tags", "question_count"} for q in listed)
    assert next(q for q in listed if q["title"] == "Just right")["question_count"] == 200


def test_ntfs_is_supported_only_where_ntfs_3g_is_installed(tmp_path):
    """The udev rule mounts NTFS sticks through ntfs-3g; without it the admin page says so (api: "ntfs")."""
    from appliance.reports import export

    binary = tmp_path / "ntfs-3g"
    assert not export.ntfs_supported(binary)
    binary.write_text("")
    assert export.ntfs_supported(binary)
    rule = (Path(__file__).resolve().parents[1] / "systemd" / "90-argus-usb.rules").read_text()
    assert 'ENV{ID_FS_TYPE}=="ntfs", TEST=="/usr/bin/ntfs-3g"' in rule and "--type=ntfs-3g" in rule
