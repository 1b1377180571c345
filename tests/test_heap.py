"""bot.runtime.heap.settle: long-lived objects leave the GC's generations; dropped cycles die."""

from __future__ import annotations

import gc
import weakref

from bot.config import load_config
from bot.runtime import heap
from tests.conftest import ROOT


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_settle_freezes_the_compiled_rules() -> None:
    config = load_config(ROOT / "config" / "newsbot.yaml")
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        # The rules are no longer in any generation a collection walks.
        walked = {id(o) for o in gc.get_objects()}
        assert id(config.rules.topics) not in walked
    finally:
        gc.unfreeze()


def test_a_frozen_cycle_dropped_later_is_collected_by_the_next_settle() -> None:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    try:
        heap.settle()  # the cycle is alive: frozen
        del a, b
        gc.collect()
        assert gone() is not None  # frozen objects are out of reach of ordinary collections
        heap.settle()
        assert gone() is None
    finally:
        gc.unfreeze()
