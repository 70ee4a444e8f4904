"""Printable cards: the hand-written PDF is structurally valid, embeds every card losslessly, lays out 1, 2 or 4
cards a page on A4 and Letter, survives any name, and (with poppler's pdftoppm) prints cards the reader reads.
Also the HTTP routes that serve it."""
from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from appliance.cli import main as argus
from appliance.config import CardSettings, ReaderSettings
from appliance.vision import printing
from appliance.vision.cards import render_card
from appliance.vision.reader import CardReader

PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
NEEDS_POPPLER = pytest.mark.skipif(PDFTOPPM is None or PDFTOTEXT is None,
                                   reason="poppler-utils (pdftoppm, pdftotext) is not installed")
NAMES = {1: "Chloé Martin", 2: "Łukasz Żółć", 3: "Ωμέγα 日本語 😀", 4: "O'Brien (twin) \\ back\u200bslash"}


def parse(pdf: bytes) -> dict[int, bytes]:
    """Every object by number, found only through the cross-reference table, which must point exactly at it."""
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\s*$", pdf).group(1))
    assert pdf[start:start + 5] == b"xref\n"
    header = re.match(rb"xref\n0 (\d+)\n", pdf[start:])
    size = int(header.group(1))
    table = pdf[start + header.end():]
    entries = [table[i * 20:(i + 1) * 20] for i in range(size)]
    assert entries[0] == b"0000000000 65535 f \n"
    assert re.search(rb"trailer\n<< /Size %d /Root \d+ 0 R >>" % size, pdf)
    objects = {}
    for number, entry in enumerate(entries[1:], start=1):
        assert re.fullmatch(rb"\d{10} 00000 n \n", entry), entry
        offset = int(entry[:10])
        assert pdf.startswith(b"%d 0 obj\n" % number, offset), f"xref entry {number} points at the wrong place"
        objects[number] = pdf[offset:pdf.index(b"\nendobj\n", offset)]
    return objects


def pages(objects: dict[int, bytes]) -> list[bytes]:
    return [body for body in objects.values() if b"/Type /Page " in body]


def stream(body: bytes) -> bytes:
    length = int(re.search(rb"/Length (\d+)", body).group(1))
    start = body.index(b"stream\n") + len(b"stream\n")
    return body[start:start + length]


@pytest.mark.parametrize("page", ["A4", "Letter"])
@pytest.mark.parametrize("per_page", [1, 2, 4])
def test_structure_page_count_and_media_box(page, per_page):
    count = 5
    objects = parse(printing.cards_pdf(range(1, count + 1), page=page, per_page=per_page))
    found = pages(objects)
    assert len(found) == math.ceil(count / per_page)
    assert re.search(rb"/Type /Pages /Kids \[[^\]]*\] /Count %d" % len(found), b"".join(objects.values()))
    width, height = {"A4": (595, 842), "Letter": (612, 792)}[page]
    assert all(b"/MediaBox [0 0 %d %d]" % (width, height) in p for p in found)
    images = [body for body in objects.values() if b"/Subtype /Image" in body]
    assert len(images) == count


