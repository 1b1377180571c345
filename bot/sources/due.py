"""Which sources are due for a check, from their interval and their recorded health (pure).

The worker runtime's periodic tick asks this of every configured source; ``newsbot run`` gets
the same answer from its scheduler's interval timers. A source never run is due; a source
resting after failures (``next_check_at``) is not due before then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.model import Source
from bot.sources.health import SourceHealth


def is_due(source: Source, health: SourceHealth | None, now: float) -> bool:
    """True when ``source`` should be checked at ``now``."""
    if health is None or health.last_run_at is None:
        return True
    if health.next_check_at is not None and now < health.next_check_at:
        return False
    return now >= health.last_run_at + source.interval_s


def due_sources(
    sources: Iterable[Source], health: Mapping[str, SourceHealth], now: float
) -> list[Source]:
    """The sources due at ``now``, in the given order."""
    return [s for s in sources if is_due(s, health.get(s.id), now)]
