"""The `argus` command: run | cards | scan | user add | export | bench | sync."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import getpass
import json
import logging
import os
import re
import signal
import sys
import tomllib
from pathlib import Path

from appliance import __version__
from appliance.config import ConfigError, Settings, load_settings

log = logging.getLogger("argus")
DEMO_DATA_DIR = "demo-data"

# Demo mode films its simulated class as a 1080p webcam would: the Pi camera's 12 MP would cost a laptop
# a core for nothing.
DEMO_CAMERA = {"width": 1920, "height": 1080, "fps": 8.0}


def _configured(path: Path, section: str) -> set[str]:
    """The keys a config file sets in one section (load_settings has already checked the file)."""
    with open(path, "rb") as fh:
        return set(tomllib.load(fh).get(section, {}))


def _settings_for_run(args: argparse.Namespace) -> Settings:
    settings = load_settings(Path(args.config) if args.config else None)
    server, storage, camera = {}, {}, {}
    if args.port is not None:
        server["port"] = args.port
    if args.https_port is not None:
        server["https_port"] = args.https_port
    if args.host is not None:
        server["host"] = args.host
    if args.data_dir is not None:
        storage["data_dir"] = args.data_dir
    if args.camera is not None:
        camera["source"] = args.camera
    if args.demo:
        if args.host not in (None, "127.0.0.1", "localhost"):
            raise ConfigError("--host: demo mode listens on 127.0.0.1 only (its password is public)")
        server["host"] = "127.0.0.1"
        camera.setdefault("source", "sim")
        if args.data_dir is None:
            storage["data_dir"] = DEMO_DATA_DIR
        if camera["source"] == "sim":
            # A config file's own [camera] size and rate win; demo mode only changes the 12 MP defaults.
            given = _configured(Path(args.config), "camera") if args.config else set()
            camera = {k: v for k, v in DEMO_CAMERA.items() if k not in given} | camera
        settings = settings.replace(mdns={"enabled": False})
    settings = settings.replace(server=server, storage=storage, camera=camera)
    return dataclasses.replace(settings, demo=args.demo)


async def _serve(settings: Settings) -> int:
    from appliance import demo
    from appliance.host import systemd
    from appliance.server import StartupError, start_server

    # Handlers first: a SIGTERM that arrives while starting must still end in an orderly stop.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        server = await start_server(settings)
    except StartupError as exc:
        print(f"argus: {exc}", file=sys.stderr)
        return 1
    if settings.demo:
        print(f"Argus demo running at {server.url}/", flush=True)
        print(f"Log in as {demo.DEMO_USERNAME} / {demo.DEMO_PASSWORD}", flush=True)
    else:
        print(f"Argus running at {server.url}/ (data in {settings.data_dir})", flush=True)
    # systemd is told only now, once the socket really accepts connections.
    notifier = systemd.Notifier.from_env()
    watchdog = None
    if notifier:
        notifier.ready()
        notifier.status(f"serving {server.url}")
        interval = systemd.watchdog_interval()
        if interval:
            watchdog = asyncio.create_task(systemd.watchdog_loop(notifier, interval))
    await stop.wait()
    log.info("stopping")
    if notifier:
        notifier.stopping()
    if watchdog:
        watchdog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watchdog
    await server.stop()
    if notifier:
        notifier.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = _settings_for_run(args)
    except ConfigError as exc:
        print(f"argus: bad configuration: {exc}", file=sys.stderr)
        return 2
    _private(settings.data_dir)
    logging.basicConfig(level=settings.log.level, format="%(levelname)s %(name)s: %(message)s")
    quiet_secrets()
    return asyncio.run(_serve(settings))


def _private(data_dir: Path) -> None:
    """Take group and other access away from what an older version or another umask left in the data folder."""
    if not data_dir.is_dir():
        return
    for path in (data_dir, *data_dir.rglob("*")):
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)


def quiet_secrets() -> None:
    """No password, hash or token in any log line at any level. The database library logs every query with its
    parameters at DEBUG (password hashes, login-token hashes): its logger is held at WARNING, whatever
    handlers exist now or later. A scrypt hash that reaches a message any other way is cut out by a filter on
    the handlers."""
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(NoSecrets())


class NoSecrets(logging.Filter):
    """Cuts scrypt hashes out of messages. Never raises: a log call with bad arguments is left for the handler
    to report, as logging does, instead of raising into the code that logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("aiosqlite") and record.levelno < logging.WARNING:
            return False
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - the handler's own error report deals with it
            return True
        if "scrypt$" in message:
            record.msg, record.args = _SCRYPT.sub("scrypt$[hidden]", message), None
        return True


_SCRYPT = re.compile(r"scrypt\$\S+")


