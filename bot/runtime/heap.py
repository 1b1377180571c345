"""Keeping long-lived objects out of the cyclic garbage collector's way.

A compiled rule set with thousands of topics is some 150,000 objects that live until the next
reload. Every full collection walks all of them — about 60 ms each, several times a minute on a
busy bot, and 10% of matching time in ``bench/match.py``. ``settle()`` moves everything alive
now into the permanent generation (``gc.freeze``), so later collections only look at new objects.
Frozen objects are still freed by reference counting when the next reload drops them; the
next ``settle()`` unfreezes first, so that cycles among them are collected too.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect all garbage (frozen objects included), then exempt the survivors from later
    collections."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
