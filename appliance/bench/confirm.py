"""`argus bench confirm`: the tracker's confirmation rules replayed on what the reader saw in every frame of
rendered lessons, so a shorter confirmation is judged by its misreads before it is trusted.

Each lesson is `bench e2e`'s (the classroom renderer and the student plans of `bench live`: cards raised within
3 s, a third changed, all lowered) at a size, seed, lens and card width; every frame is read in order by
LiveReader (as the appliance reads), in simulated time at 10 fps, and the sightings are kept. Then each rule
(tracker.min_frames, tracker.change_frames) runs over the same sightings and is judged by `bench live`'s rules:
raise and change latency from the first frame that shows the answer, wrong registrations (an answer the student
never held, the new answer before the change, the old one again after it), registrations after lowering. A
misread is a sighting of an answer its student never held (or of a card nobody raised); how many follow each
other in one card's sightings is the margin a rule of N frames has against them.
"""
from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np

from appliance.bench import e2e, live
from appliance.bench.scenes import SIZES
from appliance.config import ReaderSettings, Settings, TrackerSettings
from appliance.vision.live_reader import LiveReader
from appliance.vision.reader import CardReader
from appliance.vision.tracker import Tracker
from appliance.vision.types import Sighting

# bench e2e's lesson (28 students, 2 questions) at other seeds: both lenses, both card widths, 12 MP and 1080p
FULL = [dataclasses.replace(e2e.Plan(), size=SIZES[size], seed=seed, lens=lens, card_width_m=card)
        for size, seed, lens, card in [
            ("12mp", 1, 66.0, 0.148), ("hd", 1, 66.0, 0.148), ("hd", 2, 102.0, 0.148), ("12mp", 3, 66.0, 0.10),
            ("hd", 4, 66.0, 0.10), ("hd", 5, 102.0, 0.148), ("12mp", 6, 102.0, 0.148), ("hd", 7, 66.0, 0.148),
            ("hd", 8, 66.0, 0.10), *[("hd", seed, 66.0, 0.148) for seed in range(9, 15)],
            ("12mp", 15, 66.0, 0.148), ("12mp", 16, 102.0, 0.10)]]
QUICK = [e2e.QUICK]
RULES = [(3, 0), (3, 3), (3, 2), (2, 2)]  # (min_frames, change_frames); (3, 0) is the majority rule alone
_NO_CORNERS = np.zeros((4, 2), np.float32)


@dataclasses.dataclass
class Lesson:
    name: str
    questions: list[e2e.RenderedQuestion]
    sightings: list[list[list[tuple[int, str]]]]  # per question, per frame: (card, answer) read


def read_lesson(plan: e2e.Plan, reader_settings: ReaderSettings = ReaderSettings()) -> Lesson:
    """Render the lesson and read every frame of it in order, as the appliance would with no frame dropped."""
    settings = Settings()
    reader = CardReader(reader_settings, settings.cards)
    try:
        with tempfile.TemporaryDirectory(prefix="argus-confirm-") as tmp:
            path = Path(tmp) / "frames.y"
            questions = e2e.render(plan, path)
            width, height = plan.size
            frames = np.memmap(path, np.uint8, "r").reshape(-1, height, width)
            live_reader = LiveReader(reader, reader_settings.scan_frames)
            sightings = []
            for q in questions:
                live_reader.reset()
                sightings.append([[(s.card, s.answer) for s in live_reader.read(np.array(frames[q.first + i]), t)]
                                  for i, t in enumerate(q.times)])
            del frames
    finally:
        reader.close()
    name = f"{plan.size[0]}x{plan.size[1]} seed {plan.seed} lens {plan.lens:g}° card {plan.card_width_m * 100:g} cm"
    return Lesson(name, questions, sightings)


