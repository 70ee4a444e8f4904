"""The camera check for the teacher: a live preview with read cards outlined, and who has not been seen."""
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
from appliance.vision import camera_check

_SEEN_RECENTLY_S = 10.0


async def preview(request: web.Request, args: Args) -> web.Response:
    frame = request.config_dict[keys.CAMERA].last_frame()
    if frame is None:
        return json_error(503, "no picture from the camera yet: " +
                          (request.config_dict[keys.CAMERA].status().error or "it is starting"))
    sightings = request.config_dict[keys.READING].last_sightings
    jpeg = await off_loop(request, camera_check.overlay_jpeg, frame.gray, sightings)
    return web.Response(body=jpeg, content_type="image/jpeg", headers={"Cache-Control": "no-store"})


async def check(request: web.Request, args: Args) -> web.Response:
    app = request.config_dict
    settings = app[keys.SETTINGS]
    reading = app[keys.READING]
    frame = app[keys.CAMERA].last_frame()
    roster = None
    if "class_id" in args.query:  # 404 for a class that is not the teacher's
        roster = await own_class(request, args.user, args.query["class_id"])
    names = roster.by_card() if roster else {}
    seen = [{"card": s.card, "answer": s.answer, "px": round(camera_check.span_px(s.corners), 1),
             "name": names[s.card].name if s.card in names else None} for s in reading.last_sightings]
    now = time.monotonic()
    recent = {card for card, t in reading.last_seen.items() if now - t < _SEEN_RECENTLY_S}
    width = frame.gray.shape[1] if frame is not None else settings.camera.width
    return web.json_response({
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


_SEEN = obj({"card": {"type": "integer"}, "answer": {"type": "string"}, "px": {"type": "number"},
             "name": {"type": ["string", "null"]}})
ROUTES = [
    Route("GET", "/camera/preview.jpg", preview, "The camera's newest frame, downscaled, read cards outlined",
          responses={200: Reply("JPEG", content_type="image/jpeg"), 503: "no picture from the camera yet"}),
    Route("GET", "/camera/check", check, "Cards read now, roster cards not seen (?class_id=), readable distance",
          query=obj({"class_id": ID}), responses={200: obj({
              "camera": shapes.CAMERA, "seen": {"type": "array", "items": _SEEN},
              "not_seen": {"type": "array", "items": obj({"card": {"type": "integer"},
                                                          "name": {"type": "string"}})},
              "smallest_px": {"type": ["number", "null"]}, "readable_px": {"type": "number"}},
              required=["camera", "seen", "not_seen"]), 404: "no such class"}),
]
