"""sd_notify protocol against real AF_UNIX datagram sockets, standing in for systemd's (PID 1) end."""
from __future__ import annotations

import asyncio
import os
import socket
import threading
import time

import pytest

from appliance.host.systemd import Notifier, watchdog_interval, watchdog_loop


@pytest.fixture
def receiver(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(2)
    yield str(path), sock
    sock.close()


def test_no_socket_means_no_notifier():
    assert Notifier.from_env({}) is None
    assert Notifier.from_env({"NOTIFY_SOCKET": ""}) is None
    assert Notifier.from_env({"NOTIFY_SOCKET": "vsock:2:1234"}) is None


def test_messages_arrive_exactly(receiver, monkeypatch):
    path, sock = receiver
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    with Notifier.from_env() as notifier:
        assert notifier.ready()
        assert notifier.status("serving on :80\ncamera ok")
        assert notifier.watchdog()
        assert notifier.stopping()
    assert [sock.recv(4096) for _ in range(4)] == [
        b"READY=1", b"STATUS=serving on :80 camera ok", b"WATCHDOG=1", b"STOPPING=1"]


def test_abstract_socket():
    name = f"argus-test-{os.getpid()}-{time.monotonic_ns()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(2)
    try:
        with Notifier.from_env({"NOTIFY_SOCKET": "@" + name}) as notifier:
            assert notifier.ready()
        assert sock.recv(4096) == b"READY=1"
    finally:
        sock.close()


def test_send_failure_is_reported_not_raised(tmp_path):
    with Notifier.from_env({"NOTIFY_SOCKET": str(tmp_path / "gone")}) as notifier:
        assert notifier.ready() is False


def test_watchdog_interval():
    assert watchdog_interval({}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid() + 1)}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None


async def test_watchdog_loop_pings_and_stops_when_the_loop_is_blocked(receiver):
    path, sock = receiver
    sock.settimeout(0.05)
    arrivals: list[float] = []
    done = threading.Event()

    def listen():  # a thread, so it keeps stamping arrivals while the event loop is blocked
        while not done.is_set():
            try:
                if sock.recv(64) == b"WATCHDOG=1":
                    arrivals.append(time.monotonic())
            except TimeoutError:
                pass

    listener = threading.Thread(target=listen)
    listener.start()
    notifier = Notifier.from_env({"NOTIFY_SOCKET": path})
    interval = 0.05
    task = asyncio.create_task(watchdog_loop(notifier, interval))
    try:
        await asyncio.sleep(0.5)
        blocked_from = time.monotonic()
        time.sleep(0.6)  # a blocking call on the loop, as a hung handler would make
        blocked_until = time.monotonic()
        await asyncio.sleep(0.3)
    finally:
        task.cancel()
        notifier.close()
        await asyncio.sleep(0.1)
        done.set()
        listener.join()

    before = [t for t in arrivals if t < blocked_from]
    during = [t for t in arrivals if blocked_from + 0.01 < t < blocked_until]
    after = [t for t in arrivals if t >= blocked_until]
    assert len(before) >= 6, "pings every interval while the loop runs"
    assert max(b - a for a, b in zip(before, before[1:])) < interval * 4
    assert during == [], "no ping while the loop is stalled"
    assert after and after[0] - blocked_until < interval * 2, "pings resume as soon as the loop does"


async def test_watchdog_loop_skips_pings_while_unhealthy(receiver):
    path, sock = receiver
    sock.setblocking(False)
    healthy = [True]
    notifier = Notifier.from_env({"NOTIFY_SOCKET": path})
    task = asyncio.create_task(watchdog_loop(notifier, 0.02, healthy=lambda: healthy[0]))
    await asyncio.sleep(0.15)
    healthy[0] = False
    await asyncio.sleep(0.05)
    drained = _drain(sock)
    await asyncio.sleep(0.2)
    task.cancel()
    notifier.close()
    assert drained and set(drained) == {b"WATCHDOG=1"}
    assert _drain(sock) == []


def _drain(sock) -> list[bytes]:
    out = []
    while True:
        try:
            out.append(sock.recv(64))
        except BlockingIOError:
            return out
