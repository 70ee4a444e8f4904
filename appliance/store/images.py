"""Question images, stored on the appliance under a name derived from their content.

Nothing is kept as sent: the header's pixel size is checked before anything is decoded, then the image is
decoded by OpenCV and encoded again (JPEG stays JPEG, everything else becomes PNG), so a "GIF" that is really
HTML, a polyglot, or metadata (a phone photo's GPS position) never reaches the disk. CPU-bound: run in a worker
thread, one or two at a time (keys.DECODE_SLOT).
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from appliance.classroom.importers import IMAGE_NAME
from appliance.store import image_owners
from appliance.store.db import Database
from appliance.vision.image_header import BadHeader, ImageHeader, read_header

MAX_BYTES = 2 * 1024 * 1024
# An image uploaded in the editor is kept this long even before any saved quiz uses it.
UNUSED_GRACE_S = 24 * 3600.0
# A question image on a projector needs far less; this is about 70 MB while decoding (three bytes a pixel).
MAX_PIXELS = 24_000_000
_JPEG_QUALITY = 90


class InvalidImage(ValueError):
    pass


class ImageTooLarge(InvalidImage):
    """Too many bytes or pixels (HTTP 413)."""


@dataclass(frozen=True)
class Encoded:
    name: str  # content hash + extension: the file name under images/
    data: bytes


def checked_header(data: bytes, max_pixels: int, what: str = "image") -> ImageHeader:
    """The header of an image no larger than `max_pixels`; raises InvalidImage naming the problem."""
    try:
        header = read_header(data)
    except BadHeader as exc:
        raise InvalidImage(str(exc)) from None
    if header.pixels > max_pixels:
        raise ImageTooLarge(f"the {what} has too many pixels ({header.width} x {header.height}; at most "
                           f"{max_pixels // 1_000_000} million)")
    return header


def reencode(data: bytes) -> Encoded:
    """Decode and encode an upload again, within the limits. CPU-bound."""
    if len(data) > MAX_BYTES:
        raise ImageTooLarge(f"the image is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    header = checked_header(data, MAX_PIXELS)
    # JPEG: IMREAD_COLOR applies the EXIF rotation, so the picture shows as the camera held it.
    flags = cv2.IMREAD_COLOR if header.kind == "jpg" else cv2.IMREAD_UNCHANGED
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None:
        raise InvalidImage(f"the {header.kind.upper()} image is damaged or truncated")
    if header.kind == "jpg":
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
        extension = "jpg"
    else:
        ok, encoded = cv2.imencode(".png", image)
        extension = "png"
    if not ok:
        raise InvalidImage(f"the {header.kind.upper()} image could not be converted")
    body = encoded.tobytes()
    return Encoded(f"{hashlib.sha256(body).hexdigest()}.{extension}", body)


def store(directory: Path, image: Encoded) -> None:
    """Write an encoded image under its name. Atomic: a crash leaves no half-written image."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / image.name
    if target.exists():
        os.utime(target)  # fresh again: the garbage collector's grace period starts over
        return
    temporary = directory / f".{image.name}.tmp"
    with open(temporary, "wb") as fh:
        fh.write(image.data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, target)


def remove_unused(directory: Path, used: set[str], older_than: float) -> list[str]:
    """Delete image files no question uses, last touched before `older_than`; returns their names. File I/O."""
    removed = []
    if not directory.is_dir():
        return removed
    for path in directory.iterdir():
        if not IMAGE_NAME.match(path.name) or path.name in used:
            continue
        try:
            if path.stat().st_mtime < older_than:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:
            continue
    return removed


async def collect_garbage(db: Database, directory: Path, grace_s: float = UNUSED_GRACE_S) -> list[str]:
    """Remove the images no quiz and no past session shows any more (and their quota rows)."""
    older_than = time.time() - grace_s
    used = await image_owners.in_use(db)
    removed = await asyncio.get_running_loop().run_in_executor(None, remove_unused, directory, used, older_than)
    await image_owners.forget_unused(db, older_than)
    return removed
