"""The camera thread: open the source, grab frames into the latest-frame slot, reopen after failures.

Everything that can go wrong with a camera (unplugged, driver error, stream ended) is recorded in `status()`
and retried every `reconnect_seconds`, so a lesson survives a wobbly cable without a restart.
"""
from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from appliance.camera.base import CameraSource
from appliance.camera.frame import Frame
from appliance.camera.slot import LatestFrame
from appliance.config import CameraSettings

log = logging.getLogger(__name__)

# Frame times kept for the fps estimate: a few seconds at typical rates, bounded.
_FPS_WINDOW = 30
# With no frame for this long the measured rate is reported as 0 rather than a stale number.
_STALE_SECONDS = 3.0


@dataclass(frozen=True)
class CameraStatus:
    ok: bool
    error: str | None
    fps: float
    frames: int
    dropped: int
    source: str


class CameraRunner:
    def __init__(self, source_factory: Callable[[], CameraSource], slot: LatestFrame, settings: CameraSettings):
        self._factory = source_factory
        self._slot = slot
        self._settings = settings
        self._stop = threading.Event()
        self._lock = threading.Lock()  # guards the status fields below
        self._thread: threading.Thread | None = None
        self._ok = False
        self._error: str | None = None
        self._frames = 0
        self._times: collections.deque[float] = collections.deque(maxlen=_FPS_WINDOW)
        self._description = settings.source
        self._last: Frame | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("camera runner already started")
        self._thread = threading.Thread(target=self._run, name="argus-camera", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop grabbing and join the thread (a grab blocks at most about a second)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("camera thread did not stop within %.1f s", timeout)

    def status(self) -> CameraStatus:
        with self._lock:
            fps = 0.0
            if len(self._times) >= 2 and time.monotonic() - self._times[-1] < _STALE_SECONDS:
                fps = (len(self._times) - 1) / max(self._times[-1] - self._times[0], 1e-6)
            return CameraStatus(self._ok, self._error, round(fps, 1), self._frames, self._slot.dropped,
                                self._description)

    def last_frame(self) -> Frame | None:
        """The newest frame grabbed (for a camera-check preview); does not consume it from the slot."""
        with self._lock:
            return self._last

    def _run(self) -> None:
        while not self._stop.is_set():
            source = None
            try:
                source = self._factory()
                with self._lock:
                    self._description = getattr(source, "description", self._settings.source)
                source.open()
                self._grab_until_stopped(source)
            except Exception as exc:  # any source failure means: record, close, wait, reopen
                self._failed(exc)
            finally:
                if source is not None:
                    self._close_quietly(source)
            if not self._stop.is_set():
                self._stop.wait(self._settings.reconnect_seconds)
        with self._lock:
            self._ok = False

    def _grab_until_stopped(self, source: CameraSource) -> None:
        while not self._stop.is_set():
            gray = source.grab()
            now = time.monotonic()
            with self._lock:
                self._frames += 1
                frame = Frame(gray, now, self._frames)
                self._last = frame
                self._times.append(now)
                if not self._ok:
                    log.info("camera %s delivering frames", self._description)
                self._ok, self._error = True, None
            self._slot.put(frame)

    def _failed(self, exc: Exception) -> None:
        message = str(exc) or type(exc).__name__
        with self._lock:
            first = self._error != message
            self._ok, self._error = False, message
        # Log a repeating failure once, not every reconnect_seconds for the rest of the day.
        if first:
            log.warning("camera %s failed: %s; retrying every %.1f s", self._description, message,
                        self._settings.reconnect_seconds)

    def _close_quietly(self, source: CameraSource) -> None:
        try:
            source.close()
        except Exception:
            log.exception("closing camera %s failed", self._description)
