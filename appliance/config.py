"""Typed, frozen settings loaded from config.toml.

Every setting lives in one dataclass per [section]; config.toml at the repository root documents each one
with its default (tests/test_config.py keeps the two in step). Unknown keys and bad values are errors that
name the key, so a typo never silently falls back to a default.
"""
from __future__ import annotations

import dataclasses
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(ValueError):
    """A setting is unknown or has a bad value; the message names the key."""


def _bounded(default, lo=None, hi=None, choices=None):
    return field(default=default, metadata={"lo": lo, "hi": hi, "choices": choices})


@dataclass(frozen=True)
class ServerSettings:
    host: str = "0.0.0.0"
    port: int = _bounded(8080, 0, 65535)  # 0 picks a free port (tests)
    # Serve HTTPS on https_port with the appliance's own certificate (or the school's); plain HTTP on `port`
    # then only redirects to it. Demo mode always serves plain HTTP on loopback.
    https: bool = True
    https_port: int = _bounded(8443, 0, 65535)
    # With https on, the anonymous pages (student, projector), their live socket and what they load are also
    # served over plain HTTP on `port`: the appliance's own certificate makes every phone warn "not private".
    # They carry no name and no single answer; logins, teacher pages and the API stay HTTPS-only.
    public_http: bool = True
    # URL students type or scan to reach the student page; empty means derive it from the mDNS host name.
    public_url: str = ""
    max_body_bytes: int = _bounded(4_194_304, 1024, 64 * 1_048_576)
    max_websocket_clients: int = _bounded(200, 1, 10_000)
    # Of those, this many are kept for logged-in teachers: anonymous screens can never take the last ones.
    reserved_login_sockets: int = _bounded(20, 0, 1000)
    # Anonymous live screens (projector, phones) from one network address at once; raise it behind a NAT
    # router, where every phone shares one address.
    max_anonymous_per_address: int = _bounded(8, 1, 10_000)
    # A logged-in live screen's login is checked again this often (logout, password change, expiry close it).
    login_recheck_seconds: float = _bounded(30.0, 0.1, 3600.0)
    # "Was my card read?" checks answered per network address per minute (more get 429).
    public_checks_per_minute: int = _bounded(30, 1, 10_000)
    # Events queued per websocket client before the oldest are dropped (a slow client never stalls others).
    client_queue_size: int = _bounded(64, 4, 10_000)
    # How long a login lasts before the teacher must log in again.
    login_hours: float = _bounded(12.0, 0.1, 24 * 30)
    # The TLS handshake and a new connection's first request headers must arrive within this many seconds
    # (a client trickling bytes cannot hold a connection open).
    header_timeout_seconds: float = _bounded(10.0, 1.0, 300.0)
    # A kept-alive connection with no request is closed after this many seconds; so is one whose next request's
    # headers take longer.
    idle_timeout_seconds: float = _bounded(30.0, 1.0, 3600.0)
    # Open connections one network address may hold at once; more are closed at once. Raise it behind a NAT
    # router, where a whole class shares one address (a browser opens up to six per site).
    max_connections_per_address: int = _bounded(256, 4, 100_000)
    # An uploaded spreadsheet is read in a child process limited to this much memory (address space, MB) and
    # CPU time (s), killed after twice that in wall time: a hostile file can end only that child.
    import_memory_mb: int = _bounded(0, 0, 16_384)  # 0: from the machine's memory (http/isolated.py)
    import_slots: int = _bounded(0, 0, 16)  # 0: from the machine's memory
    import_cpu_seconds: int = _bounded(30, 2, 600)


@dataclass(frozen=True)
class LoginSettings:
    # Password guesses per minute from one network address (its /64 for IPv6), whatever the usernames.
    attempts_per_address: int = _bounded(30, 1, 10_000)
    # Password guesses per minute from one address for one username.
    attempts_per_address_and_username: int = _bounded(5, 1, 1000)
    # Failed guesses for one username, from all addresses together, within username_window_minutes. Once
    # spent, only addresses that failed for it are refused; a browser that logged in as that user before,
    # and every other address, still may log in (docs/SECURITY.md).
    failures_per_username: int = _bounded(50, 1, 100_000)
    username_window_minutes: int = _bounded(60, 1, 24 * 60)
    # Live logins one account may hold at once; a new login ends the oldest beyond this.
    max_logins_per_account: int = _bounded(10, 1, 1000)


@dataclass(frozen=True)
class StorageSettings:
    data_dir: str = "/var/lib/argus"
    # A copy of the database is made this often and the newest backup_keep copies are kept.
    backup_hours: float = _bounded(24.0, 0.1, 24 * 30)
    backup_keep: int = _bounded(7, 1, 365)
    # Below this much free space on the data disk the teacher and admin pages show a warning.
    min_free_mb: int = _bounded(200, 1, 1_000_000)
    # Question images a teacher may keep on the appliance, in MB (more uploads get 413).
    image_quota_mb: int = _bounded(100, 1, 100_000)
    # Largest backup file an admin may upload to restore, in MB.
    restore_max_mb: int = _bounded(1024, 1, 100_000)


