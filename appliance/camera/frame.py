"""One grayscale camera frame, stamped when it was captured."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Frame:
    gray: np.ndarray  # H×W uint8
    time: float  # time.monotonic() at capture
    seq: int  # increasing per runner, across reconnects
