"""The app factory: every resource is an aiohttp cleanup context, started in dependency order and stopped in
reverse. A context's cleanup runs only if its startup succeeded, so a failure half way leaves nothing open.

    database → bus → executor → engine → camera → reading loop → maintenance → sync → mDNS
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from appliance import demo, keys
from appliance.accounts import devices, setup_code
from appliance.accounts.login_limit import LoginGuard
from appliance.camera import open_source
from appliance.camera.runner import CameraRunner
from appliance.camera.sim import SimClassroom
from appliance.camera.slot import LatestFrame
from appliance.config import Settings
from appliance.host import discovery, health
from appliance.host.names import HostAllowList
from appliance.host.tls import TlsState
from appliance.http import (
    api_health,
    api_privacy,
    api_quizzes,
    isolated,
    live,
    openapi,
    pages,
    pages_admin,
    pages_library,
    public,
)
from appliance.http.api_backups import database_hold_middleware
from appliance.http.security import protective_headers, same_origin_middleware
from appliance.http.transport import host_middleware, https_only_middleware
from appliance.live.bus import Bus
from appliance.live.engine import SessionEngine
from appliance.live.reading import ReadingLoop
from appliance.store import backup, images, privacy
from appliance.store.db import Database
from appliance.sync import admin_settings as sync_settings
from appliance.sync import local_admin
from appliance.sync.service import SyncService
from appliance.vision.live_reader import make_live_reader
from appliance.vision.reader import CardReader
from appliance.vision.tracker import Tracker

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The appliance cannot start as asked; the message says why and what to do."""


SLOT = web.AppKey("slot", LatestFrame)
SIM = keys.SIM  # kept for the tests that import it from here
_CHECKPOINT_SECONDS = 600.0


