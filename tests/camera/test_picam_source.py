"""camera/picam.py driven through the fake picamera2 (tests/fakes/picamera2, same names and signatures)."""
import importlib
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from appliance.camera.base import CameraError
from appliance.camera.picam import PicameraSource
from appliance.camera.runner import CameraRunner
from appliance.camera.slot import LatestFrame
from appliance.config import CameraSettings

FAKES = Path(__file__).resolve().parents[1] / "fakes"


@pytest.fixture
def rig(monkeypatch):
    monkeypatch.syspath_prepend(str(FAKES))
    monkeypatch.delitem(sys.modules, "picamera2", raising=False)
    fake = importlib.import_module("picamera2")
    assert Path(fake.__file__).is_relative_to(FAKES), "the fake must shadow any real picamera2"
    fake.rig.reset()
    yield fake.rig
    assert fake.rig.outstanding == 0, "every captured request must be released"


SETTINGS = CameraSettings(source="picamera2", width=641, height=360, fps=30.0, reconnect_seconds=0.05)


def test_frames_are_the_y_plane_at_the_delivered_size(rig):
    source = PicameraSource(SETTINGS)
    source.open()
    try:
        first, second = source.grab(), source.grab()
    finally:
        source.close()
    # 641 is rounded to the even 640 by the camera; padding and the U/V rows are sliced off.
    assert first.shape == (360, 640) and first.dtype == np.uint8 and first.flags.c_contiguous
    assert first.max() == 255 and 0x11 not in np.unique(first[:, -1])
    assert 0xEE not in np.unique(first), "copied out of the request before it went back to the camera"
    assert not np.array_equal(first, second)
    assert rig.last_config["main"]["format"] == "YUV420"
    assert rig.last_config["buffer_count"] <= 4
    assert rig.last_controls["AfMode"] == 2 and rig.last_controls["FrameDurationLimits"] == (33333, 33333)
    # Short exposures against motion blur; exposures timed to 50 Hz mains lights (100 Hz flicker).
    assert rig.last_controls["AeExposureMode"] == 1
    assert rig.last_controls["AeFlickerMode"] == 1 and rig.last_controls["AeFlickerPeriod"] == 10000
    assert source.description == "picamera2:imx708"
    assert rig.open_cameras == 0


def test_no_autofocus_control_is_not_set_on_cameras_without_it(rig):
    rig.autofocus = False
    rig.model = "imx477"
    source = PicameraSource(SETTINGS)
    source.open()
    try:
        assert source.grab().shape == (360, 640)
    finally:
        source.close()
    assert "AfMode" not in rig.last_controls


def test_missing_camera_and_failed_capture_are_camera_errors(rig):
    rig.connected = False
    with pytest.raises(CameraError, match="no Pi camera connected"):
        PicameraSource(SETTINGS).open()
    rig.connected = True
    source = PicameraSource(SETTINGS)
    source.open()
    try:
        rig.capture_error = RuntimeError("Camera frontend has timed out!")
        with pytest.raises(CameraError, match="stopped delivering frames: Camera frontend has timed out"):
            source.grab()
        rig.capture_error = None
        rig.connected = False
        with pytest.raises(CameraError, match="stopped delivering frames"):
            source.grab()
    finally:
        source.close()
    assert rig.open_cameras == 0


def test_unplugged_camera_recovers_through_the_runner(rig):
    slot = LatestFrame()
    runner = CameraRunner(lambda: PicameraSource(SETTINGS), slot, SETTINGS)
    runner.start()
    try:
        assert slot.get(2.0) is not None
        rig.connected = False
        assert _wait_for(lambda: not runner.status().ok)
        assert "picamera2" in runner.status().error
        frames_while_unplugged = runner.status().frames
        time.sleep(0.2)
        assert runner.status().frames == frames_while_unplugged
        rig.connected = True
        assert _wait_for(lambda: runner.status().ok and runner.status().frames > frames_while_unplugged + 3)
        assert runner.status().error is None
    finally:
        runner.stop(2.0)
    assert rig.open_cameras == 0, "each reconnect closes the camera it opened"


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False
