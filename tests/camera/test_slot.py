"""The latest-frame slot: newest frame wins, drops are counted, no frame is handed out twice."""
import threading
import time

import numpy as np

from appliance.camera.frame import Frame
from appliance.camera.slot import LatestFrame


def _frame(seq: int) -> Frame:
    return Frame(np.zeros((4, 4), np.uint8), float(seq), seq)


def test_unread_frames_are_replaced_and_counted():
    slot = LatestFrame()
    for seq in range(1, 4):
        slot.put(_frame(seq))
    assert slot.dropped == 2
    assert slot.get(0.1).seq == 3


def test_a_frame_is_never_returned_twice():
    slot = LatestFrame()
    slot.put(_frame(1))
    assert slot.get(0.1).seq == 1
    started = time.monotonic()
    assert slot.get(0.05) is None
    assert time.monotonic() - started >= 0.04
    assert slot.dropped == 0  # a read frame that is replaced is not a drop
    slot.put(_frame(2))
    assert slot.get(0.1).seq == 2


def test_get_wakes_when_a_frame_arrives():
    slot = LatestFrame()
    timer = threading.Timer(0.05, slot.put, args=(_frame(7),))
    timer.start()
    frame = slot.get(2.0)
    timer.join()
    assert frame is not None and frame.seq == 7


def test_close_wakes_waiters_at_once():
    slot = LatestFrame()
    results = []
    waiter = threading.Thread(target=lambda: results.append(slot.get(10.0)))
    waiter.start()
    time.sleep(0.05)
    started = time.monotonic()
    slot.close()
    waiter.join(2.0)
    assert results == [None] and time.monotonic() - started < 1.0
    slot.put(_frame(1))
    assert slot.get(0.01) is None and slot.peek().seq == 1