@dataclass(frozen=True)
class CameraSettings:
    # "sim" (simulated classroom), "opencv:<index|path|url>", "y4m:<path>" or "picamera2".
    source: str = "picamera2"
    # Capture width in pixels (the camera may round it; Camera Module 3 full resolution by default).
    width: int = _bounded(4608, 160, 10_000)
    # Capture height in pixels.
    height: int = _bounded(2592, 120, 10_000)
    # Frames per second asked of the camera (a video file is replayed at this rate).
    fps: float = _bounded(10.0, 0.5, 120.0)
    # Seconds to wait before reopening a camera that failed or was unplugged.
    reconnect_seconds: float = _bounded(2.0, 0.1, 60.0)
    # Mains frequency of the room's lights (50 or 60; 0 = off): the Pi camera times exposures to avoid their
    # flicker, which would otherwise band the frame and hide cards.
    flicker_hz: int = _bounded(50, 0, 60, choices=(0, 50, 60))
    # Horizontal field of view of the lens in degrees (Camera Module 3: 66, wide: 102), for the camera check's
    # estimate of how far away a card can still be read.
    hfov_degrees: float = _bounded(66.0, 20.0, 180.0)


@dataclass(frozen=True)
class SimSettings:
    # Students in the simulated classroom, holding cards 1..students.
    students: int = _bounded(30, 1, 64)
    # Seed for everything random in the simulation: same seed, same lesson.
    seed: int = 1
    # Students raise their cards at random moments within this many seconds of a question opening.
    raise_seconds: float = _bounded(4.0, 0.0, 60.0)
    # Chance that a student turns their card to a different answer (at least 1.5 s after raising it).
    change_probability: float = _bounded(0.15, 0.0, 1.0)
    # Chance that a student does not answer a question at all.
    abstain_probability: float = _bounded(0.07, 0.0, 1.0)
    # Width of the printed cards in metres (A5 is 0.148).
    card_width_m: float = _bounded(0.148, 0.05, 0.3)
    # Distance in metres from the camera wall to the back row (the front row sits at 2.4 m).
    back_row_m: float = _bounded(5.5, 2.4, 10.0)


@dataclass(frozen=True)
class CardSettings:
    # Cards are numbered 1..count; the marker dictionary supports at most 100.
    count: int = _bounded(64, 2, 100)


@dataclass(frozen=True)
class ReaderSettings:
    # Smallest marker side, in pixels, that is read (the marker is 67% of the card's side, 60% on cards printed
    # before December 2026); lower reads farther.
    min_marker_px: int = _bounded(12, 8, 400)
    # Frames whose longer side is at most this many pixels are also read at twice their size (cards of 24-32 px;
    # about 2.5x the time); 0 turns it off.
    upsample_below_px: int = _bounded(2400, 0, 8192)
    # Read each frame as this many overlapping horizontal bands in parallel threads; 0 = one per CPU core, at most 4
    # (a Pi 4/5 uses every core).
    bands: int = _bounded(0, 0, 8)
    # Live reading searches the whole frame spread over this many frames (one band each), besides re-reading known
    # cards and whatever moved every frame; 1 reads every whole frame.
    scan_frames: int = _bounded(10, 1, 64)
    # Live reading also reads markers down to this side (px), below min_marker_px, and trusts such a card only when
    # several frames agree (vision/combine.py): back-row cards on a 1080p webcam; 0 turns it off.
    small_marker_px: int = _bounded(9, 0, 400)


@dataclass(frozen=True)
class TrackerSettings:
    # A (card, answer) counts once seen in at least min_frames of the frames within window_seconds.
    min_frames: int = _bounded(3, 1, 30)
    window_seconds: float = _bounded(1.0, 0.05, 10.0)
    # A card with an established answer changes to another as soon as its last change_frames frames showed only
    # that one (0: only once the new answer outnumbers the old within the window, ~5 frames).
    change_frames: int = _bounded(3, 0, 30)


@dataclass(frozen=True)
class MdnsSettings:
    enabled: bool = True
    name: str = "Argus Classroom"
    hostname: str = "argus"


@dataclass(frozen=True)
class ExportSettings:
    # Where USB sticks are mounted; each mounted file system below it is offered for "Export to USB".
    usb_root: str = "/media"


