"""A one-frame handover from the camera thread to the reader: the newest frame wins.

The camera never waits for the reader: an unread frame is replaced (and counted in `dropped`), so the reader
always works on the newest picture and nothing queues up behind a slow read.
"""
from __future__ import annotations

import threading
import time

from appliance.camera.frame import Frame


class LatestFrame:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._frame: Frame | None = None
        self._unread = False
        self._closed = False
        self.dropped = 0

    def put(self, frame: Frame) -> None:
        with self._condition:
            if self._unread:
                self.dropped += 1
            self._frame = frame
            self._unread = True
            self._condition.notify_all()

    def get(self, timeout: float) -> Frame | None:
        """The newest frame not yet returned, waiting up to `timeout` seconds; None on timeout or close."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while not self._unread and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._condition.wait(remaining):
                    break
            if not self._unread or self._closed:
                return None
            self._unread = False
            return self._frame

    def peek(self) -> Frame | None:
        """The newest frame, read or not, without consuming it (for previews)."""
        with self._condition:
            return self._frame

    def close(self) -> None:
        """Wake every waiter; later gets return None at once."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