async def _cancel(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def database_ctx(app: web.Application):
    settings = app[keys.SETTINGS]
    db = await Database.open(settings.data_dir / "argus.db")
    try:
        refusal = await demo.refusal(db, settings)
        if refusal:
            raise StartupError(refusal)
        if settings.demo:
            await demo.seed(db, settings)
        else:
            await setup_code.ensure_code(db, settings.data_dir)
    except BaseException:
        await db.close()
        raise
    app[keys.DB] = db
    app[keys.DEVICE_KEY] = devices.load_key(settings.data_dir)
    yield
    await db.close()


async def bus_ctx(app: web.Application):
    app[keys.BUS] = Bus()
    yield


async def executor_ctx(app: web.Application):
    # Reading: one thread waits for the next frame while another reads one (one read at a time: the reader's
    # own bands are its parallelism). Work: request-side CPU work (password hashes, PDFs, JPEGs, photos), two
    # at a time at most, so a burst of requests queues instead of starving the reader.
    reading = ThreadPoolExecutor(2, thread_name_prefix="argus-read")
    work = ThreadPoolExecutor(2, thread_name_prefix="argus-work")
    app[keys.EXECUTOR] = reading
    app[keys.WORK] = work
    yield
    for executor in (reading, work):
        executor.shutdown(wait=True, cancel_futures=True)


async def engine_ctx(app: web.Application):
    engine = SessionEngine(app[keys.DB], app[keys.BUS], card_count=app[keys.SETTINGS].cards.count)
    await engine.restore()
    app[keys.ENGINE] = engine
    yield
    await engine.close()


async def _publish_camera_status(app: web.Application) -> None:
    last = None
    while True:
        status = dataclasses.asdict(app[keys.CAMERA].status())
        changed = last is None or (status["ok"], status["error"]) != (last["ok"], last["error"])
        if changed or int(time.monotonic()) % 5 == 0:
            app[keys.BUS].publish({"type": "camera", "camera": status}, "teacher")
            last = status
        await asyncio.sleep(1.0)


async def camera_ctx(app: web.Application):
    settings = app[keys.SETTINGS]
    slot = LatestFrame()
    if settings.camera.source == "sim":
        sim = SimClassroom(settings.sim, settings.camera, settings.cards)
        app[SIM] = sim
        app[keys.ENGINE].add_listener(sim)
        factory = lambda: sim  # noqa: E731 - the same classroom survives a reopen
    else:
        factory = lambda: open_source(settings.camera.source, settings)  # noqa: E731
    runner = CameraRunner(factory, slot, settings.camera)
    app[SLOT] = slot
    app[keys.CAMERA] = runner
    runner.start()
    publisher = asyncio.create_task(_publish_camera_status(app))
    yield
    await _cancel(publisher)
    slot.close()
    await asyncio.get_running_loop().run_in_executor(None, runner.stop, 5.0)


async def reading_ctx(app: web.Application):
    settings = app[keys.SETTINGS]
    reader = CardReader(settings.reader, settings.cards)
    app[keys.READER] = reader
    live_reader = make_live_reader(settings.reader, settings.cards, reader)
    loop = ReadingLoop(app[SLOT], live_reader.read, Tracker(settings.tracker), app[keys.ENGINE].register,
                       app[keys.EXECUTOR])
    app[keys.ENGINE].add_listener(loop)
    app[keys.READING] = loop
    task = asyncio.create_task(loop.run())
    yield
    await _cancel(task)
    await asyncio.get_running_loop().run_in_executor(None, reader.close)
    await asyncio.get_running_loop().run_in_executor(None, live_reader.close)


async def _every(seconds: float, job, what: str) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception:  # keep the appliance running; the log says what failed
            log.exception("%s failed", what)


async def maintenance_ctx(app: web.Application):
    """Keep the SD card healthy: fold the WAL back regularly, back the database up daily, watch free space,
    delete question images nothing uses any more."""
    settings, db = app[keys.SETTINGS], app[keys.DB]
    backups_dir = settings.data_dir / "backups"

    def held(job):
        # Each job sees one database file from start to end: a restore waits for it (store/gate.py).
        async def run():
            async with db.held():
                await job()
        return run

    async def backup_if_due():
        age = backup.newest_age_hours(backups_dir, time.time())
        if age is None or age >= settings.storage.backup_hours:
            await backup.make_backup(db, backups_dir, settings.storage.backup_keep)

    async def warn_if_disk_low():
        free = health.disk_free_mb(settings.data_dir)
        if free is not None and free < settings.storage.min_free_mb:
            app[keys.BUS].publish({"type": "alert", "level": "warning", "message":
                                   f"The appliance's disk is almost full ({free:.0f} MB free): export and "
                                   f"delete old data, or answers may stop being saved."}, "teacher")

    async def anonymise_expired_names():
        if settings.privacy.keep_names_days:
            count = await privacy.anonymise_expired(db, settings.privacy.keep_names_days)
            if count:
                log.info("anonymised %d students whose last lesson is over %d days old", count,
                         settings.privacy.keep_names_days)

    async def remove_unused_images():
        removed = await images.collect_garbage(db, settings.data_dir / "images")
        if removed:
            log.info("removed %d question images no quiz uses any more", len(removed))

    tasks = [asyncio.create_task(_every(_CHECKPOINT_SECONDS, db.checkpoint, "WAL checkpoint")),
             asyncio.create_task(_every(3600.0, held(remove_unused_images), "unused image clean-up")),
             asyncio.create_task(_every(300.0, held(backup_if_due), "daily backup")),
             asyncio.create_task(_every(60.0, warn_if_disk_low, "disk check")),
             asyncio.create_task(_every(3600.0, held(anonymise_expired_names), "name retention"))]
    await backup_if_due()
    await anonymise_expired_names()
    yield
    for task in tasks:
        await _cancel(task)


async def sync_ctx(app: web.Application):
    """The cloud sync uploader (idle unless [sync] target is set) and the token `argus sync` uses."""
    settings = app[keys.SETTINGS]
    in_force, source = sync_settings.effective(settings.sync, settings.data_dir)
    service = SyncService(app[keys.DB], in_force, settings.data_dir, source=source)
    await service.start()
    app[keys.SYNC] = service
    app[keys.LOCAL_ADMIN_TOKEN] = local_admin.write(
        settings.data_dir, local_admin.loopback_url(app[keys.PORT], app.get(keys.HTTPS_PORT)))
    yield
    local_admin.remove(settings.data_dir)
    await service.close()


async def mdns_ctx(app: web.Application):
    settings = app[keys.SETTINGS]
    if not settings.mdns.enabled:
        yield
        return
    https_port = app.get(keys.HTTPS_PORT)
    try:
        advert = await discovery.advertise(settings, https_port or app[keys.PORT], secure=https_port is not None)
    except OSError as error:
        # A network that refuses multicast must not cost the lesson: the page is still at the appliance's address.
        log.error("mDNS is unavailable (%s): argus.local will not resolve; open the appliance by its address", error)
        yield
        return
    yield
    await advert.close()


def create_app(settings: Settings, port: int, https_port: int | None = None,
               tls: TlsState | None = None) -> web.Application:
    """The whole appliance as an aiohttp application; `port` is the one the plain HTTP socket is bound to, and
    `https_port` the HTTPS one (None: plain HTTP only), served with `tls`."""
    app = web.Application(
        client_max_size=settings.server.max_body_bytes,
        middlewares=[host_middleware, https_only_middleware, same_origin_middleware, database_hold_middleware],
    )
    app.on_response_prepare.append(protective_headers)
    app[keys.SETTINGS] = settings
    app[keys.PORT] = port
    app[keys.ALLOWED_HOSTS] = HostAllowList(settings)
    if https_port is not None:
        app[keys.HTTPS_PORT] = https_port
        app[keys.TLS] = tls
    app[keys.STARTED_AT] = time.time()
    app[keys.LOGIN_LIMITER] = LoginGuard(settings.login)
    app[keys.DECODE_SLOT] = asyncio.Semaphore(1)
    app[keys.IMPORT_SLOT] = asyncio.Semaphore(isolated.import_limits(settings.server)[1])
    app[keys.TEXT_IMPORT_SLOT] = asyncio.Semaphore(1)
    app.cleanup_ctx.extend([
        database_ctx, bus_ctx, executor_ctx, engine_ctx, camera_ctx, reading_ctx, maintenance_ctx, sync_ctx,
        mdns_ctx,
    ])
    app[keys.PRINT_SLOT] = asyncio.Semaphore(1)
    live.setup(app)
    public.setup(app)
    app.add_subapp(openapi.PREFIX, openapi.api_app(settings))
    app.router.add_get("/healthz", api_health.healthz)
    app.router.add_get("/images/{name}", api_quizzes.serve_image)
    pages.setup_pages(app)
    pages_library.setup(app)
    pages_admin.setup(app)
    api_privacy.setup(app)
    return app
