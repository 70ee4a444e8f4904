"""`argus bench e2e`: the whole appliance, live, in wall-clock time: frames at the camera's rate into `argus run`,
a lesson driven through the API, the teacher's websocket and many viewers connected.

The lesson is rendered first (the classroom renderer and the student plans of `bench live`) into a raw frame
file; a feeder thread then writes it, paced at the camera's frame rate, as a YUV4MPEG2 `Cmono` stream into a
FIFO that the appliance reads with its `y4m:` camera source. Like a real camera the feeder never waits: a frame
it could not write on time is skipped. While the frames play, the bench opens each question through the API,
listens on the teacher's websocket for `response` events, keeps `viewers` public sockets reading and one socket
that never reads, and samples the appliance's CPU time (utime + stime, all threads, /proc/<pid>/stat) and
resident memory.

Latency is the wall-clock time from writing the first frame that SHOWS the card with that answer (the scoring
rule of `bench live`) to the `response` event arriving on the teacher's websocket; a camera's own exposure and
readout time (about one frame) comes on top on real hardware.
"""
from __future__ import annotations

import asyncio
import bisect
import dataclasses
import fcntl
import hashlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import numpy as np

from appliance.bench import live, machine
from appliance.bench.scenes import SIZES, Setup, build_scene, frame_effects, marker_occlusion, moving_cards
from appliance.camera import y4m
from appliance.camera.sim import plan_question
from appliance.config import SimSettings

CLK_TCK = os.sysconf("SC_CLK_TCK")
OPTIONS = 4  # the demo quiz's first two questions have four options
IDLE_FRAMES = 8  # different pictures of the empty room, looped between questions


@dataclass(frozen=True)
class Plan:
    size: tuple[int, int] = SIZES["12mp"]
    fps: float = 10.0
    students: int = 28
    questions: int = 2
    viewers: int = 60
    seed: int = 1
    lens: float = 66.0
    card_width_m: float = 0.148
    back_row_m: float = 8.0
    raise_seconds: float = 3.0
    change_probability: float = 0.35
    lead_in_seconds: float = 3.0  # empty room before the first question: the reader settles, sockets connect
    scan_frames: int | None = None  # the appliance's reader.scan_frames (None: its default; 1: whole frames)


QUICK = Plan(size=SIZES["hd"], students=16, questions=1, back_row_m=5.5)


# --- the lesson, rendered ----------------------------------------------------------------------------------

@dataclass
class RenderedQuestion:
    first: int  # index of its first frame in the frame file
    times: list[float]  # simulated seconds since the question's first frame, per frame
    shown: list[list[tuple[int, str]]]  # per frame: (card, answer) fully visible by the scoring rule
    plans: dict[int, live.StudentPlan]
    closed: float  # simulated: when the cards start coming down


def render(plan: Plan, path: Path) -> list[RenderedQuestion]:
    """Idle frames (0..IDLE_FRAMES-1) then every question's frames, back to back, into `path` (raw Y planes)."""
    width, height = plan.size
    setup = Setup(width, height, plan.lens, plan.card_width_m, plan.students, 2.4, plan.back_row_m, "natural",
                  plan.seed)
    scene = build_scene(setup)
    sim = SimSettings(seed=plan.seed, raise_seconds=plan.raise_seconds, change_probability=plan.change_probability,
                      abstain_probability=0.0)
    out, index = [], 0
    with open(path, "wb") as f:
        for i in range(IDLE_FRAMES):
            rng = np.random.default_rng([plan.seed, 8, i])
            f.write(scene.render([], rng, frame_effects(rng)).gray.tobytes())
            index += 1
        for number in range(plan.questions):
            key = f"e2e-q{number}"
            plans = {p.card: p for p in plan_question(sim, plan.students, key, OPTIONS)}
            holds = live.choose_holds(scene, plans, np.random.default_rng([plan.seed, zlib.crc32(key.encode()), 1]))
            last = max((p.change_at or p.raise_at) for p in plans.values()) + live.TURN_SECONDS
            q = live.Question(0.0, last + live.SETTLE_SECONDS, {c: plans[c] for c in holds})
            end = q.closed + live.LOWER_WITHIN_SECONDS + live.EMPTY_SECONDS
            rq = RenderedQuestion(index, [], [], q.plans, q.closed)
            n = 0
            while (t := n / plan.fps) < end:
                held = live.held_at(q, holds, t)
                rng = np.random.default_rng([plan.seed, 9, number, n])
                rendered = scene.render(held, rng, frame_effects(rng))
                hidden = marker_occlusion(scene, held)
                moving = moving_cards(scene, held)
                rq.times.append(t)
                rq.shown.append([(c.card, c.answer) for c in rendered.cards if live.is_shown(c, hidden, moving)])
                f.write(rendered.gray.tobytes())
                index, n = index + 1, n + 1
            out.append(rq)
    return out


