"""The appliance's own names: what a browser may put in `Host:` and what its certificate covers."""
from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import ifaddr

from appliance.config import Settings

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def local_addresses() -> set[str]:
    """Every IP address of this machine's interfaces (loopback included), without IPv6 scope ids."""
    found = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            address = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            found.add(str(ipaddress.ip_address(address.split("%")[0])))
    return found


def own_names(settings: Settings) -> set[str]:
    """Names (not addresses) that are ours: <hostname>.local, the public URL's host, the system host name."""
    names = {*LOOPBACK_NAMES[:1], f"{settings.mdns.hostname}.local".lower()}
    system = socket.gethostname().lower()
    if system:
        names |= {system, f"{system.split('.')[0]}.local"}
    if settings.server.public_url:
        host = urlsplit(settings.server.public_url).hostname
        if host:
            names.add(host.lower())
    if settings.server.host not in ("0.0.0.0", "", "::"):
        names.add(settings.server.host.lower())
    return names


def split_host(header: str) -> str:
    """The host of a `Host:` header without its port, lower case, IPv6 brackets and a trailing dot removed."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


def canonical(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


class HostAllowList:
    """Answers "is this Host one of ours?". Addresses are re-read (at most every `refresh_seconds`) when an
    unknown address is asked about, so a new DHCP lease is picked up without a restart."""

    def __init__(self, settings: Settings, addresses=local_addresses, refresh_seconds: float = 10.0,
                 clock=time.monotonic):
        self._names = own_names(settings)
        self._read_addresses = addresses
        self._refresh = refresh_seconds
        self._clock = clock
        self._addresses = {*LOOPBACK_NAMES[1:], *addresses()}
        self._read_at = clock()

    def described(self) -> str:
        return ", ".join(sorted(self._names - {"localhost"}) + ["its IP addresses", "localhost"])

    def allows(self, header: str) -> bool:
        host = canonical(split_host(header))
        if host in self._names or host in self._addresses:
            return True
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        if self._clock() - self._read_at >= self._refresh:
            self._addresses = {*LOOPBACK_NAMES[1:], *self._read_addresses()}
            self._read_at = self._clock()
        return host in self._addresses
