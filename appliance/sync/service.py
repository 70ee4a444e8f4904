"""The uploader: reads the outbox, fixes batches, delivers them in order, and keeps going through outages.

One round: deliver every batch already fixed (oldest first), then fix one more batch (events, or one ended
session's CSV files) and deliver it, until nothing is pending or delivery fails. Fixing one batch at a time
keeps the disk overhead of a month's backlog to a batch or two instead of a second copy of everything; a
batch holds at most sync.batch_events events, which bounds memory; sync.max_kbps paces the bytes.

Failures: Retryable ones back off (exponential with jitter, or the webhook schedule; Retry-After honoured);
Fatal ones (credentials refused, a bad credentials file) stop background retries until the credentials file
changes or the admin presses "Sync now": no retry storm against a server that said no.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from pathlib import Path

from appliance import timesync
from appliance.config import SyncSettings
from appliance.store import outbox
from appliance.store.db import Database, StoreError
from appliance.sync import backoff, batches, credentials, encryption, results, signing, targets
from appliance.sync.s3 import S3Target
from appliance.sync.webdav import WebDavTarget
from appliance.sync.webhook import WebhookTarget

log = logging.getLogger(__name__)
_ENABLED_KEY = "sync_enabled"


def _open_target(spec: targets.TargetSpec, settings: SyncSettings, secrets: dict[str, str],
                 appliance_id: str) -> targets.Target:
    if spec.kind == "s3":
        return S3Target(spec, settings, secrets)
    if spec.kind == "webdav":
        return WebDavTarget(spec, settings, secrets)
    return WebhookTarget(spec, settings, secrets, appliance_id)


class SyncService:
    def __init__(self, db: Database, settings: SyncSettings, data_dir: Path, *,
                 clock_synced: Callable[[], bool] = timesync.synchronised,
                 rng: random.Random | None = None, source: str = "config.toml"):
        self._db = db
        self._data_dir = data_dir
        self._clock_synced = clock_synced
        self._rng = rng or random.Random()
        self._use(settings, source)
        self._enabled = True
        self._appliance_id = ""
        self._key = None
        self._key_error: str | None = None
        self._target: targets.Target | None = None
        self._target_stamp = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._failures = 0
        self._next_try = 0.0          # monotonic
        self._fatal: str | None = None
        self._fatal_stamp = None
        self._last_error: str | None = None
        self._last_error_at: float | None = None
        self._last_success: float | None = None
        self._state = "off"

    def _use(self, settings: SyncSettings, source: str) -> None:
        self._settings, self._source = settings, source
        self._config_error: str | None = None
        try:
            self._spec = targets.parse(settings.target)
            self._recipients = encryption.parse_recipients(settings.encrypt_to)
        except (targets.TargetConfigError, encryption.EncryptionConfigError) as exc:
            self._spec, self._recipients, self._config_error = None, [], str(exc)

    # --- life cycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._load_state()
        self._task = asyncio.create_task(self._run())

    async def reload(self) -> None:
        """The database file was replaced (a restore): read the appliance's id, the on/off flag and the outbox
        again. Called with the database held exclusively, so no round is under way."""
        self._failures, self._next_try, self._fatal, self._state = 0, 0.0, None, "off"
        if self._target is not None:  # a webhook's target carries the appliance id, which the file may change
            await self._target.close()
            self._target, self._target_stamp = None, None
        await self._load_state()
        self._wake.set()

    async def reconfigure(self, settings: SyncSettings, source: str) -> dict:
        """Settings saved on the admin page (or config.toml's again): in force from the next round, no restart.
        Taken between rounds, so a round never mixes two targets."""
        async with self._lock:
            if self._target is not None:
                await self._target.close()
                self._target, self._target_stamp = None, None
            self._use(settings, source)
            self._fatal, self._failures, self._next_try, self._state = None, 0, 0.0, "off"
            self._last_error, self._last_error_at = None, None
            if self.configured and not self._config_error:
                await outbox.start_recording(self._db)
        self._wake.set()
        return await self.status()

    @contextlib.asynccontextmanager
    async def paused(self):
        """No round runs inside: an erasure must not race a round that read the outbox before it and seals
        what it read after."""
        async with self._lock:
            yield

    @property
    def settings(self) -> SyncSettings:
        return self._settings

    async def _load_state(self) -> None:
        self._appliance_id = await outbox.appliance_id(self._db)
        self._enabled = (await outbox.get_flag(self._db, _ENABLED_KEY)) != "0"
        await self.ensure_key()
        if self._config_error:
            log.error("cloud sync is off: %s", self._config_error)
        if self.configured and not self._config_error:
            earlier = await outbox.start_recording(self._db)
            if earlier:
                log.info("cloud sync: %d events of lessons held before sync was set up will be uploaded", earlier)
        else:
            await outbox.discard_unrecorded(self._db)

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._target:
            await self._target.close()

    async def ensure_key(self):
        """The signing key is made when the appliance is claimed (its first admin exists), not before."""
        if self._key is None and (await self._db.fetchone("SELECT count(*) FROM users"))[0]:
            try:
                self._key = await asyncio.get_running_loop().run_in_executor(
                    None, signing.load_or_create, self._data_dir)
            except (OSError, ValueError) as exc:  # a full disk must not stop the appliance from starting
                self._key_error = f"cannot make or read the signing key: {exc}"
                log.error("cloud sync: %s", self._key_error)
        return self._key

    @property
    def appliance_id(self) -> str:
        return self._appliance_id

    @property
    def configured(self) -> bool:
        return self._spec is not None

    async def set_enabled(self, enabled: bool) -> dict:
        await outbox.set_flag(self._db, _ENABLED_KEY, "1" if enabled else "0")
        self._enabled = enabled
        if enabled:
            self._fatal, self._failures, self._next_try = None, 0, 0.0
            self._wake.set()
        return await self.status()

    async def public_key_pem(self) -> str | None:
        key = await self.ensure_key()
        return signing.public_pem(key) if key else None

    # --- status --------------------------------------------------------------------------------------

    async def status(self) -> dict:
        counts = await outbox.counts(self._db)
        pending = counts["pending_events"]
        since = counts["pending_since"]
        if counts["oldest_batch"] is not None:
            since = counts["oldest_batch"] if since is None else min(since, counts["oldest_batch"])
        last_success = self._last_success or counts["last_delivery"]
        retry_in = max(0.0, self._next_try - time.monotonic()) if self._state == "retrying" else None
        return {
            "target": self._settings.target,
            "source": self._source,
            "endpoint": self._settings.endpoint,
            "region": self._settings.region,
            "recipient": self._settings.encrypt_to,
            "interval_seconds": self._settings.interval_seconds,
            "credentials_set": credentials.stamp(targets.credentials_path(self._settings)) is not None,
            "configured": self.configured,
            "enabled": self.configured and self._enabled,
            "state": self._current_state(),
            "pending": pending,
            "pending_files": counts["pending_files"],
            "pending_since": since if pending or counts["pending_files"] else None,
            "delivered": counts["delivered_events"],
            "delivered_files": counts["delivered_files"],
            "last_success": last_success,
            "last_error": self._config_error or self._last_error,
            "last_error_at": self._last_error_at,
            "alert": self._config_error or self._fatal,
            "retry_in_seconds": retry_in,
            "encrypted": bool(self._recipients),
            "clock_synchronised": self._clock_synced(),
            "appliance_id": self._appliance_id,
            "public_key": await self.public_key_pem(),
        }

    def _current_state(self) -> str:
        if self._config_error:
            return "misconfigured"
        if not self.configured:
            return "off"
        if not self._enabled:
            return "paused"
        if self._fatal:
            return "stopped"
        return self._state

    # --- the loop ------------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                # One round sees one database file: a restore waits for it to finish.
                async with self._db.held(), self._lock:
                    await self._round(forced=False)
            except asyncio.CancelledError:
                raise
            except Exception:  # the uploader must never take the appliance down; the log says what failed
                log.exception("sync round failed")
            wait = self._settings.interval_seconds
            if self._state == "retrying":
                wait = min(wait, max(0.5, self._next_try - time.monotonic()))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()

    async def sync_now(self) -> dict:
        """Deliver everything pending now (ignoring backoff and a stop); returns when done or failed."""
        async with self._lock:
            self._fatal, self._next_try = None, 0.0
            await self._round(forced=True)
        return await self.status()

    def _record_failure(self, exc: targets.DeliveryError | Exception) -> None:
        self._last_error, self._last_error_at = str(exc), time.time()
        if isinstance(exc, targets.Fatal):
            self._fatal = str(exc)
            self._fatal_stamp = credentials.stamp(targets.credentials_path(self._settings))
            self._state = "stopped"
            # The admin page and GET /api/v1/sync carry it as "alert"; teachers' lesson screens are left alone.
            log.error("cloud sync stopped until an admin acts: %s", exc)
            return
        self._failures += 1
        if self._spec and self._spec.kind == "webhook":
            delay = backoff.webhook(self._failures, self._rng)
        else:
            delay = backoff.exponential(self._failures, self._settings.max_backoff_seconds, self._rng)
        delay = backoff.with_retry_after(delay, getattr(exc, "retry_after", None))
        self._next_try = time.monotonic() + delay
        self._state = "retrying"
        log.warning("cloud sync: %s; next try in %.0f s", exc, delay)

    async def _open_target(self) -> targets.Target:
        path = targets.credentials_path(self._settings)
        stamp = credentials.stamp(path)
        if self._target is None or stamp != self._target_stamp:
            if self._target is not None:
                await self._target.close()
            secrets = credentials.load(path, targets.NEEDED_CREDENTIALS[self._spec.kind])
            self._target = _open_target(self._spec, self._settings, secrets, self._appliance_id)
            self._target_stamp = stamp
        return self._target

    async def _round(self, forced: bool) -> None:
        if not self.configured or not self._enabled or self._config_error:
            self._state = "off"
            return
        if self._fatal and not forced:
            if credentials.stamp(targets.credentials_path(self._settings)) == self._fatal_stamp:
                return
            self._fatal = None  # the admin changed the credentials file: try again
        if not forced and self._state == "retrying" and time.monotonic() < self._next_try:
            return
        if await self.ensure_key() is None:
            if self._key_error:
                self._record_failure(targets.Retryable(self._key_error))
            else:
                self._state = "waiting_for_claim"
            return
        try:
            target = await self._open_target()
        except credentials.CredentialsError as exc:
            if self._target is not None:
                await self._target.close()
                self._target = None
            self._record_failure(targets.Fatal(str(exc)))
            return
        if target.needs_clock and not self._clock_synced():
            self._state = "waiting_for_clock"  # a webhook timestamp from 1970 would be refused
            return
        self._state = "uploading"
        try:
            while True:
                await self._deliver_fixed(target)
                if self._db.restore_waiting or not await self._fix_next_batch():
                    break  # a restore waits: the rest goes next round, from whichever file is in place
        except targets.DeliveryError as exc:
            self._record_failure(exc)
            return
        except StoreError as exc:  # a full disk: what is fixed was delivered; the rest waits for space
            self._record_failure(targets.Retryable(f"cannot prepare the next batch: {exc}"))
            return
        # Delivered everything: the last error is history (the log keeps it), not a problem to show.
        self._failures, self._state, self._last_error, self._last_error_at = 0, "idle", None, None

    async def _deliver_fixed(self, target: targets.Target) -> None:
        after = 0
        while not self._db.restore_waiting and (batch := await outbox.next_pending_batch(self._db, after)) is not None:
            after = batch["id"]
            try:
                await target.put(batch["name"], batch["payload"], batch["content_type"], batch["signature"])
            except targets.DeliveryError as exc:
                with contextlib.suppress(StoreError):
                    await outbox.batch_failed(self._db, batch["id"], str(exc))
                raise
            self._last_success = time.time()
            await outbox.batch_delivered(self._db, batch["id"], self._last_success)
            if self._settings.max_kbps:
                await asyncio.sleep(len(batch["payload"]) / (self._settings.max_kbps * 1024))
            else:
                await asyncio.sleep(0)  # let the lesson's work run between batches

    async def _fix_next_batch(self) -> bool:
        """Fix one more batch (name and bytes in the outbox); False when nothing is left to send."""
        rows = await outbox.unbatched_events(self._db, self._settings.batch_events)
        loop = asyncio.get_running_loop()
        if rows:
            name = batches.events_name(self._appliance_id, rows[0]["seq"], rows[-1]["seq"], rows[0]["time"],
                                       bool(self._recipients))
            # Building, compressing, encrypting and signing run off the event loop.
            payload, signature, content_type = await loop.run_in_executor(None, self._seal_events, [tuple(r) for r in rows])
            await outbox.add_events_batch(self._db, name, content_type, payload, signature,
                                          rows[0]["seq"], rows[-1]["seq"])
            return True
        ended = await outbox.ended_sessions_without_results(self._db, 1)
        if not ended:
            return False
        session = ended[0]
        names = batches.results_names(self._appliance_id, session["id"], session["class_id"],
                                      session["ended_at"] or time.time(), bool(self._recipients))
        files = []
        for name, data in zip(names, await results.session_files(self._db, session["id"], session["class_id"])):
            payload, signature, content_type = await loop.run_in_executor(None, self._seal, data, batches.CSV_TYPE)
            files.append((name, content_type, payload, signature))
        await outbox.add_results_batches(self._db, session["id"], files)
        return True

    def _seal_events(self, rows: list[tuple]) -> tuple[bytes, bytes, str]:
        return self._seal(batches.events_ndjson_gz(self._appliance_id, rows), batches.EVENTS_TYPE)

    def _seal(self, data: bytes, content_type: str) -> tuple[bytes, bytes, str]:
        """Encrypt (when configured) and sign the exact bytes that will be uploaded. CPU-bound."""
        if self._recipients:
            data, content_type = encryption.encrypt(data, self._recipients), batches.AGE_TYPE
        return data, self._key.sign(data), content_type