def renderer_fingerprint() -> str:
    """A hash of the code that draws the frames (renderer, card and marker layout, student plans), so frames kept
    in --frames-dir are rendered again once that code changes (a new card layout must not be read from old frames)."""
    root = Path(__file__).resolve().parents[1]
    sources = sorted((root / "scene").glob("*.py")) + [
        root / "vision" / name for name in ("cards.py", "markers.py", "synthetic.py", "printing.py")] + [
        root / "bench" / "scenes.py", root / "bench" / "live.py", root / "camera" / "sim.py", Path(__file__)]
    digest = hashlib.sha256()
    for path in sources:
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- the camera: a paced FIFO writer -----------------------------------------------------------------------

class Feeder(threading.Thread):
    """Writes frames into the FIFO at `fps`: the idle loop, or the segment given to `play`. A frame that cannot
    be written on time is skipped, as a camera's sensor does not wait for its reader."""

    def __init__(self, fifo: Path, frames: np.ndarray, fps: float):
        super().__init__(name="bench-feeder", daemon=True)
        self._frames, self._period = frames, 1.0 / fps
        # O_RDWR: opening does not wait for the reader, and the stream stays open while the appliance reopens it.
        self._fd = os.open(fifo, os.O_RDWR)
        fcntl.fcntl(self._fd, fcntl.F_SETPIPE_SZ, 1 << 20)
        height, width = frames.shape[1:]
        os.write(self._fd, y4m.header(width, height, fps))
        self._lock = threading.Lock()
        self._segment: list[int] = []
        self._written: list[tuple[int, float, float]] = []
        self._done = threading.Event()
        self._stop = threading.Event()
        self.written = self.skipped = 0

    def play(self, indices: range) -> threading.Event:
        with self._lock:
            self._segment, self._written = list(indices), []
            self._done.clear()
        return self._done

    def segment_log(self) -> list[tuple[int, float, float]]:
        """(frame index, time.monotonic() when its write began, and completed) for the segment last played."""
        with self._lock:
            return list(self._written)

    def stop(self) -> None:
        self._stop.set()
        self.join(5)
        os.close(self._fd)

    def run(self) -> None:
        idle, tick, start = 0, 0, time.monotonic()
        while not self._stop.is_set():
            delay = start + tick * self._period - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            late_ticks = int((time.monotonic() - start) / self._period) - tick
            with self._lock:
                playing = bool(self._segment)
                if playing and late_ticks > 0:  # missed whole frame times: those frames are gone
                    skip = min(late_ticks, len(self._segment) - 1)
                    del self._segment[:skip]
                    self.skipped += skip
                index = self._segment.pop(0) if playing else idle % IDLE_FRAMES
            tick += max(late_ticks, 0) + 1
            if not playing:
                idle += 1
            began = time.monotonic()
            os.writev(self._fd, [b"FRAME\n", memoryview(self._frames[index]).cast("B")])
            now = time.monotonic()
            self.written += 1
            with self._lock:
                if playing:
                    self._written.append((index, began, now))
                    if not self._segment:
                        self._done.set()


# --- the appliance process ---------------------------------------------------------------------------------

def _proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15 of stat)


