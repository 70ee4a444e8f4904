"""mDNS: advertise the web UI as `_http._tcp` so teachers can open http://argus.local/ ."""
from __future__ import annotations

import ipaddress
import logging
import socket

import ifaddr
from zeroconf import IPVersion, ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

from appliance import __version__
from appliance.config import Settings

log = logging.getLogger(__name__)
SERVICE_TYPE = "_http._tcp.local."


def _addresses(host: str) -> list[str]:
    """The addresses to announce: the bound one, or every non-loopback IPv4 address for a wildcard bind."""
    if host not in ("0.0.0.0", "", "::"):
        return [socket.gethostbyname(host)]
    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and not ipaddress.ip_address(ip.ip).is_loopback:
                found.append(ip.ip)
    return found or ["127.0.0.1"]


class Advertisement:
    def __init__(self, zeroconf: AsyncZeroconf, info: ServiceInfo):
        self._zeroconf = zeroconf
        self.info = info

    async def close(self) -> None:
        await self._zeroconf.async_unregister_service(self.info)
        await self._zeroconf.async_close()


async def advertise(settings: Settings, port: int) -> Advertisement:
    addresses = _addresses(settings.server.host)
    interfaces = addresses if all(ipaddress.ip_address(a).is_loopback for a in addresses) else None
    zeroconf = AsyncZeroconf(interfaces=interfaces or "all", ip_version=IPVersion.V4Only)
    info = ServiceInfo(
        SERVICE_TYPE,
        f"{settings.mdns.name}.{SERVICE_TYPE}",
        port=port,
        parsed_addresses=addresses,
        server=f"{settings.mdns.hostname}.local.",
        properties={"path": "/", "version": __version__},
    )
    try:
        # Another Argus in the building may already use the name: take "Argus Classroom (2)" then.
        await zeroconf.async_register_service(info, allow_name_change=True)
    except BaseException:
        await zeroconf.async_close()
        raise
    log.info("advertising %s at %s.local:%s (%s)", info.name, settings.mdns.hostname, port, ", ".join(addresses))
    return Advertisement(zeroconf, info)
