"""Printable answer cards as a PDF, written by hand: no PDF library on the appliance.

A PDF of cards needs very little: pages, one grayscale image per card and a few lines of text. Each card is
rendered by `render_card` at print resolution (PRINT_DPI) and embedded losslessly as an 8-bit DeviceGray
image XObject with FlateDecode (zlib), so the marker's edges stay sharp at any printer resolution and a
64-card file stays small (cards are mostly flat white and black).

Layout (portrait, every page size): a margin all round, one line of instructions at the top, then a grid of
1×1, 1×2 or 2×2 cells. Each cell holds one piece to cut out, drawn with a dashed cut line: the card square,
as large as the cell allows, and under it a small caption "Card 7 · Ava Jones". The caption is outside the
card's own square, so it never touches the marker's quiet zone and cannot disturb reading.

Text uses the standard Helvetica font with WinAnsiEncoding (every PDF viewer has it; nothing to embed).
Names are mapped to Windows-1252: accented Latin letters print as they are ("Chloé", "Łukasz" loses only
the stroke: "Lukasz"), and anything else the font cannot show (Greek, Cyrillic, CJK, emoji) becomes "?", so
no name can break the file or the layout.
"""
from __future__ import annotations

import os
import tempfile
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.vision.cards import render_card

PAGE_SIZES = {"A4": (595, 842), "Letter": (612, 792)}  # points (1/72 inch), portrait
GRIDS = {1: (1, 1), 2: (1, 2), 4: (2, 2)}  # per page → (columns, rows)
PRINT_DPI = 300
MAX_CARD_PX = 2400  # a full-page card at 300 dpi is ~2250 px; the cap keeps memory bounded anyway
MARGIN = 28.0  # ~10 mm: outside what most printers cannot reach
GUTTER = 16.0
HEADER = 16.0
PAD = 4.0  # between a cut line and its card, so a slightly crooked cut never eats the card's edge
INSTRUCTIONS = "Argus answer cards: hold the card so the letter of your answer is on top. Cut along the dashed lines."

