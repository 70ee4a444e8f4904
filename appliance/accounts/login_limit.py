"""Password guesses limited per key (an address, a username, an account): a sliding window of attempts.

An attempt is counted *before* the slow password hash is awaited, so forty guesses sent at once cannot all
slip past the check while the first ones are still hashing. A correct password takes back only its own
attempt: it never clears failures someone else made, for another username or from another address.

Logins (`LoginGuard`) are limited so that a stranger cannot turn the limit into a lockout of the real user:
per (address, username) in a short window; per address, where only wrong guesses count and a right password
still passes; and for the username as a whole a larger budget over a longer window, which once spent refuses
only addresses that have themselves failed several times for that username, and never a browser that logged
in as that user before (its device cookie). docs/SECURITY.md states the rule. Pure: time is passed in.
"""
from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass

from appliance.config import LoginSettings


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
        return self.record(keys, now)

    def record(self, keys: tuple[str, ...], now: float) -> Attempt:
        """Count one attempt under every key, whatever their state."""
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


# Failures for one username from one address within the username window before that address counts as one
# of its guessers: the real user's typo or two never marks their own address.
GUESSER_FAILURES = 3
# Wrong passwords from one known-device cookie before it stops being one: a stolen cookie gets this many
# guesses in all, not 5 a minute forever.
DEVICE_FAILURES = 10


@dataclass(frozen=True)
class LoginAttempt:
    parts: tuple[tuple[LoginLimiter, Attempt], ...]
    # > 0 when the address has used up its per-minute wrong guesses: the guess is still checked for a
    # username that exists (a right password passes), and a wrong one is refused with this wait.
    address_wait: float = 0.0


class LoginGuard:
    """The login rule (module docstring); `others` limits the setup code and password changes as before."""

    def __init__(self, settings: LoginSettings, max_keys: int = 4096):
        long = settings.username_window_minutes * 60.0
        self.others = LoginLimiter(max_keys=max_keys)
        self._address = LoginLimiter(settings.attempts_per_address, 60.0, max_keys)
        self._pair = LoginLimiter(settings.attempts_per_address_and_username, 60.0, max_keys)
        self._username = LoginLimiter(settings.failures_per_username, long, max_keys)
        # (address, username) pairs with GUESSER_FAILURES failures within the window: the username's guessers
        self._failed_from = LoginLimiter(GUESSER_FAILURES, long, max_keys)
        self._device_failures: OrderedDict[str, int] = OrderedDict()
        self._max_keys = max_keys

    def known(self, device: str | None) -> str | None:
        """`device`, unless it has failed DEVICE_FAILURES times: then it is an unknown browser again."""
        if device is None or self._device_failures.get(device, 0) >= DEVICE_FAILURES:
            return None
        return device

    def device_failed(self, device: str) -> None:
        self._device_failures[device] = self._device_failures.get(device, 0) + 1
        self._device_failures.move_to_end(device)
        while len(self._device_failures) > self._max_keys:
            # the oldest go first; a revoked device pushed out is still bound to the password (devices.py)
            self._device_failures.popitem(last=False)

    def begin(self, address: str, username: str, device: str | None, now: float) -> LoginAttempt:
        """Count a password guess for `username` from `address`, or raise Limited. `device`: the known-device
        cookie's id when the browser logged in as this user before; it has its own per-minute limit instead of
        its address's, so strangers sharing the address (a school's NAT) cannot fill it."""
        if device is not None:
            key = f"device\n{device}\n{username}"
            own = self._pair.begin((key,), now)
            return LoginAttempt(((self._pair, own), (self._username, self._username.record((username,), now))))
        pair = f"{address}\n{username}"
        wait = self._pair.retry_after(pair, now)
        if self._username.retry_after(username, now) > 0:
            wait = max(wait, self._failed_from.retry_after(pair, now))
        if wait > 0:
            raise Limited(wait)
        over = self._address.retry_after(address, now)  # its wrong guesses before this one
        return LoginAttempt(((self._address, self._address.record((address,), now)),
                             (self._pair, self._pair.record((pair,), now)),
                             (self._username, self._username.record((username,), now)),
                             (self._failed_from, self._failed_from.record((pair,), now))),
                            address_wait=over)

    def succeeded(self, attempt: LoginAttempt) -> None:
        for limiter, part in attempt.parts:
            limiter.succeeded(part)
