"""The camera check for the teacher: a live preview with read cards outlined, and who has not been seen."""
from __future__ import annotations

import asyncio
import dataclasses
import time

from aiohttp import web

from appliance import keys
from appliance.http.access import own_class
from appliance.http.auth import require_user
from appliance.http.security import json_error
from appliance.http.work import off_loop
from appliance.vision import camera_check

_SEEN_RECENTLY_S = 10.0


async def preview(request: web.Request) -> web.Response:
    await require_user(request)
    frame = request.app[keys.CAMERA].last_frame()
    if frame is None:
        return json_error(503, "no picture from the camera yet: " +
                          (request.app[keys.CAMERA].status().error or "it is starting"))
    sightings = request.app[keys.READING].last_sightings
    asyncio.get_running_loop()
    jpeg = await off_loop(request, camera_check.overlay_jpeg, frame.gray, sightings)
    return web.Response(body=jpeg, content_type="image/jpeg", headers={"Cache-Control": "no-store"})


async def check(request: web.Request) -> web.Response:
    user = await require_user(request)
    app = request.app
    settings = app[keys.SETTINGS]
    reading = app[keys.READING]
    frame = app[keys.CAMERA].last_frame()
    roster = None
    if "class_id" in request.query:
        raw = request.query["class_id"]
        if not raw.isdigit():
            return json_error(400, "class_id must be a number")
        roster = await own_class(request, user, int(raw))  # 404 for a class that is not the teacher's
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


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/camera/preview.jpg", preview)
    app.router.add_get("/api/v1/camera/check", check)
