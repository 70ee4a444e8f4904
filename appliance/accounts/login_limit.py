"""Login attempts limited per client address: a sliding window of failures. Pure, time passed in."""
from __future__ import annotations

from collections import OrderedDict, deque


class LoginLimiter:
    def __init__(self, max_failures: int = 5, window_seconds: float = 60.0, max_clients: int = 1024):
        self._max = max_failures
        self._window = window_seconds
        self._max_clients = max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def retry_after(self, client: str, now: float) -> float:
        """Seconds until this client may try again; 0 when it may try now."""
        times = self._recent(client, now)
        if len(times) < self._max:
            return 0.0
        return max(0.0, times[0] + self._window - now)

    def failed(self, client: str, now: float) -> None:
        times = self._recent(client, now)
        times.append(now)
        self._failures[client] = times
        self._failures.move_to_end(client)
        while len(self._failures) > self._max_clients:  # bounded memory under a spray of addresses
            self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
