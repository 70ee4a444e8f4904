"""Camera sources and the camera thread.

`open_source(spec, settings)` turns a camera.source setting into a CameraSource:
"sim" (rendered classroom), "opencv:<index|path|url>" or "picamera2" (imported only when used).
"""
from __future__ import annotations

from appliance.camera.base import CameraError, CameraSource
from appliance.config import Settings


def open_source(spec: str, settings: Settings) -> CameraSource:
    """Build (not open) the source named by `spec`; a spec we do not understand raises ValueError."""
    kind, _, target = spec.partition(":")
    if spec == "sim":
        from appliance.camera.sim import SimClassroom  # the renderer is only needed for the simulation

        return SimClassroom(settings.sim, settings.camera, settings.cards)
    if kind == "opencv" and target:
        from appliance.camera.opencv import OpenCVSource

        return OpenCVSource(target, settings.camera)
    if spec == "picamera2":
        from appliance.camera.picam import PicameraSource

        return PicameraSource(settings.camera)
    raise ValueError(f"camera source {spec!r}: expected 'sim', 'opencv:<index|path|url>' or 'picamera2'")


__all__ = ["CameraError", "CameraSource", "open_source"]