def misreads(lessons: list[Lesson]) -> dict:
    """Sightings of an answer never held, and how long their runs in one card's consecutive sightings are."""
    frames = sightings = wrong = 0
    runs: dict[int, int] = {}
    for lesson in lessons:
        for q, per_frame in zip(lesson.questions, lesson.sightings):
            run: dict[int, tuple[str, int]] = {}  # card → (misread answer, how many sightings in a row)
            for seen in per_frame:
                frames += 1
                for card, answer in seen:
                    sightings += 1
                    p = q.plans.get(card)
                    if p is None or answer not in (p.first, p.final):
                        wrong += 1
                        before = run.get(card)
                        run[card] = (answer, before[1] + 1 if before and before[0] == answer else 1)
                    elif card in run:
                        length = run.pop(card)[1]
                        runs[length] = runs.get(length, 0) + 1
            for _, length in run.values():
                runs[length] = runs.get(length, 0) + 1
    return {"frames": frames, "sightings": sightings, "misread": wrong, "runs": dict(sorted(runs.items()))}


def judge_rule(lessons: list[Lesson], min_frames: int, change_frames: int) -> dict:
    raises, changes, wrong, after = [], [], [], []
    for lesson in lessons:
        for rq, per_frame in zip(lesson.questions, lesson.sightings):
            q = live.Question(0.0, rq.closed, rq.plans)
            for i, t in enumerate(rq.times):
                for card, answer in rq.shown[i]:
                    p = rq.plans.get(card)
                    if p is not None and answer == p.first and (p.change_at is None or t < p.change_at):
                        q.first_shown.setdefault(card, t)
                    elif p is not None and answer == p.final:
                        q.final_shown.setdefault(card, t)
            tracker = Tracker(TrackerSettings(min_frames=min_frames, change_frames=change_frames))
            for t, seen in zip(rq.times, per_frame):
                sightings = [Sighting(card, answer, _NO_CORNERS) for card, answer in seen]
                q.registrations += [(r.card, r.answer, t) for r in tracker.update(sightings, t)]
            q.stable_at_end = tracker.stable()
            judged = live.judge(q)
            raises += judged["raise"]
            changes += judged["change"]
            wrong += [dict(w, lesson=lesson.name) for w in judged["wrong"]]
            after += judged["after_lowering"]
    return {"min_frames": min_frames, "change_frames": change_frames, "raise": live._stats(raises),
            "change": live._stats(changes), "wrong": wrong, "after_lowering": len(after)}


def run(full: bool) -> dict:
    lessons = [read_lesson(plan) for plan in (FULL if full else QUICK)]
    return {"lessons": [lesson.name for lesson in lessons], "misreads": misreads(lessons),
            "rules": [judge_rule(lessons, m, c) for m, c in RULES]}


def table(out: dict) -> str:
    m = out["misreads"]
    fmt = e2e._fmt
    lines = [f"argus bench confirm: lessons ({'; '.join(out['lessons'])}), every frame read "
             "in order by LiveReader at 10 fps of simulated time",
             f"{m['frames']} frames, {m['sightings']} sightings; {m['misread']} misread (an answer never held or a "
             f"card nobody raised, {100 * m['misread'] / max(m['sightings'], 1):.2f}%); misreads in a row in one "
             f"card's sightings (length: how often): {m['runs'] or 'none'}",
             "rule (min_frames, change_frames)   raise p50  p95    missed | change p50  p95   missed | wrong  after lowering"]
    for r in out["rules"]:
        a, c = r["raise"], r["change"]
        lines.append(f"  {r['min_frames']}, {r['change_frames']}{' (majority only)' if not r['change_frames'] else '':17}"
                     f"{fmt(a['p50']):>13} {fmt(a['p95']):>5} {a['missed']:>4}/{a['count']:<4}| "
                     f"{fmt(c['p50']):>9} {fmt(c['p95']):>5} {c['missed']:>4}/{c['count']:<4}| "
                     f"{len(r['wrong']):>5}  {r['after_lowering']:>5}")
        for w in r["wrong"][:3]:
            lines.append(f"    wrong: {w}")
    lines.append("(latency in simulated seconds from the first frame showing the answer; never registered = inf, "
                 "mostly cards too small to read, see bench cards)")
    return "\n".join(lines)