# Helvetica advance widths (1/1000 em) for ASCII 32..126, from the standard Adobe font metrics. Other
# characters are measured as their unaccented base letter, or as a digit's width.
_ASCII_WIDTHS = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space .. /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0 .. ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ .. O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P .. _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` .. o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p .. ~
]
_DEFAULT_WIDTH = 556


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
        raise ValueError(f"per_page must be 1, 2 or 4, got {per_page!r}")
    width, height = PAGE_SIZES[page]
    columns, rows = GRIDS[per_page]
    cell_w = (width - 2 * MARGIN - (columns - 1) * GUTTER) / columns
    cell_h = (height - 2 * MARGIN - HEADER - (rows - 1) * GUTTER) / rows
    caption_size = 14.0 if per_page == 1 else 11.0
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


def pdf_text(text: str) -> bytes:
    """`text` as Windows-1252 bytes for a WinAnsiEncoding font: accents dropped only where needed, '?' else."""
    out = bytearray()
    for ch in text:
        if ord(ch) < 32 or unicodedata.category(ch).startswith("C"):
            continue  # control and format characters (e.g. zero-width joiners) print as nothing
        try:
            out += ch.encode("cp1252")
            continue
        except UnicodeEncodeError:
            pass
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
        base = base or {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "ı": "i"}.get(ch, "?")
        out += base.encode("cp1252", "replace")
    return bytes(out)


def text_width(encoded: bytes, size: float) -> float:
    total = 0
    for byte in encoded:
        if 32 <= byte <= 126:
            total += _ASCII_WIDTHS[byte - 32]
        elif byte == 0x85:  # the ellipsis
            total += 1000
        else:
            base = unicodedata.normalize("NFKD", bytes([byte]).decode("cp1252", "replace"))[:1]
            code = ord(base) if base else 0
            total += _ASCII_WIDTHS[code - 32] if 32 <= code <= 126 else _DEFAULT_WIDTH
    return total * size / 1000


def fit_text(encoded: bytes, size: float, max_width: float) -> bytes:
    """Cut a long caption with an ellipsis (0x85 in Windows-1252) so it stays inside its piece."""
    if text_width(encoded, size) <= max_width:
        return encoded
    while encoded and text_width(encoded + b"\x85", size) > max_width:
        encoded = encoded[:-1]
    return encoded.rstrip() + b"\x85"


def _string(encoded: bytes) -> bytes:
    """A PDF literal string: only the three characters with a meaning inside ( ) need escaping."""
    return b"(" + encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def caption(number: int, name: str | None) -> str:
    return f"Card {number} \u00b7 {name.strip()}" if name and name.strip() else f"Card {number}"


class _Writer:
    """Collects numbered objects and writes them with a correct cross-reference table."""

    def __init__(self):
        self.objects: list[bytes | None] = []

    def reserve(self) -> int:
        self.objects.append(None)
        return len(self.objects)

    def put(self, number: int, body: bytes) -> int:
        self.objects[number - 1] = body
        return number

    def add(self, body: bytes) -> int:
        return self.put(self.reserve(), body)

    def stream(self, header: bytes, data: bytes) -> int:
        return self.add(b"<< " + header + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")

    def finish(self, root: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # the binary comment tells tools it is not text
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            assert body is not None, f"object {number} was reserved but never written"
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(self.objects) + 1, root, xref)
        return bytes(out)


def _card_image(number: int, side_pt: float) -> tuple[int, bytes]:
    px = min(MAX_CARD_PX, max(200, round(side_pt / 72 * PRINT_DPI)))
    image: np.ndarray = render_card(number, px)
    # Level 3 takes ~60% of the default level's time for files ~1.5x bigger (still under 50 KB a full-page
    # card): a teacher waiting for 64 cards on a Pi notices seconds more than megabytes.
    return px, zlib.compress(image.tobytes(), 3)


def _page_content(pieces: list[tuple[Piece, int, bytes]], width: float, height: float) -> bytes:
    ops = [b"q 0.35 g BT /F1 8.5 Tf %.2f %.2f Td %s Tj ET Q" % (
        MARGIN, height - MARGIN - 9, _string(fit_text(pdf_text(INSTRUCTIONS), 8.5, width - 2 * MARGIN)))]
    for index, (piece, number, label) in enumerate(pieces):
        caption_h = piece.caption_size * 2.2
        # Cut line: light dashed grey, so it guides the scissors but does not read as part of the card.
        ops.append(b"q 0.6 G 0.6 w [5 3] 0 d %.2f %.2f %.2f %.2f re S Q" % (
            piece.x - PAD, piece.y - caption_h, piece.side + 2 * PAD, piece.side + PAD + caption_h))
        ops.append(b"q %.3f 0 0 %.3f %.3f %.3f cm /Im%d Do Q" % (piece.side, piece.side, piece.x, piece.y, index))
        text = fit_text(label, piece.caption_size, piece.side)
        text_x = piece.x + (piece.side - text_width(text, piece.caption_size)) / 2
        text_y = piece.y - caption_h / 2 - piece.caption_size * 0.35
        ops.append(b"BT /F1 %.1f Tf 0 g %.2f %.2f Td %s Tj ET" % (piece.caption_size, text_x, text_y, _string(text)))
    return b"\n".join(ops)


def cards_pdf(numbers: Iterable[int], *, page: str = "A4", per_page: int = 1,
              names: Mapping[int, str] | None = None) -> bytes:
    """A PDF of the given cards (in the given order), `per_page` to a page, captions naming `names[n]`."""
    numbers = list(numbers)
    if not numbers:
        raise ValueError("no cards to print")
    (width, height), slots = layout(page, per_page)
    names = names or {}
    pdf = _Writer()
    catalog, pages_id = pdf.reserve(), pdf.reserve()
    font = pdf.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page_ids = []
    for start in range(0, len(numbers), per_page):
        batch = numbers[start:start + per_page]
        images, placed = [], []
        for index, (number, slot) in enumerate(zip(batch, slots)):
            px, data = _card_image(number, slot.side)
            images.append(b"/Im%d %d 0 R" % (index, pdf.stream(
                b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Interpolate false /Filter /FlateDecode" % (px, px), data)))
            placed.append((slot, number, pdf_text(caption(number, names.get(number)))))
        content = pdf.stream(b"", _page_content(placed, width, height))
        page_ids.append(pdf.add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> /XObject << %s >> >> >>"
            % (pages_id, width, height, content, font, b" ".join(images))))
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    pdf.put(pages_id, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids)))
    pdf.put(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    return pdf.finish(catalog)


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
