"""Pausing Python's cyclic garbage collector around allocation-heavy matching.

A cold match builds ~100,000 short-lived, acyclic objects (rows, entries,
compiled ranges, findings). Each time allocations outrun frees by the
collector's threshold it walks the young generation, and as the heap grows it
walks everything: measured at ~40% of a cold 5,000-package match (ADR 0145).
Reference counting frees these objects anyway, so :func:`gc_paused` turns the
cyclic collector off for the block and restores the previous state after it.
Re-enabling alone would make the next allocation walk every object the block
left alive (all still "young"); ``freeze()`` + ``unfreeze()`` first moves them
to the oldest generation without walking them (they stay collectable there:
nothing is leaked in a long-running process).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (re-enabled after if it was on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # O(1): every tracked object to the permanent generation ...
            gc.unfreeze()  # ... and back into the oldest one, unwalked
            gc.enable()
