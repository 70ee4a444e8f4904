"""The y4m: camera source on real files and a real FIFO: Y planes in order, chroma skipped, clear errors."""
import os
import threading

import numpy as np
import pytest

from appliance.camera import open_source
from appliance.camera.base import CameraError
from appliance.camera.y4m import Y4MSource, header
from appliance.config import Settings


def _frames(count: int, width: int = 32, height: int = 24) -> list[np.ndarray]:
    return [np.full((height, width), 10 * (i + 1), np.uint8) for i in range(count)]


def _stream(frames: list[np.ndarray], colour: str = "mono") -> bytes:
    height, width = frames[0].shape
    chroma = b"" if colour == "mono" else bytes([128]) * (2 * ((width + 1) // 2) * ((height + 1) // 2))
    return header(width, height, 10.0, colour) + b"".join(b"FRAME\n" + f.tobytes() + chroma for f in frames)


def _grab_all(source: Y4MSource) -> list[np.ndarray]:
    out = []
    with pytest.raises(CameraError, match="ended"):
        while True:
            out.append(source.grab())
    return out


@pytest.mark.parametrize("colour", ["mono", "420jpeg"])
def test_frames_are_the_y_planes_in_order(tmp_path, colour):
    path = tmp_path / "lesson.y4m"
    frames = _frames(3)
    path.write_bytes(_stream(frames, colour))
    source = Y4MSource(str(path))
    source.open()
    try:
        got = _grab_all(source)
    finally:
        source.close()
    assert [g.shape for g in got] == [(24, 32)] * 3 and all(g.dtype == np.uint8 for g in got)
    assert [int(g[0, 0]) for g in got] == [10, 20, 30]


def test_a_fifo_is_read_as_the_writer_sends(tmp_path):
    fifo = tmp_path / "camera.y4m"
    os.mkfifo(fifo)
    frames = _frames(5, 640, 480)
    fd = os.open(fifo, os.O_RDWR)  # the writer is there first, as `argus bench e2e` does it
    source = Y4MSource(str(fifo))
    writer = threading.Thread(target=lambda: os.write(fd, _stream(frames)))
    try:
        writer.start()
        source.open()
        got = [source.grab() for _ in range(5)]
        writer.join()
        with pytest.raises(CameraError, match="no frame for"):
            source.grab()  # the writer is silent: the grab gives up after about a second
    finally:
        source.close()
        os.close(fd)
    assert [int(g[0, 0]) for g in got] == [10, 20, 30, 40, 50]


def test_bad_streams_are_camera_errors_that_say_what(tmp_path):
    path = tmp_path / "x.y4m"
    path.write_bytes(b"RIFF not a y4m stream\n")
    with pytest.raises(CameraError, match="not a YUV4MPEG2 stream"):
        Y4MSource(str(path)).open()
    path.write_bytes(b"YUV4MPEG2 W32 F10:1 Cmono\n")
    with pytest.raises(CameraError, match="bad YUV4MPEG2 header"):
        Y4MSource(str(path)).open()
    path.write_bytes(header(32, 24, 10, "444") + b"FRAME\n")
    with pytest.raises(CameraError, match="C444 is not supported"):
        Y4MSource(str(path)).open()
    path.write_bytes(header(32, 24, 10) + b"FRAME\n" + bytes(100))
    source = Y4MSource(str(path))
    source.open()
    with pytest.raises(CameraError, match="ended inside a frame"):
        source.grab()
    source.close()
    with pytest.raises(CameraError, match="no such file or FIFO"):
        Y4MSource(str(tmp_path / "none.y4m")).open()
    with pytest.raises(CameraError, match="not open"):
        Y4MSource(str(path)).grab()


def test_the_camera_setting_names_it():
    source = open_source("y4m:/run/argus/camera.y4m", Settings())
    assert isinstance(source, Y4MSource) and source.description == "y4m:/run/argus/camera.y4m"
    with pytest.raises(ValueError, match="y4m:<path>"):
        open_source("y4m:", Settings())
