"""The camera thread survives a failing source: it records the error, reopens, and frames flow again."""
import time

import numpy as np
import pytest

from appliance.camera import open_source
from appliance.camera.base import CameraError
from appliance.camera.runner import CameraRunner
from appliance.camera.slot import LatestFrame
from appliance.config import CameraSettings, Settings


class FlakySource:
    """Delivers `good` frames, then fails; the second time it is opened it works for good."""

    def __init__(self, log: list, good: int = 3):
        self.description = "flaky"
        self._log = log
        self._good = good
        self._grabs = 0

    def open(self):
        self._log.append("open")
        if self._log.count("open") == 2:
            raise CameraError("camera flaky could not be opened")

    def grab(self):
        self._grabs += 1
        time.sleep(0.005)
        if self._log.count("open") == 1 and self._grabs > self._good:
            raise CameraError("camera flaky stopped delivering frames")
        return np.full((8, 8), self._grabs % 256, np.uint8)

    def close(self):
        self._log.append("close")


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_runner_records_failures_and_recovers():
    log: list = []
    slot = LatestFrame()
    settings = CameraSettings(source="flaky", reconnect_seconds=0.1)
    runner = CameraRunner(lambda: FlakySource(log), slot, settings)
    runner.start()
    try:
        assert _wait_for(lambda: runner.status().error is not None)
        failed = runner.status()
        assert not failed.ok and "stopped delivering frames" in failed.error
        # The failed open is recorded too, then the third open works.
        assert _wait_for(lambda: log.count("open") >= 3 and runner.status().ok)
        assert _wait_for(lambda: runner.status().frames >= 20)
        status = runner.status()
        assert status.error is None and status.source == "flaky" and status.fps > 10
        seqs = [slot.get(1.0).seq for _ in range(3)]
        assert seqs == sorted(set(seqs)), "frames come out once each, in order"
        assert runner.last_frame().seq >= seqs[-1]
    finally:
        runner.stop(2.0)
    assert log.count("close") == log.count("open"), "every opened source is closed"
    assert not runner.status().ok


def test_stop_interrupts_the_reconnect_wait():
    def broken():
        raise CameraError("camera gone")

    runner = CameraRunner(broken, LatestFrame(), CameraSettings(source="gone", reconnect_seconds=60.0))
    runner.start()
    assert _wait_for(lambda: runner.status().error == "camera gone")
    started = time.monotonic()
    runner.stop(2.0)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("spec", ["", "opencv", "opencv:", "usb:0", "sim:1", "picamera"])
def test_a_bad_source_spec_names_itself(spec):
    with pytest.raises(ValueError, match=f"camera source '{spec}'"):
        open_source(spec, Settings())


def test_source_specs_pick_their_source():
    settings = Settings()
    assert open_source("opencv:0", settings).description == "opencv:0"
    assert open_source("opencv:rtsp://cam/stream", settings).description == "opencv:rtsp://cam/stream"
    assert open_source("picamera2", settings).description.startswith("picamera2")
