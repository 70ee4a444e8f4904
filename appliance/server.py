"""Start and stop the appliance's web server on a socket we bind ourselves.

Binding first means "port in use" is a clear message before anything else starts, and with port 0 the
real port is known before the app starts (mDNS and the QR code need it).
"""
from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from aiohttp import web

from appliance.app import create_app
from appliance.config import Settings


class StartupError(RuntimeError):
    pass


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(f"port {port} on {host} is already in use (is Argus already running?); "
                               f"choose another with --port") from None
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


@dataclass
class RunningServer:
    app: web.Application
    runner: web.AppRunner
    port: int
    host: str  # where a browser on this machine reaches it

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_server(settings: Settings) -> RunningServer:
    sock = bind(settings.server.host, settings.server.port)
    port = sock.getsockname()[1]
    try:
        app = create_app(settings, port)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=3.0, access_log=None)
        await runner.setup()
    except BaseException:
        sock.close()
        raise
    try:
        await web.SockSite(runner, sock).start()
    except BaseException:
        await runner.cleanup()
        raise
    host = settings.server.host
    return RunningServer(app, runner, port, "127.0.0.1" if host in ("0.0.0.0", "", "::") else host)
