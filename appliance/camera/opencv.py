"""Any camera OpenCV can open: a USB webcam (index), a video file (path) or a network stream (URL).

A video file loops: a recorded lesson replays forever, paced at camera.fps, so demos and benchmarks run
unattended. Live sources that stop delivering raise CameraError so the runner reconnects.

Unlike the y4m and picamera2 sources this one does not grab into pooled buffers (camera/pool.py): OpenCV
allocates the decoded colour picture every frame anyway, decoding costs far more than the grey copy's page
faults, and measured at 12 MP (bench memory) pooling here only added 4-12 MB to the peak.
"""
from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from appliance.camera.base import CameraError
from appliance.config import CameraSettings


def _is_url(target: str) -> bool:
    return "://" in target


class OpenCVSource:
    def __init__(self, target: str, settings: CameraSettings):
        self._target = target
        self._settings = settings
        self._capture: cv2.VideoCapture | None = None
        self._is_file = not target.isdigit() and not _is_url(target)
        self._next_time = 0.0
        self.description = f"opencv:{target}"

    def open(self) -> None:
        if self._is_file and not Path(self._target).is_file():
            raise CameraError(f"camera {self.description}: no such video file {self._target!r}")
        capture = cv2.VideoCapture(int(self._target) if self._target.isdigit() else self._target)
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"camera {self.description} could not be opened")
        if not self._is_file:
            self._ask_for_format(capture)
        self._capture = capture
        self._next_time = time.monotonic()

    def _ask_for_format(self, capture: cv2.VideoCapture) -> None:
        # Devices pick the nearest mode they support (or ignore the request); frames are taken as they come.
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._settings.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._settings.height)
        capture.set(cv2.CAP_PROP_FPS, self._settings.fps)
        # A one-frame driver buffer keeps latency low where the backend supports it.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)

    def grab(self) -> np.ndarray:
        if self._capture is None:
            raise CameraError(f"camera {self.description} is not open")
        if self._is_file:
            self._pace()
        ok, image = self._capture.read()
        if not ok and self._is_file:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop the recording
            ok, image = self._capture.read()
        if not ok or image is None:
            raise CameraError(f"camera {self.description} stopped delivering frames")
        if image.ndim == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        return image

    def _pace(self) -> None:
        # A file would otherwise be read as fast as the disk allows; replay it like a live camera.
        delay = self._next_time - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        # After a stall, start afresh rather than replaying the backlog in a burst.
        self._next_time = max(self._next_time + 1.0 / self._settings.fps, time.monotonic())

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
