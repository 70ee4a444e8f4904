"""Who holds each open live socket: caps per network address, slots kept for teachers, and closing the
sockets of a login that has ended (logout, new password, an admin's reset, expiry)."""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import WSCloseCode, web

from appliance.classroom.models import User
from appliance.config import ServerSettings

# 4000-4999 are ours to give; the page's reconnect then arrives without the ended login.
LOGIN_ENDED = 4001


@dataclass(frozen=True)
class LiveClient:
    ws: web.WebSocketResponse
    address: str
    user: User | None
    token: str | None
    # Set when the login ends; the socket's handler then closes it (a logout never waits for a slow client).
    login_ended: asyncio.Event = field(default_factory=asyncio.Event)


class LiveClients:
    def __init__(self, limits: ServerSettings):
        self._limits = limits
        self._clients: dict[web.WebSocketResponse, LiveClient] = {}
        self._anonymous_by_address: Counter[str] = Counter()

    def refusal(self, user: User | None, address: str) -> str | None:
        """Why a new socket may not open now, or None. Logged-in teachers may use the slots kept for them."""
        limits = self._limits
        if len(self._clients) >= limits.max_websocket_clients:
            return "too many live screens are connected; close one and retry"
        if user is not None:
            return None
        anonymous = sum(self._anonymous_by_address.values())
        if anonymous >= max(1, limits.max_websocket_clients - limits.reserved_login_sockets):
            return "too many live screens are connected; close one and retry"
        if self._anonymous_by_address[address] >= limits.max_anonymous_per_address:
            return f"too many live screens from this device ({limits.max_anonymous_per_address}); close one"
        return None

    def add(self, client: LiveClient) -> None:
        self._clients[client.ws] = client
        if client.user is None:
            self._anonymous_by_address[client.address] += 1

    def discard(self, ws: web.WebSocketResponse) -> None:
        client = self._clients.pop(ws, None)
        if client is not None and client.user is None:
            self._anonymous_by_address[client.address] -= 1
            if self._anonymous_by_address[client.address] <= 0:
                del self._anonymous_by_address[client.address]

    def end_login(self, token: str) -> None:
        """A logout: that login's sockets close at once."""
        for client in self._clients.values():
            if client.token == token:
                client.login_ended.set()

    def end_user(self, user_id: int) -> None:
        """Every login of this user ended (new password, reset, account disabled): all their sockets close."""
        for client in self._clients.values():
            if client.user is not None and client.user.id == user_id:
                client.login_ended.set()

    async def close_all(self, why: bytes = b"appliance stopping") -> None:
        await asyncio.gather(*(c.ws.close(code=WSCloseCode.GOING_AWAY, message=why)
                               for c in list(self._clients.values())), return_exceptions=True)

    def __len__(self) -> int:
        return len(self._clients)
