"""The reading side of `argus bench live`, in a process of its own: LiveReader + Tracker on frames handed over
through one shared-memory frame buffer, as the appliance's reader sees the camera's latest frame.

Why a separate process: the renderer that makes the video holds a 12-megapixel room (backdrop, light and
noise fields, card images: several hundred MB) that the appliance never has. Measured here, VmRSS is what
reading live at 12 MP costs a process: Python, numpy, OpenCV, the frame buffer, the reader and the tracker.
This module imports nothing from the renderer so that none of it is loaded in this process.
"""
from __future__ import annotations

import time
from multiprocessing import shared_memory
from multiprocessing.connection import Connection

import numpy as np

from appliance.config import CardSettings, ReaderSettings, TrackerSettings
from appliance.vision.live_reader import make_live_reader
from appliance.vision.reader import CardReader
from appliance.vision.tracker import Tracker
from appliance.vision.types import Sighting


def status_mb() -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of this process, MB, from /proc/self/status."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, kb = line.split()[:2]
                out[key.rstrip(":")] = int(kb) / 1024
    return out


def serve(conn: Connection, shm_name: str, width: int, height: int, card_count: int, small_marker_px: int) -> None:
    """Messages in: ("frame", time) after the buffer holds a new frame, ("stable",), ("reset",), ("stop",).
    Replies to "frame": (registrations [(card, answer, time)], sightings [(card, answer)], reader wall s,
    reader cpu s, VmRSS MB after the frame); to "stable": the tracker's established answers; to "stop":
    status_mb()."""
    shm = shared_memory.SharedMemory(name=shm_name)
    gray = np.ndarray((height, width), np.uint8, buffer=shm.buf)
    try:
        settings = ReaderSettings(small_marker_px=small_marker_px)
        cards_settings = CardSettings(count=card_count)
        reader = make_live_reader(settings, cards_settings, CardReader(settings, cards_settings))
        tracker = Tracker(TrackerSettings())
        while True:
            message = conn.recv()
            if message[0] == "stop":
                conn.send(status_mb())
                return
            if message[0] == "reset":
                tracker.reset()
                continue
            if message[0] == "stable":
                conn.send(tracker.stable())
                continue
            now = message[1]
            wall, cpu = time.perf_counter(), time.process_time()
            sightings = reader.read(gray, now)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            stamped = [Sighting(s.card, s.answer, s.corners, now) for s in sightings]
            registrations = tracker.update(stamped, now)
            conn.send(([(r.card, r.answer, r.time) for r in registrations], [(s.card, s.answer) for s in sightings],
                       wall, cpu, status_mb()["VmRSS"]))
    finally:
        del gray  # the buffer cannot be closed while an array still points into it
        shm.close()
