"""Start and stop the appliance's web server on a socket we bind ourselves.

Binding first means "port in use" is a clear message before anything else starts, and with port 0 the
real port is known before the app starts (mDNS and the QR code need it).
"""
from __future__ import annotations

import errno
import logging
import socket
import time
from dataclasses import dataclass

from aiohttp import web

from appliance.app import StartupError, create_app
from appliance.config import Settings
from appliance.host import names
from appliance.host.tls import CertificateFiles, TlsState
from appliance.http.connections import ConnectionLimits, GuardedSite, quiet_asyncio

log = logging.getLogger(__name__)
__all__ = ["StartupError", "RunningServer", "start_server", "bind", "serves_https"]


def serves_https(settings: Settings) -> bool:
    # Demo mode listens on loopback only and its password is public: plain HTTP keeps it simple.
    return settings.server.https and not settings.demo


def bind(host: str, port: int, change_with: str = "--port") -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(f"port {port} on {host} is already in use (is Argus already running?); "
                               f"choose another with {change_with}") from None
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


@dataclass
class RunningServer:
    app: web.Application
    runner: web.AppRunner
    port: int  # plain HTTP (only redirects to HTTPS when https_port is set)
    host: str  # where a browser on this machine reaches it
    https_port: int | None = None
    tls: TlsState | None = None

    @property
    def http_url(self) -> str:
        return f"http://{self._host_in_url}:{self.port}"

    @property
    def url(self) -> str:
        if self.https_port is None:
            return self.http_url
        return f"https://{self._host_in_url}:{self.https_port}"

    @property
    def _host_in_url(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    async def stop(self) -> None:
        await self.runner.cleanup()


def _certificate_addresses(settings: Settings) -> list[str]:
    host = settings.server.host
    if host not in ("0.0.0.0", "", "::"):
        return [host]
    return sorted(names.local_addresses())


async def start_server(settings: Settings) -> RunningServer:
    sock = bind(settings.server.host, settings.server.port)
    port = sock.getsockname()[1]
    sockets = [sock]
    tls = secure_sock = https_port = runner = None
    try:
        if serves_https(settings):
            secure_sock = bind(settings.server.host, settings.server.https_port, "server.https_port in the config")
            sockets.append(secure_sock)
            https_port = secure_sock.getsockname()[1]
            tls = TlsState(CertificateFiles(settings.data_dir), f"{settings.mdns.hostname}.local",
                           _certificate_addresses(settings), time.time())
            log.info("HTTPS on port %s with %s certificate, SHA-256 fingerprint %s", https_port,
                     "the appliance's own" if tls.info.self_made else "the installed", tls.info.fingerprint_sha256)
        app = create_app(settings, port, https_port=https_port, tls=tls)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=3.0, access_log=None,
                               keepalive_timeout=settings.server.idle_timeout_seconds)
        await runner.setup()
    except BaseException:
        if runner is not None:
            # Unwind every resource that did start (camera thread, executors): else the process cannot exit.
            await runner.cleanup()
        for s in sockets:
            s.close()
        raise
    quiet_asyncio()
    limits = ConnectionLimits(settings.server)
    try:
        await GuardedSite(runner, sock, limits).start()
        if secure_sock is not None:
            await GuardedSite(runner, secure_sock, limits, ssl_context=tls.context).start()
    except BaseException:
        await runner.cleanup()
        for s in sockets:
            s.close()
        raise
    host = settings.server.host
    return RunningServer(app, runner, port, "127.0.0.1" if host in ("0.0.0.0", "", "::") else host, https_port, tls)
