"""Cards already printed keep reading: the reader looks only at the marker and its quiet zone, so the cards of
LEGACY_LAYOUT (60% marker, 1-cell letter band) read beside today's (67% marker), and nothing printed in the
band changes what is read."""
from pathlib import Path

import cv2
import numpy as np
import pytest

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import cards, synthetic
from appliance.vision.live_reader import LiveReader
from appliance.vision.reader import CardReader

LEGACY_PNG = Path(__file__).parent / "data" / "legacy-card-7.png"  # card 7 at 300 px, drawn by the old code


@pytest.fixture(scope="module")
def reader():
    r = CardReader(ReaderSettings(), CardSettings(count=100))
    yield r
    r.close()


def _read(reader, frame) -> set[tuple[int, str]]:
    return {(s.card, s.answer) for s in reader.read(frame)}


def _marker_and_quiet_zone(image: np.ndarray, layout: cards.Layout) -> np.ndarray:
    """The part of a card the reader reads: the marker's cells and the white ring around them. Two pixels in
    from the letter band, whose anti-aliased text a font rasteriser may draw differently from one OpenCV to
    the next without changing anything a camera sees."""
    cell = image.shape[0] / layout.side
    edge = round(layout.band * cell) + 2
    return image[edge:-edge, edge:-edge]


def test_the_legacy_layout_is_the_card_printed_before():
    """What matters of the card printed before is redrawn exactly: the marker's cells, their place and size, the
    quiet zone, so it decodes as before; the letters stay in their band (drawn by the font, compared loosely)."""
    old = cv2.imread(str(LEGACY_PNG), cv2.IMREAD_GRAYSCALE)
    legacy = cards.render_card(7, 300, cards.LEGACY_LAYOUT)
    assert legacy.shape == old.shape
    assert np.array_equal(_marker_and_quiet_zone(legacy, cards.LEGACY_LAYOUT),
                          _marker_and_quiet_zone(old, cards.LEGACY_LAYOUT))
    # Today's card is another layout: the same comparison tells them apart.
    assert not np.array_equal(_marker_and_quiet_zone(cards.render_card(7, 300), cards.LEGACY_LAYOUT),
                              _marker_and_quiet_zone(old, cards.LEGACY_LAYOUT))
    # The letters and numbers: ink in the band, about as much as before (the font may move a pixel or two).
    band = np.ones(old.shape, bool)
    edge = round(cards.LEGACY_LAYOUT.band * old.shape[0] / cards.LEGACY_LAYOUT.side) + 2
    band[edge:-edge, edge:-edge] = False
    ink_old, ink_new = int((old[band] < 128).sum()), int((legacy[band] < 128).sum())
    assert ink_old > 0 and abs(ink_new - ink_old) <= 0.15 * ink_old, (ink_old, ink_new)


def test_an_old_card_reads_with_every_answer(reader):
    old = cv2.imread(str(LEGACY_PNG), cv2.IMREAD_GRAYSCALE)
    frame = np.full((500, 500), 90, np.uint8)
    for turns, answer in enumerate("ABCD"):
        frame[100:400, 100:400] = np.rot90(old, turns)
        assert _read(reader, frame) == {(7, answer)}
    for number in range(1, 101):
        image = cards.render_card(number, 120, cards.LEGACY_LAYOUT)
        assert _read(reader, image) == {(number, "A")}, number


def _mixed_room(rng, markers_px: tuple[float, float], count: int = 24):
    """A cluttered 1920x1080 frame with `count` cards, every other one an old card, markers of `markers_px`
    across: (frame, {(card, answer)})."""
    frame = synthetic.clutter(rng, 1080, 1920, 20)
    truth = set()
    for i in range(count):
        layout = cards.LEGACY_LAYOUT if i % 2 else cards.LAYOUT
        number, turns = i + 1, i % 4
        side = rng.uniform(*markers_px) * layout.side / cards.MARKER_CELLS
        centre = (160 + (i % 8) * 230, 180 + (i // 8) * 340)
        synthetic.place_card(frame, number, synthetic.card_quad(rng, centre, side, turns, tilt=0.15), layout=layout)
        truth.add((number, "ABCD"[turns]))
    return synthetic.camera_blur(frame, rng), truth


def test_old_and_new_cards_read_side_by_side(reader):
    rng = np.random.default_rng(21)
    for markers_px in [(20, 30), (40, 90)]:
        frame, truth = _mixed_room(rng, markers_px)
        assert _read(reader, frame) == truth, markers_px
    # The live reader, which re-reads known cards in regions around their outlines, keeps both kinds.
    frame, truth = _mixed_room(rng, (20, 60), count=12)
    live = LiveReader(reader, 10)
    for i in range(6):
        noisy = np.clip(frame + np.random.default_rng(i).normal(0, 2.0, frame.shape), 0, 255).astype(np.uint8)
        assert _seen(live.read(noisy, i / 10)) == truth, i
    assert not live.last_plan.whole


def _seen(sightings) -> set[tuple[int, str]]:
    return {(s.card, s.answer) for s in sightings}


def test_an_old_cards_outline_measures_its_marker_as_the_camera_check_needs(reader):
    """The outline of an old card comes out smaller than its paper (today's layout around its marker), so the
    camera check, which needs a marker of READABLE_MARKER_PX, judges old and new cards by the same marker."""
    frame = np.full((600, 1200), 90, np.uint8)
    frame[100:400, 100:400] = cards.render_card(7, 300, cards.LEGACY_LAYOUT)  # marker 180 px
    frame[100:400, 700:1000] = cards.render_card(8, 300)  # marker 6/8.9 of 300 = 202 px
    old, new = sorted(reader.read(frame), key=lambda s: s.card)
    assert cards.shorter_side(old.corners) * cards.MARKER_SHARE == pytest.approx(180, abs=2)
    assert cards.shorter_side(new.corners) == pytest.approx(300, abs=2)
    assert np.allclose(old.corners.mean(axis=0), (250, 250), atol=1.5)


def test_nothing_printed_in_the_band_changes_what_is_read(reader):
    """Paint over everything outside the marker's quiet zone (letters, number, band) with dark clutter: the
    card reads the same, at every size and answer."""
    rng = np.random.default_rng(4)
    for layout in (cards.LAYOUT, cards.LEGACY_LAYOUT):
        for size in (90, 160, 400):
            image = cards.render_card(33, size, layout)
            cell = size / layout.side
            ring = slice(round((layout.offset - layout.quiet) * cell), round((layout.side - layout.band) * cell))
            doctored = rng.integers(0, 120, image.shape).astype(np.uint8)
            doctored[ring, ring] = image[ring, ring]
            frame = np.full((size + 80, size + 80), 60, np.uint8)
            for turns, answer in enumerate("ABCD"):
                frame[40:-40, 40:-40] = np.rot90(doctored, turns)
                assert _read(reader, frame) == {(33, answer)}, (layout, size, answer)
