"""HTTP statuses to the uploader's two kinds of failure (shared by WebDAV and the webhook)."""
from __future__ import annotations

import time

from appliance.sync.backoff import parse_retry_after
from appliance.sync.targets import Fatal, Retryable

FATAL_STATUSES = {401: "refused the credentials (401)", 403: "refused access (403)",
                  410: "says this endpoint is gone (410)"}


def failure(what: str, status: int, headers) -> Exception:
    if status in FATAL_STATUSES:
        return Fatal(f"{what} {FATAL_STATUSES[status]}")
    retry_after = parse_retry_after(headers.get("Retry-After"), time.time())
    return Retryable(f"{what} answered {status}", retry_after)
