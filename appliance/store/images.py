"""Question images, stored on the appliance under a name derived from their content.

An upload is accepted only if its bytes start like the type it claims and OpenCV can actually decode it
(in a worker thread), so a renamed PDF or a truncated file is refused with a clear message.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import cv2
import numpy as np

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000
_SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}


class InvalidImage(ValueError):
    pass


def image_kind(data: bytes) -> str:
    for kind, signatures in _SIGNATURES.items():
        if any(data.startswith(sig) for sig in signatures):
            if kind == "webp" and data[8:12] != b"WEBP":
                continue
            return kind
    raise InvalidImage("not a PNG, JPEG, GIF or WebP image")


def check_image(data: bytes) -> str:
    """The image's extension if `data` is a whole, decodable image within the limits. CPU-bound."""
    if len(data) > MAX_BYTES:
        raise InvalidImage(f"the image is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    kind = image_kind(data)
    if kind == "gif":
        # OpenCV may lack a GIF decoder; the header still tells a real GIF's size.
        width, height = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
        if len(data) < 14 or not width or not height:
            raise InvalidImage("the GIF image is damaged")
        return kind
    header = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8)
    if header is None:
        raise InvalidImage(f"the {kind.upper()} image is damaged or truncated")
    if header.shape[0] * header.shape[1] * 64 > MAX_PIXELS:
        raise InvalidImage("the image has too many pixels")
    return kind


def save_image(directory: Path, data: bytes) -> str:
    """Check and store an image; returns its file name. Atomic: a crash leaves no half-written image."""
    kind = check_image(data)
    name = f"{hashlib.sha256(data).hexdigest()}.{kind}"
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if not target.exists():
        temporary = directory / f".{name}.tmp"
        with open(temporary, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, target)
    return name
