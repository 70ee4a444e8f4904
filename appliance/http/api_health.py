"""/healthz for monitoring, and /api/v1/health: the appliance's status for the dashboard and the admin page."""
from __future__ import annotations

import asyncio
import dataclasses
import time

from aiohttp import web

from appliance import __version__, keys
from appliance.host import health
from appliance.http import shapes
from appliance.http.schema import Args, Route, obj
from appliance.store import backup


async def healthz(request: web.Request) -> web.Response:
    """200 while the database answers (camera trouble is reported, not fatal); 503 otherwise."""
    app = request.config_dict
    try:
        await asyncio.wait_for(app[keys.DB].fetchone("SELECT 1"), 2.0)
        database = "ok"
    except Exception as exc:  # any failure here is what monitoring must see
        database = f"error: {exc}"
    camera = app[keys.CAMERA].status()
    ok = database == "ok"
    return web.json_response({"status": ("ok" if camera.ok else "degraded") if ok else "error",
                              "database": database, "camera": camera.ok, "version": __version__},
                             status=200 if ok else 503)


async def status_report(request: web.Request, args: Args) -> web.Response:
    app = request.config_dict
    settings = app[keys.SETTINGS]
    loop = asyncio.get_running_loop()
    free = health.disk_free_mb(settings.data_dir)
    reading = app[keys.READING].stats
    backups_dir = settings.data_dir / "backups"
    return web.json_response({
        "version": __version__,
        "camera": dataclasses.asdict(app[keys.CAMERA].status()),
        "reader": dataclasses.asdict(reading),
        "cpu_temperature_c": health.cpu_temperature_c(),
        "throttling": await loop.run_in_executor(None, health.throttling),
        "memory": {"process_rss_mb": health.process_rss_mb(), "available_mb": health.memory_available_mb()},
        "disk": {"free_mb": free, "low": free is not None and free < settings.storage.min_free_mb,
                 "min_free_mb": settings.storage.min_free_mb},
        "uptime_s": {"appliance": round(time.time() - app[keys.STARTED_AT], 1), "system": health.system_uptime_s()},
        "load_average": health.load_average(),
        "live_clients": app[keys.BUS].subscriber_count,
        "backup": {"count": len(backup.backups(backups_dir)),
                   "newest_age_hours": backup.newest_age_hours(backups_dir, time.time())},
    })


_NULL_NUM = {"type": ["number", "null"]}
ROUTES = [
    Route("GET", "/health", status_report, "Status: camera fps, reader ms, dropped frames, temperature, "
          "throttling, memory, disk, uptime, backups, version", responses={200: obj({
              "version": {"type": "string"}, "camera": shapes.CAMERA,
              "reader": obj({"frames": {"type": "integer"}, "ms_per_frame": {"type": "number"},
                             "cards_last_frame": {"type": "integer"}}, required=["frames", "ms_per_frame"]),
              "cpu_temperature_c": _NULL_NUM,
              "disk": obj({"free_mb": _NULL_NUM, "low": {"type": "boolean"}, "min_free_mb": {"type": "number"}}),
              "live_clients": {"type": "integer"}}, required=["version", "camera", "reader"])}),
]
