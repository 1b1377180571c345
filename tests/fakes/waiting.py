"""Waiting on a fake's state: one behaviour for every fake server (a value, or TimeoutError)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_on(
    condition: threading.Condition, predicate: Callable[[], T], timeout: float, who: str
) -> T:
    """Wait on ``condition`` until ``predicate()`` is truthy and return its value.

    Raises ``TimeoutError`` naming ``who`` when ``timeout`` seconds pass first. The fake must
    ``notify_all`` the condition whenever its state changes: this never polls.
    """
    with condition:
        result = condition.wait_for(predicate, timeout)
    if not result:
        raise TimeoutError(f"{who}: condition not met within {timeout} s")
    return result
