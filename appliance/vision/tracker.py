"""Per-frame sightings → stable answers. Pure: no I/O, no clock; the caller passes each frame's time.

A card's answer is established once, within the last window_seconds, it was seen with that answer in at least
min_frames frames and in more frames than with any other answer. A card whose answer is established changes to
another one sooner: as soon as the last change_frames frames it was seen in showed only the new answer (the
frames before then no longer count). A Registration is emitted only when a card's established answer changes.
A card that is lowered (no longer seen) keeps its answer: lowering is not undoing.

With the defaults (3 frames in 1 s, changes in 3) at 10 fps a raised card registers on its 3rd frame (0.2 s
after it is first seen) and a changed answer on the 3rd frame showing it (by the majority alone it would take
the 6th: the new answer must outnumber the old within the window).
"""
from __future__ import annotations

from collections import deque

from appliance.config import TrackerSettings
from appliance.vision.types import Registration, Sighting


class Tracker:
    def __init__(self, settings: TrackerSettings):
        self._min_frames = settings.min_frames
        self._window = settings.window_seconds
        self._change_frames = settings.change_frames
        self._seen: dict[int, deque[tuple[float, str]]] = {}  # card → (frame time, answer), oldest first
        self._stable: dict[int, str] = {}

    def reset(self) -> None:
        """Forget everything (a new question starts): cards must be held up again to count."""
        self._seen.clear()
        self._stable.clear()

    def stable(self) -> dict[int, str]:
        """Each card's established answer so far."""
        return dict(self._stable)

    def update(self, sightings: list[Sighting], now: float) -> list[Registration]:
        """Add one frame's sightings (taken at `now`); returns the cards whose established answer changed."""
        answers_by_card: dict[int, set[str]] = {}
        for s in sightings:
            answers_by_card.setdefault(s.card, set()).add(s.answer)  # once per frame, however often it appears
        for card, answers in answers_by_card.items():
            history = self._seen.setdefault(card, deque())
            history.extend((now, answer) for answer in sorted(answers))
        self._forget_before(now - self._window)
        changes = []
        for card in sorted(answers_by_card):
            answer = self._established(card)
            if answer is not None and answer != self._stable.get(card):
                self._stable[card] = answer
                changes.append(Registration(card, answer, now))
        return changes

    def _forget_before(self, oldest: float) -> None:
        for card in list(self._seen):
            history = self._seen[card]
            while history and history[0][0] <= oldest:
                history.popleft()
            if not history:
                del self._seen[card]

    def _established(self, card: int) -> str | None:
        stable = self._stable.get(card)
        if stable is not None and self._change_frames:
            changed = self._latest_run(card)
            if changed is not None and changed[0] != stable:
                history = self._seen[card]
                while history[0][0] < changed[1]:  # the old answer's frames must not vote it back
                    history.popleft()
                return changed[0]
        counts: dict[str, int] = {}
        for _, answer in self._seen.get(card, ()):
            counts[answer] = counts.get(answer, 0) + 1
        if not counts:
            return None
        ranked = sorted(counts.items(), key=lambda item: -item[1])
        best, count = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        return best if count >= self._min_frames and count > runner_up else None

    def _latest_run(self, card: int) -> tuple[str, float] | None:
        """(answer, time of the first of them) if the card's last change_frames frames showed only that answer."""
        frames: dict[float, set[str]] = {}
        for t, answer in reversed(self._seen.get(card, ())):
            if t not in frames and len(frames) == self._change_frames:
                break
            frames.setdefault(t, set()).add(answer)
        answers = set().union(*frames.values())
        if len(frames) < self._change_frames or len(answers) != 1:
            return None
        return answers.pop(), min(frames)
