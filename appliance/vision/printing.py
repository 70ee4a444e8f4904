"""Printable answer cards as a PDF, made with fpdf2 and the DejaVu Sans font embedded (a subset of it).

Each card is rendered by `render_card` at print resolution (PRINT_DPI) and embedded losslessly (an 8-bit
grayscale image, Flate-compressed), so the marker's edges stay sharp at any printer resolution.

Layout (portrait, every page size): a margin all round, one line of instructions at the top, then a grid of
1×1, 1×2, 2×2 or 2×3 cells. Each cell holds one piece to cut out, drawn with a dashed cut line: the card
square, as large as the cell allows, and under it a small caption "Card 7 · Ava Jones". The caption is
outside the card's own square, so it never touches the marker's quiet zone and cannot disturb reading.

Names print whole in Latin, Greek, Cyrillic and Vietnamese ("Dvořák", "Łukasz", "Ωμέγα", "Nguyễn"): the font
is embedded, so no viewer or printer has to have it. A character DejaVu Sans has no glyph for (CJK, emoji)
prints as "?", so no name can break the file or the layout. The font and its licence (Bitstream Vera,
DejaVu changes public domain) ship in vision/data/, from Debian's fonts-dejavu-core.
"""
from __future__ import annotations

import functools
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from appliance.vision.cards import render_card

if TYPE_CHECKING:
    from fpdf import FPDF
    from PIL import Image

# fpdf2, Pillow and fontTools are imported when a PDF is made, not when the appliance starts: together they
# are megabytes of resident memory that a Pi reading 12 MP frames all day does not need until someone prints.

PAGE_SIZES = {"A4": (595, 842), "Letter": (612, 792)}  # points (1/72 inch), portrait
GRIDS = {1: (1, 1), 2: (1, 2), 4: (2, 2), 6: (2, 3)}  # per page → (columns, rows)
PRINT_DPI = 300
MAX_CARD_PX = 2400  # a full-page card at 300 dpi is ~2250 px; the cap keeps memory bounded anyway
MARGIN = 28.0  # ~10 mm: outside what most printers cannot reach
GUTTER = 16.0
HEADER = 16.0
PAD = 4.0  # between a cut line and its card, so a slightly crooked cut never eats the card's edge
# The marker reaches closer to the edge than on the cards printed before: fingers on the white edge only.
INSTRUCTIONS = ("Argus answer cards: hold the card so the letter of your answer is on top, fingers off the black "
                "square. Cut along the dashes.")
FONT_PATH = Path(__file__).parent / "data" / "DejaVuSans.ttf"
FONT = "DejaVuSans"


@dataclass(frozen=True)
class Piece:
    """Where one card goes on its page, in points from the bottom-left corner."""
    x: float  # the card square's left edge
    y: float  # the card square's bottom edge
    side: float
    caption_size: float  # font size of the caption, which sits under the square


def layout(page: str, per_page: int) -> tuple[tuple[int, int], list[Piece]]:
    """The page size and the position of each card on a page, in reading order (left to right, top down)."""
    if page not in PAGE_SIZES:
        raise ValueError(f"page must be one of {', '.join(PAGE_SIZES)}, got {page!r}")
    if per_page not in GRIDS:
        raise ValueError(f"per_page must be 1, 2, 4 or 6, got {per_page!r}")
    width, height = PAGE_SIZES[page]
    columns, rows = GRIDS[per_page]
    cell_w = (width - 2 * MARGIN - (columns - 1) * GUTTER) / columns
    cell_h = (height - 2 * MARGIN - HEADER - (rows - 1) * GUTTER) / rows
    caption_size = {1: 14.0, 2: 11.0}.get(per_page, 10.0)
    caption_h = caption_size * 2.2  # the text plus room above and below it, inside the cut line
    side = min(cell_w - 2 * PAD, cell_h - caption_h - PAD)
    top = height - MARGIN - HEADER
    pieces = []
    for r in range(rows):
        for c in range(columns):
            cell_x = MARGIN + c * (cell_w + GUTTER)
            cell_top = top - r * (cell_h + GUTTER)
            piece_h = side + PAD + caption_h
            x = cell_x + (cell_w - side) / 2
            y = cell_top - (cell_h - piece_h) / 2 - PAD - side
            pieces.append(Piece(x, y, side, caption_size))
    return (width, height), pieces


