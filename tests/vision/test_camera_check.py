"""The camera check's verdict and focus meter, on real drawn cards (pure functions, no camera)."""
import cv2
import numpy as np

from appliance.vision import camera_check, cards
from appliance.vision.cards import render_card
from appliance.vision.types import Sighting


def test_the_verdict_is_said_in_words():
    assert camera_check.verdict([]) == {
        "level": "bad", "text": "No card in the picture. Ask the class to hold up their cards, A on top."}
    assert camera_check.verdict([60.0, 45.0, 31.0]) == {"level": "ok", "text": "Every row readable."}
    back_row = camera_check.verdict([60.0, 26.0, 25.0])
    assert back_row["level"] == "warn" and back_row["text"] == (
        "Back row too small (2 cards are near the limit): move the camera closer or use the 14.8 cm cards.")
    missing = camera_check.verdict([60.0, 50.0], missing=3)
    assert missing["level"] == "warn" and "3 cards of this class not seen yet" in missing["text"]


def test_the_focus_meter_falls_when_the_cards_blur():
    card = render_card(7, 200)
    gray = np.full((400, 600), 200, np.uint8)
    gray[100:300, 200:400] = card if card.ndim == 2 else cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    sighting = Sighting(7, "A", np.array([[200, 100], [400, 100], [400, 300], [200, 300]], np.float32), 0.0)
    sharp = camera_check.sharpness(gray, [sighting])
    blurred = camera_check.sharpness(cv2.GaussianBlur(gray, (0, 0), 3), [sighting])
    assert sharp is not None and blurred is not None and sharp > 3 * blurred
    assert camera_check.sharpness(gray, []) is None


def test_the_floor_is_a_marker_size_so_the_card_size_follows_the_layout():
    # 24 px cards with the old 60% marker and 21 px cards with today's 67% one carry the same 14.4 px marker.
    assert camera_check.READABLE_PX == 21
    assert abs(camera_check.READABLE_PX * cards.MARKER_SHARE - camera_check.READABLE_MARKER_PX) < 0.5
    assert camera_check.verdict([60.0, 27.0])["level"] == "ok"
    assert camera_check.verdict([60.0, 25.0])["level"] == "warn"
    # 1080p, 66° lens: a 14.8 cm card facing the camera is read up to 10.4 m (9.1 m with a 24 px floor).
    assert camera_check.readable_distance_m(1920, 66.0, 0.148) == 10.4
    assert camera_check.readable_distance_m(1920, 66.0, 0.148, min_px=24) == 9.1
