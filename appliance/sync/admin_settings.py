"""Sync set up from the admin page instead of config.toml.

What the admin saves is kept in the data folder: the target, endpoint, region, age recipient and interval in
sync-settings.json, the credentials in sync-credentials.toml, written by the appliance with mode 0600 and never
read back to a browser. When sync-settings.json exists it is in force; otherwise config.toml's [sync] is, as
before. Removing the page's settings (DELETE /api/v1/sync/settings) goes back to config.toml.
"""
from __future__ import annotations

import dataclasses
import json
import os
import secrets as random
from pathlib import Path

from appliance.config import SyncSettings
from appliance.sync import credentials as files
from appliance.sync import encryption, targets

SETTINGS_FILE = "sync-settings.json"
CREDENTIALS_FILE = "sync-credentials.toml"
FIELDS = ("target", "endpoint", "region", "recipient", "interval_seconds")


class SettingsError(ValueError):
    """What the admin entered cannot work; the message names the field."""


def _write_private(path: Path, text: str) -> None:
    """Write a file only the appliance's user can read, atomically: a power cut leaves the old one or the new."""
    partial = path.with_name(f".{path.name}.{random.token_hex(4)}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string with only \" \\ \n \t \uXXXX escapes is a TOML basic string


def effective(config: SyncSettings, data_dir: Path) -> tuple[SyncSettings, str]:
    """The sync settings in force and where they come from: "admin page" or "config.toml"."""
    path = data_dir / SETTINGS_FILE
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return config, "config.toml"
    except (OSError, ValueError) as exc:
        # A damaged file must not silently send results elsewhere: sync stays off and says why.
        return dataclasses.replace(config, target=f"invalid://{path}: {exc}"), "admin page"
    return apply(config, saved, data_dir), "admin page"


def apply(config: SyncSettings, saved: dict, data_dir: Path) -> SyncSettings:
    return dataclasses.replace(
        config, target=saved.get("target", ""), endpoint=saved.get("endpoint", ""),
        region=saved.get("region") or config.region, encrypt_to=saved.get("recipient", ""),
        interval_seconds=float(saved.get("interval_seconds", config.interval_seconds)),
        credentials_file=str(data_dir / CREDENTIALS_FILE))


def check(values: dict, credentials: dict | None, data_dir: Path) -> targets.TargetSpec:
    """The parsed target, or SettingsError naming the first field that cannot work."""
    try:
        spec = targets.parse(values["target"])
    except targets.TargetConfigError as exc:
        raise SettingsError(str(exc).replace("sync.target", "target")) from None
    if spec is None:
        raise SettingsError("target: choose where results go (s3://..., webdav+https://... or https://...)")
    try:
        encryption.parse_recipients(values.get("recipient", ""))
    except encryption.EncryptionConfigError as exc:
        raise SettingsError(f"recipient: {exc}") from None
    needed = targets.NEEDED_CREDENTIALS[spec.kind]
    if credentials is None:
        if not saved_credentials(data_dir, spec.kind):
            raise SettingsError(f"credentials: {' and '.join(needed)} are needed (none are saved for this kind of target)")
    else:
        missing = [k for k in needed if not str(credentials.get(k, "")).strip()]
        if missing:
            raise SettingsError(f"credentials: {', '.join(missing)} missing (needed: {' and '.join(needed)})")
    return spec


def saved_credentials(data_dir: Path, kind: str) -> bool:
    """Whether the credentials file the page wrote holds what `kind` needs (its values are never returned)."""
    try:
        files.load(data_dir / CREDENTIALS_FILE, targets.NEEDED_CREDENTIALS[kind])
    except files.CredentialsError:
        return False
    return True


def save(data_dir: Path, values: dict, credentials: dict | None, kind: str) -> None:
    """Write the credentials (when given: replaced whole) and then the settings that use them."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if credentials is not None:
        needed = targets.NEEDED_CREDENTIALS[kind]
        _write_private(data_dir / CREDENTIALS_FILE,
                       "".join(f"{k} = {_toml_string(str(credentials[k]).strip())}\n" for k in needed))
    _write_private(data_dir / SETTINGS_FILE, json.dumps({k: values.get(k) for k in FIELDS if k in values}, indent=1))


def forget(data_dir: Path) -> None:
    """Back to config.toml: the page's settings and credentials go."""
    for name in (SETTINGS_FILE, CREDENTIALS_FILE):
        (data_dir / name).unlink(missing_ok=True)