@dataclass(frozen=True)
class SyncSettings:
    # Where results go: "" = off (nothing leaves the box), "s3://BUCKET/PREFIX", "webdav+https://HOST/PATH"
    # ("webdav+http://" on a trusted LAN only) or "https://HOST/PATH" for a signed webhook.
    target: str = ""
    # S3-compatible endpoint URL (MinIO, Ceph, SeaweedFS, R2...); empty = AWS S3.
    endpoint: str = ""
    # S3 region.
    region: str = "us-east-1"
    # TOML file, mode 0600, with access_key_id and secret_access_key (S3), username and password (WebDAV), or
    # secret (webhook, "whsec_..."). Secrets never go in this file.
    credentials_file: str = "/etc/argus/sync-credentials.toml"
    # Seconds between upload rounds (new events wait at most this long).
    interval_seconds: float = _bounded(60.0, 1.0, 86_400.0)
    # Events per batch (one batch is one object); bounds the uploader's memory.
    batch_events: int = _bounded(2000, 1, 100_000)
    # Average upload bandwidth cap in kilobytes per second, so a backlog never slows a lesson; 0 = no cap.
    max_kbps: int = _bounded(256, 0, 1_000_000)
    # Seconds one upload may take before it is abandoned and retried later.
    timeout_seconds: float = _bounded(30.0, 1.0, 3600.0)
    # Longest wait between retries of a failing target (exponential backoff with jitter up to this).
    max_backoff_seconds: float = _bounded(900.0, 1.0, 86_400.0)
    # age recipients ("age1...", separated by spaces or commas) to encrypt every object to; "" = not encrypted.
    # When set, nothing readable (student names included) reaches the target.
    encrypt_to: str = ""


@dataclass(frozen=True)
class PrivacySettings:
    # Students' names are kept this many days after their last lesson, then replaced by "Student <card>" (their
    # answers stay, as numbers); 0 keeps names until a teacher or admin removes the student.
    keep_names_days: int = _bounded(0, 0, 36_500)


@dataclass(frozen=True)
class LogSettings:
    level: str = _bounded("INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = ServerSettings()
    login: LoginSettings = LoginSettings()
    storage: StorageSettings = StorageSettings()
    camera: CameraSettings = CameraSettings()
    sim: SimSettings = SimSettings()
    cards: CardSettings = CardSettings()
    reader: ReaderSettings = ReaderSettings()
    tracker: TrackerSettings = TrackerSettings()
    mdns: MdnsSettings = MdnsSettings()
    export: ExportSettings = ExportSettings()
    sync: SyncSettings = SyncSettings()
    privacy: PrivacySettings = PrivacySettings()
    log: LogSettings = LogSettings()
    # Set by `argus run --demo`, never by the file: loopback only, demo account, simulated camera.
    demo: bool = False

    @property
    def data_dir(self) -> Path:
        return Path(self.storage.data_dir)

    def replace(self, **sections) -> Settings:
        """Return a copy with whole sections or single keys replaced: replace(server={"port": 0})."""
        changes = {}
        for name, value in sections.items():
            current = getattr(self, name)
            if isinstance(value, dict):
                changes[name] = _section_from_dict(type(current), {**dataclasses.asdict(current), **value}, name)
            else:
                changes[name] = value
        return dataclasses.replace(self, **changes)


SECTIONS: dict[str, type] = {
    name: hint for name, hint in typing.get_type_hints(Settings).items() if name != "demo"
}


def _check_value(section: str, f: dataclasses.Field, value):
    key = f"{section}.{f.name}"
    kind = type(f.default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is bool and not isinstance(value, bool) or kind is not bool and isinstance(value, bool):
        raise ConfigError(f"{key}: expected {kind.__name__}, got {value!r}")
    if not isinstance(value, kind):
        raise ConfigError(f"{key}: expected {kind.__name__}, got {type(value).__name__} {value!r}")
    meta = f.metadata
    if meta.get("lo") is not None and value < meta["lo"]:
        raise ConfigError(f"{key}: {value!r} is below the minimum {meta['lo']}")
    if meta.get("hi") is not None and value > meta["hi"]:
        raise ConfigError(f"{key}: {value!r} is above the maximum {meta['hi']}")
    if meta.get("choices") and value not in meta["choices"]:
        raise ConfigError(f"{key}: {value!r} is not one of {', '.join(meta['choices'])}")
    return value


def _section_from_dict(cls: type, raw: dict, section: str):
    if not isinstance(raw, dict):
        raise ConfigError(f"{section}: expected a table of settings")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"{section}.{unknown[0]}: unknown setting (known: {', '.join(fields)})")
    return cls(**{name: _check_value(section, fields[name], value) for name, value in raw.items()})


def settings_from_dict(raw: dict) -> Settings:
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown section (known: {', '.join(SECTIONS)})")
    return Settings(**{name: _section_from_dict(SECTIONS[name], raw[name], name) for name in raw})


def load_settings(path: Path | None) -> Settings:
    """Load settings from a TOML file; None means all defaults."""
    if path is None:
        return Settings()
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return settings_from_dict(raw)


def iter_settings(settings: Settings):
    """Yield (section, key, value) for every setting, in declaration order."""
    for section, cls in SECTIONS.items():
        value = getattr(settings, section)
        for f in dataclasses.fields(cls):
            yield section, f.name, getattr(value, f.name)


__all__ = [
    "ConfigError", "Settings", "load_settings", "settings_from_dict", "iter_settings", "SECTIONS",
    "ServerSettings", "LoginSettings", "StorageSettings", "CameraSettings", "SimSettings", "CardSettings", "ReaderSettings",
    "TrackerSettings", "MdnsSettings", "ExportSettings", "SyncSettings", "PrivacySettings", "LogSettings",
]
