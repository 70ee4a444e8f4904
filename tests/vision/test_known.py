"""A known card read again at its last place (vision/known.py via CardReader.reread): a dark thumb merged with its
marker's border defeats the contour passes but not this; a turned card reads its new answer; a lowered card, a
different card at that place and a plain patch read nothing."""
import cv2
import numpy as np
import pytest

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import synthetic
from appliance.vision.known import marker_corners_of
from appliance.vision.reader import CardReader

SIDE = 90  # card outline, px


@pytest.fixture(scope="module")
def reader():
    r = CardReader(ReaderSettings(), CardSettings())
    yield r
    r.close()


def _card(number: int, turns: int = 0, seed: int = 0, thumb: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = np.full((240, 320), 120, np.uint8)
    corners = synthetic.card_quad(rng, (160, 120), SIDE, turns, tilt=0.1)
    synthetic.place_card(frame, number, corners)
    if thumb:  # a dark thumb over the white margin, touching the marker's black border on the bottom edge
        marker = marker_corners_of(np.roll(corners, -turns, axis=0))
        bottom = (marker[2] + marker[3]) / 2
        centre = bottom + (bottom - marker.mean(axis=0)) * 0.4
        cv2.ellipse(frame, tuple(int(v) for v in centre), (22, 14), 0, 0, 360, 35, -1)
    return synthetic.camera_blur(frame, rng, 0.8, 3.0), corners


def _last_place(corners: np.ndarray, shift=(3.0, -2.0)) -> np.ndarray:
    """Where the card was a frame earlier: a few pixels away."""
    return corners + np.float32(shift)


def test_a_card_with_a_thumb_on_its_border_is_read_at_its_known_place(reader):
    frame, corners = _card(12, thumb=True)
    assert not [s for s in reader.read(frame) if s.card == 12], "the contour passes should miss this card"
    seen = reader.reread(frame, 12, _last_place(corners))
    assert seen is not None and (seen.card, seen.answer) == (12, "A")
    assert np.abs(seen.corners - corners).max() < 3


@pytest.mark.parametrize("turns, answer", [(1, "B"), (2, "C"), (3, "D")])
def test_a_card_turned_since_reads_its_new_answer(reader, turns, answer):
    frame, corners = _card(30, turns=turns, seed=turns)
    upright_then = np.roll(corners, -turns, axis=0)  # the same place as the reader knew it, held up as A
    seen = reader.reread(frame, 30, _last_place(upright_then))
    assert seen is not None and seen.answer == answer
    assert np.abs(seen.corners - corners).max() < 3


def test_nothing_is_read_where_the_card_no_longer_is(reader):
    frame, corners = _card(12)
    empty = synthetic.camera_blur(np.full_like(frame, 120), np.random.default_rng(1))
    assert reader.reread(empty, 12, corners) is None
    clutter = synthetic.clutter(np.random.default_rng(2), 240, 320, items=8)
    assert reader.reread(clutter, 12, corners) is None


def test_another_card_at_that_place_is_not_read_as_the_known_one(reader):
    frame, corners = _card(40)
    assert reader.reread(frame, 12, corners) is None
    assert reader.reread(frame, 41, corners) is None
    assert reader.reread(frame, 40, corners).card == 40


def test_a_decoded_marker_with_fingers_across_its_quiet_zone_is_read_in_one_frame(reader):
    """OpenCV outlines and decodes it, verify.py refuses it (too much of its quiet zone is dark); aligned without
    the quiet zone its own marker fits clearly best, so the single-frame read keeps it."""
    from appliance.vision.verify import VerifyRules, verify
    rng = np.random.default_rng(0)
    frame = np.full((240, 320), 120, np.uint8)
    corners = synthetic.card_quad(rng, (160, 120), SIDE, 0, tilt=0.1)
    synthetic.place_card(frame, 12, corners)
    marker = marker_corners_of(corners)
    cell = np.linalg.norm(marker[1] - marker[0]) / 6
    for a, b in ((marker[0], marker[3]), (marker[3], marker[2])):  # the left and bottom quiet zone
        out = (a + b) / 2 - marker.mean(axis=0)
        p = (a + b) / 2 + out / np.linalg.norm(out) * cell * 0.55
        along = (b - a) * 0.35
        cv2.line(frame, tuple((p - along).astype(int)), tuple((p + along).astype(int)), 40, 4)
    frame = synthetic.camera_blur(frame, rng, 0.8, 3.0)
    decoded = [c for i, c in reader._passes(frame)[0] if i == 11]
    assert decoded and not any(verify(frame, c, reader._codes[11], VerifyRules()) for c in decoded)
    assert [(s.card, s.answer) for s in reader.read(frame)] == [(12, "A")]
