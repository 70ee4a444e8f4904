"""`argus bench uploads`: what a decompression bomb costs the running appliance.

Runs the real `argus run --demo` in its own process, sends a ~110 KB PNG that claims 30000 x 30000 pixels to
the question-image upload and to an open session's photo upload, and samples the process's resident memory
(VmRSS) every 10 ms meanwhile. Before the header check the photo path decoded it in full (about 1.8 GB here;
the colour decode of the old image check about 5 GB): a Pi would be killed mid-lesson.
"""
from __future__ import annotations

import argparse
import json
import struct
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

from appliance.bench.appliance_rss import _Client, _rss_mb, open_lesson

# Growth of the whole process while the bombs are handled that counts as "refused without decoding".
GROWTH_FLOOR_MB = 50.0


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A valid 1-bit black PNG of width x height: ~110 KB that decodes to 900 MB (gray) or 2.7 GB (colour)."""
    compressor = zlib.compressobj(6)
    rows = (b"\0" * (1 + width // 8)) * 1000
    idat = b"".join(compressor.compress(rows) for _ in range(height // 1000)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + _chunk(b"IDAT", idat) + _chunk(b"IEND", b""))


def _post(client: _Client, path: str, data: bytes) -> int:
    request = urllib.request.Request(client.base + path, data=data, headers={"Content-Type": "image/png"},
                                     method="POST")
    try:
        with client.opener.open(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def run() -> dict:
    bomb = bomb_png()
    with tempfile.TemporaryDirectory() as tmp:
        with open_lesson(Path(tmp) / "data") as (proc, client, session):
            time.sleep(2.0)  # let the reader settle so the baseline is the working appliance
            baseline = _rss_mb(proc.pid)
            peak, stop = [baseline], threading.Event()

            def sample():
                while not stop.is_set():
                    peak[0] = max(peak[0], _rss_mb(proc.pid))
                    time.sleep(0.01)
            sampler = threading.Thread(target=sample)
            sampler.start()
            started = time.perf_counter()
            statuses = {"images": _post(client, "/api/v1/images", bomb),
                        "photo": _post(client, f"/api/v1/sessions/{session['id']}/photo", bomb)}
            elapsed_ms = (time.perf_counter() - started) * 1000
            stop.set()
            sampler.join()
    growth = peak[0] - baseline
    return {"bomb_bytes": len(bomb), "pixels": "30000x30000", "statuses": statuses,
            "baseline_rss_mb": round(baseline, 1), "peak_rss_mb": round(peak[0], 1),
            "growth_mb": round(growth, 1), "ms_for_both": round(elapsed_ms, 1), "floor_mb": GROWTH_FLOOR_MB,
            "ok": growth < GROWTH_FLOOR_MB and set(statuses.values()) == {413}}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="argus bench uploads", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if memory grows {GROWTH_FLOOR_MB:.0f} MB "
                                                             "or more, or a bomb is not refused with 413")
    args = parser.parse_args(argv)
    out = run()
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"{out['bomb_bytes']} byte PNG of {out['pixels']} px to /images and to a session photo: answered "
              f"{out['statuses']} in {out['ms_for_both']} ms; appliance RSS {out['baseline_rss_mb']} -> peak "
              f"{out['peak_rss_mb']} MB (+{out['growth_mb']} MB, floor {out['floor_mb']:.0f} MB)")
    return 1 if args.check and not out["ok"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
