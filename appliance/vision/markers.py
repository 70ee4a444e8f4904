"""The card marker dictionary: 100 4×4-bit codes chosen for distance and rotation safety.

Why 4×4: with a one-cell black border a marker is 6×6 cells, so each cell is as large as a card allows and a
distant card stays readable longest. Why our own codes rather than DICT_4X4_100: that dictionary's minimum
Hamming distance, counting all rotations, is 3; ours is 4, the most any 100 codes of 16 bits can reach (100
markers × 4 rotations = 400 codewords, more than a distance-5 binary code of length 16 can hold).

Measured on data/markers.json (see `measure`):
- minimum distance between any two markers in any rotations: 4 bits (a wrong card needs 4 flipped bits);
- minimum distance between a marker and its own 90°/180°/270° rotations: 8 bits (a wrong answer needs 8);
- every code has 5..11 white cells (no near-solid squares, which clutter imitates easily).

The codes come from `search_codes(seed=16)`, a randomised greedy search kept here so the file can be
regenerated and checked; the JSON file is the source of truth so the cards never change under us.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import cv2
import numpy as np

MARKER_BITS = 4  # data cells per side
BORDER_CELLS = 1  # black frame around the data cells
MAX_CARDS = 100
DATA_FILE = resources.files("appliance.vision") / "data" / "markers.json"  # package data, found installed too

_WEIGHTS = (1 << np.arange(15, -1, -1)).astype(np.uint32)
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << 16)], np.uint8)


def code_of(bits: np.ndarray) -> int:
    """A 4×4 bit array (1 = white, as in OpenCV) → its 16-bit integer, row-major, first cell most significant."""
    return int((np.asarray(bits, np.uint32).reshape(16) * _WEIGHTS).sum())


def bits_of(code: int) -> np.ndarray:
    return ((code >> np.arange(15, -1, -1)) & 1).astype(np.uint8).reshape(4, 4)


def rotations(code: int) -> list[int]:
    """The code and its rotations by 1, 2, 3 quarter turns counter-clockwise (np.rot90 order)."""
    bits = bits_of(code)
    return [code_of(np.rot90(bits, k)) for k in range(4)]


@dataclass(frozen=True)
class MarkerStats:
    min_distance: int  # between different markers, any rotations
    min_self_distance: int  # between a marker and its own rotations
    close_pairs: int  # marker pairs exactly at min_distance


def measure(codes: list[int]) -> MarkerStats:
    rots = np.array([rotations(c) for c in codes], np.uint32)
    pair = _POPCOUNT[np.bitwise_xor(rots[:, None, 0, None], rots[None, :, :])].min(axis=2)
    np.fill_diagonal(pair, 255)
    self_distance = _POPCOUNT[np.bitwise_xor(rots[:, :1], rots[:, 1:])].min()
    low = int(pair.min())
    return MarkerStats(low, int(self_distance), int((pair == low).sum() // 2))


def search_codes(count: int = MAX_CARDS, min_distance: int = 4, min_self_distance: int = 8,
                 seed: int = 16) -> list[int]:
    """Greedy random search: keep adding a code that stays `min_distance` from every chosen code in every
    rotation. Returns fewer than `count` codes when the constraints cannot be met."""
    rng = np.random.default_rng(seed)
    everything = np.arange(1 << 16, dtype=np.uint32)
    all_bits = ((everything[:, None] >> np.arange(15, -1, -1)) & 1).astype(np.uint8).reshape(-1, 4, 4)
    rots = np.stack([(np.rot90(all_bits, k, axes=(1, 2)).reshape(-1, 16) * _WEIGHTS).sum(1) for k in range(4)], 1)
    self_distance = _POPCOUNT[np.bitwise_xor(rots[:, :1], rots[:, 1:])].min(axis=1)
    weight = _POPCOUNT[everything]
    allowed = (self_distance >= min_self_distance) & (weight >= 5) & (weight <= 11)
    nearest = np.full(everything.size, 255, np.uint8)
    chosen: list[int] = []
    while len(chosen) < count:
        candidates = np.flatnonzero(allowed & (nearest >= min_distance))
        if candidates.size == 0:
            break
        pick = int(rng.choice(candidates))
        chosen.append(pick)
        for rotated in rots[pick]:
            nearest = np.minimum(nearest, _POPCOUNT[np.bitwise_xor(everything, rotated)])
    return chosen


def load_codes(path: Path | Traversable = DATA_FILE) -> list[int]:
    """Marker codes in card order: card n uses codes[n - 1]."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [code_of(np.array(bits)) for bits in raw["codes"]]


def save_codes(codes: list[int], path: Path, seed: int = 16) -> None:
    """Writes a marker file; pass the checkout's appliance/vision/data/markers.json to regenerate it."""
    rows = [bits_of(c).tolist() for c in codes]
    stats = measure(codes)
    path.write_text(json.dumps({
        "about": "Argus card markers: 4x4 data bits (1 = white, as in OpenCV), card n = codes[n-1]; see vision/markers.py",
        "seed": seed, "min_distance": stats.min_distance, "min_self_distance": stats.min_self_distance,
        "codes": rows}, indent=None) + "\n")


def aruco_dictionary(codes: list[int]) -> cv2.aruco.Dictionary:
    """An OpenCV dictionary whose id i is codes[i] (so card number = id + 1)."""
    bits = [cv2.aruco.Dictionary_getByteListFromBits(bits_of(c)) for c in codes]
    # maxCorrectionBits = (distance - 1) // 2 = 1; the reader decides when to use it.
    return cv2.aruco.Dictionary(np.concatenate(bits, axis=0), MARKER_BITS, 1)
