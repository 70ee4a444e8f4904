"""Raspberry Pi camera through picamera2 (installed from apt as python3-picamera2, imported lazily).

The grayscale frame is the Y plane of a YUV420 stream: no colour conversion, and the ISP does the scaling.
Every request is released through `captured_request()`, so a failed frame never starves the camera of buffers.
"""
from __future__ import annotations

import logging

import numpy as np

from appliance.camera.base import CameraError
from appliance.camera.pool import FramePool
from appliance.config import CameraSettings

log = logging.getLogger(__name__)

# libcamera enum values (AfModeEnum.Continuous, AeExposureModeEnum.Short, AeFlickerModeEnum.Manual); the
# numbers avoid importing libcamera just for three constants.
_AF_CONTINUOUS = 2
_AE_SHORT = 1
_FLICKER_MANUAL = 1
# Few buffers: we only ever want the newest frame, and full-resolution YUV buffers are ~18 MB each.
_BUFFERS = 3
# A frame must arrive within this long, else the camera is treated as gone (cable out, sensor hung).
_GRAB_TIMEOUT = 1.0


class PicameraSource:
    def __init__(self, settings: CameraSettings, camera_num: int = 0):
        self._settings = settings
        self._camera_num = camera_num
        self._camera = None
        self._size = (settings.width, settings.height)
        self._pool = FramePool()
        self._mapped = None  # picamera2.MappedArray, once imported
        self.description = f"picamera2:{camera_num}"

    def open(self) -> None:
        try:
            from picamera2 import MappedArray, Picamera2
        except ImportError as exc:
            raise CameraError("picamera2 is not installed (apt install python3-picamera2; make the venv with "
                              f"--system-site-packages): {exc}") from None
        cameras = Picamera2.global_camera_info()
        if self._camera_num >= len(cameras):
            raise CameraError(f"camera {self.description}: no Pi camera connected (found {len(cameras)})")
        self.description = f"picamera2:{cameras[self._camera_num].get('Model', self._camera_num)}"
        self._mapped = MappedArray
        try:
            self._camera = Picamera2(self._camera_num)
            self._configure_and_start(self._camera)
        except Exception as exc:
            self.close()
            raise CameraError(f"camera {self.description} could not be started: {exc}") from exc

    def _configure_and_start(self, camera) -> None:
        # picamera2 picks the sensor mode that best fits the main stream: 2304x1296 gets the fast 2x2 binned
        # mode, 4608x2592 the full-resolution one.
        frame_us = int(1_000_000 / self._settings.fps)
        config = camera.create_video_configuration(
            main={"format": "YUV420", "size": (self._settings.width, self._settings.height)},
            buffer_count=_BUFFERS, controls={"FrameDurationLimits": (frame_us, frame_us)},
            display=None, encode=None)
        camera.configure(config)
        # The sensor may round the size (alignment); slice to what it actually delivers.
        self._size = tuple(camera.stream_configuration("main")["size"])
        camera.set_controls(self._classroom_controls(camera.camera_controls))
        camera.start()
        log.info("picamera2 %s started at %dx%d", self.description, *self._size)

    def _classroom_controls(self, available: dict) -> dict:
        """Controls for a room of raised hands, each set only where this camera offers it."""
        wanted = {
            "AfMode": _AF_CONTINUOUS,  # Camera Module 3: keep the room in focus as people move
            "AeExposureMode": _AE_SHORT,  # prefer gain over long exposures: a moving card must not blur
        }
        if self._settings.flicker_hz:  # fluorescent and LED lights flicker at twice the mains frequency
            wanted |= {"AeFlickerMode": _FLICKER_MANUAL,
                       "AeFlickerPeriod": int(1_000_000 / (2 * self._settings.flicker_hz))}
        return {name: value for name, value in wanted.items() if name in available}

    def grab(self) -> np.ndarray:
        if self._camera is None:
            raise CameraError(f"camera {self.description} is not open")
        width, height = self._size
        gray = self._pool.take((height, width))
        try:
            with self._camera.captured_request(wait=_GRAB_TIMEOUT) as request:
                # The camera's own buffer, mapped (request.make_array would copy all 18 MB of it first):
                # (height * 3 / 2, stride), Y rows first, then U and V. The Y plane is copied out before the
                # request goes back to the camera, which reuses the buffer.
                with self._mapped(request, "main") as mapped:
                    np.copyto(gray, mapped.array[:height, :width])
        except TimeoutError:
            raise CameraError(f"camera {self.description} stopped delivering frames "
                              f"(none within {_GRAB_TIMEOUT:.0f} s)") from None
        except Exception as exc:
            raise CameraError(f"camera {self.description} stopped delivering frames: {exc}") from exc
        return gray

    def close(self) -> None:
        camera, self._camera = self._camera, None
        if camera is None:
            return
        try:
            camera.cancel_all_and_flush()  # a capture that timed out leaves a job behind
            camera.stop()
        finally:
            camera.close()
