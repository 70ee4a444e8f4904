"""LiveReader on synthetic frame sequences: it reads regions, not whole frames, and still sees every card a
whole-frame read sees, a card raised, moved or lowered at once, and one raised too slowly to move anything
within scan_frames frames."""
import numpy as np
import pytest

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import synthetic
from appliance.vision.live_reader import FORGET_SECONDS, LiveReader, _merged
from appliance.vision.reader import CardReader

WIDTH, HEIGHT, SCAN = 2304, 1296, 6


@pytest.fixture(scope="module")
def reader():
    r = CardReader(ReaderSettings(), CardSettings(count=100))
    yield r
    r.close()


@pytest.fixture(scope="module")
def room():
    rng = np.random.default_rng(5)
    frame, placed = synthetic.classroom_frame(rng, WIDTH, HEIGHT, 14, (40, 160), cards=100, clutter_items=20)
    return frame, placed


def _noisy(frame: np.ndarray, seed: int) -> np.ndarray:
    """The same room in the next frame: fresh sensor noise."""
    noise = np.random.default_rng(seed).normal(0, 2.0, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def _seen(sightings) -> set[tuple[int, str]]:
    return {(s.card, s.answer) for s in sightings}


def test_a_still_room_is_read_in_regions_and_nothing_is_lost(reader, room):
    frame, placed = room
    truth = {(p.card, p.answer) for p in placed}
    live = LiveReader(reader, SCAN)
    assert _seen(live.read(_noisy(frame, 0), 0.0)) == truth
    assert live.last_plan.whole, "the first frame is read whole"
    for i in range(1, 2 * SCAN):
        seen = _seen(live.read(_noisy(frame, i), i / 10))
        assert seen == truth, (i, seen ^ truth)
        assert not live.last_plan.whole and live.last_plan.share < 0.5, live.last_plan


def test_a_raised_card_is_read_in_the_first_frame_it_shows(reader, room):
    frame, _ = room
    live = LiveReader(reader, SCAN)
    for i in range(3):
        live.read(_noisy(frame, i), i / 10)
    raised = _noisy(frame, 3)
    synthetic.place_card(raised, 77, np.array([[1500, 1000], [1560, 1000], [1560, 1060], [1500, 1060]], np.float32))
    assert (77, "A") in _seen(live.read(raised, 0.3))


def test_a_moved_card_is_found_where_it_went_and_a_lowered_one_is_forgotten(reader, room):
    frame, _ = room
    live = LiveReader(reader, SCAN)
    quad = np.array([[200, 1100], [270, 1100], [270, 1170], [200, 1170]], np.float32)
    at = frame.copy()
    synthetic.place_card(at, 88, quad)
    for i in range(3):
        assert (88, "A") in _seen(live.read(_noisy(at, i), i / 10))
    moved = frame.copy()
    synthetic.place_card(moved, 88, quad + np.float32([400, -60]))
    found = [s for s in live.read(_noisy(moved, 3), 0.3) if s.card == 88]
    assert len(found) == 1 and found[0].corners[:, 0].min() > 550
    t = 0.4
    while t < 0.4 + FORGET_SECONDS + 0.2:  # lowered
        assert 88 not in {s.card for s in live.read(_noisy(frame, int(t * 10)), t)}
        t += 0.1
    assert 88 not in live._known


def test_a_card_raised_too_slowly_to_move_anything_is_found_by_the_spread_scan(reader, room):
    frame, _ = room
    live = LiveReader(reader, SCAN)
    card = frame.copy()
    synthetic.place_card(card, 66, np.array([[1900, 300], [1980, 300], [1980, 380], [1900, 380]], np.float32))
    live.read(frame, 0.0)
    found_at = None
    for i in range(1, 40):  # fades in by 3% a frame: never a difference the motion test counts
        share = min(i * 0.03, 1.0)
        picture = (frame * (1 - share) + card * share).astype(np.uint8)
        if 66 in {s.card for s in live.read(picture, i / 10)}:
            found_at = i
            break
        assert not live.last_plan.whole
    # readable once its contrast is up (about 2/3 of the way); found within one scan cycle of that
    assert found_at is not None and found_at <= 22 + SCAN, found_at


def test_regions_are_joined_only_where_that_reads_fewer_pixels():
    assert _merged([(0, 0, 10, 10), (20, 0, 30, 10)]) == [(0, 0, 10, 10), (20, 0, 30, 10)]
    assert _merged([(0, 0, 10, 10), (2, 2, 12, 12)]) == [(0, 0, 12, 12)]
    # an L of two long thin boxes overlapping at a corner: their bounding box would read far more
    assert len(_merged([(0, 0, 100, 10), (90, 0, 100, 100)])) == 2
