"""Frame buffers are reused, but never one that a frame, a view or a reader still holds."""
import os
import threading
import time

import numpy as np

from appliance.camera.pool import POOL_SIZE, FramePool
from appliance.camera.runner import CameraRunner
from appliance.camera.slot import LatestFrame
from appliance.camera.y4m import Y4MSource, header
from appliance.config import CameraSettings


def test_a_released_buffer_is_reused_and_a_held_one_never():
    pool = FramePool()
    first = pool.take((4, 6))
    address = first.ctypes.data
    del first
    for _ in range(10):
        again = pool.take((4, 6))
        assert again.ctypes.data == address
        del again
    assert pool.made == 1
    held = pool.take((4, 6))
    held[:] = 7
    view = held[1:3]  # a crop keeps the whole buffer busy, as a region being read does
    del held
    others = [pool.take((4, 6)) for _ in range(POOL_SIZE + 2)]  # all held at once
    assert all(not np.shares_memory(o, view) for o in others)
    assert len({o.ctypes.data for o in others}) == len(others)
    assert pool.made == POOL_SIZE + 3, "when every pooled buffer is held, fresh ones are made"
    for o in others:
        o[:] = 0
    assert (view == 7).all()


def test_a_new_frame_size_gets_new_buffers():
    pool = FramePool()
    assert pool.take((4, 6)).shape == (4, 6)
    assert pool.take((8, 6)).shape == (8, 6)
    assert pool.take((8, 6), np.uint16).dtype == np.uint16


def test_a_frame_being_read_is_never_overwritten_by_the_camera(tmp_path):
    """A real FIFO, the camera thread and the slot, and a slow reader: every frame it reads stays the picture
    it was while the camera keeps writing newer frames into reused buffers."""
    width, height, count = 320, 240, 120
    fifo = tmp_path / "camera.y4m"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR)

    def write():  # a camera at ~300 fps: faster than the reader below, as a slow Pi reader is
        os.write(fd, header(width, height, 300.0))
        for i in range(count):
            os.write(fd, b"FRAME\n" + bytes([i]) * (width * height))
            time.sleep(1 / 300)

    writer = threading.Thread(target=write)
    sources: list[Y4MSource] = []

    def source():
        sources.append(Y4MSource(str(fifo)))
        return sources[-1]

    settings = CameraSettings(source=f"y4m:{fifo}", reconnect_seconds=0.05)
    slot = LatestFrame()
    runner = CameraRunner(source, slot, settings)
    read, torn = [], []
    writer.start()
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while runner.status().frames < count and time.monotonic() < deadline:
            frame = slot.get(0.5)
            if frame is None:
                continue
            value = int(frame.gray[0, 0])
            time.sleep(0.01)  # reading: the camera delivers several frames meanwhile
            if not (frame.gray == value).all():
                torn.append(frame.seq)
            read.append(value)
            del frame
    finally:
        runner.stop(2.0)
        writer.join()
        os.close(fd)
    assert runner.status().frames == count
    assert len(read) >= 10 and read == sorted(read), "frames are read in order, newest first"
    assert slot.dropped > 0, "the reader was slower than the camera"
    assert torn == []
    assert sources[0]._pool.made <= POOL_SIZE + 1, f"{count} frames used {sources[0]._pool.made} buffers"


def test_a_camera_unplugged_mid_lesson_is_reported_and_frames_held_survive_the_reconnect(tmp_path):
    """The writer of a real FIFO goes away mid-frame (a cable pulled) and comes back: the runner says what
    happened, reopens, and the frame a reader still held from before is the picture it was."""
    width, height = 64, 48
    fifo = tmp_path / "camera.y4m"
    os.mkfifo(fifo)
    settings = CameraSettings(source=f"y4m:{fifo}", reconnect_seconds=0.05)
    slot = LatestFrame()
    runner = CameraRunner(lambda: Y4MSource(str(fifo)), slot, settings)
    fd = os.open(fifo, os.O_RDWR)
    os.write(fd, header(width, height, 10.0) + b"FRAME\n" + bytes([7]) * (width * height))
    runner.start()
    try:
        held = slot.get(2.0)
        assert held is not None and (held.gray == 7).all()
        os.write(fd, b"FRAME\n" + bytes([9]) * 100)  # half a frame, then the writer is gone
        os.close(fd)
        fd = None
        deadline = time.monotonic() + 5
        while runner.status().ok and time.monotonic() < deadline:
            time.sleep(0.01)
        status = runner.status()
        assert not status.ok and "y4m:" in status.error and ("ended" in status.error or "no frame" in status.error)
        fd = os.open(fifo, os.O_RDWR)  # plugged back in
        os.write(fd, header(width, height, 10.0) + b"".join(b"FRAME\n" + bytes([20 + i]) * (width * height)
                                                          for i in range(5)))
        deadline = time.monotonic() + 5
        while not runner.status().ok and time.monotonic() < deadline:
            time.sleep(0.01)
        fresh = slot.get(2.0)
        assert runner.status().ok and runner.status().error is None
        assert fresh is not None and 20 <= int(fresh.gray[0, 0]) <= 24 and (fresh.gray == fresh.gray[0, 0]).all()
        assert (held.gray == 7).all(), "the frame held across the reconnect was not overwritten"
    finally:
        runner.stop(2.0)
        if fd is not None:
            os.close(fd)
