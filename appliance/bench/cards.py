"""`argus bench cards`: our CardReader beside OpenCV's default ArUco detector (same dictionary, default
parameters, one pass over the whole frame) on the same rendered classrooms and card-free clutter frames.

Both detectors see every frame, one after the other, in alternating order (so neither always gets a warm
cache); each frame size gets one untimed warm-up call per detector first (detector set-up, first allocations).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from appliance.bench import machine
from appliance.bench.scenes import SIZES, BenchFrame, Setup, classroom_frames, clutter_frames, setups
from appliance.bench.score import (
    BUCKETS,
    OCCLUSION_RULE,
    Detection,
    Tally,
    opencv_detections,
    percentile,
    ratio,
    score_frame,
)
from appliance.config import CardSettings, ReaderSettings
from appliance.vision import cards, markers
from appliance.vision.reader import CardReader

OURS, OPENCV = "ours", "opencv default"
SPEED_SIZE = "4608x2592"  # the speed goal is stated for a 12-megapixel frame


@dataclass(frozen=True)
class Plan:
    """What to render: classrooms per frame size, frames per classroom, card-free frames."""
    seed: int = 1
    rooms: dict[tuple[int, int], int] = field(default_factory=lambda: {SIZES["3mp"]: 2, SIZES["12mp"]: 1})
    frames_per_room: dict[tuple[int, int], int] = field(default_factory=lambda: {SIZES["3mp"]: 4, SIZES["12mp"]: 3})
    lenses: tuple[float, ...] = (66.0, 102.0)
    card_widths: tuple[float, ...] = (0.148, 0.10)
    clutter: int = 200
    clutter_size: tuple[int, int] = (640, 360)
    clutter_12mp: int = 0  # card-free frames at full size too (timing on empty rooms, phantoms at scale)


FULL = Plan(rooms={SIZES["12mp"]: 8, SIZES["hq"]: 6, SIZES["3mp"]: 12, SIZES["hd"]: 12},
            frames_per_room={SIZES["12mp"]: 4, SIZES["hq"]: 4, SIZES["3mp"]: 6, SIZES["hd"]: 6},
            clutter=2000, clutter_size=(960, 540), clutter_12mp=20)


def plan_setups(plan: Plan) -> list[tuple[Setup, int]]:
    out = []
    for size, rooms in plan.rooms.items():
        for s in setups(plan.seed + len(out), rooms, [size], plan.lenses, plan.card_widths):
            out.append((s, plan.frames_per_room[size]))
    return out


class Detectors:
    """The two detectors under test, as functions from a frame to cards."""

    def __init__(self, card_count: int = CardSettings().count, reader_settings: ReaderSettings = ReaderSettings()):
        self.reader = CardReader(reader_settings, CardSettings(count=card_count))
        # The same dictionary our reader uses: only the cards in use.
        dictionary = markers.aruco_dictionary(cards.card_codes(card_count))
        self.opencv = cv2.aruco.ArucoDetector(dictionary, cv2.aruco.DetectorParameters())

    def ours(self, gray: np.ndarray) -> list[Detection]:
        return [Detection(s.card, s.answer, np.asarray(s.corners, np.float32)) for s in self.reader.read(gray)]

    def default(self, gray: np.ndarray) -> list[Detection]:
        corners, ids, _ = self.opencv.detectMarkers(gray)
        return opencv_detections(corners, ids)


def _timed(detect: Callable[[np.ndarray], list[Detection]], gray: np.ndarray) -> tuple[list[Detection], float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    found = detect(gray)
    return found, time.perf_counter() - wall, time.process_time() - cpu


@dataclass
class Run:
    plan: Plan
    tallies: dict[str, Tally]
    frames: int = 0
    labels: list[str] = field(default_factory=list)


def run(plan: Plan, detectors: Detectors | None = None, progress: Callable[[str], None] | None = None) -> Run:
    detectors = detectors or Detectors()
    funcs = {OURS: detectors.ours, OPENCV: detectors.default}
    result = Run(plan, {name: Tally() for name in funcs})
    warmed: set[str] = set()

    def measure(gray: np.ndarray, index: int) -> dict[str, list[Detection]]:
        size = f"{gray.shape[1]}x{gray.shape[0]}"
        if size not in warmed:
            for f in funcs.values():
                f(gray)
            warmed.add(size)
        order = list(funcs) if index % 2 == 0 else list(reversed(funcs))
        found = {}
        for name in order:
            found[name], wall, cpu = _timed(funcs[name], gray)
            result.tallies[name].time(size, wall, cpu)
        return found

    for setup, count in plan_setups(plan):
        result.labels.append(setup.label)
        if progress:
            progress(f"{setup.label}: {count} frames")
        for frame in classroom_frames(setup, count):
            found = measure(frame.gray, result.frames)
            groups = frame.conditions
            for name, detections in found.items():
                result.tallies[name].add(_label(frame), frame.truth, score_frame(frame.truth, detections), groups,
                                         frame.marker_hidden, frame.moving)
            result.frames += 1
    clutter_sets = [(plan.clutter, plan.clutter_size), (plan.clutter_12mp, SIZES["12mp"])]
    for count, size in clutter_sets:
        if count and progress:
            progress(f"{count} card-free frames at {size[0]}x{size[1]}")
        for i, gray in enumerate(clutter_frames(plan.seed, count, size) if count else ()):
            found = measure(gray, i)
            for name, detections in found.items():
                tally = result.tallies[name]
                tally.add(f"clutter {size[0]}x{size[1]} #{i}", (), score_frame((), detections))
                tally.clutter_frames += 1
    return result


def _label(frame: BenchFrame) -> str:
    return f"{frame.setup.label} frame {frame.index}"


# --- report --------------------------------------------------------------------------------------------------

def summary(result: Run, max_ratio: float = 1.0) -> dict:
    """Everything the table prints, as plain data (the --json output)."""
    out: dict = {"frames": result.frames, "rooms": result.labels, "machine": machine.describe(),
                 "occlusion_rule": OCCLUSION_RULE,
                 "marker_share": round(cards.MARKER_SHARE, 3),
                 "detectors": {}}
    for name, t in result.tallies.items():
        ms = {size: {"median": percentile(v, 50), "p90": percentile(v, 90), "frames": len(v)}
              for size, v in t.ms.items()}
        cpu = {size: {"median": percentile(v, 50), "p90": percentile(v, 90)} for size, v in t.cpu_ms.items()}
        out["detectors"][name] = {
            "recall": {b: {"seen": t.seen[b], "total": t.total[b], "recall": ratio(t.seen[b], t.total[b])}
                       for b, _, _ in BUCKETS},
            "recall_32_up": _pair(*t.recall(32)), "recall_24_32": _pair(*t.recall(24, 32)),
            "still_recall": {b: _pair(t.still_seen[b], t.still_total[b]) for b, _, _ in BUCKETS},
            "still_32_up": _pair(*t.recall(32, still=True)), "still_24_32": _pair(*t.recall(24, 32, still=True)),
            "hidden": _pair(t.hidden_seen, t.hidden_total),
            "groups": {g: _pair(*v) for g, v in sorted(t.by_group.items())},
            "wrong_answers": t.count("wrong answer"), "wrong_cards": t.count("wrong card"),
            "phantoms_card_free": t.count("phantom", clutter=True), "phantoms_in_classrooms": t.count("phantom", False),
            "card_free_frames": t.clutter_frames, "duplicates": t.duplicates,
            "errors": [{"frame": label, "kind": e.kind, "card": e.card, "answer": e.answer, "truth_card": e.truth_card,
                        "truth_answer": e.truth_answer, "centre": [round(c, 1) for c in e.centre]}
                       for label, e in t.errors[:200]],
            "ms": ms, "cpu_ms": cpu}
    out["speed"] = _speed(out["detectors"], max_ratio)
    out["floors"] = floors(out, max_ratio)
    return out


def _pair(seen: int, total: int) -> dict:
    return {"seen": seen, "total": total, "recall": ratio(seen, total)}


def _speed(detectors: dict, max_ratio: float) -> dict:
    size = SPEED_SIZE if SPEED_SIZE in detectors[OURS]["ms"] else max(
        detectors[OURS]["ms"], key=lambda s: math.prod(map(int, s.split("x"))), default=None)
    if size is None:
        return {}
    ours, cv = detectors[OURS]["ms"][size]["median"], detectors[OPENCV]["ms"][size]["median"]
    ours_cpu = detectors[OURS]["cpu_ms"][size]["median"]
    cv_cpu = detectors[OPENCV]["cpu_ms"][size]["median"]
    return {"size": size, "ours_ms": ours, "opencv_ms": cv, "ratio": ours / cv, "max_ratio": max_ratio,
            "cpu_ratio": ours_cpu / cv_cpu if cv_cpu else None,
            "pi5": {OURS: machine.pi5_estimate(ours_cpu), OPENCV: machine.pi5_estimate(cv_cpu)}}


MIN_BUCKET_SAMPLES = 20  # below this a 90% floor on the 24–32 px bucket says nothing; it is reported, not asserted


def floors(out: dict, max_ratio: float) -> list[dict]:
    """Issue #20's single-frame goals, on cards whose marker is visible whatever covers the margin: >= 99.5% of
    still cards >= 32 px, >= 97% at 24-32 px. (Cards moving during the exposure are counted in the recall
    above and reported apart; their goal is registration within 1 s of stopping, a live measure.)"""
    ours = out["detectors"][OURS]
    top = ours["still_32_up"]
    checks = [("recall >= 99.5% for still cards >= 32 px", top["recall"], 0.995, top["total"] > 0)]
    mid = ours["still_24_32"]
    checks.append(("recall >= 97% for still cards 24-32 px", mid["recall"], 0.97, mid["total"] >= MIN_BUCKET_SAMPLES))
    rows = [{"floor": name, "value": value, "ok": (value is not None and value >= need) if applies else None}
            for name, value, need, applies in checks]
    for key, name in (("wrong_answers", "zero wrong answers"), ("wrong_cards", "zero wrong cards"),
                      ("phantoms_card_free", "zero phantoms on card-free frames"),
                      ("phantoms_in_classrooms", "zero phantoms in classrooms")):
        rows.append({"floor": name, "value": ours[key], "ok": ours[key] == 0})
    speed = out.get("speed") or {}
    rows.append({"floor": f"ours <= {max_ratio:g}x opencv default ms at {speed.get('size')}",
                 "value": speed.get("ratio"), "ok": speed.get("ratio") is not None and speed["ratio"] <= max_ratio})
    return rows


def _pct(pair: dict) -> str:
    return "    -   " if not pair["total"] else f"{100 * pair['recall']:5.1f}% {pair['seen']}/{pair['total']}"


def _all_raised(r: dict) -> dict:
    pairs = [*r["recall"].values(), r["hidden"]]
    return _pair(sum(p["seen"] for p in pairs), sum(p["total"] for p in pairs))


def table(out: dict) -> str:
    d = out["detectors"]
    m = out["machine"]
    lines = [f"argus bench cards: {out['frames']} classroom frames from {len(out['rooms'])} rooms, "
             f"{d[OURS]['card_free_frames']} card-free frames",
             f"machine: {m['cpu']}, {m['nproc']} cores, python {m['python']}, opencv {m['opencv']}",
             f"recall ({out['occlusion_rule']}; bucket = card's shorter side in the frame, px; "
             f"its marker is {out['marker_share']:.0%} of it):"]
    names = [b for b, _, _ in BUCKETS] + [">=32"]
    lines.append(f"  {'':16}" + "".join(f"{n:>17}" for n in names))
    for name, r in d.items():
        cells = [_pct(r["recall"][b]) for b, _, _ in BUCKETS] + [_pct(r["recall_32_up"])]
        lines.append(f"  {name:16}" + "".join(f"{c:>17}" for c in cells))
    lines.append("  still cards (not moving during the exposure):")
    for name, r in d.items():
        cells = [_pct(r["still_recall"][b]) for b, _, _ in BUCKETS] + [_pct(r["still_32_up"])]
        lines.append(f"  {name:16}" + "".join(f"{c:>17}" for c in cells))
    lines.append("  cards hidden beyond that (not scored): "
                 + ", ".join(f"{n} {_pct(r['hidden']).strip()}" for n, r in d.items()))
    # The one number no occlusion rule enters: of every card held up, how many were read.
    lines.append("  every raised card, hidden or not: " + ", ".join(f"{n} {_pct(_all_raised(r))}" for n, r in d.items()))
    lines.append(f"recall of cards >= 32 px by condition:{OURS:>22}{OPENCV:>22}")
    for g in sorted(d[OURS]["groups"]):
        lines.append(f"  {g:36}" + "".join(f"{_pct(r['groups'].get(g, _pair(0, 0))):>22}" for r in d.values()))
    lines.append(f"  {'':34}{OURS:>16}{OPENCV:>16}")
    for key, label in (("wrong_answers", "wrong answers"), ("wrong_cards", "wrong cards"),
                       ("phantoms_card_free", "phantoms, card-free frames"),
                       ("phantoms_in_classrooms", "phantoms, classroom frames"), ("duplicates", "duplicate sightings")):
        lines.append(f"  {label:34}{d[OURS][key]:>16}{d[OPENCV][key]:>16}")
    for size in sorted(d[OURS]["ms"], key=lambda s: -math.prod(map(int, s.split("x")))):
        o, c = d[OURS]["ms"][size], d[OPENCV]["ms"][size]
        oc, cc = d[OURS]["cpu_ms"][size], d[OPENCV]["cpu_ms"][size]
        lines.append(f"  ms/frame {size} (n={o['frames']}) wall median/p90, cpu median".ljust(34)
                     + f"{o['median']:7.1f}/{o['p90']:.1f} {oc['median']:.0f}".rjust(16)
                     + f"{c['median']:7.1f}/{c['p90']:.1f} {cc['median']:.0f}".rjust(16))
    s = out.get("speed")
    if s:
        lines.append(f"speed at {s['size']}: ours {s['ours_ms']:.1f} ms vs opencv default {s['opencv_ms']:.1f} ms "
                     f"(median wall), ratio {s['ratio']:.2f} (cpu-time ratio {s['cpu_ratio']:.2f})")
        p = s["pi5"]
        lines.append(f"Raspberry Pi 5 estimate ({machine.PI5_ASSUMPTION}): ours {p[OURS]['ms_one_core']:.0f} ms/frame "
                     f"on one core ({p[OURS]['fps_one_core']:.1f} fps), {p[OURS]['ms_four_cores']:.0f} ms with 4 cores "
                     f"in parallel; opencv default {p[OPENCV]['ms_one_core']:.0f} ms / {p[OPENCV]['ms_four_cores']:.0f} ms")
    lines.append("floors (ours):")
    for f in out["floors"]:
        state = "n/a (too few samples)" if f["ok"] is None else ("ok" if f["ok"] else "FAILED")
        value = f["value"] if not isinstance(f["value"], float) else round(f["value"], 4)
        lines.append(f"  {f['floor']:48} {str(value):>10}  {state}")
    errors = d[OURS]["errors"]
    if errors:
        lines.append(f"our errors (first {min(len(errors), 10)}):")
        lines += [f"  {e['kind']}: card {e['card']} {e['answer']} at {e['centre']} (truth: {e['truth_card']} "
                  f"{e['truth_answer']}) in {e['frame']}" for e in errors[:10]]
    return "\n".join(lines)


def failed(out: dict) -> list[str]:
    return [f["floor"] for f in out["floors"] if f["ok"] is False]
