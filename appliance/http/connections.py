"""Connection hygiene: slow or many connections from one client cannot use up the server.

Without these, 1,030 connections trickling a byte now and then (the default limit of 1,024 open files) stopped
every HTTPS request for as long as they lasted, and asyncio logged "accept() out of system resource" without
end. Now:
- the TLS handshake and the first request's headers must arrive within `header_timeout_seconds` of the
  connection (asyncio's ssl_handshake_timeout, and a timer here); later requests on a kept-alive connection
  within `idle_timeout_seconds` (aiohttp's keepalive_timeout, which also closes an idle connection);
- one address holds at most `max_connections_per_address` open connections: more are closed at once;
- asyncio's log lines (accept errors among them) are rate-limited per message.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter

from aiohttp import web

from appliance.config import ServerSettings
from appliance.http.addresses import client_key

log = logging.getLogger(__name__)
_HEAD_ENDS = (b"\r\n\r\n", b"\n\n")  # the blank line after a request's headers (bare LF too, as aiohttp reads)


class ConnectionLimits:
    """Open connections per address (shared by the HTTP and HTTPS sockets)."""

    def __init__(self, settings: ServerSettings):
        self.settings = settings
        self.open: Counter[str] = Counter()
        self.refused = 0
        self._said = _RateLimit(10.0)

    def admit(self, address: str) -> bool:
        if self.open[address] >= self.settings.max_connections_per_address:
            self.refused += 1
            if self._said.allow():
                log.warning("closed connections from %s: more than %d open at once (%d refused so far)", address,
                            self.settings.max_connections_per_address, self.refused)
            return False
        self.open[address] += 1
        return True

    def release(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


class _Guard(asyncio.Protocol):
    """aiohttp's protocol behind a doorman: counts the connection under its address and closes it when the
    first request's headers are late. Everything else is passed through unchanged."""

    def __init__(self, inner: asyncio.Protocol, limits: ConnectionLimits):
        self.inner, self.limits = inner, limits
        self.address: str | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.tail = b""
        self.started = False  # a byte other than CR/LF seen: blank lines before a request are not its end

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer, own = transport.get_extra_info("peername"), transport.get_extra_info("sockname")
        # An IPv6 client may use every address of its /64: counted as one (http/addresses.py).
        address = client_key(peer[0] if isinstance(peer, tuple) else None, own[0] if isinstance(own, tuple) else None)
        if not self.limits.admit(address):
            self.inner = None
            transport.abort()
            return
        self.address = address
        self.timer = asyncio.get_running_loop().call_later(self.limits.settings.header_timeout_seconds,
                                                           self._late, transport)
        self.inner.connection_made(transport)

    def _late(self, transport: asyncio.BaseTransport) -> None:
        self.timer = None
        transport.abort()

    def data_received(self, data: bytes) -> None:
        if self.inner is None:
            return
        if self.timer is not None:
            self._look_for_the_end(data)
        self.inner.data_received(data)

    def _look_for_the_end(self, data: bytes) -> None:
        """Cancel the header timer once the first request's headers have ended. CR/LF before the request
        line are skipped (servers ignore them, RFC 9112 2.2): "\r\n\r\n" first would otherwise end it."""
        if not self.started:
            data = data.lstrip(b"\r\n")
            if not data:
                return
            self.started = True
        seen = self.tail + data[:4]
        if any(end in seen or end in data for end in _HEAD_ENDS):
            self.timer.cancel()
            self.timer = None
        else:
            self.tail = (self.tail + data)[-3:]

    def eof_received(self):
        return self.inner.eof_received() if self.inner is not None else None

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.address is not None:
            self.limits.release(self.address)
            self.address = None
        if self.inner is not None:
            self.inner.connection_lost(exc)


class GuardedSite(web.SockSite):
    """web.SockSite whose connections pass the guard, with the TLS handshake bounded like the headers."""

    def __init__(self, runner: web.BaseRunner, sock, limits: ConnectionLimits, **kwargs):
        super().__init__(runner, sock, **kwargs)
        self._limits = limits

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server, limits = self._runner.server, self._limits
        tls = {"ssl_handshake_timeout": limits.settings.header_timeout_seconds} if self._ssl_context else {}
        self._server = await asyncio.get_running_loop().create_server(
            lambda: _Guard(server(), limits), sock=self._sock, ssl=self._ssl_context, backlog=self._backlog, **tls)


class _RateLimit:
    def __init__(self, seconds: float):
        self.seconds, self.last = seconds, -float("inf")

    def allow(self) -> bool:
        now = time.monotonic()
        if now - self.last >= self.seconds:
            self.last = now
            return True
        return False


class RateLimitedLog(logging.Filter):
    """At most one record per message template every `seconds`; the next one let through says how many were
    left out. On asyncio's logger, "socket.accept() out of system resource" comes once a second per socket for
    as long as file descriptors run out."""

    def __init__(self, seconds: float = 10.0):
        super().__init__()
        self.seconds = seconds
        self.last: dict[str, float] = {}
        self.dropped: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        key, now = str(record.msg)[:80], time.monotonic()
        if now - self.last.get(key, -float("inf")) < self.seconds:
            self.dropped[key] += 1
            return False
        if len(self.last) > 1000:
            self.last.clear()
        self.last[key] = now
        if self.dropped[key]:
            record.msg = f"{record.msg} ({self.dropped.pop(key)} more like this in the last {self.seconds:.0f} s)"
        return True


def quiet_asyncio() -> None:
    """Install the rate limit on asyncio's logger once per process."""
    logger = logging.getLogger("asyncio")
    if not any(isinstance(f, RateLimitedLog) for f in logger.filters):
        logger.addFilter(RateLimitedLog())
