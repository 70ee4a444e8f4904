"""An image's type and pixel size read from its first bytes, before anything is decoded. Pure, no I/O.

A 900 KB PNG can claim 30000 x 30000 pixels and take ~2.7 GB to decode; reading the header first lets the
caller refuse it for the price of a few bytes. Decoders size their buffers from these same fields (PNG IHDR,
JPEG SOFn, GIF logical screen, WebP VP8/VP8L/VP8X), so a file cannot claim one size here and get another.
"""
from __future__ import annotations

from dataclasses import dataclass


class BadHeader(ValueError):
    """Not an image of a known type, or its header is damaged; the message says which, for the user."""


@dataclass(frozen=True)
class ImageHeader:
    kind: str  # "png" | "jpg" | "gif" | "webp"
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _be16(data: bytes, at: int) -> int:
    return int.from_bytes(data[at:at + 2], "big")


def _le(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at:at + size], "little")


def _png(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise BadHeader("the PNG image is damaged (no IHDR header)")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# Start-of-frame markers: every SOFn except DHT (C4), JPG (C8) and DAC (CC), which share the range.
_SOF = {m for m in range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}


# Real files have a dozen segments before the frame header; a file of endless tiny ones is refused quickly.
_MAX_JPEG_SEGMENTS = 512


def _jpeg(data: bytes) -> tuple[int, int]:
    at = 2
    for _ in range(_MAX_JPEG_SEGMENTS):
        if at + 4 > len(data):
            break
        if data[at] != 0xFF:
            break
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            break
        length = _be16(data, at + 2)
        if length < 2:
            break
        if marker in _SOF:
            if at + 9 > len(data):
                break
            return _be16(data, at + 7), _be16(data, at + 5)
        at += 2 + length
    raise BadHeader("the JPEG image is damaged (no frame header)")


def _gif(data: bytes) -> tuple[int, int]:
    if len(data) < 13:
        raise BadHeader("the GIF image is damaged")
    return _le(data, 6, 2), _le(data, 8, 2)


def _webp(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return _le(data, 24, 3) + 1, _le(data, 27, 3) + 1
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = _le(data, 21, 4)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return _le(data, 26, 2) & 0x3FFF, _le(data, 28, 2) & 0x3FFF
    raise BadHeader("the WebP image is damaged (no VP8 header)")


def read_header(data: bytes) -> ImageHeader:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind, size = "png", _png(data)
    elif data.startswith(b"\xff\xd8\xff"):
        kind, size = "jpg", _jpeg(data)
    elif data.startswith((b"GIF87a", b"GIF89a")):
        kind, size = "gif", _gif(data)
    elif data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        kind, size = "webp", _webp(data)
    else:
        raise BadHeader("not a PNG, JPEG, GIF or WebP image")
    width, height = size
    if not width or not height:
        raise BadHeader(f"the {kind.upper()} image is damaged (it claims no pixels)")
    return ImageHeader(kind, width, height)
