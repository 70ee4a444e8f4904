"""Card images: every card reads back as itself, with the answer given by which edge is on top."""
import cv2
import numpy as np
import pytest

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import cards, synthetic
from appliance.vision.reader import CardReader


@pytest.fixture(scope="module")
def reader():
    return CardReader(ReaderSettings(), CardSettings(count=100))


def test_every_card_reads_back_with_all_four_answers(reader):
    for number in range(1, 101):
        image = cards.render_card(number, 120)
        assert image.shape == (120, 120) and image.dtype == np.uint8
        for turns, answer in enumerate("ABCD"):
            # np.rot90 turns counter-clockwise: one quarter turn puts B (the right edge) on top.
            seen = reader.read(np.ascontiguousarray(np.rot90(image, turns)))
            assert [(s.card, s.answer) for s in seen] == [(number, answer)], (number, answer)


def test_letters_sit_on_their_edges():
    size = 890  # 100 px per cell
    image = cards.render_card(5, size).astype(int)
    band = round(cards.LAYOUT.band * 100)
    middle = slice(size // 2 - 60, size // 2 + 60)
    ink = {"A": image[:band, middle] < 128, "B": image[middle, -band:] < 128,
           "C": image[-band:, middle] < 128, "D": image[middle, :band] < 128}
    assert all(v.sum() > 200 for v in ink.values()), {k: v.sum() for k, v in ink.items()}
    # Small letters: A's ink is about 0.25 cell tall (25 px), inside its band with white on both sides.
    rows = np.flatnonzero(ink["A"].any(axis=1))
    assert 22 <= np.ptp(rows) + 1 <= 28 and rows.min() > 0 and rows.max() < band - 1
    # The quiet zone around the marker is white, 1 cell wide.
    lo, hi = round(cards.MARKER_OFFSET * 100), round((cards.MARKER_OFFSET + cards.MARKER_CELLS) * 100)
    ring = np.zeros((size, size), bool)
    ring[lo - 100:hi + 100, lo - 100:hi + 100] = True
    ring[lo:hi, lo:hi] = False
    assert image[ring].min() == 255
    # The marker's black border starts where the layout says.
    assert image[size // 2, lo] == 0 and image[size // 2, lo - 1] == 255


def test_the_marker_takes_two_thirds_of_the_card():
    assert cards.CARD_CELLS == pytest.approx(8.9) and cards.MARKER_SHARE == pytest.approx(6 / 8.9)
    image = cards.render_card(1, 890)
    dark_columns = np.flatnonzero((image < 128).sum(axis=0) > 300)  # the marker's border columns, not letters
    assert np.ptp(dark_columns) + 1 == 600


def test_sighting_corners_outline_the_card(reader):
    image = np.full((600, 600), 128, np.uint8)
    image[100:400, 150:450] = cards.render_card(9, 300)
    (sighting,) = reader.read(image)
    expected = np.array([[150, 100], [450, 100], [450, 400], [150, 400]], np.float32)
    assert np.abs(sighting.corners - expected).max() < 3
    # Turned to show B: the A-edge left corner is now bottom-left, and the order stays clockwise from it.
    (turned,) = reader.read(np.ascontiguousarray(np.rot90(image)))
    assert turned.answer == "B"
    assert np.abs(turned.corners[0] - [100, 450]).max() < 3


def test_write_card_pngs(tmp_path):
    paths = cards.write_card_pngs(tmp_path / "out", 5)
    assert [p.name for p in paths] == [f"card-{n}.png" for n in range(1, 6)]
    assert np.array_equal(cv2.imread(str(paths[2]), cv2.IMREAD_GRAYSCALE), cards.render_card(3, 1000))


def test_bad_card_numbers_and_sizes_are_refused():
    for number, size in [(0, 100), (101, 100), (5, 10)]:
        with pytest.raises(ValueError):
            cards.render_card(number, size)


def test_answer_is_the_highest_edge_even_when_tilted():
    square = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], np.float32)
    for degrees, answer in [(30, "A"), (-40, "A"), (60, "D"), (-60, "B"), (170, "C")]:
        a = np.radians(degrees)  # clockwise on screen (y grows down)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        assert cards.answer_from_corners(square @ rot.T) == answer, degrees


def test_a_card_turned_near_45_degrees_has_no_clear_letter_on_top_and_is_not_reported():
    square = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], np.float32)

    def turned(degrees: float) -> np.ndarray:
        a = np.radians(degrees)
        return square @ np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]).T

    assert cards.top_margin(square) == pytest.approx(0.5)
    for degrees in (0, 20, 35, -35, 95):
        assert cards.top_margin(turned(degrees)) >= cards.CLEAR_TOP_MARGIN, degrees
    for degrees in (44, 45, -45, 46, 135):
        assert cards.top_margin(turned(degrees)) < cards.CLEAR_TOP_MARGIN, degrees
    # The reader: card 9 at 30° is read, card 12 at 45° is left out rather than guessed.
    frame = np.full((400, 800), 200, np.uint8)
    synthetic.place_card(frame, 9, (turned(30) * 18 + [200, 100]).astype(np.float32))
    synthetic.place_card(frame, 12, (turned(45) * 18 + [600, 100]).astype(np.float32))
    reader = CardReader(ReaderSettings(), CardSettings(count=64))
    assert {(s.card, s.answer) for s in reader.read(frame)} == {(9, "A")}
