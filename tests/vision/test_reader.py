"""The reader on synthetic frames: small, turned, foreshortened cards among clutter; and no phantom cards."""
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import cards, synthetic
from appliance.vision.reader import CardReader


@pytest.fixture(scope="module")
def reader():
    return CardReader(ReaderSettings(), CardSettings(count=100))


def _read(reader, frame) -> set[tuple[int, str]]:
    return {(s.card, s.answer) for s in reader.read(frame)}


@pytest.fixture(scope="module")
def big_frame():
    """A 4608×2592 cluttered frame (Camera Module 3 full resolution) with 100 cards of 32..48 px."""
    return synthetic.classroom_frame(np.random.default_rng(7), 4608, 2592, 100, (32, 48), cards=100)


def test_small_cards_in_a_full_resolution_frame_are_all_read_right(reader, big_frame):
    frame, placed = big_frame
    truth = {(p.card, p.answer) for p in placed}
    seen = _read(reader, frame)
    assert len(placed) == 100
    assert seen <= truth, f"wrong readings: {seen - truth}"
    assert len(seen) >= 99


def test_cards_of_every_size_and_angle_in_a_cluttered_frame(reader):
    rng = np.random.default_rng(3)
    for count, sides in [(12, (30, 60)), (8, (60, 200)), (2, (200, 380))]:
        frame, placed = synthetic.classroom_frame(rng, 1920, 1080, count, sides, cards=100, clutter_items=25)
        truth = {(p.card, p.answer) for p in placed}
        assert len(truth) == count
        seen = _read(reader, frame)
        assert seen == truth, (sides, truth ^ seen)


def test_strong_perspective_is_read(reader):
    rng = np.random.default_rng(11)
    frame = synthetic.clutter(rng, 720, 1280, 10)
    # Trapezoids: a card held well back from facing the camera.
    quads = {12: [[100, 100], [300, 140], [300, 300], [100, 340]],
             34: [[500, 200], [700, 200], [660, 300], [540, 300]],
             56: [[1040, 660], [900, 500], [1000, 420], [1150, 560]]}  # B edge (2nd to 3rd) on top
    for number, quad in quads.items():
        synthetic.place_card(frame, number, np.array(quad, np.float32))
    frame = synthetic.camera_blur(frame, rng)
    assert _read(reader, frame) == {(12, "A"), (34, "A"), (56, "B")}


def test_cards_above_the_configured_count_are_ignored():
    reader = CardReader(ReaderSettings(), CardSettings(count=64))
    frame = np.full((300, 700), 200, np.uint8)
    frame[50:250, 50:250] = cards.render_card(64, 200)
    frame[50:250, 450:650] = cards.render_card(65, 200)
    assert _read(reader, frame) == {(64, "A")}


def test_no_phantom_cards_in_clutter(reader):
    rng = np.random.default_rng(2024)
    raw = phantoms = 0
    for _ in range(300):
        frame = synthetic.clutter(rng, 480, 640, int(rng.integers(4, 14)))
        raw += len(reader._passes(frame)[0])  # what OpenCV alone would have reported
        phantoms += len(reader.read(frame))
    assert phantoms == 0
    assert raw > 0, "the clutter should be hard enough to fool OpenCV's own check now and then"


def test_a_near_miss_code_is_not_read_as_a_card(reader):
    """A marker two cells away from card 20's code, on a white card: OpenCV may correct it, we must not."""
    image = cards.render_card(20, 240)
    cell = 24
    for r, c in [(3, 3), (4, 5)]:  # data cells (card cells 3..6)
        block = image[r * cell:(r + 1) * cell, c * cell:(c + 1) * cell]
        block[:] = 255 - block
    assert _read(reader, image) == set()


def test_concurrent_reads_agree(reader, big_frame):
    frame, _ = big_frame
    expected = _read(reader, frame)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: _read(reader, frame), range(4)))
    assert all(r == expected for r in results)


def test_only_grayscale_frames_are_accepted(reader):
    with pytest.raises(ValueError, match="grayscale"):
        reader.read(np.zeros((10, 10, 3), np.uint8))


DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("seed, index, card", [(1, 230, 38), (1, 1795, 24), (2, 206, 9), (2, 257, 23), (3, 374, 26)])
def test_bench_clutter_that_once_became_a_card_is_refused(reader, seed, index, card):
    """Card-free bench frames that gave phantoms. Seed 1 (the full bench's two): a foreign marker two cells from
    every card, partly covered by another clutter patch so that one cell turned grey; OpenCV corrects the other
    cell to a card's code and verify.py must refuse the correction (the grey cell is too near the threshold).
    Seeds 2 and 3 (while adding the upsampled pass): tiny foreshortened random-bit quads with cells under 2 px,
    and a pattern that matched only after deblurring, with dark cells in its quiet zone. The 192 px around each,
    kept as PNGs: the bench's scenes have changed since (issue #20), so `clutter_frames` no longer draws them."""
    frame = cv2.imread(str(DATA / f"clutter-{seed}-{index}-card{card}.png"), cv2.IMREAD_GRAYSCALE)
    assert any(i + 1 == card for i, _ in reader._passes(frame)[0]), "OpenCV should still propose the card"
    assert _read(reader, frame) == set()


def test_a_card_with_one_spoiled_cell_is_still_read(reader):
    """A glare spot over one data cell of a large card: the other cells are clean, so the correction stands."""
    image = cards.render_card(20, 240)
    cell = 24
    block = image[4 * cell:5 * cell, 4 * cell:5 * cell]
    block[:] = 255 - block
    assert _read(reader, image) == {(20, "A")}


def test_reading_in_parallel_bands_finds_the_same_cards(big_frame):
    frame, _ = big_frame
    one = CardReader(ReaderSettings(bands=1), CardSettings(count=100))
    banded = CardReader(ReaderSettings(bands=3), CardSettings(count=100))
    assert _read(banded, frame) == _read(one, frame)
    assert len(_read(one, frame)) >= 99


@pytest.mark.parametrize("upsample_below_px", [2400, 0])
def test_a_card_filling_a_photo_is_read_in_bands_too(upsample_below_px):
    """Bands overlap by 128 rows; a marker taller than that must still be read whole (here by no band at all)."""
    reader = CardReader(ReaderSettings(bands=3, upsample_below_px=upsample_below_px), CardSettings(count=64))
    try:
        assert _read(reader, cards.render_card(6, 1000)) == {(6, "A")}
        frame = np.full((1000, 1200), 220, np.uint8)
        frame[100:900, 200:1000] = cards.render_card(7, 800)
        assert _read(reader, frame) == {(7, "A")}
    finally:
        reader.close()


def test_bands_default_to_one_per_core():
    reader = CardReader(ReaderSettings(), CardSettings())
    try:
        assert reader._bands == min(os.cpu_count() or 1, 4)
    finally:
        reader.close()


def test_a_blurred_marker_is_read_by_fitting_blurred_codes_and_others_are_not():
    """Cells of a marker blurred until thresholding reads them wrong: the blurred template of its own code
    fits, another code or a rotation of its own does not."""
    import cv2 as _cv2

    from appliance.vision import markers as _markers
    from appliance.vision.verify import VerifyRules, _fitted
    from appliance.vision.verify import ideal_grid as _ideal_grid
    code = cards.card_codes(100)[7]
    grid = _ideal_grid(_markers.bits_of(code))
    kernel = np.array([[0.09, 0.3, 0.09], [0.3, 1, 0.3], [0.09, 0.3, 0.09]])
    cells = 60 + 120 * _cv2.filter2D(grid, -1, kernel / kernel.sum(), borderType=_cv2.BORDER_REPLICATE)
    rules = VerifyRules()
    assert _fitted(cells, code, rules)
    assert not _fitted(cells, cards.card_codes(100)[8], rules)
    assert not _fitted(np.rot90(cells), code, rules)
    flat = np.full((8, 8), 120.0) + np.random.default_rng(0).normal(0, 10, (8, 8))
    assert not any(_fitted(flat, c, rules) for c in cards.card_codes(100))
