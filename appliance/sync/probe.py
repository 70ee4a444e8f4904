""""Test connection" for the admin page: write a small probe object, read it back, delete it, and say in words
what failed: the server's name not found, the connection refused, a certificate not trusted, the key or
password refused, the clock too far off, the bucket or folder missing, the probe not read back as written.

A webhook cannot be read back: the probe is one signed delivery of a small "argus-probe" object, which the
receiver should answer with 2xx (and may drop).
"""
from __future__ import annotations

import asyncio
import base64
import email.utils
import secrets
import ssl
import time

import aiohttp
import obstore
from obstore import exceptions as oe

from appliance.config import SyncSettings
from appliance.sync import targets
from appliance.sync.s3 import S3Target
from appliance.sync.webhook import WebhookTarget

_SKEW_SECONDS = 900  # S3 refuses a request signed more than 15 minutes off


def _network_words(text: str, where: str) -> str | None:
    """Words for a failure below HTTP, recognised from the client library's message."""
    low = text.lower()
    if any(s in low for s in ("dns error", "name or service not known", "failed to lookup address",
                              "nodename nor servname", "no address associated", "temporary failure in name")):
        return f"the server's name was not found ({where}): check the address"
    if "connection refused" in low:
        return f"the connection was refused ({where}): the server is not listening there (wrong port, or down)"
    if "certificate" in low or "unknownissuer" in low or "ssl" in low and "verify" in low:
        return (f"the server's certificate is not trusted ({where}): use its real name, or install the "
                "school's CA on the appliance")
    if "timed out" in low or "timeout" in low or "deadline" in low:
        return f"the server did not answer in time ({where})"
    return None


def _s3_words(exc: Exception, where: str) -> str:
    text = str(exc).split("\n\nDebug source", 1)[0]
    if "RequestTimeTooSkewed" in text:
        return "the appliance's clock is too far from the server's: set the time (NTP) and try again"
    if "InvalidAccessKeyId" in text:
        return "the access key id is not known to the server: check the credentials"
    if "SignatureDoesNotMatch" in text:
        return "the secret access key is wrong: check the credentials"
    if "NoSuchBucket" in text or isinstance(exc, oe.NotFoundError):
        return f"the bucket was not found ({where}): check its name, or create it"
    if isinstance(exc, (oe.PermissionDeniedError, oe.UnauthenticatedError)) or "AccessDenied" in text:
        return "the server refused the key: check the credentials and that they may write to this bucket"
    # obstore puts the cause (refused, DNS, certificate) in its debug text only.
    return _network_words(str(exc), where) or f"the S3 store said: {' '.join(text.split())[:300]}"


async def _s3(spec: targets.TargetSpec, settings: SyncSettings, secrets_: dict[str, str], name: str) -> None:
    store = S3Target(spec, settings, secrets_)._store  # the very client the uploader will use
    where = settings.endpoint or "AWS S3"
    body = f"argus probe {name}".encode()
    step = "write"
    try:
        await obstore.put_async(store, name, body)
        step = "read back"
        got = bytes(await (await obstore.get_async(store, name)).bytes_async())
        if got != body:
            raise _Failed(f"the probe read back differs from what was written ({len(got)} bytes, not {len(body)})")
        step = "delete"
        await obstore.delete_async(store, name)
    except oe.BaseError as exc:
        raise _Failed(f"could not {step} a test object: {_s3_words(exc, where)}") from None


class _Failed(Exception):
    pass


def _http_words(status: int, headers, what: str) -> str:
    if status in (401, 403):
        return f"{what}: the server refused the username or password ({status})"
    if status in (404, 409):
        return f"{what}: the folder was not found on the server ({status}): check the path"
    if status == 405:
        return f"{what}: the server does not accept WebDAV writes there ({status})"
    return f"{what}: the server answered {status}"


def _skew(headers) -> str | None:
    try:
        theirs = email.utils.parsedate_to_datetime(headers.get("Date", "")).timestamp()
    except (TypeError, ValueError):
        return None
    off = time.time() - theirs
    if abs(off) > _SKEW_SECONDS:
        return f"the appliance's clock is {abs(off) / 60:.0f} minutes off the server's: set the time (NTP)"
    return None


async def _webdav(spec: targets.TargetSpec, settings: SyncSettings, secrets_: dict[str, str], name: str) -> None:
    pair = f"{secrets_['username']}:{secrets_['password']}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    url = f"{spec.url}/{name.rsplit('/', 1)[-1]}"
    body = f"argus probe {name}".encode()
    timeout = aiohttp.ClientTimeout(total=settings.timeout_seconds, connect=min(10.0, settings.timeout_seconds))
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as client:
        for method, what, ok in (("PUT", "writing a test file", (200, 201, 204)),
                                 ("GET", "reading the test file back", (200,)),
                                 ("DELETE", "deleting the test file", (200, 204))):
            try:
                async with client.request(method, url, data=body if method == "PUT" else None) as response:
                    got = await response.read()
                    if response.status not in ok:
                        raise _Failed(_skew(response.headers) or _http_words(response.status, response.headers, what))
                    if method == "GET" and got != body:
                        raise _Failed(f"{what}: it differs from what was written")
            except aiohttp.ClientConnectorCertificateError:
                raise _Failed(_network_words("certificate", spec.url)) from None
            except ssl.SSLError as exc:
                raise _Failed(f"{what}: TLS failed ({exc})") from None
            except aiohttp.ClientConnectorError as exc:
                raise _Failed(f"{what}: " + (_network_words(str(exc), spec.url) or str(exc))) from None
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise _Failed(f"{what}: " + (_network_words(str(exc) or "timed out", spec.url) or str(exc))) from None


async def _webhook(spec: targets.TargetSpec, settings: SyncSettings, secrets_: dict[str, str], name: str,
                   appliance_id: str) -> None:
    target = WebhookTarget(spec, settings, secrets_, appliance_id)
    try:
        await target.put(name, b"argus probe", "text/plain", b"")
    except targets.DeliveryError as exc:
        raise _Failed(f"the webhook did not take a test delivery: {_network_words(str(exc), spec.url) or exc}") from None
    finally:
        await target.close()


async def test_connection(settings: SyncSettings, secrets_: dict[str, str], appliance_id: str) -> str | None:
    """None when a probe object went there and back; otherwise what failed, in words."""
    try:
        spec = targets.parse(settings.target)
    except targets.TargetConfigError as exc:
        return str(exc)
    if spec is None:
        return "no target is set"
    name = f"argus-probe/{appliance_id or 'new'}-{secrets.token_hex(4)}.txt"
    try:
        if spec.kind == "s3":
            await asyncio.wait_for(_s3(spec, settings, secrets_, name), settings.timeout_seconds * 3 + 5)
        elif spec.kind == "webdav":
            await _webdav(spec, settings, secrets_, name)
        else:
            await _webhook(spec, settings, secrets_, name, appliance_id)
    except _Failed as exc:
        return str(exc)
    except TimeoutError:
        return f"the server did not answer within {settings.timeout_seconds:.0f} s"
    return None
