""""Test connection" says in words what a real server did: a certificate nobody trusts (a real TLS server with
a self-made certificate), a clock too far off (a WebDAV server whose Date is two hours ahead; an S3 endpoint
answering RequestTimeTooSkewed as AWS does). The servers are real aiohttp servers on loopback ports."""
from __future__ import annotations

import email.utils
import ssl
import time

import pytest
from aiohttp import web

from appliance.config import SyncSettings
from appliance.host.tls import make_self_signed
from appliance.sync.probe import test_connection as probe_connection

S3_KEYS = {"access_key_id": "k", "secret_access_key": "s"}
DAV_KEYS = {"username": "u", "password": "p"}


async def _serve(handler, tmp_path, tls: bool = False):
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    context = None
    if tls:
        pem = tmp_path / "server.pem"
        pem.write_bytes(make_self_signed("files.school.example", [], time.time()))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(pem)
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    return runner, port


async def _ok(request: web.Request) -> web.Response:
    return web.Response(status=201)


@pytest.mark.parametrize("kind", ["webdav", "s3"])
async def test_an_untrusted_certificate_is_named(tmp_path, kind):
    runner, port = await _serve(_ok, tmp_path, tls=True)
    try:
        if kind == "webdav":
            settings = SyncSettings(target=f"webdav+https://127.0.0.1:{port}/dav", timeout_seconds=5.0)
            error = await probe_connection(settings, DAV_KEYS, "a1")
        else:
            settings = SyncSettings(target="s3://results/x", endpoint=f"https://127.0.0.1:{port}", timeout_seconds=5.0)
            error = await probe_connection(settings, S3_KEYS, "a1")
    finally:
        await runner.cleanup()
    assert error is not None and "certificate is not trusted" in error, error


async def test_a_clock_two_hours_off_is_named_from_the_webdav_server_date(tmp_path):
    async def refuse(request: web.Request) -> web.Response:
        ahead = email.utils.formatdate(time.time() + 7200, usegmt=True)
        return web.Response(status=401, headers={"Date": ahead})

    runner, port = await _serve(refuse, tmp_path)
    try:
        error = await probe_connection(SyncSettings(target=f"webdav+http://127.0.0.1:{port}/dav"), DAV_KEYS, "a1")
    finally:
        await runner.cleanup()
    assert error is not None and "clock is 120 minutes off" in error, error


async def test_s3_request_time_too_skewed_is_named(tmp_path):
    async def skewed(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=403, content_type="application/xml", text=(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>The difference '
            "between the request time and the current time is too large.</Message></Error>"))

    runner, port = await _serve(skewed, tmp_path)
    try:
        error = await probe_connection(SyncSettings(target="s3://results/x", endpoint=f"http://127.0.0.1:{port}"),
                                       S3_KEYS, "a1")
    finally:
        await runner.cleanup()
    assert error is not None and "clock is too far from the server's" in error, error
