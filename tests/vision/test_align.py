"""The last look at small squares OpenCV outlined but could not decode (appliance/vision/align.py): blurred
cards of 24-32 px are read with their own number and answer; near misses, other markers and clutter never."""
import cv2
import numpy as np
import pytest

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import cards, markers, synthetic
from appliance.vision.align import Aligner
from appliance.vision.reader import CardReader

_LO, _HI = cards.MARKER_OFFSET, cards.MARKER_OFFSET + cards.MARKER_CELLS
_MARKER_IN_CARD = np.array([[_LO, _LO], [_HI, _LO], [_HI, _HI], [_LO, _HI]], np.float32)  # in card cells


def _marker_corners(card_quad: np.ndarray) -> np.ndarray:
    n = cards.CARD_CELLS
    to_image = cv2.getPerspectiveTransform(np.array([[0, 0], [n, 0], [n, n], [0, n]], np.float32),
                                           np.asarray(card_quad, np.float32))
    return cv2.perspectiveTransform(_MARKER_IN_CARD.reshape(-1, 1, 2), to_image).reshape(4, 2)


def _blurred_card(rng, number: int, turns: int, side: float, sigma: float, background: int = 70,
                  picture: np.ndarray | None = None):
    """A card of `side` px on dark clothing, blurred like a distant card through a real lens: (frame, card
    quad). `picture` replaces the card's own picture (a doctored card)."""
    frame = np.full((160, 160), background, np.uint8)
    quad = synthetic.card_quad(rng, (80, 80), side, turns)
    if picture is None:
        synthetic.place_card(frame, number, quad)
    else:
        src = np.array([[0, 0], [picture.shape[1], 0], [picture.shape[1], picture.shape[0]], [0, picture.shape[0]]],
                       np.float32)
        big = cv2.GaussianBlur(picture, (0, 0), picture.shape[0] / side * 0.4)
        warped = cv2.warpPerspective(big, cv2.getPerspectiveTransform(src, quad), frame.shape[::-1])
        mask = cv2.warpPerspective(np.full(picture.shape, 255, np.uint8), cv2.getPerspectiveTransform(src, quad),
                                   frame.shape[::-1])
        frame = np.where(mask > 127, warped, frame).astype(np.uint8)
    return synthetic.camera_blur(frame, rng, sigma=sigma, noise=2.0), quad


def _rough(rng, corners: np.ndarray) -> np.ndarray:
    """A square as OpenCV outlines it when it cannot decode it: any corner first, a pixel or so off."""
    return np.roll(corners, int(rng.integers(0, 4)), axis=0) + rng.uniform(-0.8, 0.8, (4, 2)).astype(np.float32)


def _align(aligner: Aligner, frame: np.ndarray, corners: np.ndarray):
    """What the reader does with one square: screen it, then fit the codes it suggests."""
    screened = aligner.screen(frame, corners[None])
    return aligner.read(frame, corners, screened[0][1]) if screened else None


@pytest.fixture(scope="module")
def aligner():
    return Aligner(cards.card_codes(64))


@pytest.mark.parametrize("turns", range(4))
def test_blurred_small_cards_are_read_with_their_number_and_answer(aligner, turns):
    rng = np.random.default_rng(turns)
    read = 0
    for number in rng.choice(np.arange(1, 65), 12, replace=False):
        frame, quad = _blurred_card(rng, int(number), turns, side=float(rng.uniform(24, 32)), sigma=1.2)
        hit = _align(aligner, frame, _rough(rng, _marker_corners(quad)))
        if hit is None:
            continue
        marker_id, corners = hit
        assert (cards.card_number(marker_id), cards.answer_from_corners(corners)) == (number, cards.ANSWERS[turns])
        # The fit refines the corners: they land on the marker, well within a pixel.
        assert np.abs(corners - _marker_corners(quad)).max() < 1.0
        read += 1
    assert read >= 10, f"only {read} of 12 blurred cards read"


def test_squares_without_a_card_are_not_read(aligner):
    rng = np.random.default_rng(5)
    for _ in range(200):
        frame = synthetic.camera_blur(synthetic.clutter(rng, 160, 160, 3), rng, sigma=1.0)
        quad = synthetic.card_quad(rng, (80, 80), float(rng.uniform(24, 40)), int(rng.integers(0, 4)))
        assert _align(aligner, frame, _marker_corners(quad)) is None


def test_a_marker_two_cells_from_a_card_is_not_read(aligner):
    """Blurred, a pattern two cells from card 20's code still looks much like it; the fit must refuse it."""
    rng = np.random.default_rng(9)
    picture = cards.render_card(20, 400)
    cell = 40
    for r, c in [(3, 3), (4, 5)]:  # data cells (card cells 3..6)
        block = picture[r * cell:(r + 1) * cell, c * cell:(c + 1) * cell]
        block[:] = 255 - block
    for turns in range(4):
        for sigma in (0.6, 1.2):
            frame, quad = _blurred_card(rng, 20, turns, side=30, sigma=sigma, picture=picture)
            assert _align(aligner, frame, _rough(rng, _marker_corners(quad))) is None


def test_cards_not_in_use_are_not_read():
    rng = np.random.default_rng(3)
    frame, quad = _blurred_card(rng, 70, 0, side=30, sigma=0.8)
    corners = _rough(rng, _marker_corners(quad))
    assert _align(Aligner(cards.card_codes(100)), frame, corners) is not None
    assert _align(Aligner(cards.card_codes(64)), frame, corners) is None


def test_the_reader_reads_blurred_small_cards_it_could_not_decode():
    """A frame of blurred 24-32 px cards on dark clothing: OpenCV decodes few of them, the reader most,
    every one right."""
    rng = np.random.default_rng(11)
    frame = np.full((540, 960), 70, np.uint8)
    truth = set()
    for i, number in enumerate(rng.choice(np.arange(1, 65), 24, replace=False)):
        turns = int(rng.integers(0, 4))
        centre = (60 + (i % 8) * 115, 90 + (i // 8) * 170)
        synthetic.place_card(frame, int(number), synthetic.card_quad(rng, centre, float(rng.uniform(24, 32)), turns))
        truth.add((int(number), cards.ANSWERS[turns]))
    frame = synthetic.camera_blur(frame, rng, sigma=1.2, noise=2.0)
    reader = CardReader(ReaderSettings(), CardSettings(count=64))
    seen = {(s.card, s.answer) for s in reader.read(frame)}
    opencv = cv2.aruco.ArucoDetector(markers.aruco_dictionary(cards.card_codes(64)))
    _, ids, _ = opencv.detectMarkers(frame)
    assert seen <= truth, f"wrong readings: {seen - truth}"
    assert len(seen) >= 22, f"{len(seen)} of 24 read"
    assert len(seen) > (0 if ids is None else len(ids)) + 6, "the fit should read what OpenCV cannot"
