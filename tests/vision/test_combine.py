"""SmallCards: a card below the single-frame size is trusted only when several frames agree, and a card turning
to another answer is never registered as a mix of the two. Pure: sightings made by hand, no images."""
import numpy as np
import pytest

from appliance.config import CardSettings, ReaderSettings, TrackerSettings
from appliance.vision import synthetic
from appliance.vision.combine import SmallCardRules, SmallCards
from appliance.vision.live_reader import make_live_reader
from appliance.vision.reader import CardReader
from appliance.vision.tracker import Tracker
from appliance.vision.types import Sighting

RULES = SmallCardRules()  # marker < 12 px: a card under 20 px
FPS = 10


def card(number: int, answer: str, x: float = 100.0, y: float = 100.0, side: float = 17.0) -> Sighting:
    corners = np.array([[x, y], [x + side, y], [x + side, y + side], [x, y + side]], np.float32)
    return Sighting(number, answer, corners)


def feed(small: SmallCards, frames: list[list[Sighting]], start: float = 0.0) -> list[list[tuple[int, str]]]:
    return [[(s.card, s.answer) for s in small.update(f, start + i / FPS)] for i, f in enumerate(frames)]


def test_a_small_card_is_passed_on_from_its_third_agreeing_frame():
    out = feed(SmallCards(RULES), [[card(7, "B")]] * 5)
    assert out == [[], [], [(7, "B")], [(7, "B")], [(7, "B")]]


def test_a_card_of_the_single_frame_size_passes_at_once():
    out = feed(SmallCards(RULES), [[card(7, "B", side=20.0)], [card(3, "A", side=40.0)]])
    assert out == [[(7, "B")], [(3, "A")]]


def test_readings_too_far_apart_in_time_do_not_add_up():
    small = SmallCards(RULES)
    passed = [small.update([card(7, "B")], t) for t in (0.0, 0.6, 1.2, 1.8)]
    assert passed == [[], [], [], []]


def test_a_card_swaying_a_few_pixels_is_one_place():
    frames = [[card(7, "C", x=100 + 2 * i, y=100 - i)] for i in range(3)]
    assert feed(SmallCards(RULES), frames)[-1] == [(7, "C")]


def test_the_same_card_read_somewhere_else_is_not_one_steady_reading():
    frames = [[card(7, "C")], [card(7, "C", x=300)], [card(7, "C")], [card(7, "C")]]
    assert feed(SmallCards(RULES), frames) == [[], [], [], []]


def test_another_card_read_at_the_same_place_blocks_both():
    frames = [[card(7, "C")], [card(9, "C", x=103)], [card(7, "C")], [card(7, "C")], [card(9, "C", x=103)]]
    assert feed(SmallCards(RULES), frames) == [[], [], [], [], []]


def test_a_neighbouring_card_at_its_own_place_does_not_interfere():
    frames = [[card(7, "C"), card(9, "A", x=130)]] * 3
    assert feed(SmallCards(RULES), frames)[-1] == [(7, "C"), (9, "A")]


def test_a_small_card_alternating_between_two_answers_is_never_passed_on():
    frames = [[card(7, "A" if i % 2 else "B")] for i in range(20)]
    assert all(out == [] for out in feed(SmallCards(RULES), frames))


def test_a_turned_card_is_held_back_until_its_old_answer_has_left_the_window():
    # A for 1 s, one frame mid-turn misread as D, then B: nothing passes while any other reading is recent.
    frames = [[card(7, "A")]] * 10 + [[card(7, "D")]] + [[card(7, "B")]] * 20
    out = feed(SmallCards(RULES), frames)
    passed_b = [i for i, o in enumerate(out) if o == [(7, "B")]]
    assert all(o in ([], [(7, "A")]) for o in out[:11]) and out[10] == []
    assert not any(o == [(7, "D")] for o in out)
    # The D reading at frame 10 (t = 1.0 s) blocks B until it is a full window (1 s) old, then B passes every frame.
    assert passed_b == list(range(20, 31))


def test_through_the_tracker_a_turning_small_card_registers_its_two_answers_and_never_a_mix():
    small, tracker = SmallCards(RULES), Tracker(TrackerSettings())
    answers = "A" * 12 + "D" + "C" + "B" * 25  # A, two mid-turn misreadings (D, C), then B
    registered = []
    for i, answer in enumerate(answers):
        now = i / FPS
        registered += [(r.card, r.answer) for r in tracker.update(small.update([card(7, answer)], now), now)]
    assert registered == [(7, "A"), (7, "B")]


def test_reset_forgets_the_evidence():
    small = SmallCards(RULES)
    feed(small, [[card(7, "B")]] * 2)
    small.reset()
    assert feed(small, [[card(7, "B")]], start=0.2) == [[]]


def _small_cards_frame() -> tuple[np.ndarray, set[tuple[int, str]]]:
    """Four 16.5 px cards (markers of ~11 px, below the single-frame 12) on a plain wall, one per answer."""
    wall = np.full((360, 640), 170, np.uint8)
    rng = np.random.default_rng(3)
    for i, x in enumerate((100, 250, 400, 540)):
        synthetic.place_card(wall, 5 + i, synthetic.card_quad(rng, (x, 180), 16.5, turns=i, tilt=0.05))
    return wall, {(5 + i, "ABCD"[i]) for i in range(4)}


@pytest.mark.parametrize("small_marker_px, expected", [(0, [False] * 5), (9, [False, False, True, True, True])])
def test_live_reading_passes_on_small_real_cards_from_the_third_frame_and_never_without_combining(
        small_marker_px, expected):
    wall, cards = _small_cards_frame()
    settings = ReaderSettings(bands=1, small_marker_px=small_marker_px)
    reader = CardReader(settings, CardSettings())
    live = make_live_reader(settings, CardSettings(), reader)
    try:
        seen = []
        for k in range(5):
            frame = synthetic.camera_blur(wall, np.random.default_rng(k), sigma=0.6, noise=2.0)
            read = {(s.card, s.answer) for s in live.read(frame, k / FPS)}
            assert read in (set(), cards), read  # all four or none: never a wrong card or answer
            assert reader.read(frame) == []  # no single frame reads them at the single-frame size
            seen.append(read == cards)
        assert seen == expected
    finally:
        live.close()
        reader.close()
