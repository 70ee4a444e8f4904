"""Who the camera has not read yet in the open question, and where the reader last saw each card. Pure, no I/O.

"Seen, not readable" is a card the reader decoded within the last few seconds whose answer has not been
registered in this question: held too briefly or too unsteadily, or with a finger over the marker now. A card
never seen is simply not read yet. Places are shares of the frame (0..1, left to right, top to bottom); the
camera hangs at the front, so the top of the frame is the back of the room."""
from __future__ import annotations

from dataclasses import dataclass

from appliance.classroom.models import Student

SEEN_RECENTLY_S = 10.0


@dataclass(frozen=True)
class Whereabouts:
    student_id: int
    card: int  # the card the student holds today: their own, or a spare
    answered: bool
    seen_ago: float | None  # seconds since the reader last decoded the card; None when never
    place: tuple[float, float] | None  # where it was last read, (x, y) as shares of the frame

    @property
    def state(self) -> str:
        if self.answered:
            return "answered"
        return "seen" if self.seen_ago is not None and self.seen_ago < SEEN_RECENTLY_S else "not_seen"


def whereabouts(students: tuple[Student, ...], spares: dict[int, int], absent: set[int], answered: set[int],
                last_seen: dict[int, float], places: dict[int, tuple[float, float]], now: float) -> list[Whereabouts]:
    """One entry per present student; `last_seen` and `now` are on the same (monotonic) clock."""
    spare_of = {student: card for card, student in spares.items()}
    found = []
    for s in students:
        if s.id in absent:
            continue
        card = spare_of.get(s.id, s.card)
        seen = last_seen.get(card)
        found.append(Whereabouts(s.id, card, s.id in answered, None if seen is None else max(0.0, now - seen),
                                 places.get(card)))
    return found


def room_words(place: tuple[float, float] | None) -> str | None:
    """"back left", "middle", "front right"...: a code the page turns into words (no picture needed)."""
    if place is None:
        return None
    x, y = place
    row = "back" if y < 1 / 3 else "front" if y > 2 / 3 else "middle"
    side = "left" if x < 1 / 3 else "right" if x > 2 / 3 else "centre"
    return f"{row}-{side}"
