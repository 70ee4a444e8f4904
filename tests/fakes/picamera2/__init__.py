"""A fake picamera2 (mirrors 0.3.38) for tests: the same names and call signatures as the parts Argus uses,
backed by numpy frames instead of libcamera.

`rig` is the test's hand on the hardware: unplug the camera (`rig.connected = False`), make captures fail
(`rig.capture_error`), or take autofocus away (`rig.autofocus = False`). Like the real camera, it stalls when
every buffer is held by unreleased requests, so a buffer leak shows up as a timeout.
"""
from __future__ import annotations

import contextlib
import threading
import time

import numpy as np

__all__ = ["Picamera2", "CompletedRequest", "MappedArray", "rig"]

# The real capture blocks until `wait` seconds pass; the fake gives up sooner to keep tests quick.
_FAKE_TIMEOUT_SECONDS = 0.05


class Rig:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.connected = True
        self.model = "imx708"
        self.autofocus = True
        self.capture_error: Exception | None = None
        self.lock = threading.Lock()
        self.captures = 0
        self.open_cameras = 0
        self.outstanding = 0  # requests handed out and not yet released
        self.last_controls: dict = {}
        self.last_config: dict | None = None


rig = Rig()


def _stride(width: int) -> int:
    return (width + 63) // 64 * 64  # rows are padded like the Pi ISP does; callers must slice


