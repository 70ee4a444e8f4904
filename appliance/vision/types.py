"""What the reader sees in one frame and what the tracker concludes over time."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Sighting:
    """One card read in one frame."""

    card: int
    answer: str  # "A".."D": the card edge on top
    # Card outline (4×2 float32, frame pixels), clockwise from the card's A-edge left corner.
    corners: np.ndarray = field(compare=False, repr=False)
    time: float = 0.0  # frame time (time.monotonic()); the reader leaves 0.0 and its caller stamps it


@dataclass(frozen=True)
class Registration:
    """A card's stable answer changed (or was first established) at `time`."""

    card: int
    answer: str
    time: float
