"""Password guesses limited per key (an address, a username, an account): a sliding window of attempts.

An attempt is counted *before* the slow password hash is awaited, so forty guesses sent at once cannot all
slip past the check while the first ones are still hashing. A correct password takes back only its own
attempt: it never clears failures someone else made, for another username or from another address.
Pure: time is passed in.
"""
from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass


class Limited(Exception):
    """Too many recent attempts under one of the keys; `retry_after` seconds until the oldest expires."""

    def __init__(self, retry_after: float):
        super().__init__(lockout_message(retry_after))
        self.retry_after = retry_after

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after)))


def lockout_message(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        wait = f"{seconds} second{'' if seconds == 1 else 's'}"
    else:
        minutes = math.ceil(seconds / 60)
        wait = f"{minutes} minute{'' if minutes == 1 else 's'}"
    return f"Too many attempts — try again in {wait}"


@dataclass(frozen=True)
class Attempt:
    keys: tuple[str, ...]
    at: float


class LoginLimiter:
    def __init__(self, max_attempts: int = 5, window_seconds: float = 60.0, max_keys: int = 4096):
        self._max = max_attempts
        self._window = window_seconds
        self._max_keys = max_keys
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._attempts.get(key, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until `key` may try again; 0 when it may try now."""
        times = self._recent(key, now)
        if len(times) < self._max:
            return 0.0
        return max(0.0, times[-self._max] + self._window - now)

    def begin(self, keys: tuple[str, ...], now: float) -> Attempt:
        """Count one attempt under every key, or raise Limited if any key has used up its attempts."""
        wait = max(self.retry_after(key, now) for key in keys)
        if wait > 0:
            raise Limited(wait)
        for key in keys:
            times = self._recent(key, now)
            times.append(now)
            self._attempts[key] = times
            self._attempts.move_to_end(key)
        while len(self._attempts) > self._max_keys:  # bounded memory under a spray of addresses or names
            self._attempts.popitem(last=False)
        return Attempt(tuple(keys), now)

    def succeeded(self, attempt: Attempt) -> None:
        """Take back this one attempt: the right password is not a failure. Other attempts stay counted."""
        for key in attempt.keys:
            times = self._attempts.get(key)
            if times is None:
                continue
            try:
                times.remove(attempt.at)
            except ValueError:
                pass  # already expired from the window
            if not times:
                del self._attempts[key]
