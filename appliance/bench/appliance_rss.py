"""`argus bench memory`: the whole appliance's memory in live mode at 12 MP.

`bench live` measures the reader and tracker alone; this runs the real `argus run` (web server, database,
camera thread, reader, engine) in its own process, fed 12-megapixel classroom frames from a video file
through the OpenCV camera source, with a question open so answers flow, and samples the process's resident
memory (VmRSS) from /proc while it reads. The video is rendered once with the benchmark's classroom scenes.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import cv2

from appliance.bench import report
from appliance.bench.scenes import SIZES, classroom_frames, setups

RSS_FLOOR_MB = 300.0
# The allocator settings systemd/argus.service runs the appliance with (tests check the two agree).
SERVICE_MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "4194304",
                      "MALLOC_TRIM_THRESHOLD_": "8388608"}


def render_video(path: Path, frames: int, size: tuple[int, int], seed: int) -> None:
    """An MJPEG .avi of `frames` different classroom pictures (OpenCV's built-in encoder, no codec needed)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, size, isColor=False)
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path}")
    try:
        setup = setups(seed, 1, [size])[0]
        for frame in classroom_frames(setup, frames):
            writer.write(frame.gray)
    finally:
        writer.release()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Content-Type": "application/json"},
                                         method="GET" if body is None else "POST")
        with self.opener.open(request, timeout=30) as response:
            return json.loads(response.read())


@contextlib.contextmanager
def open_lesson(data_dir: Path, args: tuple[str, ...] = (), env: dict[str, str] | None = None):
    """`argus run --demo` in its own process with a lesson started and question 1 open: (process, logged-in
    client, session). Stopped with SIGTERM on the way out."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "appliance", "run", "--demo", "--port", str(port),
                             "--data-dir", str(data_dir), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        if not proc.stdout.readline().startswith("Argus demo running"):
            raise RuntimeError("the appliance did not start")
        client = _Client(f"http://127.0.0.1:{port}")
        client.call("/api/v1/login", {"username": "demo", "password": "demo"})
        classes, quizzes = client.call("/api/v1/classes"), client.call("/api/v1/quizzes")
        session = client.call("/api/v1/sessions", {"class_id": classes[0]["id"], "quiz_id": quizzes[0]["id"]})
        client.call(f"/api/v1/sessions/{session['id']}/open", {"question": 0})
        yield proc, client, session
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def run(seconds: float = 30.0, frames: int = 6, size: tuple[int, int] = SIZES["12mp"], seed: int = 1,
        malloc_env: dict[str, str] | None = None) -> dict:
    malloc_env = SERVICE_MALLOC_ENV if malloc_env is None else malloc_env
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "class.avi"
        render_video(video, frames, size, seed)
        config = Path(tmp) / "argus.toml"
        # --demo takes the sim's size for the camera; the video's own size is what the camera delivers.
        config.write_text(f"[camera]\nwidth = {size[0]}\nheight = {size[1]}\nfps = 10.0\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | malloc_env
        args = ("--config", str(config), "--camera", f"opencv:{video}")
        with open_lesson(Path(tmp) / "data", args, env) as (proc, client, session):
            peak, samples, started = 0.0, [], time.monotonic()
            while time.monotonic() - started < seconds:
                rss = _rss_mb(proc.pid)
                peak = max(peak, rss)
                samples.append(rss)
                time.sleep(0.5)
            health = client.call("/api/v1/health")
            responses = len(client.call(f"/api/v1/sessions/{session['id']}")["responses"])
    reader = health["reader"]
    return {"size": f"{size[0]}x{size[1]}", "seconds": seconds, "peak_rss_mb": round(peak, 1),
            "median_rss_mb": round(sorted(samples)[len(samples) // 2], 1), "frames_read": reader["frames"],
            "reader_ms_per_frame": reader["ms_per_frame"], "camera_fps": health["camera"]["fps"],
            "responses": responses, "malloc_env": malloc_env, "floor_mb": RSS_FLOOR_MB,
            "ok": peak < RSS_FLOOR_MB}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="argus bench memory", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to sample while reading")
    parser.add_argument("--frames", type=int, default=6, help="different 12 MP pictures in the looping video")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help=f"exit 1 at or above {RSS_FLOOR_MB:.0f} MB")
    parser.add_argument("--glibc-defaults", action="store_true",
                        help="run without the allocator settings the systemd unit uses, to compare")
    parser.add_argument("--save", metavar="FILE", nargs="?", const=str(report.DEFAULT),
                        help=f"also write the result into FILE's section for this bench (default {report.DEFAULT})")
    args = parser.parse_args(argv)
    out = run(args.seconds, args.frames, seed=args.seed, malloc_env={} if args.glibc_defaults else None)
    if args.save:
        report.save(args.save, "memory", argv, out, table(out))
    print(json.dumps(out, indent=1) if args.json else table(out))
    return 1 if args.check and not out["ok"] else 0


def table(out: dict) -> str:
    return (f"whole appliance, live at {out['size']} for {out['seconds']:.0f} s: peak RSS {out['peak_rss_mb']} MB "
            f"(median {out['median_rss_mb']} MB, floor {RSS_FLOOR_MB:.0f} MB); {out['frames_read']} frames read "
            f"at {out['reader_ms_per_frame']} ms each, camera {out['camera_fps']} fps, "
            f"{out['responses']} answers registered "
            f"({' '.join(f'{k}={v}' for k, v in out['malloc_env'].items()) or 'glibc defaults'})")
