"""How many uploads decode at once, and giving the memory back afterwards.

Decoding a photo needs its full pixel buffer (tens to hundreds of MB for the worst
accepted file). Waitress runs several threads, so without a bound eight hostile
uploads at once would need eight buffers. A small semaphore (COMMUNE_DECODE_SLOTS,
default 2) lets only that many uploads decode at a time; an upload that waits longer
than COMMUNE_DECODE_WAIT seconds is told the server is busy (HTTP 503 with
Retry-After), and the page's upload script tries again by itself.

glibc keeps freed memory inside its heaps unless told otherwise, and raises its mmap
threshold after big frees, so big pixel buffers end up in heaps that never shrink.
`tune_malloc()` (called by `flask serve`) fixes the threshold so big buffers are mmapped
and returned on free, and caps the number of arenas; `release_memory()` trims what is
left after each decode. Both are no-ops where glibc is not the allocator.
"""
import ctypes
import ctypes.util
import threading
from contextlib import contextmanager

from flask import current_app, has_app_context

DEFAULT_SLOTS = 2
DEFAULT_WAIT_SECONDS = 5
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8

_lock = threading.Lock()
_semaphores = {}
_libc = None


class DecodeBusy(Exception):
    """No decoding slot came free within the wait."""


def slot_settings():
    """(slots, wait seconds) from the app's settings, or the defaults outside an app."""
    if not has_app_context():
        return DEFAULT_SLOTS, DEFAULT_WAIT_SECONDS
    config = current_app.config
    return (max(1, int(config.get("COMMUNE_DECODE_SLOTS") or DEFAULT_SLOTS)),
            max(0.0, float(config.get("COMMUNE_DECODE_WAIT", DEFAULT_WAIT_SECONDS))))


def _semaphore(slots):
    with _lock:
        if slots not in _semaphores:
            _semaphores[slots] = threading.BoundedSemaphore(slots)
        return _semaphores[slots]


@contextmanager
def decode_slot():
    """Hold one of the decoding slots for the block; DecodeBusy if none frees up in time."""
    slots, wait = slot_settings()
    semaphore = _semaphore(slots)
    if not semaphore.acquire(timeout=wait):
        raise DecodeBusy()
    try:
        yield
    finally:
        release_memory()
        semaphore.release()


def _glibc():
    global _libc
    if _libc is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc = libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else False
        except OSError:
            _libc = False
    return _libc or None


def tune_malloc(mmap_threshold=1024 * 1024, arenas=2):
    """Big allocations straight from (and back to) the system; few arenas. True if applied."""
    libc = _glibc()
    if libc is None:
        return False
    libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold)
    libc.mallopt(M_TRIM_THRESHOLD, 4 * mmap_threshold)
    libc.mallopt(M_ARENA_MAX, arenas)
    return True


def release_memory():
    """Give freed heap pages back to the system (glibc's malloc_trim)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
