"""The OpenCV source on a real video file: grayscale frames at the file's size, looping, and clear errors."""
import cv2
import numpy as np
import pytest

from appliance.camera.base import CameraError
from appliance.camera.opencv import OpenCVSource
from appliance.config import CameraSettings


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "lesson.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    assert writer.isOpened()
    for i in range(5):
        image = np.zeros((48, 64, 3), np.uint8)
        image[:, :, 2] = 40 * (i + 1)  # red level encodes the frame number
        writer.write(image)
    writer.release()
    return path


def test_video_file_frames_are_gray_and_loop(video):
    source = OpenCVSource(str(video), CameraSettings(fps=120.0))
    source.open()
    try:
        frames = [source.grab() for _ in range(12)]
    finally:
        source.close()
    assert all(f.shape == (48, 64) and f.dtype == np.uint8 for f in frames)
    levels = [int(f.mean()) for f in frames]
    assert levels[0] < levels[1] < levels[2] < levels[3] < levels[4]
    assert abs(levels[5] - levels[0]) <= 2, "after the last frame the recording starts again"


def test_missing_file_is_a_camera_error(tmp_path):
    source = OpenCVSource(str(tmp_path / "nope.mp4"), CameraSettings())
    with pytest.raises(CameraError, match="no such video file"):
        source.open()


def test_grab_before_open_is_a_camera_error(video):
    with pytest.raises(CameraError, match="not open"):
        OpenCVSource(str(video), CameraSettings()).grab()


def test_unopenable_stream_is_a_camera_error():
    source = OpenCVSource("rtsp://127.0.0.1:1/none", CameraSettings())
    with pytest.raises(CameraError, match="could not be opened"):
        source.open()
