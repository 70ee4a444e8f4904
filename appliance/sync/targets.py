"""Where batches go: one target at a time, named by sync.target. Each target's put() is create-only where the
protocol allows it (a 412 means a previous try already delivered it) and raises Retryable or Fatal, never
anything else, so the uploader can tell "try again later" from "stop and tell the admin"."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from appliance.config import SyncSettings


class DeliveryError(RuntimeError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Retryable(DeliveryError):
    """The target is down, slow or busy: try again after a backoff."""


class Fatal(DeliveryError):
    """Credentials refused, bucket missing...: retrying cannot help until the admin fixes it."""


class TargetConfigError(ValueError):
    pass


class Target(Protocol):
    # True for a webhook: its timestamps must be right, so it waits until the clock is set.
    needs_clock: bool
    description: str

    async def put(self, name: str, data: bytes, content_type: str, signature: bytes) -> bool:
        """Deliver one object and its signature; True if written now, False if it was already there."""

    async def close(self) -> None: ...


@dataclass(frozen=True)
class TargetSpec:
    kind: str        # "s3" | "webdav" | "webhook"
    url: str         # for webdav and webhook: the base URL; for s3: the bucket name
    prefix: str      # s3 key prefix ("" for none)


def parse(target: str) -> TargetSpec | None:
    """None when sync is off; TargetConfigError naming sync.target when the URL is not one we know."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise TargetConfigError(f"sync.target: {target!r} needs a bucket: s3://BUCKET/PREFIX")
        return TargetSpec("s3", parts.netloc, parts.path.strip("/"))
    if parts.scheme in ("webdav+https", "webdav+http"):
        if not parts.netloc:
            raise TargetConfigError(f"sync.target: {target!r} needs a host: webdav+https://HOST/PATH")
        base = f"{parts.scheme.removeprefix('webdav+')}://{parts.netloc}{parts.path.rstrip('/')}"
        return TargetSpec("webdav", base, "")
    if parts.scheme in ("https", "http"):
        if not parts.netloc:
            raise TargetConfigError(f"sync.target: {target!r} needs a host: https://HOST/PATH")
        return TargetSpec("webhook", target, "")
    raise TargetConfigError(f"sync.target: {target!r} is not s3://..., webdav+https://... or https://...")


NEEDED_CREDENTIALS = {"s3": ("access_key_id", "secret_access_key"), "webdav": ("username", "password"),
                      "webhook": ("secret",)}


def credentials_path(settings: SyncSettings) -> Path:
    return Path(settings.credentials_file)
