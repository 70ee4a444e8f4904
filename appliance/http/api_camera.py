"""The camera check for the teacher: a live preview with read cards outlined, and who has not been seen.

While a lesson runs, the picture and the cards read are that lesson's classroom: only its teacher and the
admins may look. With no lesson running any teacher may check the camera (to set it up before class).
"""
from __future__ import annotations

import dataclasses
import time

from aiohttp import web

from appliance import keys
from appliance.http import shapes
from appliance.http.access import own_class
from appliance.http.schema import ID, Args, Reply, Route, obj
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.vision import camera_check, cards

_SEEN_RECENTLY_S = 10.0


def _may_watch(request: web.Request, args: Args) -> None:
    owner = request.config_dict[keys.ENGINE].running_teacher()
    if owner is not None and owner != args.user.id and args.user.role != "admin":
        raise web.HTTPForbidden(text="another teacher's lesson is running: its camera picture is theirs until "
                                     "it ends", content_type="text/plain")


async def preview(request: web.Request, args: Args) -> web.Response:
    _may_watch(request, args)
    frame = request.config_dict[keys.CAMERA].last_frame()
    if frame is None:
        return json_error(503, "no picture from the camera yet: " +
                          (request.config_dict[keys.CAMERA].status().error or "it is starting"))
    sightings = request.config_dict[keys.READING].last_sightings
    jpeg = await off_loop(request, camera_check.overlay_jpeg, frame.gray, sightings)
    return web.Response(body=jpeg, content_type="image/jpeg", headers={"Cache-Control": "no-store"})


async def check(request: web.Request, args: Args) -> web.Response:
    _may_watch(request, args)
    app = request.config_dict
    settings = app[keys.SETTINGS]
    reading = app[keys.READING]
    frame = app[keys.CAMERA].last_frame()
    roster = None
    if "class_id" in args.query:  # 404 for a class that is not the teacher's
        roster = await own_class(request, args.user, args.query["class_id"])
    names = roster.by_card() if roster else {}
    seen = [{"card": s.card, "answer": s.answer, "px": round(cards.shorter_side(s.corners), 1),
             "name": names[s.card].name if s.card in names else None} for s in reading.last_sightings]
    now = time.monotonic()
    recent = {card for card, t in reading.last_seen.items() if now - t < _SEEN_RECENTLY_S}
    width = frame.gray.shape[1] if frame is not None else settings.camera.width
    sharpness = (await off_loop(request, camera_check.sharpness, frame.gray, reading.last_sightings)
                 if frame is not None else None)
    missing = sum(1 for s in roster.students if s.card not in recent) if roster else None
    return web.json_response({
        "verdict": camera_check.verdict([s["px"] for s in seen], missing),
        "sharpness": sharpness,
        "demo": settings.demo,
        "camera": dataclasses.asdict(app[keys.CAMERA].status()),
        "frame": {"width": width, "height": frame.gray.shape[0] if frame is not None else settings.camera.height},
        "seen": sorted(seen, key=lambda s: s["card"]),
        "not_seen": [{"card": s.card, "name": s.name} for s in roster.students if s.card not in recent]
        if roster else [],
        "smallest_px": min((s["px"] for s in seen), default=None),
        "readable_px": camera_check.READABLE_PX,
        "readable_distance_m": {f"{int(w * 1000)}mm": camera_check.readable_distance_m(
            width, settings.camera.hfov_degrees, w) for w in camera_check.CARD_WIDTHS_M},
    })


RAISE_ALL_SECONDS = 20.0


async def raise_all(request: web.Request, args: Args) -> web.Response:
    """Demo mode only: the whole simulated class holds up its cards, so the camera check can be tried."""
    sim = request.config_dict.get(keys.SIM)
    if not request.config_dict[keys.SETTINGS].demo or sim is None:
        # A simulated camera outside demo mode is a test rig: no teacher may make its class answer at will.
        return json_error(404, "raise-all works in demo mode only")
    session = request.config_dict[keys.ENGINE].public_state()["session"]
    if session and session["state"] in ("open", "paused"):
        return json_error(409, "a question is open: the class is answering it")
    sim.raise_all(RAISE_ALL_SECONDS)
    return web.json_response({"seconds": RAISE_ALL_SECONDS})


_SEEN = obj({"card": {"type": "integer"}, "answer": {"type": "string"}, "px": {"type": "number"},
             "name": {"type": ["string", "null"]}})
ROUTES = [
    Route("GET", "/camera/preview.jpg", preview, "The camera's newest frame, downscaled, read cards outlined",
          responses={200: Reply("JPEG", content_type="image/jpeg"), 403: "another teacher's lesson is running",
                     503: "no picture from the camera yet"}),
    Route("GET", "/camera/check", check, "Verdict in words, focus (sharpness of the cards read), cards read now,"
          " roster cards not seen (?class_id=), readable distance",
          query=obj({"class_id": ID}), responses={200: obj({
              "camera": shapes.CAMERA, "seen": {"type": "array", "items": _SEEN},
              "not_seen": {"type": "array", "items": obj({"card": {"type": "integer"},
                                                          "name": {"type": "string"}})},
              "smallest_px": {"type": ["number", "null"]}, "readable_px": {"type": "number"},
              "verdict": obj({"level": {"enum": ["ok", "warn", "bad"]}, "text": {"type": "string"}}),
              "sharpness": {"type": ["number", "null"]}, "demo": {"type": "boolean"}},
              required=["camera", "seen", "not_seen"]), 403: "another teacher's lesson is running",
              404: "no such class"}),
    Route("POST", "/camera/raise-all", raise_all, "Demo mode: the simulated class holds up every card for 20 s",
          responses={200: obj({"seconds": {"type": "number"}}), 404: "a real camera: no simulated class",
                     409: "a question is open"}),
]
