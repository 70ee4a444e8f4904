"""Which network addresses count as one client for the per-address limits (logins, connections).

IPv4: the address itself (a school NAT hides many devices behind one; config.toml lets the admin raise the
limits). IPv6: a device may rotate through many addresses of its /64, so a remote /64 counts as one client;
but the appliance's own on-link /64 (the classroom LAN, SLAAC) holds every pupil's and teacher's device, so
there, and for link-local addresses, each address counts on its own."""
from __future__ import annotations

import ipaddress


def client_key(remote: str | None, local: str | None) -> str:
    """The key for a client at `remote` that reached the appliance at its own address `local`."""
    if not remote:
        return "unknown"
    try:
        ip = ipaddress.ip_address(remote.split("%")[0])
    except ValueError:
        return remote
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.is_link_local or ip.is_loopback:
        return str(ip)
    prefix = ipaddress.ip_network(f"{ip}/64", strict=False)
    try:
        own = ipaddress.ip_address((local or "").split("%")[0])
    except ValueError:
        own = None
    if own is not None and own.version == 6 and own in prefix:
        return str(ip)  # on-link: the classroom's own LAN
    return str(prefix)
