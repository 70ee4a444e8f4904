"""Every aiohttp AppKey in one place, so the wiring in app.py reads as a list of resources."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from appliance.accounts.login_limit import LoginGuard
from appliance.camera.runner import CameraRunner
from appliance.camera.sim import SimClassroom
from appliance.config import Settings
from appliance.host.names import HostAllowList
from appliance.host.tls import TlsState
from appliance.live.bus import Bus
from appliance.live.clients import LiveClients
from appliance.live.engine import SessionEngine
from appliance.live.reading import ReadingLoop
from appliance.store.db import Database
from appliance.sync.service import SyncService
from appliance.vision.reader import CardReader

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
BUS = web.AppKey("bus", Bus)
ENGINE = web.AppKey("engine", SessionEngine)
CAMERA = web.AppKey("camera", CameraRunner)
READING = web.AppKey("reading", ReadingLoop)
READER = web.AppKey("reader", CardReader)
SIM = web.AppKey("sim", SimClassroom)  # only in apps whose camera is the simulated classroom
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)  # the reading loop's threads
WORK = web.AppKey("work", ThreadPoolExecutor)  # request-side CPU work: hashes, PDFs, JPEGs, photo decoding
LOGIN_LIMITER = web.AppKey("login_limiter", LoginGuard)
# The key of the known-device cookies (accounts/devices.py), kept in the data folder.
DEVICE_KEY = web.AppKey("device_key", bytes)
# Every open live socket and whose login it rides on.
LIVE_CLIENTS = web.AppKey("live_clients", LiveClients)
# The port actually bound (differs from settings when port 0 asked for a free one).
PORT = web.AppKey("port", int)
STARTED_AT = web.AppKey("started_at", float)
# PDFs are built one at a time: ten teachers pressing "Print" at once queue instead of starving the reader.
PRINT_SLOT = web.AppKey("print_slot", asyncio.Semaphore)
# The names a request's Host may carry (DNS rebinding).
ALLOWED_HOSTS = web.AppKey("allowed_hosts", HostAllowList)
# The HTTPS port actually bound and the certificate it serves; both absent when the appliance serves plain
# HTTP only (demo mode, server.https off).
HTTPS_PORT = web.AppKey("https_port", int)
TLS = web.AppKey("tls", TlsState)
# Images are decoded one at a time (uploads, class photos): a burst of them cannot exhaust a Pi's memory.
DECODE_SLOT = web.AppKey("decode_slot", asyncio.Semaphore)
# Uploaded spreadsheets are read in child processes, two at a time at most (appliance/http/isolated.py).
IMPORT_SLOT = web.AppKey("import_slot", asyncio.Semaphore)
# One text quiz file parsed at a time: the work threads also hash passwords, and a login must not queue
# behind megabytes of GIFT (more uploads meanwhile get 503).
TEXT_IMPORT_SLOT = web.AppKey("text_import_slot", asyncio.Semaphore)
SYNC = web.AppKey("sync", SyncService)
# The bearer token `argus sync ...` reads from <data dir>/local-admin.json (loopback only).
LOCAL_ADMIN_TOKEN = web.AppKey("local_admin_token", str)
