"""systemd integration without libsystemd: readiness, status and watchdog notifications (sd_notify).

The protocol is one datagram of newline-separated KEY=VALUE lines sent to the AF_UNIX socket named by
$NOTIFY_SOCKET (a path, or an abstract name written with a leading '@'). systemd sets it only for
Type=notify units, so outside systemd `Notifier.from_env()` returns None and nothing here runs.

Pings come from the event loop itself (`watchdog_loop`), so a loop stalled by a blocking call stops them and
systemd restarts the service after WatchdogSec.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


def _address(value: str) -> str | bytes | None:
    """The socket address for a $NOTIFY_SOCKET value, or None if it is not an AF_UNIX address we can use."""
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # abstract namespace: leading NUL, no file on disk
    if value.startswith("/"):
        return value
    return None  # e.g. "vsock:..." (systemd 254+ in VMs): not used on a Pi


class Notifier:
    """Sends sd_notify datagrams on one non-blocking socket; a failed send is logged, never raised."""

    def __init__(self, address: str | bytes):
        self.address = address
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        # Non-blocking: a full receive queue in PID 1 must never stall the event loop.
        self._sock.setblocking(False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier | None:
        value = (os.environ if environ is None else environ).get("NOTIFY_SOCKET", "")
        if not value:
            return None
        address = _address(value)
        if address is None:
            log.warning("NOTIFY_SOCKET=%r is not an AF_UNIX socket; systemd notifications disabled", value)
            return None
        return cls(address)

    def send(self, message: str) -> bool:
        try:
            self._sock.sendto(message.encode(), self.address)
        except OSError as exc:
            log.warning("systemd notification %r failed: %s", message.split("\n", 1)[0], exc)
            return False
        return True

    def ready(self) -> bool:
        return self.send("READY=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def status(self, text: str) -> bool:
        # One line only: a newline would start a new (bogus) assignment.
        return self.send("STATUS=" + " ".join(text.splitlines()))

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> Notifier:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between pings (half of WatchdogSec, as sd_watchdog_enabled advises), or None if not asked for.

    $WATCHDOG_PID, when set, names the process the watchdog is meant for; a child that inherited the
    environment must not ping on its parent's behalf.
    """
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    pid = env.get("WATCHDOG_PID")
    if pid:
        try:
            if int(pid) != os.getpid():
                return None
        except ValueError:
            return None
    return usec / 2 / 1_000_000


async def watchdog_loop(notifier: Notifier, interval: float,
                        healthy: Callable[[], bool] | None = None) -> None:
    """Ping every `interval` seconds until cancelled. `healthy`, if given, is called first (on the loop; it must
    be quick) and a False result skips that ping, so a stuck component can also get the service restarted."""
    while True:
        if healthy is None or healthy():
            notifier.watchdog()
        else:
            log.warning("skipping the systemd watchdog ping: health check failed")
        await asyncio.sleep(interval)


__all__ = ["Notifier", "watchdog_interval", "watchdog_loop"]
