"""Scoring rules of the card benchmark: a detection is judged by where it is, then by what it says."""
import numpy as np

from appliance.bench.score import BUCKETS, Detection, Tally, bucket_of, opencv_detections, score_frame
from appliance.scene.render import CardTruth
from appliance.vision import cards, markers

SQUARE = np.float32([[100, 100], [160, 100], [160, 160], [100, 160]])


def truth(card=7, answer="A", corners=SQUARE, occluded=0.0):
    return CardTruth(card, answer, corners, 60.0, occluded)


def test_same_card_same_place_same_answer_is_a_hit():
    s = score_frame((truth(),), [Detection(7, "A", SQUARE + 2)])
    assert s.hits == {0} and s.errors == () and s.duplicates == 0


def test_right_card_read_with_the_wrong_rotation_is_a_wrong_answer_not_a_phantom():
    rotated = np.roll(SQUARE, 1, axis=0)
    s = score_frame((truth(),), [Detection(7, "B", rotated)])
    assert not s.hits and [e.kind for e in s.errors] == ["wrong answer"]
    assert (s.errors[0].truth_card, s.errors[0].truth_answer) == (7, "A")


def test_another_number_on_a_card_is_a_wrong_card_and_anything_elsewhere_a_phantom():
    s = score_frame((truth(),), [Detection(8, "A", SQUARE), Detection(7, "A", SQUARE + 300)])
    assert [e.kind for e in s.errors] == ["wrong card", "phantom"]
    assert not s.hits


def test_a_detection_of_very_different_size_does_not_match():
    small = (SQUARE - 130) * 0.3 + 130  # same centre, a third of the size: a marker-like pattern on the card
    assert [e.kind for e in score_frame((truth(),), [Detection(7, "A", small)]).errors] == ["phantom"]


def test_a_second_sighting_of_a_hit_card_is_a_duplicate():
    s = score_frame((truth(),), [Detection(7, "A", SQUARE), Detection(7, "A", SQUARE + 1)])
    assert s.hits == {0} and s.duplicates == 1 and not s.errors


def test_buckets_cover_every_size_once():
    assert [bucket_of(v) for v in (0, 15.9, 16, 24, 31.9, 32, 48, 64, 1000)] == \
        ["<16", "<16", "16-24", "24-32", "24-32", "32-48", "48-64", ">=64", ">=64"]
    assert [b[0] for b in BUCKETS] == ["<16", "16-24", "24-32", "32-48", "48-64", ">=64"]


def test_hidden_cards_and_hidden_markers_are_reported_but_not_scored():
    t = (truth(1, occluded=0.0), truth(2, occluded=0.35, corners=SQUARE + 200),
         truth(3, occluded=0.05, corners=SQUARE + 400))
    tally = Tally()
    tally.add("f", t, score_frame(t, [Detection(1, "A", SQUARE)]), marker_hidden={3: 0.2})
    assert tally.recall(32) == (1, 1)
    assert (tally.hidden_seen, tally.hidden_total) == (0, 2)


def test_opencv_output_maps_to_cards_like_our_reader():
    """A card turned a quarter counter-clockwise (B on top) read by a plain detector is card n, answer B."""
    image = np.full((500, 500), 255, np.uint8)
    card = np.rot90(cards.render_card(5, 300))
    image[100:400, 100:400] = card
    detector = cv2_detector()
    found = opencv_detections(*detector.detectMarkers(image)[:2])
    assert [(d.card, d.answer) for d in found] == [(5, "B")]
    # the outline is the whole card, not just the marker
    assert np.allclose(sorted(found[0].corners[:, 0]), [100, 100, 400, 400], atol=3)


def cv2_detector():
    import cv2
    return cv2.aruco.ArucoDetector(markers.aruco_dictionary(cards.card_codes(64)), cv2.aruco.DetectorParameters())


def test_a_card_seen_edge_on_is_as_small_as_its_width_across():
    from appliance.bench.score import span_of
    assert span_of(SQUARE) == 60
    sliver = np.float32([[0, 0], [40, 2], [80, 0], [40, -2]])  # long sides, almost no area
    assert span_of(sliver) < 5  # 4 px across at its widest, though every side is 40 px
    assert span_of(np.float32([[0, 0], [60, 0], [60, 20], [0, 20]])) == 20
