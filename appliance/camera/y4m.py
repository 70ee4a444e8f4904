"""A raw YUV4MPEG2 stream (a file or a FIFO): `y4m:<path>`. Only the Y plane is kept.

This is what a camera pipeline hands over without any decoding (`libcamera-vid --codec yuv420 -o fifo`, or
`ffmpeg ... -f yuv4mpegpipe`), and what `argus bench e2e` feeds the appliance with: the frames cost the reader
nothing to unpack, as the Y plane of picamera2's YUV420 stream does on the Pi. The stream is read at the rate
the writer sends it; a writer that stops (end of file, FIFO closed) is a CameraError, so the runner reopens.
Formats: `C420*` (and no C tag, which means 4:2:0) and `Cmono`.
"""
from __future__ import annotations

import os
import select
from pathlib import Path

import numpy as np

from appliance.camera.base import CameraError
from appliance.camera.pool import FramePool

MAGIC = b"YUV4MPEG2 "
_HEADER_MAX = 1024
_WAIT_SECONDS = 1.0  # grab blocks at most this long for the next frame


def chroma_bytes(colour: str, width: int, height: int) -> int:
    """Bytes that follow the Y plane in one frame of this colour space (the tag after C, e.g. '420jpeg')."""
    if colour == "mono":
        return 0
    if colour.startswith("420"):
        return 2 * ((width + 1) // 2) * ((height + 1) // 2)
    raise CameraError(f"YUV4MPEG2 colour space C{colour} is not supported (use C420 or Cmono)")


def header(width: int, height: int, fps: float, colour: str = "mono") -> bytes:
    """The stream header a writer sends first (frame rate as a fraction with denominator 1000)."""
    return MAGIC + f"W{width} H{height} F{round(fps * 1000)}:1000 Ip A1:1 C{colour}\n".encode()


class Y4MSource:
    def __init__(self, target: str):
        self._path = Path(target)
        self._fd: int | None = None
        self._width = self._height = 0
        self._pool = FramePool()
        self._chroma = bytearray()  # the U and V planes of each frame are read into this and dropped
        self.description = f"y4m:{target}"

    def open(self) -> None:
        if not self._path.exists():
            raise CameraError(f"camera {self.description}: no such file or FIFO {str(self._path)!r}")
        # Non-blocking, so opening a FIFO no writer has opened yet does not hang the camera thread.
        self._fd = os.open(self._path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            fields = self._read_line().split()
            if not fields or fields[0] != MAGIC.strip():
                raise CameraError(f"camera {self.description}: not a YUV4MPEG2 stream")
            tags = {f[:1].decode(): f[1:].decode() for f in fields[1:]}
            self._width, self._height = int(tags["W"]), int(tags["H"])
            self._chroma = bytearray(chroma_bytes(tags.get("C", "420"), self._width, self._height))
        except (KeyError, ValueError) as exc:
            self.close()
            raise CameraError(f"camera {self.description}: bad YUV4MPEG2 header ({exc})") from None
        except CameraError:
            self.close()
            raise

    def grab(self) -> np.ndarray:
        if self._fd is None:
            raise CameraError(f"camera {self.description} is not open")
        if not self._read_line().startswith(b"FRAME"):
            raise CameraError(f"camera {self.description}: lost sync (no FRAME marker)")
        gray = self._pool.take((self._height, self._width))
        self._read_into(memoryview(gray).cast("B"))
        if self._chroma:
            self._read_into(memoryview(self._chroma))
        return gray

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _wait_readable(self) -> None:
        ready, _, _ = select.select([self._fd], [], [], _WAIT_SECONDS)
        if not ready:
            raise CameraError(f"camera {self.description}: no frame for {_WAIT_SECONDS:g} s")

    def _read_line(self) -> bytes:
        line = bytearray()
        while not line.endswith(b"\n"):
            if len(line) > _HEADER_MAX:
                raise CameraError(f"camera {self.description}: header line longer than {_HEADER_MAX} bytes")
            byte = self._read_some(1)
            line += byte
        return bytes(line[:-1])

    def _read_some(self, size: int) -> bytes:
        while True:
            try:
                data = os.read(self._fd, size)
            except BlockingIOError:
                self._wait_readable()
                continue
            if not data:
                raise CameraError(f"camera {self.description}: the stream ended")
            return data

    def _read_into(self, view: memoryview) -> None:
        done = 0
        while done < len(view):
            try:
                n = os.readv(self._fd, [view[done:]])
            except BlockingIOError:
                self._wait_readable()
                continue
            if n == 0:
                raise CameraError(f"camera {self.description}: the stream ended inside a frame")
            done += n
