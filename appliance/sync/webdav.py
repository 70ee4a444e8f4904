"""WebDAV (Nextcloud, ownCloud, SharePoint): MKCOL the folders, then PUT with If-None-Match: * so a retry of
an object that already arrived gets 412 instead of writing it twice."""
from __future__ import annotations

import base64

import aiohttp

from appliance.config import SyncSettings
from appliance.sync.batches import signature_name
from appliance.sync.http_errors import failure
from appliance.sync.targets import Retryable, TargetSpec


class WebDavTarget:
    needs_clock = False

    def __init__(self, spec: TargetSpec, settings: SyncSettings, credentials: dict[str, str]):
        self.description = spec.url
        self._base = spec.url
        self._timeout = settings.timeout_seconds
        pair = f"{credentials['username']}:{credentials['password']}".encode()
        self._auth = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        self._session: aiohttp.ClientSession | None = None
        self._known_folders: set[str] = set()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(headers=self._auth, timeout=aiohttp.ClientTimeout(
                total=self._timeout, connect=min(10.0, self._timeout)))
        return self._session

    async def _request(self, method: str, path: str, **kwargs) -> aiohttp.ClientResponse:
        try:
            async with self._client().request(method, f"{self._base}/{path}", **kwargs) as response:
                await response.read()
                return response
        except TimeoutError:
            raise Retryable(f"WebDAV {method} timed out after {self._timeout:.0f} s") from None
        except aiohttp.ClientError as exc:
            raise Retryable(f"WebDAV server unreachable: {exc}") from None

    async def _folders(self, name: str) -> None:
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder in self._known_folders:
                continue
            response = await self._request("MKCOL", folder + "/")
            # 201 made it; 405 means it exists already (RFC 4918 9.3.1).
            if response.status not in (201, 405):
                raise failure(f"WebDAV MKCOL {folder}", response.status, response.headers)
            self._known_folders.add(folder)

    async def _put_one(self, name: str, data: bytes, content_type: str) -> bool:
        await self._folders(name)
        response = await self._request("PUT", name, data=data,
                                       headers={"If-None-Match": "*", "Content-Type": content_type})
        if response.status in (200, 201, 204):
            return True
        if response.status == 412:
            return False
        if response.status == 409:  # a parent folder went away (someone tidied the share): make it again
            self._known_folders.clear()
        raise failure(f"WebDAV PUT {name}", response.status, response.headers)

    async def put(self, name: str, data: bytes, content_type: str, signature: bytes) -> bool:
        created = await self._put_one(name, data, content_type)
        await self._put_one(signature_name(name), signature, "application/octet-stream")
        return created

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
