"""The classroom renderer: deterministic, and its truth matches its pictures. (How fast it renders is what the
demo's status panel shows as camera fps; a timed unit test here only failed on a busy machine.)"""
import cv2
import numpy as np
import pytest

from appliance.scene import Effects, HeldCard, PinholeCamera, Room, Scene, random_hold

DICTIONARY = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_100)


def plain_card(number: int, size: int) -> np.ndarray:
    """A bare marker on white, so these tests do not depend on the real card layout."""
    marker = cv2.aruco.generateImageMarker(DICTIONARY, number, int(size * 0.7))
    card = np.full((size, size), 255, np.uint8)
    o = (size - marker.shape[0]) // 2
    card[o:o + marker.shape[0], o:o + marker.shape[0]] = marker
    return card


@pytest.fixture(scope="module")
def scene():
    camera = PinholeCamera(1920, 1080, 66.0, 2.4, PinholeCamera.pitch_to_frame(2.4, 2.4, 5.5))
    return Scene.build(camera, Room(back_row_m=5.5), 30, np.random.default_rng(3), card_image=plain_card)


def holds(scene, answers="ABCD", seed=0):
    rng = np.random.default_rng(seed)
    return [random_hold(i, answers[i % len(answers)], s, rng) for i, s in enumerate(scene.students)]


def test_rendering_is_deterministic_and_gray(scene):
    held = holds(scene)
    a = scene.render(held, np.random.default_rng(5))
    b = scene.render(held, np.random.default_rng(5))
    c = scene.render(held, np.random.default_rng(6))
    assert a.gray.shape == (1080, 1920) and a.gray.dtype == np.uint8
    assert np.array_equal(a.gray, b.gray) and not np.array_equal(a.gray, c.gray)
    assert [t.card for t in a.cards] == [t.card for t in b.cards]
    assert 15 < a.gray.mean() < 240 and a.gray.std() > 20


@pytest.mark.parametrize("answer, corner_direction", [("A", (-1, -1)), ("B", (-1, 1)), ("C", (1, 1)),
                                                       ("D", (1, -1))])
def test_the_answer_turns_the_card(scene, answer, corner_direction):
    """The upright image's top-left corner (left end of the A edge) ends up: A top-left, B (turned a quarter
    counter-clockwise) bottom-left, C bottom-right, D (a quarter clockwise) top-right."""
    hold = HeldCard(student=0, answer=answer)
    truth = scene.render([hold], np.random.default_rng(0), Effects(noise_sigma=0)).cards[0]
    offset = truth.corners[0] - truth.corners.mean(axis=0)
    assert tuple(np.sign(offset).astype(int)) == corner_direction


def test_a_standard_detector_reads_the_cards_it_is_told_about(scene):
    rendered = scene.render(holds(scene), np.random.default_rng(1))
    corners, ids, _ = cv2.aruco.ArucoDetector(DICTIONARY).detectMarkers(rendered.gray)
    found = {int(i): c[0] for i, c in zip(ids.ravel(), corners)} if ids is not None else {}
    truths = {t.card: t for t in rendered.cards}
    assert set(found) <= set(truths), "nothing is read that the truth does not list"
    readable = [t for t in rendered.cards if t.occluded < 0.05]  # a thumb on the margin, no more
    assert len(readable) >= 20
    assert sum(t.card in found for t in readable) >= 0.9 * len(readable)
    for card, marker in found.items():
        # The marker's first corner sits in the same corner of the card as the truth's A-edge corner.
        truth = truths[card]
        assert np.sign(marker[0] - marker.mean(0)).tolist() == np.sign(truth.corners[0] - truth.corners.mean(0)).tolist()


def test_most_cards_are_big_enough_to_read_at_1080p(scene):
    spans = [t.span_px for t in scene.render(holds(scene), np.random.default_rng(0)).cards]
    assert len(spans) >= 28
    assert np.median(spans) >= 40 and min(spans) >= 30


def test_occlusion_and_out_of_view_are_reported(scene):
    covered = HeldCard(student=0, answer="A", thumb_m=0.06)
    clear = HeldCard(student=0, answer="A", thumb_m=0.0, grip="side")
    assert scene.truth_of(covered).occluded > scene.truth_of(clear).occluded
    assert scene.truth_of(HeldCard(student=0, answer="A", side_m=-10.0)) is None