@pytest.mark.parametrize("page", ["A4", "Letter"])
@pytest.mark.parametrize("per_page", [1, 2, 4])
def test_cards_are_as_large_as_the_page_allows_inside_the_margins(page, per_page):
    (width, height), slots = printing.layout(page, per_page)
    assert len(slots) == per_page
    for slot in slots:
        assert slot.x >= printing.MARGIN and slot.x + slot.side <= width - printing.MARGIN
        assert slot.y - 2.2 * slot.caption_size >= printing.MARGIN - 0.01  # the caption too
        assert slot.y + slot.side <= height - printing.MARGIN - printing.HEADER
    smallest = {1: 0.85, 2: 0.5, 4: 0.4}[per_page]  # of the page's width
    assert slots[0].side >= smallest * width
    # As large as the page allows: the cut-out pieces fill the printable area across or down.
    boxes = [(s.x - 4, s.y - 2.2 * s.caption_size, s.x + s.side + 4, s.y + s.side + 4) for s in slots]
    across = max(b[2] for b in boxes) - min(b[0] for b in boxes)
    down = max(b[3] for b in boxes) - min(b[1] for b in boxes)
    assert math.isclose(across, width - 2 * printing.MARGIN, abs_tol=0.5) or \
        math.isclose(down, height - 2 * printing.MARGIN - printing.HEADER, abs_tol=0.5)
    # No two cards overlap (with their captions and cut lines).
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_card_images_are_embedded_losslessly_at_print_resolution():
    objects = parse(printing.cards_pdf([7], page="A4", per_page=2))
    image = next(body for body in objects.values() if b"/Subtype /Image" in body)
    px = int(re.search(rb"/Width (\d+)", image).group(1))
    assert b"/Height %d" % px in image and b"/ColorSpace /DeviceGray /BitsPerComponent 8" in image
    side_points = printing.layout("A4", 2)[1][0].side
    assert px == round(side_points / 72 * printing.PRINT_DPI)  # 300 dpi on paper
    pixels = np.frombuffer(zlib.decompress(stream(image)), np.uint8).reshape(px, px)
    assert np.array_equal(pixels, render_card(7, px))


def test_names_become_safe_winansi_text():
    assert printing.pdf_text("Chloé Martin") == b"Chlo\xe9 Martin"
    assert printing.pdf_text("Łukasz Żółć") == b"Lukasz Z\xf3lc"  # in Windows-1252 only ó survives as itself
    assert printing.pdf_text("Ωμέγα 日本 😀") == b"????? ?? ?"  # no Greek, CJK or emoji in the standard font
    assert printing.pdf_text("tab\there\u200b") == b"tabhere"  # control and zero-width characters vanish
    assert printing._string(b"a(b)c\\") == b"(a\\(b\\)c\\\\)"
    long = printing.pdf_text("Maximilian Alexander Fitzgerald-Montgomery the Third")
    fitted = printing.fit_text(long, 11, 150)
    assert fitted.endswith(b"\x85") and printing.text_width(fitted, 11) <= 150 < printing.text_width(long, 11)


def test_any_name_prints_and_the_structure_holds():
    objects = parse(printing.cards_pdf(range(1, 5), page="Letter", per_page=4, names=NAMES))
    content = b"".join(stream(body) for body in objects.values() if b"/Subtype" not in body and b"stream" in body)
    assert b"(Card 1 \xb7 Chlo\xe9 Martin)" in content
    assert b"(Card 4 \xb7 O'Brien \\(twin\\) \\\\ backslash)" in content
    assert b"(Card 3 \xb7 ????? ??? ?)" in content


def test_write_pdf_is_atomic_and_readable_by_others(tmp_path):
    target = tmp_path / "cards.pdf"
    target.write_bytes(b"old")
    with pytest.raises(ValueError):
        printing.write_pdf(target, 3, per_page=3)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["cards.pdf"]
    printing.write_pdf(target, 3, page="Letter", per_page=2, names={2: "Ben"})
    assert os.listdir(tmp_path) == ["cards.pdf"]  # no temporary file left behind
    assert len(pages(parse(target.read_bytes()))) == 2
    assert target.stat().st_mode & 0o644 == 0o644


def test_the_cards_command_writes_the_pdf(tmp_path, capsys):
    out = tmp_path / "all.pdf"
    assert argus(["cards", "--pdf", str(out), "--count", "6", "--page", "Letter", "--per-page", "4"]) == 0
    assert len(pages(parse(out.read_bytes()))) == 2
    assert "wrote 6 cards" in capsys.readouterr().out


