"""What every camera source offers the camera thread."""
from __future__ import annotations

from typing import Protocol

import numpy as np


class CameraError(RuntimeError):
    """The camera failed, vanished or stopped delivering frames; the message says which and how."""


class CameraSource(Protocol):
    """Used only from the camera thread. `open` may be called again after `close` (reconnects)."""

    description: str

    def open(self) -> None: ...

    def grab(self) -> np.ndarray:
        """The next grayscale (H×W uint8) frame; blocks at most about a second, else raises CameraError."""
        ...

    def close(self) -> None: ...
