"""mDNS: a separate zeroconf browser on the same machine finds and resolves the appliance."""
from __future__ import annotations

import asyncio

from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from appliance.host.discovery import SECURE_SERVICE_TYPE, SERVICE_TYPE
from appliance.server import start_server


async def _resolve(service_type: str, name: str) -> AsyncServiceInfo:
    browser_zc = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    found: asyncio.Queue[str] = asyncio.Queue()

    def on_change(zeroconf, service_type, name, state_change):
        if state_change is ServiceStateChange.Added:
            found.put_nowait(name)

    browser = AsyncServiceBrowser(browser_zc.zeroconf, service_type, handlers=[on_change])
    try:
        seen = None
        while seen != f"{name}.{service_type}":
            seen = await asyncio.wait_for(found.get(), 10)
        info = AsyncServiceInfo(service_type, seen)
        assert await info.async_request(browser_zc.zeroconf, 3000)
        return info
    finally:
        await browser.async_cancel()
        await browser_zc.async_close()


async def test_with_https_the_advert_points_at_the_https_port(settings_factory):
    settings = settings_factory(demo=False, server={"https": True, "https_port": 0},
                                mdns={"enabled": True, "name": "Argus Secure Room", "hostname": "argus-secure"})
    server = await start_server(settings)
    try:
        info = await _resolve(SECURE_SERVICE_TYPE, "Argus Secure Room")
        assert info.port == server.https_port != server.port
        assert info.server == "argus-secure.local."
    finally:
        await server.stop()


async def test_the_web_ui_is_advertised_and_resolves(settings_factory):
    settings = settings_factory(mdns={"enabled": True, "name": "Argus Test Room", "hostname": "argus-test"})
    server = await start_server(settings)
    browser_zc = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    found: asyncio.Queue[str] = asyncio.Queue()

    def on_change(zeroconf, service_type, name, state_change):
        if state_change is ServiceStateChange.Added:
            found.put_nowait(name)

    browser = AsyncServiceBrowser(browser_zc.zeroconf, SERVICE_TYPE, handlers=[on_change])
    try:
        name = None
        while name != f"Argus Test Room.{SERVICE_TYPE}":
            name = await asyncio.wait_for(found.get(), 10)
        info = AsyncServiceInfo(SERVICE_TYPE, name)
        assert await info.async_request(browser_zc.zeroconf, 3000)
        assert info.port == server.port
        assert info.server == "argus-test.local."
        assert "127.0.0.1" in info.parsed_addresses()
        assert info.properties[b"path"] == b"/"
    finally:
        await browser.async_cancel()
        await browser_zc.async_close()
        await server.stop()


async def test_a_network_that_refuses_multicast_costs_the_name_not_the_appliance(settings_factory, monkeypatch,
                                                                                caplog):
    """Seen under qemu-user (and on networks without multicast): zeroconf's setsockopt fails with ENOPROTOOPT.
    The appliance starts anyway, serves its pages, and says in the log why argus.local will not resolve."""
    import errno
    import urllib.request

    from appliance.host import discovery

    async def refused(*args, **kwargs):
        raise OSError(errno.ENOPROTOOPT, "Protocol not available")

    monkeypatch.setattr(discovery, "advertise", refused)
    settings = settings_factory(mdns={"enabled": True, "name": "Argus No Multicast", "hostname": "argus-nomc"})
    server = await start_server(settings)
    try:
        health = await asyncio.to_thread(urllib.request.urlopen, f"http://127.0.0.1:{server.port}/healthz")
        assert health.status == 200
        assert "mDNS is unavailable" in caplog.text and "Protocol not available" in caplog.text
    finally:
        await server.stop()


async def test_a_resource_that_fails_at_start_is_unwound_so_the_process_can_exit(settings_factory, monkeypatch):
    """Startup stops at the first resource that fails; every one started before it (the camera's thread, the
    executors) is stopped again, so `argus run` exits with the error instead of hanging."""
    import threading

    import pytest

    from appliance.host import discovery

    async def broken(*args, **kwargs):
        raise RuntimeError("mDNS broke in a way nobody expected")

    before = {t.ident for t in threading.enumerate()}
    monkeypatch.setattr(discovery, "advertise", broken)
    settings = settings_factory(mdns={"enabled": True, "name": "Argus Broken", "hostname": "argus-broken"})
    with pytest.raises(RuntimeError, match="nobody expected"):
        await start_server(settings)
    for _ in range(100):
        # The loop's own default executor (asyncio_N) goes with the loop; anything else would keep the process.
        left = [t for t in threading.enumerate()
                if t.ident not in before and not t.daemon and not t.name.startswith("asyncio_")]
        if not left:
            break
        await asyncio.sleep(0.05)
    assert not left, f"threads still running after a failed start: {[t.name for t in left]}"
