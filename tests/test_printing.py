"""Printable cards: the PDF (fpdf2, DejaVu Sans embedded) opens in poppler with the right pages, embeds every
card losslessly at 300 dpi, lays out 1, 2, 4 or 6 cards a page on A4 and Letter, prints any Latin, Greek,
Cyrillic or Vietnamese name whole, and prints cards the reader reads back. Also the HTTP routes that serve it."""
from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
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
# scripts/test installs poppler-utils: without it these tests fail rather than skip (they are the proof).
NAMES = {1: "Chloé Martin", 2: "Łukasz Żółć", 3: "Ωμέγα 日本語", 4: "O'Brien (twin) \\ back\u200bslash",
         5: "Antonín Dvořák", 6: "Nguyễn Thị Minh Khai", 7: "Жуковский"}


def poppler(tool: str, *args: str) -> str:
    return subprocess.run([shutil.which(tool) or tool, *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "cards.pdf"
    path.write_bytes(data)
    return path


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", str(pdf)), re.M).group(1))


def text_of(pdf: Path) -> str:
    return poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-")


@pytest.mark.parametrize("page", ["A4", "Letter"])
@pytest.mark.parametrize("per_page", [1, 2, 4, 6])
def test_pages_page_size_and_one_lossless_image_per_card(tmp_path, page, per_page):
    count = 7
    pdf = write(tmp_path, printing.cards_pdf(range(1, count + 1), page=page, per_page=per_page))
    assert page_count(pdf) == math.ceil(count / per_page)
    width, height = {"A4": (595, 842), "Letter": (612, 792)}[page]
    assert f"Page size:       {width} x {height} pts" in poppler("pdfinfo", str(pdf))
    images = [line.split() for line in poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    assert len(images) == count
    side_points = printing.layout(page, per_page)[1][0].side
    px = str(round(side_points / 72 * printing.PRINT_DPI))  # 300 dpi on paper
    # width, height, colour, components, bits per component, encoding: 8-bit gray, not JPEG.
    assert all(row[3:9] == [px, px, "gray", "1", "8", "image"] for row in images), images[:2]


def test_card_images_come_out_pixel_for_pixel(tmp_path):
    pdf = write(tmp_path, printing.cards_pdf([7], page="A4", per_page=2))
    poppler("pdfimages", "-png", str(pdf), str(tmp_path / "img"))
    image = cv2.imread(str(tmp_path / "img-000.png"), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(image, render_card(7, image.shape[0]))


def test_names_print_whole_in_any_european_script(tmp_path):
    pdf = write(tmp_path, printing.cards_pdf(range(1, 8), page="A4", per_page=6, names=NAMES))
    text = text_of(pdf)
    for card in (1, 2, 5, 6, 7):
        assert f"Card {card} · {NAMES[card]}" in text, text
    assert "Card 3 · Ωμέγα ???" in text  # no CJK in the font: a "?" each, never a broken file
    assert "Card 4 · O'Brien (twin) \\ backslash" in text  # the zero-width space is gone
    assert printing.printable("tab\there\u200b") == "tabhere"
    assert printing.printable("Nguye\u0302\u0303n") == "Nguyễn"  # composed, so the marks sit on the letter


def test_long_names_are_cut_with_an_ellipsis_inside_the_piece(tmp_path):
    name = "Maximilian Alexander Fitzgerald-Montgomery the Third of Somewhere Rather Far Away"
    text = text_of(write(tmp_path, printing.cards_pdf([1], page="A4", per_page=6, names={1: name})))
    line = next(line for line in text.splitlines() if line.startswith("Card 1"))
    assert line.endswith("…") and len(line) < len(f"Card 1 · {name}")


@pytest.mark.parametrize("page", ["A4", "Letter"])
@pytest.mark.parametrize("per_page", [1, 2, 4, 6])
def test_cards_are_as_large_as_the_page_allows_inside_the_margins(page, per_page):
    (width, height), slots = printing.layout(page, per_page)
    assert len(slots) == per_page
    for slot in slots:
        assert slot.x >= printing.MARGIN and slot.x + slot.side <= width - printing.MARGIN
        assert slot.y - 2.2 * slot.caption_size >= printing.MARGIN - 0.01  # the caption too
        assert slot.y + slot.side <= height - printing.MARGIN - printing.HEADER
    smallest = {1: 0.85, 2: 0.5, 4: 0.4, 6: 0.3}[per_page]  # of the page's width
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


def test_write_pdf_is_atomic_and_readable_by_others(tmp_path):
    target = tmp_path / "cards.pdf"
    target.write_bytes(b"old")
    with pytest.raises(ValueError):
        printing.write_pdf(target, 3, per_page=5)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["cards.pdf"]
    printing.write_pdf(target, 3, page="Letter", per_page=2, names={2: "Ben"})
    assert os.listdir(tmp_path) == ["cards.pdf"]  # no temporary file left behind
    assert page_count(target) == 2
    assert target.stat().st_mode & 0o644 == 0o644


def test_the_cards_command_writes_the_pdf(tmp_path, capsys):
    out = tmp_path / "all.pdf"
    assert argus(["cards", "--pdf", str(out), "--count", "6", "--page", "Letter", "--per-page", "4"]) == 0
    assert page_count(out) == 2
    assert "wrote 6 cards" in capsys.readouterr().out


def rasterise(pdf: Path, dpi: int) -> np.ndarray:
    subprocess.run([PDFTOPPM, "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], check=True, timeout=60)
    return cv2.imread(str(pdf.with_suffix(".png")), cv2.IMREAD_GRAYSCALE)


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


def test_captions_come_out_as_text_in_a_pdf_viewer(tmp_path):
    pdf = printing.write_pdf(tmp_path / "cards.pdf", 4, page="Letter", per_page=4, names=NAMES)
    text = text_of(pdf)
    assert "Card 1 · Chloé Martin" in text and "Card 2 · Łukasz Żółć" in text
    assert "hold the card so the letter of your answer is on top, fingers off the black square." in text


# ---------- HTTP ----------

async def test_cards_pdf_route_needs_a_login_and_checks_its_options(teacher, anonymous, tmp_path):
    assert (await anonymous.get("/api/v1/cards.pdf")).status == 401
    response = await teacher.get("/api/v1/cards.pdf", params={"count": "3", "page": "Letter", "per_page": "2"})
    assert response.status == 200 and response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="argus-cards-1-3.pdf"'
    pdf = write(tmp_path, await response.read())
    assert page_count(pdf) == 2 and "612 x 792 pts" in poppler("pdfinfo", str(pdf))
    for bad in ({"count": "0"}, {"count": "65"}, {"count": "x"}, {"per_page": "3"}, {"per_page": "5"}, {"page": "A3"},
                {"count": "²"}, {"count": str(2**64)}):
        response = await teacher.get("/api/v1/cards.pdf", params=bad)
        assert response.status == 400, bad
        assert (await response.json())["error"]


async def test_class_cards_carry_the_students_names(teacher, anonymous, tmp_path):
    demo = next(c for c in await (await teacher.get("/api/v1/classes")).json() if c["name"] == "Demo class")
    response = await teacher.get(f"/api/v1/classes/{demo['id']}/cards.pdf", params={"per_page": "4"})
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="argus-cards-demo-class.pdf"'
    pdf = write(tmp_path, await response.read())
    assert page_count(pdf) == math.ceil((len(demo["students"]) + 4) / 4)
    text = text_of(pdf)
    for student in demo["students"]:
        assert f"Card {student['card']} · {student['name']}" in text
    for spare in (61, 62, 63, 64):  # a few spare cards, the highest numbers the class does not use
        assert f"Card {spare} · Spare" in text
    assert (await anonymous.get(f"/api/v1/classes/{demo['id']}/cards.pdf")).status == 401
    assert (await teacher.get("/api/v1/classes/9999/cards.pdf")).status == 404
    empty = await (await teacher.post("/api/v1/classes", json={"name": "Empty"})).json()
    response = await teacher.get(f"/api/v1/classes/{empty['id']}/cards.pdf")
    assert response.status == 409 and "no students" in (await response.json())["error"]


async def test_one_card_as_png(teacher, anonymous):
    response = await teacher.get("/api/v1/cards/9.png", params={"size": "300"})
    assert response.status == 200 and response.content_type == "image/png"
    image = cv2.imdecode(np.frombuffer(await response.read(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(image, render_card(9, 300))
    assert (await teacher.get("/api/v1/cards/65.png")).status == 404
    assert (await teacher.get("/api/v1/cards/1.png", params={"size": "5000"})).status == 400
    assert (await anonymous.get("/api/v1/cards/1.png")).status == 401