def _yuv420(seq: int, width: int, height: int) -> np.ndarray:
    """A (height * 3 / 2, stride) buffer: a Y picture (a gradient with a bar that moves each frame), then U, V."""
    stride = _stride(width)
    buffer = np.full((height * 3 // 2, stride), 128, np.uint8)
    y = (np.arange(width, dtype=np.uint16)[None, :] * 200 // max(width - 1, 1)).astype(np.uint8)
    buffer[:height, :width] = y
    bar = (seq * 7) % width
    buffer[:height, bar:bar + 4] = 255
    buffer[:height, width:] = 0x11  # padding bytes that must never reach a frame
    return buffer


class CompletedRequest:
    def __init__(self, picam2: Picamera2, buffer: np.ndarray) -> None:
        self.picam2 = picam2
        self.config = dict(picam2.camera_config)
        self.ref_count = 1
        self._buffer = buffer

    def make_array(self, name: str) -> np.ndarray:
        if self.config.get(name) is None:
            raise RuntimeError(f"Stream {name!r} is not defined")
        if self.ref_count <= 0:
            raise RuntimeError("CompletedRequest: buffer used after release")
        return np.copy(self._buffer)

    def get_metadata(self) -> dict:
        return {"SensorTimestamp": time.monotonic_ns()}

    def release(self) -> None:
        with rig.lock:
            self.ref_count -= 1
            if self.ref_count < 0:
                raise RuntimeError("CompletedRequest: lock now has negative ref_count")
            if self.ref_count == 0:
                rig.outstanding -= 1
                self._buffer[:] = 0xEE  # the camera fills the buffer again: a view kept past release sees this


class MappedArray:
    """The request's own buffer as an array (no copy), valid only inside the `with` block."""

    def __init__(self, request: CompletedRequest, stream: str, reshape: bool = True, write: bool = True) -> None:
        if request.config.get(stream) is None:
            raise RuntimeError(f"Stream {stream!r} is not defined")
        self._request = request
        self._array: np.ndarray | None = None

    def __enter__(self) -> MappedArray:
        if self._request.ref_count <= 0:
            raise RuntimeError("CompletedRequest: buffer used after release")
        self._array = self._request._buffer  # (height * 3 / 2, stride) for YUV420, as with reshape=True
        return self

    def __exit__(self, *exc) -> None:
        self._array = None

    @property
    def array(self) -> np.ndarray | None:
        return self._array


class Picamera2:
    @staticmethod
    def global_camera_info() -> list[dict]:
        if not rig.connected:
            return []
        return [{"Model": rig.model, "Location": 2, "Rotation": 180, "Id": "/base/soc/i2c0mux/i2c@1/imx708@1a",
                 "Num": 0}]

    def __init__(self, camera_num=0, verbose_console=None, tuning=None, allocator=None):
        if camera_num >= len(self.global_camera_info()):
            raise RuntimeError(f'No camera number {camera_num} found - use "rpicam-hello --list-cameras" to check '
                               "connected cameras")
        self.camera_idx = camera_num
        self.camera_config: dict = {}
        self.started = False
        self.is_open = True
        self._controls: dict = {}
        self._seq = 0
        with rig.lock:
            rig.open_cameras += 1

    @property
    def camera_controls(self) -> dict:
        controls = {"FrameDurationLimits": (33333, 120000, None), "NoiseReductionMode": (0, 4, 0),
                    "ExposureTime": (1, 66666, 20000), "AeExposureMode": (0, 3, 0), "AeFlickerMode": (0, 1, 0),
                    "AeFlickerPeriod": (100, 1000000, None)}
        if rig.autofocus:
            controls["AfMode"] = (0, 2, 0)
        return controls

    def create_video_configuration(self, main={}, lores=None, raw={}, transform=None, colour_space=None,
                                   buffer_count=6, controls={}, display="main", encode="main", queue=True,
                                   sensor={}, use_case="video") -> dict:
        if not self.is_open:
            raise RuntimeError("Camera not opened")
        main = {"format": "XBGR8888", "size": (1280, 720), "preserve_ar": True} | dict(main)
        width, height = main["size"]
        main["size"] = (width - width % 2, height - height % 2)  # align_stream(optimal=False)
        return {"use_case": use_case, "transform": transform, "colour_space": colour_space,
                "buffer_count": buffer_count, "queue": queue, "main": main, "lores": lores, "raw": raw,
                "controls": {"FrameDurationLimits": (33333, 33333)} | dict(controls), "sensor": sensor,
                "display": display, "encode": encode}

    def configure(self, camera_config=None) -> None:
        if camera_config is None or isinstance(camera_config, str):
            raise NotImplementedError("the fake only takes configuration dicts")
        config = {name: (dict(value) if isinstance(value, dict) else value) for name, value in camera_config.items()}
        config["main"]["stride"] = _stride(config["main"]["size"][0])
        self.camera_config = config
        self.set_controls(config["controls"])
        rig.last_config = config

    def stream_configuration(self, name="main") -> dict:
        return self.camera_config[name]

    def set_controls(self, controls) -> None:
        for name in controls:
            if name not in self.camera_controls:
                raise RuntimeError(f"Control {name} is not advertised by libcamera")
        self._controls.update(controls)
        rig.last_controls = dict(self._controls)

    def start(self, config=None, show_preview=False) -> None:
        if config is not None:
            self.configure(config)
        if not self.camera_config:
            raise RuntimeError("Camera has not been configured")
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        if not self.is_open:
            return
        self.stop()
        self.is_open = False
        with rig.lock:
            rig.open_cameras -= 1

    def cancel_all_and_flush(self) -> None:
        pass  # no job queue in the fake

    def capture_request(self, wait=None, signal_function=None, flush=None) -> CompletedRequest:
        if signal_function is not None or wait is False:
            raise NotImplementedError("the fake only captures synchronously")
        if not self.started:
            raise RuntimeError("Camera is not started")
        if rig.capture_error is not None:
            raise rig.capture_error
        main = self.camera_config["main"]
        with rig.lock:
            starved = rig.outstanding >= self.camera_config["buffer_count"]
        if not rig.connected or starved:
            # The real camera simply never completes the job; the caller's `wait` turns that into a timeout.
            time.sleep(_FAKE_TIMEOUT_SECONDS)
            raise TimeoutError()
        self._pace()
        self._seq += 1
        with rig.lock:
            rig.outstanding += 1
            rig.captures += 1
        return CompletedRequest(self, _yuv420(self._seq, *main["size"]))

    def _pace(self) -> None:
        # Frames arrive at the configured frame duration, as from the sensor.
        period = self._controls.get("FrameDurationLimits", (33333, 33333))[0] / 1e6
        now = time.monotonic()
        due = getattr(self, "_next_frame", now)
        if due > now:
            time.sleep(due - now)
        self._next_frame = max(due, now) + period

    @contextlib.contextmanager
    def captured_request(self, wait=None, flush=None):
        request = self.capture_request(wait=wait, flush=flush)
        try:
            yield request
        finally:
            request.release()

    def capture_array(self, name="main", wait=None, signal_function=None) -> np.ndarray:
        with self.captured_request(wait=wait) as request:
            return request.make_array(name)
