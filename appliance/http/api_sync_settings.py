"""Cloud sync set up from the admin page: save the target and its credentials (written by the appliance to its
own 0600 file, never shown back), test the connection with a probe object, or go back to config.toml.
Saved settings are in force at once (appliance/sync/admin_settings.py; the uploader takes them between rounds)."""
from __future__ import annotations

import asyncio

from aiohttp import web

from appliance import keys
from appliance.http.api_sync import SYNC_STATUS
from appliance.http.schema import Args, Route, obj, string
from appliance.http.security import json_error
from appliance.store import audit
from appliance.sync import admin_settings, credentials, probe, targets

_SECRET = string(1000)
SETTINGS = obj({
    "target": string(500, pattern=r"^(s3://|webdav\+https?://|https?://)[^\s]+$",
                     description="s3://BUCKET/PREFIX, webdav+https://HOST/PATH or https://HOST/PATH (webhook)"),
    "endpoint": string(500, description="S3-compatible endpoint URL; empty for AWS S3"),
    "region": string(64, description="S3 region"),
    "credentials": obj({"access_key_id": _SECRET, "secret_access_key": _SECRET, "username": _SECRET,
                        "password": _SECRET, "secret": _SECRET}, additionalProperties=False,
                       description="S3: access_key_id, secret_access_key; WebDAV: username, password; webhook: "
                                   "secret. Left out: the saved ones are kept. Never shown back."),
    "recipient": string(2000, description="age recipients to encrypt to (age1...); empty: not encrypted"),
    "interval_seconds": {"type": "number", "minimum": 1.0, "maximum": 86400.0},
}, required=["target"], additionalProperties=False)


def _values(request: web.Request, body: dict) -> dict:
    config = request.config_dict[keys.SETTINGS].sync
    return {"target": body["target"].strip(), "endpoint": body.get("endpoint", "").strip(),
            "region": body.get("region", "").strip() or config.region,
            "recipient": body.get("recipient", "").strip(),
            "interval_seconds": float(body.get("interval_seconds", config.interval_seconds))}


async def save(request: web.Request, args: Args) -> web.Response:
    app = request.config_dict
    data_dir = app[keys.SETTINGS].data_dir
    values = _values(request, args.body)
    given = args.body.get("credentials")
    try:
        spec = admin_settings.check(values, given, data_dir)
    except admin_settings.SettingsError as exc:
        return json_error(409, str(exc))
    await asyncio.get_running_loop().run_in_executor(None, admin_settings.save, data_dir, values, given, spec.kind)
    # `argus sync`'s local token is user 0, who is nobody in the users table.
    await audit.record(app[keys.DB], args.user.id or None, "sync.settings",
                       f"set cloud sync up to send to {values['target']} (credentials "
                       f"{'replaced' if given else 'kept'})")
    in_force = admin_settings.apply(app[keys.SETTINGS].sync, values, data_dir)
    return web.json_response(await app[keys.SYNC].reconfigure(in_force, "admin page"))


async def forget(request: web.Request, args: Args) -> web.Response:
    app = request.config_dict
    admin_settings.forget(app[keys.SETTINGS].data_dir)
    await audit.record(app[keys.DB], args.user.id or None, "sync.settings",
                       "removed the sync settings saved on the admin page: config.toml is in force")
    return web.json_response(await app[keys.SYNC].reconfigure(app[keys.SETTINGS].sync, "config.toml"))


async def test(request: web.Request, args: Args) -> web.Response:
    """The settings in the body (not saved yet), or those in force; credentials left out: the saved ones."""
    app = request.config_dict
    data_dir = app[keys.SETTINGS].data_dir
    service = app[keys.SYNC]
    if args.body:
        values = _values(request, args.body)
        try:
            admin_settings.check(values, args.body.get("credentials"), data_dir)
        except admin_settings.SettingsError as exc:
            return web.json_response({"ok": False, "error": str(exc)})
        settings = admin_settings.apply(app[keys.SETTINGS].sync, values, data_dir)
    else:
        settings = service.settings
    try:
        spec = targets.parse(settings.target)
    except targets.TargetConfigError as exc:
        return web.json_response({"ok": False, "error": str(exc)})
    if spec is None:
        return web.json_response({"ok": False, "error": "no sync target is set"})
    given = (args.body or {}).get("credentials")
    try:
        secrets = given or credentials.load(targets.credentials_path(settings), targets.NEEDED_CREDENTIALS[spec.kind])
    except credentials.CredentialsError as exc:
        return web.json_response({"ok": False, "error": str(exc)})
    error = await probe.test_connection(settings, secrets, service.appliance_id)
    return web.json_response({"ok": error is None, "error": error})


ROUTES = [
    Route("PUT", "/sync/settings", save, "Set up cloud sync from the admin page (in force at once, instead of "
          "config.toml's [sync]); answers GET /sync's object", auth="admin", body=SETTINGS,
          max_json_bytes=16_384, responses={200: SYNC_STATUS, 409: "these settings cannot work (no credentials "
                                                          "saved for this kind of target, a recipient that is not "
                                                          "age's): the message names the field"}),
    Route("DELETE", "/sync/settings", forget, "Forget the admin page's sync settings and credentials: config.toml's "
          "[sync] is in force again", auth="admin", responses={200: SYNC_STATUS}),
    Route("POST", "/sync/test", test, "Test the connection: write, read back and delete a probe object; says in "
          "words what failed. Body: settings to try before saving (optional)", auth="admin", body=SETTINGS,
          body_required=False, max_json_bytes=16_384,
          responses={200: obj({"ok": {"type": "boolean"}, "error": {"type": ["string", "null"]}},
                              required=["ok", "error"])}),
]
