"""An HTTPS webhook signed the Standard Webhooks way: webhook-id (stable per object, the receiver's
idempotency key), webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>" with
the shared "whsec_..." secret. The body is JSON carrying the object's name, its bytes (base64) and their
Ed25519 signature, so a receiver can store exactly what an S3 target would hold."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import aiohttp

from appliance.config import SyncSettings
from appliance.sync.http_errors import failure
from appliance.sync.targets import Fatal, Retryable, TargetSpec


def _secret_bytes(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        raise Fatal("the webhook secret in the credentials file is not base64 (expected whsec_...)") from None


def sign(secret: bytes, msg_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class WebhookTarget:
    needs_clock = True  # receivers reject timestamps more than minutes off

    def __init__(self, spec: TargetSpec, settings: SyncSettings, credentials: dict[str, str], appliance_id: str):
        self.description = spec.url
        self._url = spec.url
        self._secret = _secret_bytes(credentials["secret"])
        self._appliance_id = appliance_id
        self._timeout = settings.timeout_seconds
        self._session: aiohttp.ClientSession | None = None

    async def put(self, name: str, data: bytes, content_type: str, signature: bytes) -> bool:
        body = json.dumps({"type": "argus.object", "appliance_id": self._appliance_id, "name": name,
                           "content_type": content_type, "signature": base64.b64encode(signature).decode(),
                           "data": base64.b64encode(data).decode()}, separators=(",", ":"))
        msg_id = "msg_" + hashlib.sha256(f"{self._appliance_id}/{name}".encode()).hexdigest()[:32]
        timestamp = int(time.time())
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
                   "webhook-signature": sign(self._secret, msg_id, timestamp, body),
                   "Content-Type": "application/json"}
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(
                total=self._timeout, connect=min(10.0, self._timeout)))
        try:
            async with self._session.post(self._url, data=body.encode(), headers=headers) as response:
                await response.read()
        except TimeoutError:
            raise Retryable(f"webhook timed out after {self._timeout:.0f} s") from None
        except aiohttp.ClientError as exc:
            raise Retryable(f"webhook unreachable: {exc}") from None
        if 200 <= response.status < 300:
            return True
        raise failure("the webhook", response.status, response.headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