def cmd_cards(args: argparse.Namespace) -> int:
    from appliance.vision import cards

    settings = load_settings(Path(args.config) if args.config else None)
    count = args.count or settings.cards.count
    if args.png:
        written = cards.write_card_pngs(Path(args.png), count)
        print(f"wrote {len(written)} cards to {args.png}")
    if args.pdf:
        from appliance.vision import printing

        printing.write_pdf(Path(args.pdf), count, page=args.page, per_page=args.per_page)
        print(f"wrote {count} cards to {args.pdf}")
    if not args.png and not args.pdf:
        print("argus cards: say where: --png DIR and/or --pdf FILE", file=sys.stderr)
        return 2
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    from appliance.vision.reader import CardReader
    from appliance.vision.scan import UnreadableImage, scan_photo

    settings = load_settings(Path(args.config) if args.config else None)
    reader = CardReader(settings.reader, settings.cards)
    failed = 0
    for photo in args.photos:
        try:
            result = scan_photo(Path(photo), reader)
            result["photo"] = photo
        except UnreadableImage as exc:
            failed += 1
            if args.json:
                print(json.dumps({"photo": photo, "error": str(exc)}), flush=True)
            print(f"argus scan: {exc}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            cards_text = ", ".join(f"{c['card']}:{c['answer']}" for c in result["cards"]) or "no cards"
            print(f"{photo}: {cards_text} ({result['ms']} ms)")
    return 1 if failed else 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from appliance.accounts import passwords
    from appliance.classroom import usernames
    from appliance.store import accounts
    from appliance.store.db import Database

    settings = load_settings(Path(args.config) if args.config else None)
    data_dir = Path(args.data_dir) if args.data_dir else settings.data_dir
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
        if getpass.getpass("Again: ") != password:
            print("argus user add: the passwords differ", file=sys.stderr)
            return 2
    username = usernames.display(args.username)
    if username is None:
        print(f"argus user add: {passwords.USERNAME_PROBLEM}", file=sys.stderr)
        return 2
    problem = passwords.problem(password, username)
    if problem:
        print(f"argus user add: {passwords.PROBLEMS[problem]}", file=sys.stderr)
        return 2

    async def add() -> int:
        db = await Database.open(data_dir / "argus.db")
        try:
            await accounts.create_user(db, username, passwords.hash_password(password), args.role)
        except accounts.UsernameTaken as taken:
            print(f"argus user add: user {taken.existing!r} already exists", file=sys.stderr)
            return 1
        finally:
            await db.close()
        print(f"added {args.role} {username!r}")
        return 0

    return asyncio.run(add())


def cmd_export(args: argparse.Namespace) -> int:
    from appliance.reports import export
    from appliance.store.db import Database

    settings = load_settings(Path(args.config) if args.config else None)
    data_dir = Path(args.data_dir) if args.data_dir else settings.data_dir
    if not (data_dir / "argus.db").exists():
        print(f"argus export: no database in {data_dir}", file=sys.stderr)
        return 2

    async def build() -> dict[str, bytes]:
        db = await Database.open(data_dir / "argus.db")
        try:
            return await export.build_files(db)
        finally:
            await db.close()

    try:
        folder = export.write_export(Path(args.to), asyncio.run(build()))
    except export.ExportError as exc:
        print(f"argus export: {exc}", file=sys.stderr)
        return 1
    print(f"exported to {folder} (written, read back and verified)")
    return 0


def _describe_sync(status: dict) -> str:
    import time as _time

    def when(t):
        return "never" if t is None else _time.strftime("%Y-%m-%d %H:%M:%S", _time.localtime(t))

    lines = [f"target:       {status['target'] or '(none: sync is off)'}",
             f"state:        {status['state']}" + (" (encrypted)" if status.get("encrypted") else ""),
             f"pending:      {status['pending']} events, {status['pending_files']} files"
             + (f" since {when(status['pending_since'])}" if status.get("pending_since") else ""),
             f"delivered:    {status['delivered']} events, {status['delivered_files']} files",
             f"last success: {when(status['last_success'])}"]
    if status.get("last_error"):
        lines.append(f"last error:   {status['last_error']}")
    if not status.get("clock_synchronised"):
        lines.append("clock:        not synchronised by NTP (events are ordered by sequence number)")
    return "\n".join(lines)


def cmd_sync(args: argparse.Namespace) -> int:
    """Ask the running appliance (not the database) so the answer is what its uploader really knows."""
    from appliance.sync import local_admin

    settings = load_settings(Path(args.config) if args.config else None)
    data_dir = Path(args.data_dir) if args.data_dir else settings.data_dir
    try:
        found = local_admin.read(data_dir)
    except (OSError, ValueError) as exc:
        print(f"argus sync: {exc}", file=sys.stderr)
        return 2
    method, path = ("POST", "/api/v1/sync/now") if args.sync_command == "now" else ("GET", "/api/v1/sync")
    try:
        code, body = local_admin.call(found, data_dir, method, path, None if args.sync_command == "now" else 30)
    except local_admin.TokenNotSent as exc:
        print(f"argus sync: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"argus sync: cannot reach the appliance at {found['url']} ({exc}): is it running?", file=sys.stderr)
        return 1
    if code != 200:
        try:
            message = json.loads(body).get("error", body.decode(errors="replace"))
        except ValueError:
            message = body.decode(errors="replace")
        print(f"argus sync: the appliance said {code}: {message}", file=sys.stderr)
        return 1
    status = json.loads(body)
    print(json.dumps(status, indent=1) if args.json else _describe_sync(status))
    if args.sync_command == "now" and (status["pending"] or status["pending_files"] or status["alert"]):
        return 1
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from appliance import bench

    if args.which == "memory":
        from appliance.bench import appliance_rss

        return appliance_rss.main(args.options)
    if args.which == "uploads":
        from appliance.bench import upload_bomb

        return upload_bomb.main(args.options)
    if args.which == "parsers":
        from appliance.bench import parsers

        return parsers.main(args.options)
    main = {"cards": bench.main_cards, "live": bench.main_live, "e2e": bench.main_e2e,
            "confirm": bench.main_confirm}[args.which]
    return main(args.options)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="argus", description="Argus classroom response appliance")
    parser.add_argument("--version", action="version", version=f"argus {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the appliance (web UI, camera, card reader)")
    run.add_argument("--demo", action="store_true",
                     help="loopback only, simulated classroom camera, demo login demo/demo")
    run.add_argument("--port", type=int)
    run.add_argument("--https-port", type=int, help="port of the HTTPS web UI (server.https_port)")
    run.add_argument("--host")
    run.add_argument("--data-dir")
    run.add_argument("--camera", help="sim | opencv:<index|path|url> | y4m:<path> | picamera2")
    run.add_argument("--config", help="config.toml to read (default: built-in defaults)")
    run.set_defaults(func=cmd_run)

    cards = sub.add_parser("cards", help="write printable answer cards")
    cards.add_argument("--png", metavar="DIR", help="write DIR/card-<n>.png for every card, upright (A on top)")
    cards.add_argument("--pdf", metavar="FILE", help="write a printable PDF")
    cards.add_argument("--page", choices=("A4", "Letter"), default="A4")
    cards.add_argument("--per-page", type=int, choices=(1, 2, 4, 6), default=1)
    cards.add_argument("--count", type=int, help="how many cards (default: cards.count)")
    cards.add_argument("--config")
    cards.set_defaults(func=cmd_cards)

    scan = sub.add_parser("scan", help="read the cards in photos")
    scan.add_argument("photos", nargs="+", metavar="PHOTO")
    scan.add_argument("--json", action="store_true", help="one JSON object per photo per line")
    scan.add_argument("--config")
    scan.set_defaults(func=cmd_scan)

    user = sub.add_parser("user", help="manage accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="add a teacher or admin account")
    add.add_argument("username")
    add.add_argument("--role", choices=("teacher", "admin"), default="teacher")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--data-dir")
    add.add_argument("--config")
    add.set_defaults(func=cmd_user_add)

    bencher = sub.add_parser("bench", help="benchmarks: cards (recall, speed), live (latency), memory (whole "
                                           "appliance at 12 MP), e2e (the whole appliance in wall-clock time), "
                                           "uploads (a decompression bomb's cost), parsers (quiz-file parsers on "
                                           "their worst cases), confirm (the tracker's rules "
                                           "replayed on every frame's readings)", add_help=False)
    bencher.add_argument("which", choices=("cards", "live", "memory", "e2e", "uploads", "parsers", "confirm"))
    bencher.add_argument("options", nargs=argparse.REMAINDER, help="see argus bench cards --help")
    bencher.set_defaults(func=cmd_bench)

    exporter = sub.add_parser("export", help="write results, gradebooks and a full dump to a folder")
    exporter.add_argument("--to", required=True, metavar="DIR", help="folder to write into (e.g. a USB stick)")
    exporter.add_argument("--data-dir")
    exporter.add_argument("--config")
    exporter.set_defaults(func=cmd_export)

    syncer = sub.add_parser("sync", help="cloud sync of the running appliance: status, or deliver now")
    syncer.add_argument("sync_command", choices=("status", "now"),
                        help="status: what is pending and delivered; now: deliver everything, then report")
    syncer.add_argument("--json", action="store_true", help="print the API's JSON object")
    syncer.add_argument("--data-dir")
    syncer.add_argument("--config")
    syncer.set_defaults(func=cmd_sync)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Files 0600 and folders 0700 whatever umask started us (outside systemd it is usually 022), for every
    # command: `argus user add` or `import` make the database too, and it holds password and login-token hashes.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"argus: bad configuration: {exc}", file=sys.stderr)
        return 2
