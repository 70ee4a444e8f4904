"""Benchmark frames are deterministic, their truth is judgeable, and the clutter has no cards in it."""
import numpy as np

from appliance.bench.scenes import Setup, classroom_frames, clutter_frames, near_miss_code, setups
from appliance.vision import cards, markers

SMALL = Setup(960, 540, 102.0, 0.148, 24, 1.8, 5.0, "extreme", seed=11)


def test_frames_are_a_pure_function_of_the_setup():
    a = list(classroom_frames(SMALL, 2))
    b = list(classroom_frames(SMALL, 2))
    assert all(np.array_equal(x.gray, y.gray) for x, y in zip(a, b))
    assert [[(t.card, t.answer) for t in f.truth] for f in a] == [[(t.card, t.answer) for t in f.truth] for f in b]
    assert not np.array_equal(a[0].gray, a[1].gray)


def test_every_card_in_the_truth_has_an_unambiguous_answer_and_a_marker_measure():
    for frame in classroom_frames(SMALL, 2):
        assert len(frame.truth) >= 10
        assert {t.answer for t in frame.truth} == set("ABCD")
        for t in frame.truth:
            assert cards.answer_from_corners(t.corners) == t.answer
            assert cards.top_margin(t.corners) >= 2 * cards.CLEAR_TOP_MARGIN
            assert 0.0 <= frame.marker_hidden[t.card] <= 1.0


def test_setups_cover_sizes_lenses_and_card_widths():
    rooms = setups(3, 8, [(1920, 1080), (2304, 1296)])
    assert {(r.width, r.height) for r in rooms} == {(1920, 1080), (2304, 1296)}
    assert {r.lens for r in rooms} == {66.0, 102.0} and {r.card_width_m for r in rooms} == {0.148, 0.10}
    assert all(20 <= r.students <= 64 and 1.5 <= r.front_row_m < r.back_row_m <= 10.0 for r in rooms)
    assert {r.tilt for r in rooms} == {"natural", "extreme"}


def test_near_miss_markers_are_at_least_two_bits_from_every_card_in_every_rotation():
    rng = np.random.default_rng(0)
    codes = [r for c in markers.load_codes() for r in markers.rotations(c)]
    for _ in range(50):
        code = near_miss_code(rng)
        assert min(bin(code ^ c).count("1") for c in codes) >= 2


def test_clutter_frames_are_deterministic_and_varied():
    a = list(clutter_frames(4, 3, (480, 270), per_room=2))
    b = list(clutter_frames(4, 3, (480, 270), per_room=2))
    assert len(a) == 3 and all(g.shape == (270, 480) and g.dtype == np.uint8 for g in a)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], a[1])


def test_only_cards_facing_the_camera_are_held_up():
    from appliance.bench.scenes import facing_camera
    front = np.float32([[0, 0], [10, 0], [10, 10], [0, 10]])
    assert facing_camera(front) and not facing_camera(front[::-1].copy())
    for frame in classroom_frames(SMALL, 1):
        assert all(facing_camera(t.corners) for t in frame.truth)
