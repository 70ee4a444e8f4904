"""A standard ArUco detector, with the cards' own dictionary, reads the simulated class's raised cards."""
import time

import cv2
import pytest

from appliance.camera.sim import SimClassroom, plan_question
from appliance.config import CameraSettings, CardSettings, SimSettings
from appliance.vision import cards, markers


def read(gray) -> dict[int, str]:
    detector = cv2.aruco.ArucoDetector(markers.aruco_dictionary(markers.load_codes()))
    corners, ids, _ = detector.detectMarkers(gray)
    if ids is None:
        return {}
    return {cards.card_number(int(i)): cards.answer_from_corners(c) for i, c in zip(ids.ravel(), corners)}


# At 1280×720 a card at 5.5 m is ~26 px, below what a plain detector reads; a smaller room keeps it ≥ 30 px.
@pytest.mark.parametrize("size, back_row_m", [((1920, 1080), 5.5), ((1280, 720), 4.5)])
def test_raised_cards_are_read_with_their_first_answers_then_lowered(size, back_row_m):
    settings = SimSettings(raise_seconds=0.3, seed=2, back_row_m=back_row_m)
    sim = SimClassroom(settings, CameraSettings(width=size[0], height=size[1], fps=30.0), CardSettings())
    sim.open()
    try:
        sim.question_opened("s1-q0", 4)
        time.sleep(0.35)  # everyone has raised, and nobody changes their mind within 1.5 s
        seen = read(sim.grab())
        sim.question_closed()
        time.sleep(0.65)
        after_close = read(sim.grab())
    finally:
        sim.close()
    plans = {p.card: p.first for p in plan_question(settings, 30, "s1-q0", 4)}
    assert len(plans) >= 20
    assert {card: seen[card] for card in seen} == {card: plans[card] for card in seen}, "no wrong card or answer"
    assert len(seen) >= 0.9 * len(plans)
    assert after_close == {}, "cards come down after the question closes"
