"""Benchmarks of the card reading engine: `argus bench cards` (recall, wrong answers, phantoms, speed beside
OpenCV's default detector) and `argus bench live` (latency through reader + tracker in simulated time, CPU
time per frame, peak RSS). Both print a table, or JSON with --json; with --check they exit 1 when one of the
issue's floors is broken.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from appliance.bench import report
from appliance.bench.scenes import SIZES


def _size(text: str) -> tuple[int, int]:
    if text.lower() in SIZES:
        return SIZES[text.lower()]
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WxH (e.g. 4608x2592) or one of {', '.join(SIZES)}")
    return w, h


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1, help="every frame is a pure function of the seed")
    parser.add_argument("--full", action="store_true", help="the full benchmark (minutes) instead of the quick one")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--check", action="store_true", help="exit 1 when a floor is broken")
    parser.add_argument("--save", metavar="FILE", nargs="?", const=str(report.DEFAULT),
                        help=f"also write the table into FILE's section for this bench (default {report.DEFAULT}); "
                             "a FILE ending in .json gets the JSON")
    parser.add_argument("--lens", type=float, choices=(66.0, 102.0), help="only this lens (default: both)")
    parser.add_argument("--card-width", type=float, choices=(0.148, 0.10), help="only this card width, metres")


def main_cards(argv: list[str]) -> int:
    from appliance.bench import cards

    parser = argparse.ArgumentParser(prog="argus bench cards", description=cards.__doc__.splitlines()[0])
    _common(parser)
    parser.add_argument("--frames", type=int, help="classroom frames per frame size (default: quick 4-8, full 24-72)")
    parser.add_argument("--size", type=_size, action="append",
                        help=f"frame size WxH or {'|'.join(SIZES)}; repeat for several (default: plan's sizes)")
    parser.add_argument("--clutter", type=int, help="card-free frames (default: quick 200, full 2000)")
    parser.add_argument("--max-ratio", type=float, default=1.0,
                        help="speed floor: our ms / opencv default ms at 12 MP (default 1.0)")
    args = parser.parse_args(argv)
    plan = _cards_plan(cards, args)
    log = None if args.json else (lambda line: print(f"  .. {line}", file=sys.stderr, flush=True))
    out = cards.summary(cards.run(plan, progress=log), args.max_ratio)
    if args.save:
        report.save(args.save, "cards", argv, out, cards.table(out))
    print(json.dumps(out, indent=1) if args.json else cards.table(out))
    return 1 if args.check and cards.failed(out) else 0


def _cards_plan(cards, args):
    plan = cards.FULL if args.full else cards.Plan()
    plan = dataclasses.replace(plan, seed=args.seed)
    if args.size:
        per = plan.frames_per_room
        plan = dataclasses.replace(plan, rooms={s: plan.rooms.get(s, 2) for s in args.size},
                                   frames_per_room={s: per.get(s, 4) for s in args.size})
    if args.frames:
        per = {n: min(args.frames, 6) for n in plan.rooms}
        plan = dataclasses.replace(plan, frames_per_room=per, rooms={n: -(-args.frames // per[n]) for n in plan.rooms})
    if args.lens:
        plan = dataclasses.replace(plan, lenses=(args.lens,))
    if args.card_width:
        plan = dataclasses.replace(plan, card_widths=(args.card_width,))
    if args.clutter is not None:
        plan = dataclasses.replace(plan, clutter=args.clutter, clutter_12mp=min(plan.clutter_12mp, args.clutter))
    return plan


def main_live(argv: list[str]) -> int:
    from appliance.bench import live

    parser = argparse.ArgumentParser(prog="argus bench live", description=live.__doc__.splitlines()[0])
    _common(parser)
    parser.add_argument("--size", type=_size, help="frame size WxH (default: quick 2304x1296, full 4608x2592)")
    parser.add_argument("--fps", type=float, help="simulated camera frame rate (default 10)")
    parser.add_argument("--questions", type=int, help="questions in the run (default: quick 2, full 4)")
    parser.add_argument("--students", type=int, help="students in the class (default 40)")
    parser.add_argument("--small-cards", action="store_true",
                        help="the back rows of a 1080p webcam: 16-24 px cards registered within 2 s before/after "
                             "combining frames, wrong registrations, phantoms on card-free frames")
    args = parser.parse_args(argv)
    if args.small_cards:
        return _small_cards(args, argv)
    plan = live.FULL if args.full else live.Plan()
    changes = {k: v for k, v in (("size", args.size), ("fps", args.fps), ("questions", args.questions),
                                 ("students", args.students), ("lens", args.lens),
                                 ("card_width_m", args.card_width)) if v is not None}
    plan = dataclasses.replace(plan, seed=args.seed, **changes)
    out = live.summary(live.run(plan))
    if args.save:
        report.save(args.save, "live", argv, out, live.table(out))
    print(json.dumps(out, indent=1) if args.json else live.table(out))
    return 1 if args.check and live.failed(out) else 0


def _small_cards(args: argparse.Namespace, argv: list[str]) -> int:
    from appliance.bench import small_cards

    plan = small_cards.FULL if args.full else small_cards.QUICK
    changes = {k: v for k, v in (("fps", args.fps), ("questions", args.questions), ("students", args.students))
               if v is not None}
    plan = dataclasses.replace(plan, live=dataclasses.replace(plan.live, seed=args.seed, **changes))
    out = small_cards.run(plan)
    if args.save:
        # Its own section, headed by the command that made it.
        report.save(args.save, "live --small-cards", [a for a in argv if a != "--small-cards"], out,
                    small_cards.table(out))
    print(json.dumps(out, indent=1) if args.json else small_cards.table(out))
    return 1 if args.check and small_cards.failed(out) else 0


def main_confirm(argv: list[str]) -> int:
    from appliance.bench import confirm, report

    parser = argparse.ArgumentParser(prog="argus bench confirm", description=confirm.__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="17 lessons, about 2,900 frames (~5 min on 2 cores; default: one small 1080p lesson)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--save", metavar="FILE", nargs="?", const=str(report.DEFAULT),
                        help=f"also write the table into FILE's section for this bench (default {report.DEFAULT})")
    args = parser.parse_args(argv)
    out = confirm.run(args.full)
    text = confirm.table(out)
    print(json.dumps(out, indent=1) if args.json else text)
    if args.save:
        report.save(args.save, "confirm", argv, out, text)
    return 0


def _malloc_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.startswith("MALLOC_") or not value:
        raise argparse.ArgumentTypeError(f"{text!r}: expected MALLOC_NAME=VALUE, e.g. MALLOC_ARENA_MAX=2")
    return name, value


def main_e2e(argv: list[str]) -> int:
    from pathlib import Path

    from appliance.bench import e2e, report
    from appliance.bench.appliance_rss import SERVICE_MALLOC_ENV

    parser = argparse.ArgumentParser(prog="argus bench e2e", description=e2e.__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="28 students, 2 questions, at 4608x2592 and at 1920x1080 (default: quick, 1080p)")
    parser.add_argument("--size", type=_size, help="only this frame size, WxH or one of " + "|".join(SIZES))
    parser.add_argument("--fps", type=float, help="camera frame rate (default 10)")
    parser.add_argument("--students", type=int, help="students raising cards (the demo class's size)")
    parser.add_argument("--questions", type=int, help="questions in the lesson, 1 or 2 (the demo quiz's 4-option ones)")
    parser.add_argument("--viewers", type=int, help="public websockets connected besides the teacher's (default 60)")
    parser.add_argument("--seed", type=int, help="every frame is a pure function of the seed")
    parser.add_argument("--scan-frames", type=int,
                        help="the appliance's reader.scan_frames (1 reads every whole frame, as before live reading)")
    parser.add_argument("--glibc-defaults", action="store_true",
                        help="run without the allocator settings of the systemd unit")
    parser.add_argument("--malloc", metavar="NAME=VALUE", action="append", type=_malloc_setting,
                        help="run with these glibc allocator variables instead of the unit's (repeat for several), "
                             "e.g. --malloc MALLOC_ARENA_MAX=2")
    parser.add_argument("--frames-dir", type=Path,
                        help="keep the rendered lessons here (GBs at 12 MP) and reuse them on the next run")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is not met")
    parser.add_argument("--save", metavar="FILE", nargs="?", const=str(report.DEFAULT),
                        help=f"also write the table into FILE's section for this bench (default {report.DEFAULT}); "
                             "a FILE ending in .json gets the JSON")
    args = parser.parse_args(argv)
    changes = {k: v for k, v in (("fps", args.fps), ("students", args.students), ("questions", args.questions),
                                 ("viewers", args.viewers), ("seed", args.seed), ("scan_frames", args.scan_frames))
               if v is not None}
    if args.full:
        plans = [dataclasses.replace(e2e.Plan(size=size), **changes)
                 for size in ([args.size] if args.size else [SIZES["12mp"], SIZES["hd"]])]
    else:
        plans = [dataclasses.replace(e2e.QUICK, **changes, **({"size": args.size} if args.size else {}))]
    if not all(1 <= p.questions <= 2 for p in plans):
        parser.error("--questions must be 1 or 2")
    if args.malloc and args.glibc_defaults:
        parser.error("--malloc and --glibc-defaults exclude each other")
    malloc_env = dict(args.malloc) if args.malloc else {} if args.glibc_defaults else SERVICE_MALLOC_ENV
    outs = []
    for plan in plans:
        frames_dir = args.frames_dir / "x".join(map(str, plan.size)) if args.frames_dir else None
        outs.append(e2e.run(plan, malloc_env, frames_dir))
    out = {"runs": outs}
    text = "\n\n".join(e2e.table(o) for o in outs)
    print(json.dumps(out, indent=1) if args.json else text)
    if args.save:
        report.save(args.save, "e2e", argv, out, text)
    return 1 if args.check and any(g["ok"] is False for o in outs for g in o["goals"]) else 0
