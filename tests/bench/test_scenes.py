"""Benchmark frames are deterministic, their truth is judgeable, and the clutter has no cards in it."""
import numpy as np
import pytest

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


def test_a_card_is_hidden_only_by_what_covers_its_marker():
    """A thumb on the white margin leaves the card scored (issue #20); one on the marker hides it."""
    from appliance.bench.scenes import build_scene, marker_occlusion
    from appliance.scene import HeldCard
    scene = build_scene(Setup(960, 540, 66.0, 0.148, 4, 1.5, 4.0, "natural", seed=3))
    margin = cards.MARKER_OFFSET / cards.CARD_CELLS * 0.148  # card edge to marker edge, metres
    near = HeldCard(0, "A", grip="bottom", thumb_m=margin * 0.8)
    far = HeldCard(0, "A", grip="bottom", thumb_m=margin * 1.6)
    card = scene.students[0].card
    assert marker_occlusion(scene, [near])[card] == 0.0
    assert marker_occlusion(scene, [far])[card] > 0.01


def test_dim_light_is_noisier_than_bright_light_at_the_same_grey():
    from appliance.scene.effects import sensor_noise, unit_noise_field
    rng = np.random.default_rng(1)
    unit = unit_noise_field(rng, 256, 256)
    flat = np.full((256, 256), 128, np.uint8)
    bright = sensor_noise(flat, unit, 1.0, rng).astype(float)
    dim = sensor_noise(flat, unit, 0.25, rng).astype(float)
    assert abs(bright.mean() - 128) < 1 and abs(dim.mean() - 128) < 1
    assert 1.5 < bright.std() < 3.5 and 4 < dim.std() < 7 and dim.std() > 1.8 * bright.std()


def test_the_wide_lens_bends_the_picture_and_its_truth_alike():
    import cv2

    from appliance.scene import PinholeCamera
    cam = PinholeCamera(640, 360, 108.9, distortion=(-0.06, -0.01))
    assert cam.distort(np.array([[320.0, 180.0]]))[0] == pytest.approx([320, 180])
    map1, map2 = cam.distortion_maps()
    fx, fy = cv2.convertMaps(map1, map2, cv2.CV_32FC1)
    for point in ([100.0, 60.0], [500.0, 300.0], [330.0, 60.0]):
        x, y = cam.distort(np.array([point]))[0]
        assert 0 <= x < 640 and 0 <= y < 360
        assert [fx[round(y), round(x)], fy[round(y), round(x)]] == pytest.approx(point, abs=1.0)
    # barrel: the middle is magnified, the corners stay put
    assert cam.centre_magnification > 1.1
    assert cam.distort(np.array([[0.0, 0.0]]))[0] == pytest.approx([0, 0], abs=0.01)


def test_moving_cards_are_smeared_and_listed():
    frame = next(iter(classroom_frames(SMALL, 1)))
    assert frame.moving and frame.moving <= {t.card for t in frame.truth} | frame.moving
