"""mDNS: a separate zeroconf browser on the same machine finds and resolves the appliance."""
from __future__ import annotations

import asyncio

from zeroconf import IPVersion, ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from appliance.host.discovery import SERVICE_TYPE
from appliance.server import start_server


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
