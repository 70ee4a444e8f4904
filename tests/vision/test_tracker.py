"""Tracker rules: frames needed, conflicting answers, change latency, lowered cards, reset."""
import numpy as np

from appliance.config import TrackerSettings
from appliance.vision.tracker import Tracker
from appliance.vision.types import Registration, Sighting

FPS = 8.0
CORNERS = np.zeros((4, 2), np.float32)


def seen(*pairs) -> list[Sighting]:
    return [Sighting(card, answer, CORNERS) for card, answer in pairs]


def run(tracker, frames, start=0.0):
    """Feed one list of sightings per frame at FPS; returns every registration."""
    out = []
    for i, sightings in enumerate(frames):
        out += tracker.update(sightings, start + i / FPS)
    return out


def test_a_card_registers_on_its_min_frames_th_frame_within_half_a_second():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0))
    assert tracker.update(seen((7, "B")), 0.0) == []
    assert tracker.update(seen((7, "B")), 0.125) == []
    assert tracker.update(seen((7, "B")), 0.25) == [Registration(7, "B", 0.25)]
    assert tracker.update(seen((7, "B")), 0.375) == [], "only changes are emitted"


def test_sightings_spread_wider_than_the_window_do_not_add_up():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0))
    assert run(tracker, [seen((4, "A")) if i % 10 == 0 else [] for i in range(40)]) == []


def test_a_conflicting_answer_blocks_registration_until_outnumbered():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0))
    frames = [seen((3, "A")), seen((3, "C")), seen((3, "A")), seen((3, "C")), seen((3, "A")), seen((3, "A"))]
    # After 5 frames: A 3, C 2 → A (3 frames and more than C).
    assert run(tracker, frames) == [Registration(3, "A", 4 / FPS)]


def test_a_tie_registers_nothing():
    tracker = Tracker(TrackerSettings(min_frames=2, window_seconds=1.0))
    assert run(tracker, [seen((3, "A"), (3, "B"))] * 5) == []


def test_a_changed_answer_registers_within_a_second():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0))
    held_a = [seen((9, "A"))] * 16  # held for 2 s
    registrations = run(tracker, held_a + [seen((9, "D"))] * 16)
    assert registrations[0] == Registration(9, "A", 2 / FPS)
    change = registrations[1]
    assert change.answer == "D" and 0 < change.time - 16 / FPS <= 1.0
    assert len(registrations) == 2


def test_a_lowered_card_keeps_its_answer_and_a_flicker_does_not_undo_it():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0))
    frames = [seen((5, "C"))] * 4 + [[]] * 20 + [seen((5, "B"))] + [[]] * 20
    assert run(tracker, frames) == [Registration(5, "C", 2 / FPS)]
    assert tracker.stable() == {5: "C"}


def test_cards_are_independent():
    tracker = Tracker(TrackerSettings(min_frames=2, window_seconds=1.0))
    got = run(tracker, [seen((1, "A"), (2, "B")), seen((1, "A"), (2, "B"), (3, "C")), seen((3, "C"))])
    assert got == [Registration(1, "A", 1 / FPS), Registration(2, "B", 1 / FPS), Registration(3, "C", 2 / FPS)]


def test_reset_forgets_answers_and_partial_evidence():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0))
    run(tracker, [seen((2, "A"))] * 3 + [seen((6, "B"))] * 2)
    tracker.reset()
    assert tracker.stable() == {}
    assert tracker.update(seen((6, "B")), 0.7) == [], "earlier frames no longer count"
    # The same answer as before the reset is registered again: it is a new question.
    assert run(tracker, [seen((2, "A"))] * 3, start=1.0) == [Registration(2, "A", 1.0 + 2 / FPS)]


def test_duplicate_sightings_in_one_frame_count_once():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0))
    assert run(tracker, [seen((8, "A"), (8, "A"), (8, "A"))] * 2) == []


def test_an_established_card_changes_on_the_change_frames_th_frame_of_its_new_answer():
    frames = [seen((9, "A"))] * 10 + [seen((9, "D"))] * 10  # a second of A, then D
    quick = run(Tracker(TrackerSettings(min_frames=3, window_seconds=1.0, change_frames=3)), frames)
    assert quick == [Registration(9, "A", 2 / FPS), Registration(9, "D", 12 / FPS)]
    # By the majority alone, D must first outnumber the A frames still within the window: its 5th frame.
    majority = run(Tracker(TrackerSettings(min_frames=3, window_seconds=1.0, change_frames=0)), frames)
    assert majority == [Registration(9, "A", 2 / FPS), Registration(9, "D", 14 / FPS)]


def test_a_new_answer_mixed_with_the_old_is_no_change_and_a_change_is_not_voted_back():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0, change_frames=3))
    flicker = [seen((4, "B")), seen((4, "A"))] * 3  # a card mid-turn, read either way
    assert run(tracker, [seen((4, "A"))] * 8 + flicker) == [Registration(4, "A", 2 / FPS)]
    # C on its third frame, while A was seen as often within the last second; then it stays, though frames
    # of A and B are still within the window.
    changed = run(tracker, [seen((4, "C"))] * 3 + [seen((4, "C")), [], seen((4, "C"))], start=14 / FPS)
    assert changed == [Registration(4, "C", 16 / FPS)]
    assert tracker.stable() == {4: "C"}


def test_two_answers_in_one_frame_are_not_a_change():
    tracker = Tracker(TrackerSettings(min_frames=3, window_seconds=1.0, change_frames=2))
    both = [seen((4, "A"), (4, "C"))] * 3
    assert run(tracker, [seen((4, "A"))] * 8 + both) == [Registration(4, "A", 2 / FPS)]
