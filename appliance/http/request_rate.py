"""Requests allowed per client address in a sliding window, for anonymous endpoints. Pure, time passed in."""
from __future__ import annotations

from collections import OrderedDict, deque


class RequestRate:
    def __init__(self, per_window: int, window_seconds: float = 60.0, max_clients: int = 4096):
        self._per_window = per_window
        self._window = window_seconds
        self._max_clients = max_clients
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def admit(self, client: str, now: float) -> float:
        """0 and the request is counted, or the seconds until this client may ask again (not counted)."""
        times = self._seen.pop(client, None) or deque()
        while times and times[0] <= now - self._window:
            times.popleft()
        self._seen[client] = times  # newest last, so the oldest clients are forgotten first
        while len(self._seen) > self._max_clients:  # bounded memory under a spray of addresses
            self._seen.popitem(last=False)
        if len(times) >= self._per_window:
            return max(0.001, times[0] + self._window - now)
        times.append(now)
        return 0.0
