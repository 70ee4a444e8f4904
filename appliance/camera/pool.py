"""Frame buffers reused from one camera frame to the next, instead of a fresh 12 MB array every frame.

A fresh frame-sized array costs page faults and zeroing each time it comes from a new mmap (which is what the
systemd unit's allocator settings make of every buffer over 1 MiB), and passing such arrays between threads
fragments glibc's heaps when it does not. A source fills a buffer from this pool instead.

A buffer is handed out again only when nothing but the pool refers to it: no Frame, no slot, no reader, no
view of it (a numpy view keeps its base alive). So a frame still being read, waiting in the slot or shown as the
camera-check preview is never overwritten, whatever holds it and for however long; when every pooled buffer is
held, a fresh one is made (kept if the pool has room). The check is CPython's reference count, which is exact.
"""
from __future__ import annotations

import sys

import numpy as np

# Held at once: the frame the camera thread is filling, the newest one (in the slot and the runner's preview)
# and the one being read. A preview being encoded meanwhile gets a fresh buffer.
POOL_SIZE = 3


class FramePool:
    """Used by one thread (the camera thread)."""

    def __init__(self, size: int = POOL_SIZE):
        self._size = size
        self._buffers: list[np.ndarray] = []
        self.made = 0  # buffers allocated so far (for tests and benchmarks: reuse keeps this at the pool size)

    def take(self, shape: tuple[int, ...], dtype=np.uint8) -> np.ndarray:
        """A buffer of this shape that nobody else holds; its contents are left over from an earlier frame."""
        if self._buffers and (self._buffers[0].shape != tuple(shape) or self._buffers[0].dtype != dtype):
            self._buffers = []  # the stream changed size: the old buffers go once their holders let go
        for i in range(len(self._buffers)):
            # 2: the list's reference and getrefcount's argument; any Frame, slot, view or reader adds one.
            if sys.getrefcount(self._buffers[i]) == 2:
                return self._buffers[i]
        buffer = np.empty(shape, dtype)
        self.made += 1
        if len(self._buffers) < self._size:
            self._buffers.append(buffer)
        return buffer
