"""The lock files as data (requirements.lock, requirements-test.lock): each pin's version, marker and hashes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;(?P<marker>[^\\]+))?")


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies_here(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(path: Path) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: dict | None = None
    for line in path.read_text().splitlines():
        match = _PIN.match(line)
        if match:
            name = canonicalize_name(match["name"])
            assert name not in pins, f"{path.name}: {name} is pinned twice"
            marker = Marker(match["marker"].strip()) if match["marker"] else None
            current = {"name": name, "version": match["version"], "marker": marker, "hashes": []}
            pins[name] = current  # type: ignore[assignment]
        elif current is not None and (found := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            current["hashes"].append(found[1])
    return {name: Pin(p["name"], p["version"], p["marker"], tuple(p["hashes"])) for name, p in pins.items()}


def read_lock_text(text: str) -> dict[str, str]:
    return {canonicalize_name(m["name"]): m["version"] for line in text.splitlines() if (m := _PIN.match(line))}
