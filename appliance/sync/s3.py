"""Any S3-compatible store through obstore (Rust object_store: async, small arm64 wheels, no SDK).
Create-only writes are PUT with If-None-Match: * (mode="create"); obstore's own retries are off because the
uploader's backoff (with jitter, across rounds, visible to the admin) is the one place retries happen.
obstore does not hand response headers to its caller, so an S3 Retry-After (rare: S3 signals SlowDown with a
503 and no header) is not seen here; the exponential backoff applies. WebDAV and webhooks honour it."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import time

import obstore
from obstore import exceptions as oe
from obstore.store import S3Store

from appliance.config import SyncSettings
from appliance.sync.batches import signature_name
from appliance.sync.targets import Fatal, Retryable, TargetSpec

_STATUS = re.compile(r"status code: (\d{3})|status: (\d{3})")


def _short(exc: Exception) -> str:
    first = str(exc).split("\n\nDebug source", 1)[0]
    return re.sub(r"\s+", " ", first)[:300]


class S3Target:
    needs_clock = False

    def __init__(self, spec: TargetSpec, settings: SyncSettings, credentials: dict[str, str]):
        self.description = f"s3://{spec.url}/{spec.prefix}"
        self._timeout = settings.timeout_seconds
        options = {"timeout": f"{int(settings.timeout_seconds)}s", "connect_timeout": "10s"}
        if settings.endpoint.startswith("http://"):
            options["allow_http"] = "true"
        no_retry = {"max_retries": 0, "retry_timeout": dt.timedelta(seconds=settings.timeout_seconds),
                    "backoff": {"init_backoff": dt.timedelta(seconds=1), "max_backoff": dt.timedelta(seconds=1),
                                "base": 2}}
        extra = {"endpoint": settings.endpoint} if settings.endpoint else {}
        self._store = S3Store(spec.url, prefix=spec.prefix or None, region=settings.region,
                              access_key_id=credentials["access_key_id"],
                              secret_access_key=credentials["secret_access_key"],
                              client_options=options, retry_config=no_retry, **extra)

    async def _put_one(self, name: str, data: bytes, content_type: str) -> bool:
        started = time.monotonic()
        try:
            await asyncio.wait_for(obstore.put_async(self._store, name, data, mode="create",
                                                     attributes={"Content-Type": content_type}),
                                   self._timeout + 5)
            return True
        except (oe.AlreadyExistsError, oe.PreconditionError):
            return False
        except (oe.PermissionDeniedError, oe.UnauthenticatedError) as exc:
            raise Fatal(f"the S3 store refused the credentials: {_short(exc)}") from None
        except oe.NotFoundError as exc:
            raise Fatal(f"the S3 bucket was not found: {_short(exc)}") from None
        except TimeoutError:
            raise Retryable(f"upload to the S3 store timed out after {self._timeout:.0f} s") from None
        except oe.BaseError as exc:
            if time.monotonic() - started >= self._timeout * 0.95:  # obstore reports its timeout as a send error
                raise Retryable(f"upload to the S3 store timed out after {self._timeout:.0f} s") from None
            text = _short(exc)
            match = _STATUS.search(str(exc))
            status = int(next(g for g in match.groups() if g)) if match else None
            if status in (400, 404) and "NoSuchBucket" in str(exc):
                raise Fatal(f"the S3 bucket does not exist: {text}") from None
            raise Retryable(f"S3 upload failed: {text}") from None

    async def put(self, name: str, data: bytes, content_type: str, signature: bytes) -> bool:
        created = await self._put_one(name, data, content_type)
        await self._put_one(signature_name(name), signature, "application/octet-stream")
        return created

    async def close(self) -> None:
        pass
