"""When to try again. Pure: the random source is passed in.

Object stores and WebDAV: exponential backoff with full-ish jitter (half to all of 2 s x 2^n, capped), so a
hundred appliances coming back after an outage do not hit the bucket in lockstep. Webhooks: the schedule the
Standard Webhooks spec recommends (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), and then every
10 h for as long as it takes: store-and-forward never gives up on an event. A server's Retry-After is honoured
(waited at least), up to a day.
"""
from __future__ import annotations

import email.utils
import random

BASE_SECONDS = 2.0
WEBHOOK_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
_MOST_RETRY_AFTER = 86_400.0


def exponential(failures: int, cap: float, rng: random.Random) -> float:
    """Seconds to wait after the n-th consecutive failure (n >= 1)."""
    ceiling = min(cap, BASE_SECONDS * 2 ** min(failures - 1, 30))
    return rng.uniform(ceiling / 2, ceiling)


def webhook(failures: int, rng: random.Random) -> float:
    step = WEBHOOK_SCHEDULE[min(failures, len(WEBHOOK_SCHEDULE) - 1)]
    return step * rng.uniform(0.9, 1.1)


def with_retry_after(delay: float, retry_after: float | None) -> float:
    if retry_after is None:
        return delay
    return max(delay, min(retry_after, _MOST_RETRY_AFTER))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