@functools.cache
def _glyphs() -> frozenset[int]:
    """The code points the embedded font can draw."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(FONT_PATH, lazy=True).getBestCmap())


def printable(text: str) -> str:
    """`text` as the font can print it: composed (NFC, so Vietnamese tone marks sit on their letters),
    control and zero-width characters dropped, anything without a glyph as "?"."""
    glyphs = _glyphs()
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.category(ch).startswith("C"):
            continue
        out.append(ch if ord(ch) in glyphs else "?")
    return "".join(out)


def caption(number: int, name: str | None) -> str:
    return f"Card {number} \u00b7 {name.strip()}" if name and name.strip() else f"Card {number}"


def fit_text(pdf: FPDF, text: str, max_width: float) -> str:
    """Cut a long caption with an ellipsis so it stays inside its piece (at the current font size)."""
    if pdf.get_string_width(text) <= max_width:
        return text
    while text and pdf.get_string_width(text + "\u2026") > max_width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _card_image(number: int, side_pt: float) -> Image.Image:
    from PIL import Image

    px = min(MAX_CARD_PX, max(200, round(side_pt / 72 * PRINT_DPI)))
    image: np.ndarray = render_card(number, px)
    return Image.fromarray(image, mode="L")


def _draw_piece(pdf: FPDF, piece: Piece, number: int, label: str, page_height: float) -> None:
    # fpdf2 measures from the top-left corner; the layout from the bottom-left, as PDF itself does.
    caption_h = piece.caption_size * 2.2
    top = page_height - (piece.y + piece.side)
    # Cut line: light dashed grey, so it guides the scissors but does not read as part of the card.
    pdf.set_draw_color(153)
    pdf.set_line_width(0.6)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=5, gap=3)
        pdf.rect(piece.x - PAD, top - PAD, piece.side + 2 * PAD, piece.side + PAD + caption_h)
    pdf.image(_card_image(number, piece.side), x=piece.x, y=top, w=piece.side, h=piece.side)
    pdf.set_font(FONT, size=piece.caption_size)
    pdf.set_text_color(0)
    text = fit_text(pdf, label, piece.side)
    baseline = top + piece.side + caption_h / 2 + piece.caption_size * 0.35
    pdf.text(piece.x + (piece.side - pdf.get_string_width(text)) / 2, baseline, text)


def cards_pdf(numbers: Iterable[int], *, page: str = "A4", per_page: int = 1,
              names: Mapping[int, str] | None = None) -> bytes:
    """A PDF of the given cards (in the given order), `per_page` to a page, captions naming `names[n]`."""
    from fpdf import FPDF

    numbers = list(numbers)
    if not numbers:
        raise ValueError("no cards to print")
    (width, height), slots = layout(page, per_page)
    names = names or {}
    pdf = FPDF(orientation="P", unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Argus")
    pdf.add_font(FONT, fname=str(FONT_PATH))
    for start in range(0, len(numbers), per_page):
        pdf.add_page()
        pdf.set_font(FONT, size=8.5)
        pdf.set_text_color(89)
        pdf.text(MARGIN, MARGIN + 9, fit_text(pdf, INSTRUCTIONS, width - 2 * MARGIN))
        for number, slot in zip(numbers[start:start + per_page], slots):
            _draw_piece(pdf, slot, number, printable(caption(number, names.get(number))), height)
    return bytes(pdf.output())


def write_pdf(path: Path, count: int, page: str = "A4", per_page: int = 1,
              names: dict[int, str] | None = None) -> Path:
    """Cards 1..count into `path`, atomically: a reader never sees a half-written file, even after a crash."""
    if count < 1:
        raise ValueError(f"card count must be at least 1, got {count}")
    data = cards_pdf(range(1, count + 1), page=page, per_page=per_page, names=names)
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o644)  # mkstemp makes it private; a printout is meant to be shared
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
