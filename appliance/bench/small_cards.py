"""`argus bench live --small-cards`: the back rows of a 1080p webcam. A class answering questions with cards of
16-24 px among them, read live twice on the same frames: as before (reader.small_marker_px = 0: nothing below the
single-frame size) and as now (small cards read down to small_marker_px and trusted only when several frames
agree, vision/combine.py). Scored: of the raised cards first shown at 16-24 px and held for the goal's 2 s, how
many registered within 2 s of being shown; wrong registrations on every frame of both runs; and phantoms over a
stream of card-free classrooms read live as the appliance reads them (every whole frame, the small-card rules on).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from appliance.bench import cards, live, machine
from appliance.bench.scenes import SIZES, clutter_frames
from appliance.config import CardSettings, ReaderSettings, TrackerSettings
from appliance.vision.combine import SmallCardRules, SmallCards, small_card_reader
from appliance.vision.live_reader import LiveReader
from appliance.vision.tracker import Tracker

GOAL_SECONDS = 2.0
RECALL_FLOOR = 0.60
BUCKET = (16.0, 24.0)  # card's shorter side on screen, px (the scoring rule of bench cards)


@dataclasses.dataclass(frozen=True)
class Plan:
    live: live.Plan
    card_free_frames: int
    # `bench cards` classrooms per frame size (1080p, 1296p, 12 MP; both lenses and card widths, a quarter at
    # extreme tilts), 6 frames each, read one frame at a time by the small-card reader with nothing combined: what
    # it misreads in single frames is what the combining must stop.
    single_frame_rooms: int = 0


# 1080p, 66° lens, 10 cm cards, rows from 4 to 10 m: about a third of the cards are 16-24 px.
QUICK = Plan(live.Plan(size=SIZES["hd"], questions=2, students=40, card_width_m=0.10, front_row_m=4.0,
                       back_row_m=10.0), card_free_frames=60)
FULL = Plan(dataclasses.replace(QUICK.live, questions=6), card_free_frames=2000, single_frame_rooms=8)


def small_raises(q: live.Question) -> list[tuple[int, float]]:
    """(card, seconds from first shown to registration; inf = not within the question) for the cards raised whose
    first sighting was 16-24 px and that were then held with that answer for at least GOAL_SECONDS."""
    first_reg: dict[tuple[int, str], float] = {}
    for card, answer, t in q.registrations:
        first_reg.setdefault((card, answer), t)
    out = []
    for card, p in q.plans.items():
        shown = q.first_shown.get(card)
        if shown is None or not BUCKET[0] <= q.first_span.get(card, 0.0) < BUCKET[1]:
            continue
        until = q.opened + p.change_at if p.change_at is not None and p.final != p.first else live.lowered_at(q, card)
        if shown + GOAL_SECONDS > until:
            continue
        out.append((card, max(first_reg.get((card, p.first), math.inf) - shown, 0.0)))
    return out


def per_frame_recall(q: live.Question, cards: set[int]) -> tuple[int, int]:
    """How often the reader passed on each of `cards` with its shown answer, over the frames that showed it."""
    read = total = 0
    for (t, sightings, _), (_, shown) in zip(q.frames, q.shown_cards):
        seen = set(sightings)
        for card, answer in shown.items():
            if card in cards:
                total += 1
                read += (card, answer) in seen
    return read, total


def score(result: live.Result) -> dict:
    raises = [(q, card, latency) for q in result.questions for card, latency in small_raises(q)]
    within = sum(1 for _, _, latency in raises if latency <= GOAL_SECONDS)
    finite = sorted(latency for _, _, latency in raises if math.isfinite(latency))
    frames = [per_frame_recall(q, {c for qq, c, _ in raises if qq is q}) for q in result.questions]
    judged = [live.judge(q) for q in result.questions]
    return {"small_raises": len(raises), "registered_within_goal": within,
            "recall_within_goal": within / len(raises) if raises else None,
            "latency_p50": float(np.percentile(finite, 50)) if finite else None,
            "per_frame": [sum(r for r, _ in frames), sum(t for _, t in frames)],
            "frames": result.frames,
            "wrong_registrations": [w for j in judged for w in j["wrong"]],
            "registrations_after_lowering": sum(len(j["after_lowering"]) for j in judged),
            "reader_cpu_ms_median": float(np.median(result.reader_cpu_ms)) if result.reader_cpu_ms else None}


def card_free(plan: live.Plan, frames: int) -> dict:
    """Card-free classrooms (a new room every 20 frames, each frame with its own noise, blur and a moved poster)
    at the plan's size and frame rate through the live reader with the small-card rules, every whole frame read:
    every card read is a phantom, before corroboration and after, and every registration a phantom answer."""
    settings = ReaderSettings(small_marker_px=plan.small_marker_px)
    small = SmallCards(SmallCardRules(single_frame_marker_px=settings.min_marker_px))
    reader = LiveReader(small_card_reader(settings, CardSettings()), scan_frames=1)
    tracker = Tracker(TrackerSettings())
    raw = passed = registrations = 0
    try:
        for i, gray in enumerate(clutter_frames(plan.seed, frames, plan.size)):
            t = i / plan.fps
            sightings = reader.read(gray, t)
            trusted = small.update(sightings, t)
            raw, passed = raw + len(sightings), passed + len(trusted)
            registrations += len(tracker.update(trusted, t))
    finally:
        reader.close()
    return {"frames": frames, "read": raw, "passed": passed, "registrations": registrations}


def single_frames(seed: int, rooms: int, small_marker_px: int) -> dict:
    """The small-card reader on `bench cards` classrooms, frame by frame (nothing combined): its recall per size
    bucket and every wrong answer, wrong card and phantom it reads."""
    sizes = (SIZES["hd"], SIZES["3mp"], SIZES["12mp"])
    plan = cards.Plan(seed=seed, rooms={s: rooms for s in sizes}, frames_per_room={s: 6 for s in sizes}, clutter=0)
    detectors = cards.Detectors()
    detectors.reader.close()
    detectors.reader = small_card_reader(ReaderSettings(small_marker_px=small_marker_px), CardSettings())
    try:
        ours = cards.summary(cards.run(plan, detectors))["detectors"][cards.OURS]
    finally:
        detectors.reader.close()
    return {"frames": rooms * 6 * len(sizes), "recall": ours["recall"], "wrong_answers": ours["wrong_answers"],
            "wrong_cards": ours["wrong_cards"], "phantoms": ours["phantoms_in_classrooms"], "errors": ours["errors"]}


def run(plan: Plan) -> dict:
    before = score(live.run(dataclasses.replace(plan.live, small_marker_px=0)))
    after = score(live.run(plan.live))
    out = {"plan": dataclasses.asdict(plan), "machine": machine.describe(), "before": before, "after": after,
           "card_free": card_free(plan.live, plan.card_free_frames)}
    if plan.single_frame_rooms:
        out["single_frames"] = single_frames(plan.live.seed, plan.single_frame_rooms, plan.live.small_marker_px)
    out["floors"] = floors(out)
    return out


def floors(out: dict) -> list[dict]:
    a, free = out["after"], out["card_free"]
    wrong = len(a["wrong_registrations"]) + len(out["before"]["wrong_registrations"])
    return [{"floor": f"16-24 px cards registered within {GOAL_SECONDS:g} s >= {RECALL_FLOOR:.0%}",
             "value": a["recall_within_goal"],
             "ok": None if a["recall_within_goal"] is None else a["recall_within_goal"] >= RECALL_FLOOR},
            {"floor": "zero wrong registrations", "value": wrong, "ok": wrong == 0},
            {"floor": "lowered cards emit nothing", "value": a["registrations_after_lowering"],
             "ok": a["registrations_after_lowering"] == 0},
            {"floor": "zero phantom registrations, card-free frames", "value": free["registrations"],
             "ok": free["registrations"] == 0}]


def failed(out: dict) -> list[str]:
    return [f["floor"] for f in out["floors"] if f["ok"] is False]


def table(out: dict) -> str:
    p, m = out["plan"]["live"], out["machine"]
    lines = [f"argus bench live --small-cards: {p['questions']} questions at {p['size'][0]}x{p['size'][1]}, "
             f"{p['fps']:g} fps simulated, {p['students']} students, lens {p['lens']:g}°, card {p['card_width_m']} m, "
             f"rows {p['front_row_m']}-{p['back_row_m']} m, seed {p['seed']}",
             f"machine: {m['cpu']}, {m['nproc']} cores, opencv {m['opencv']}",
             f"raised cards first shown at {BUCKET[0]:g}-{BUCKET[1]:g} px and held >= {GOAL_SECONDS:g} s, registered "
             f"within {GOAL_SECONDS:g} s of being shown:"]
    for name, label in (("before", "before (small_marker_px 0)"),
                        ("after", f"now (small_marker_px {p['small_marker_px']})")):
        s = out[name]
        recall = "-" if s["recall_within_goal"] is None else f"{s['recall_within_goal']:.1%}"
        p50 = "-" if s["latency_p50"] is None else f"{s['latency_p50']:.2f} s"
        read, total = s["per_frame"]
        lines.append(f"  {label:28} {recall:>6} {s['registered_within_goal']}/{s['small_raises']}  latency p50 {p50}; "
                     f"passed on in {read}/{total} frames showing them; wrong registrations "
                     f"{len(s['wrong_registrations'])} over {s['frames']} frames; reader CPU median "
                     f"{s['reader_cpu_ms_median']:.1f} ms")
    f = out["card_free"]
    lines.append(f"card-free classrooms read live ({f['frames']} frames): {f['read']} cards read in single frames, "
                 f"{f['passed']} passed on, {f['registrations']} registered")
    if "single_frames" in out:
        f = out["single_frames"]
        recall = "  ".join(f"{b} {r['seen']}/{r['total']}" for b, r in f["recall"].items())
        lines.append(f"the small-card reader on bench cards classrooms, single frames, nothing combined ({f['frames']} "
                     f"frames): recall {recall}; wrong answers {f['wrong_answers']}, wrong cards {f['wrong_cards']}, "
                     f"phantoms {f['phantoms']}")
    lines.append("floors:")
    for row in out["floors"]:
        state = "n/a" if row["ok"] is None else ("ok" if row["ok"] else "FAILED")
        value = f"{row['value']:.3f}" if isinstance(row["value"], float) else str(row["value"])
        lines.append(f"  {row['floor']:46} {value:>8}  {state}")
    for w in (out["before"]["wrong_registrations"] + out["after"]["wrong_registrations"])[:10]:
        lines.append(f"  wrong: card {w['card']} {w['answer']} at {w['time']:.2f} s ({w['why']})")
    return "\n".join(lines)