def _proc_memory_mb(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, kb = line.split()[:2]
            values[key[:-1]] = int(kb) / 1024
    return values


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_appliance(plan: Plan, tmp: Path, fifo: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    config = tmp / "argus.toml"
    # --demo seeds a class of sim.students; the camera's size and rate are the stream's. The viewers all come
    # from 127.0.0.1 here, where a classroom's phones have an address each: lift the per-address cap for them.
    config.write_text(f"[server]\nmax_anonymous_per_address = {plan.viewers + 8}\n"
                      f"[sim]\nstudents = {plan.students}\n[camera]\nwidth = {plan.size[0]}\nheight = {plan.size[1]}\n"
                      f"fps = {plan.fps}\n" + (f"[reader]\nscan_frames = {plan.scan_frames}\n" if plan.scan_frames else ""))
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "appliance", "run", "--demo", "--port", str(port),
                             "--data-dir", str(tmp / "data"), "--config", str(config), "--camera", f"y4m:{fifo}"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    if not proc.stdout.readline().startswith("Argus demo running"):
        proc.kill()
        raise RuntimeError("the appliance did not start")
    return proc, port


# --- the lesson, driven ------------------------------------------------------------------------------------

@dataclass
class Observed:
    registrations: list[tuple[int, str, float, float]]  # (card, answer, arrival on the teacher's socket, frame time)
    questions: list[live.Question]
    frames_fed: int
    feeder_skipped: int
    camera_dropped: int
    frames_read: int
    cpu_seconds: float
    seconds: float
    rss_peak_mb: float
    vm_hwm_mb: float
    viewer_messages: int
    viewers_connected: int


async def _never_reading_client(port: int) -> socket.socket:
    """A websocket client that completes the handshake and then never reads another byte."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: ZXZlcnlib2R5IHJlYWRz\r\n"
                 f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n".encode())
    return sock


async def _drive(plan: Plan, port: int, pid: int, feeder: Feeder, lesson: list[RenderedQuestion]) -> Observed:
    base = f"http://127.0.0.1:{port}"
    registrations: list[tuple[int, str, float, float]] = []
    wall_minus_monotonic = time.time() - time.monotonic()
    viewer_messages = [0]
    memory = {"VmRSS": 0.0}

    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as teacher, \
            aiohttp.ClientSession(base) as public:
        async def call(path: str, body: dict | None = None):
            method = teacher.get if body is None else teacher.post
            async with method(path, json=body) as response:
                if response.status >= 400:
                    raise RuntimeError(f"{path}: {response.status} {await response.text()}")
                return await response.json()

        await call("/api/v1/login", {"username": "demo", "password": "demo"})
        classes, quizzes = await call("/api/v1/classes"), await call("/api/v1/quizzes")
        session = await call("/api/v1/sessions", {"class_id": classes[0]["id"], "quiz_id": quizzes[0]["id"]})

        async def listen_teacher(ws):
            async for message in ws:
                event = json.loads(message.data)
                if event.get("type") == "response":
                    # last_changed: the wall-clock time of the frame that made the card register
                    registrations.append((event["card"], event["answer"], time.monotonic(),
                                          event["last_changed"] - wall_minus_monotonic))

        async def listen_viewer(ws):
            async for _ in ws:
                viewer_messages[0] += 1

        async def sample_memory():
            while True:
                rss = _proc_memory_mb(pid)["VmRSS"]
                memory["VmRSS"] = max(memory["VmRSS"], rss)
                await asyncio.sleep(0.25)

        teacher_ws = await teacher.ws_connect("/api/v1/live", origin=base)
        viewers = [await public.ws_connect("/api/v1/live", origin=base) for _ in range(plan.viewers)]
        deaf = await _never_reading_client(port)
        tasks = [asyncio.create_task(listen_teacher(teacher_ws)), asyncio.create_task(sample_memory())]
        tasks += [asyncio.create_task(listen_viewer(ws)) for ws in viewers]
        try:
            await asyncio.sleep(plan.lead_in_seconds)
            before = await call("/api/v1/health")
            cpu0, t0, fed0 = _proc_cpu_seconds(pid), time.monotonic(), feeder.written
            questions = []
            for number, rq in enumerate(lesson):
                await call(f"/api/v1/sessions/{session['id']}/open", {"question": number})
                seen_from = len(registrations)
                done = feeder.play(range(rq.first, rq.first + len(rq.times)))
                await asyncio.to_thread(done.wait)
                await asyncio.sleep(0.3)  # the last frames' events are still on their way
                questions.append(_judged_question(rq, feeder.segment_log(), registrations[seen_from:]))
                view = await call(f"/api/v1/sessions/{session['id']}")
                questions[-1].stable_at_end = {r["card"]: r["answer"] for r in view["responses"]
                                               if r["question"] == number}
                await call(f"/api/v1/sessions/{session['id']}/close", {})
            cpu1, t1, fed1 = _proc_cpu_seconds(pid), time.monotonic(), feeder.written
            after = await call("/api/v1/health")
            connected = sum(not ws.closed for ws in viewers)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            deaf.close()
            for ws in [teacher_ws, *viewers]:
                await ws.close()
    return Observed(registrations, questions, fed1 - fed0, feeder.skipped,
                    after["camera"]["dropped"] - before["camera"]["dropped"],
                    after["reader"]["frames"] - before["reader"]["frames"], cpu1 - cpu0, t1 - t0,
                    memory["VmRSS"], _proc_memory_mb(pid).get("VmHWM", 0.0), viewer_messages[0], connected)


def _judged_question(rq: RenderedQuestion, written: list[tuple[int, float, float]],
                     registrations: list[tuple[int, str, float, float]]) -> live.Question:
    """A bench-live Question in wall-clock times: shown = when the frame's write completed. A registration's
    frame (stamped by the camera thread when it had read it, which a busy machine delays) is the last frame
    whose write had begun by then: the pipe delivers every frame, in order."""
    start = written[0][2] - rq.times[written[0][0] - rq.first]  # wall time of simulated 0
    q = live.Question(start, start + rq.closed, rq.plans)
    began = [b for _, b, _ in written]

    def frame_of(stamp: float) -> float:
        i = bisect.bisect_right(began, stamp) - 1
        return written[i][2] if i >= 0 else stamp

    registrations = [(c, a, at, frame_of(stamp)) for c, a, at, stamp in registrations]
    for index, _, at in written:
        position = index - rq.first
        for card, answer in rq.shown[position]:
            p = rq.plans.get(card)
            if p is None:
                continue
            sim_t = rq.times[position]
            if answer == p.first and (p.change_at is None or sim_t < p.change_at):
                q.first_shown.setdefault(card, at)
            elif answer == p.final:
                q.final_shown.setdefault(card, at)
    q.registrations = list(registrations)  # judged twice, see _judge
    return q


def _judge(q: live.Question) -> dict:
    """Latency by the event's arrival; what a registration says (wrong, after lowering) by the frame it came
    from, as a card shown just before it came down may well register a moment after."""
    registrations = q.registrations
    by_frame = live.judge(dataclasses.replace(q, registrations=[(c, a, frame) for c, a, _, frame in registrations]))
    by_arrival = live.judge(dataclasses.replace(q, registrations=[(c, a, at) for c, a, at, _ in registrations]))
    return {**by_frame, "raise": by_arrival["raise"], "change": by_arrival["change"], "missed": by_arrival["missed"],
            "after_stopping": by_arrival["after_stopping"]}


def run(plan: Plan, malloc_env: dict[str, str] | None = None, frames_dir: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="argus-e2e-") as tmp_name:
        tmp = Path(tmp_name)
        frames_path = (frames_dir or tmp) / "frames.y"
        lesson_path = frames_path.with_suffix(".json")
        # What the frames depend on (not the sockets or the appliance's settings), so runs can share them.
        key = json.dumps({k: v for k, v in dataclasses.asdict(plan).items()
                          if k not in ("viewers", "lead_in_seconds", "scan_frames")}
                         | {"renderer": renderer_fingerprint()}, sort_keys=True)
        if frames_dir is not None and lesson_path.exists() and json.loads(lesson_path.read_text())["plan"] == key:
            lesson = [RenderedQuestion(**q) for q in json.loads(lesson_path.read_text())["lesson"]]
            for q in lesson:
                q.plans = {int(c): live.StudentPlan(**p) for c, p in q.plans.items()}
                q.shown = [[tuple(s) for s in frame] for frame in q.shown]
        else:
            frames_path.parent.mkdir(parents=True, exist_ok=True)
            lesson = render(plan, frames_path)
            if frames_dir is not None:
                lesson_path.write_text(json.dumps({"plan": key, "lesson": [dataclasses.asdict(q) for q in lesson]}))
        width, height = plan.size
        frames = np.memmap(frames_path, np.uint8, "r").reshape(-1, height, width)
        fifo = tmp / "camera.y4m"
        os.mkfifo(fifo)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | (malloc_env or {})
        feeder = Feeder(fifo, frames, plan.fps)
        feeder.start()
        proc = None
        try:
            proc, port = _start_appliance(plan, tmp, fifo, env)
            observed = asyncio.run(_drive(plan, port, proc.pid, feeder, lesson))
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            feeder.stop()
            del frames
    return summary(plan, observed, malloc_env or {})


# --- the numbers -------------------------------------------------------------------------------------------

RAISE_GOAL_S, CHANGE_GOAL_S, CPU_GOAL_MS, RSS_GOAL_MB = 0.3, 0.6, 40.0, 250.0


def summary(plan: Plan, o: Observed, malloc_env: dict[str, str]) -> dict:
    judged = [_judge(q) for q in o.questions]
    cpu_ms = 1000 * o.cpu_seconds / max(o.frames_fed, 1)
    out = {"plan": dataclasses.asdict(plan), "machine": machine.describe(), "load_average": os.getloadavg(),
           "malloc_env": malloc_env,
           "raise": live._stats([v for j in judged for v in j["raise"]]),
           "change": live._stats([v for j in judged for v in j["change"]]),
           "after_stopping": live._stats([v for j in judged for v in j["after_stopping"]]),
           "wrong_registrations": [w for j in judged for w in j["wrong"]],
           "registrations_after_lowering": [w for j in judged for w in j["after_lowering"]],
           "lost_after_lowering": sum(len(j["lost_after_lowering"]) for j in judged),
           "never_registered": [m for j in judged for m in j["missed"]],
           # Where the time goes: from the camera thread's grab of the registering frame to the event on the
           # teacher's socket (reader, tracker, engine and its database write, bus). The rest of a latency is
           # the frames the tracker waits for and the frame's way through the pipe.
           "inside_appliance": live._stats([at - frame for _, _, at, frame in o.registrations]),
           "frames_fed": o.frames_fed, "feeder_skipped": o.feeder_skipped, "camera_dropped": o.camera_dropped,
           "frames_read": o.frames_read, "seconds": round(o.seconds, 2),
           "cpu_ms_per_frame": round(cpu_ms, 1),
           "cpu_ms_per_frame_read": round(1000 * o.cpu_seconds / max(o.frames_read, 1), 1),
           "cpu_cores": round(o.cpu_seconds / max(o.seconds, 1e-9), 2),
           "rss_peak_mb": round(o.rss_peak_mb, 1), "vm_hwm_mb": round(o.vm_hwm_mb, 1),
           "viewers": plan.viewers, "viewers_still_connected": o.viewers_connected,
           "viewer_messages": o.viewer_messages}
    # Per frame READ: when the reader drops frames, CPU per camera frame flatters (frames not read cost little);
    # per frame read is what every frame would cost if all were read (a little over: the camera's share of the
    # dropped ones is in it too).
    out["pi5"] = machine.pi5_estimate(out["cpu_ms_per_frame_read"])
    out["goals"] = goals(out)
    return out


def goals(out: dict) -> list[dict]:
    rows = []
    for kind, limit in (("raise", RAISE_GOAL_S), ("change", CHANGE_GOAL_S)):
        p95 = out[kind]["p95"]
        rows.append({"goal": f"{kind} p95 <= {limit} s", "value": p95,
                     "ok": (p95 is not None and p95 <= limit) if out[kind]["count"] else None})
    stopped = out["after_stopping"]
    rows.append({"goal": f"registered <= {live.STOPPED_GOAL_S:g} s after it stops (max)", "value": stopped["max"],
                 "ok": (stopped["max"] <= live.STOPPED_GOAL_S) if stopped["count"] else None})
    rows.append({"goal": "zero wrong registrations", "value": len(out["wrong_registrations"]),
                 "ok": not out["wrong_registrations"]})
    rows.append({"goal": "lowered cards keep their answer", "value": out["lost_after_lowering"]
                 + len(out["registrations_after_lowering"]),
                 "ok": out["lost_after_lowering"] == 0 and not out["registrations_after_lowering"]})
    rows.append({"goal": f"CPU <= {CPU_GOAL_MS:g} ms a frame (per frame read)", "value": out["cpu_ms_per_frame_read"],
                 "ok": out["cpu_ms_per_frame_read"] <= CPU_GOAL_MS})
    if out["plan"]["size"][0] * out["plan"]["size"][1] >= 4608 * 2592:
        rows.append({"goal": f"peak RSS <= {RSS_GOAL_MB:g} MB at 12 MP", "value": out["vm_hwm_mb"],
                     "ok": out["vm_hwm_mb"] <= RSS_GOAL_MB})
    rows.append({"goal": "every viewer still connected", "value": out["viewers_still_connected"],
                 "ok": out["viewers_still_connected"] == out["viewers"]})
    return rows


def _fmt(v) -> str:
    return "-" if v is None else ("inf" if isinstance(v, float) and math.isinf(v) else
                                  f"{v:.2f}" if isinstance(v, float) else str(v))


def table(out: dict) -> str:
    p, m = out["plan"], out["machine"]
    lines = [f"argus bench e2e: `argus run` fed {p['size'][0]}x{p['size'][1]} at {p['fps']:g} fps (y4m FIFO), "
             f"{p['students']} students, {p['questions']} questions, {p['viewers']} viewers + teacher + 1 never-reading "
             f"socket, lens {p['lens']:g}°, back row {p['back_row_m']} m, seed {p['seed']}",
             f"machine: {m['cpu']}, {m['nproc']} cores; load average {', '.join(f'{v:.2f}' for v in out['load_average'])}"
             f"; allocator {' '.join(f'{k}={v}' for k, v in out['malloc_env'].items()) or 'glibc defaults'}",
             "wall-clock latency, frame written → `response` on the teacher's websocket (s; never registered = inf):"]
    for kind in ("raise", "change"):
        s = out[kind]
        lines.append(f"  {kind:7} n={s['count']:<4} missed={s['missed']:<3} p50 {_fmt(s['p50'])}  "
                     f"p95 {_fmt(s['p95'])}  max {_fmt(s['max'])}")
    st = out["after_stopping"]
    lines.append(f"  {live.MOVING_SHARE:.0%} of raised cards move {live.MOVING_SECONDS[0]:g}-{live.MOVING_SECONDS[1]:g} s first "
                 f"(smeared 12 -> 3 px; latency above from when they stop); "
                 f"registered after they stopped: p50 {_fmt(st['p50'])}  p95 {_fmt(st['p95'])}  max {_fmt(st['max'])}")
    inside = out["inside_appliance"]
    lines.append(f"  of which inside the appliance (registering frame grabbed → event on the socket): "
                 f"p50 {_fmt(inside['p50'])}  p95 {_fmt(inside['p95'])}  max {_fmt(inside['max'])}")
    lines.append(f"  wrong registrations {len(out['wrong_registrations'])}; after lowering "
                 f"{len(out['registrations_after_lowering'])}; answers lost after lowering {out['lost_after_lowering']}")
    lines.append(f"whole process: {out['cpu_ms_per_frame']:.1f} ms CPU per camera frame ({out['cpu_cores']:.2f} cores; "
                 f"{out['cpu_ms_per_frame_read']:.1f} ms per frame read), "
                 f"peak RSS {out['rss_peak_mb']:.0f} MB (VmHWM {out['vm_hwm_mb']:.0f} MB)")
    lines.append(f"frames: {out['frames_fed']} fed in {out['seconds']:.1f} s, {out['frames_read']} read, "
                 f"{out['camera_dropped']} dropped by the appliance (reader busy), {out['feeder_skipped']} skipped by "
                 f"the feeder (late)")
    if out["pi5"]:
        lines.append(f"Raspberry Pi 5 estimate from CPU per frame read ({machine.PI5_ASSUMPTION}): "
                     f"{out['pi5']['ms_one_core']:.0f} ms of one core per frame, "
                     f"{out['pi5']['ms_one_core'] * p['fps'] / 1000:.2f} cores to read every frame at {p['fps']:g} fps")
    lines.append("goals:")
    for g in out["goals"]:
        state = "n/a" if g["ok"] is None else ("ok" if g["ok"] else "NOT MET")
        lines.append(f"  {g['goal']:38} {_fmt(g['value']):>8}  {state}")
    for miss in out["never_registered"][:10]:
        lines.append(f"  never registered: {miss['kind']} card {miss['card']} {miss['answer']}")
    for w in out["wrong_registrations"][:10]:
        lines.append(f"  wrong: card {w['card']} {w['answer']} ({w['why']})")
    return "\n".join(lines)