def rasterise(pdf: Path, dpi: int) -> np.ndarray:
    subprocess.run([PDFTOPPM, "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], check=True, timeout=60)
    return cv2.imread(str(pdf.with_suffix(".png")), cv2.IMREAD_GRAYSCALE)


@NEEDS_POPPLER
@pytest.mark.parametrize("per_page, dpi", [(1, 50), (4, 72)])
def test_a_printed_page_is_read_back_by_the_card_reader(tmp_path, per_page, dpi):
    pdf = printing.write_pdf(tmp_path / "cards.pdf", 6, page="A4", per_page=per_page, names=NAMES)
    page = rasterise(pdf, dpi)
    assert page.shape == (math.ceil(842 * dpi / 72), math.ceil(595 * dpi / 72))  # pdftoppm rounds up
    reader = CardReader(ReaderSettings(), CardSettings())
    assert [(s.card, s.answer) for s in reader.read(page)] == [(n, "A") for n in range(1, per_page + 1)]
    # Held with B on top (a quarter turn counter-clockwise), the printed card reads as B.
    turned = np.ascontiguousarray(np.rot90(page))
    assert {s.answer for s in reader.read(turned)} == {"B"}


@NEEDS_POPPLER
def test_captions_come_out_as_text_in_a_pdf_viewer(tmp_path):
    pdf = printing.write_pdf(tmp_path / "cards.pdf", 4, page="Letter", per_page=4, names=NAMES)
    text = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Card 1 · Chloé Martin" in text and "Card 2 · Lukasz Zólc" in text
    assert "hold the card so the letter of your answer is on top" in text


# ---------- HTTP ----------

async def test_cards_pdf_route_needs_a_login_and_checks_its_options(teacher, anonymous):
    assert (await anonymous.get("/api/v1/cards.pdf")).status == 401
    response = await teacher.get("/api/v1/cards.pdf", params={"count": "3", "page": "Letter", "per_page": "2"})
    assert response.status == 200 and response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="argus-cards-1-3.pdf"'
    found = pages(parse(await response.read()))
    assert len(found) == 2 and b"/MediaBox [0 0 612 792]" in found[0]
    for bad in ({"count": "0"}, {"count": "65"}, {"count": "x"}, {"per_page": "3"}, {"page": "A3"}, {"count": "²"},
                {"count": str(2**64)}):
        response = await teacher.get("/api/v1/cards.pdf", params=bad)
        assert response.status == 400, bad
        assert (await response.json())["error"]


async def test_class_cards_carry_the_students_names(teacher, anonymous):
    demo = next(c for c in await (await teacher.get("/api/v1/classes")).json() if c["name"] == "Demo class")
    response = await teacher.get(f"/api/v1/classes/{demo['id']}/cards.pdf", params={"per_page": "4"})
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="argus-cards-demo-class.pdf"'
    objects = parse(await response.read())
    assert len(pages(objects)) == math.ceil(len(demo["students"]) / 4)
    content = b"".join(stream(b) for b in objects.values() if b"/Subtype" not in b and b"stream" in b)
    for student in demo["students"]:
        assert b"(Card %d \xb7 %s)" % (student["card"], printing.pdf_text(student["name"])) in content
    assert (await anonymous.get(f"/api/v1/classes/{demo['id']}/cards.pdf")).status == 401
    assert (await teacher.get("/api/v1/classes/9999/cards.pdf")).status == 404
    empty = await (await teacher.post("/api/v1/classes", json={"name": "Empty"})).json()
    response = await teacher.get(f"/api/v1/classes/{empty['id']}/cards.pdf")
    assert response.status == 400 and "no students" in (await response.json())["error"]


async def test_one_card_as_png(teacher, anonymous):
    response = await teacher.get("/api/v1/cards/9.png", params={"size": "300"})
    assert response.status == 200 and response.content_type == "image/png"
    image = cv2.imdecode(np.frombuffer(await response.read(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(image, render_card(9, 300))
    assert (await teacher.get("/api/v1/cards/65.png")).status == 404
    assert (await teacher.get("/api/v1/cards/1.png", params={"size": "5000"})).status == 400
    assert (await anonymous.get("/api/v1/cards/1.png")).status == 401
