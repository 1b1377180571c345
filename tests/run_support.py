"""Writing to the store the way a source run does (``Store.record_run`` with a planned run),
for tests that need stored alerts, deliveries or a source's health without fetching."""

from __future__ import annotations

from collections.abc import Sequence

from bot.delivery.plan import ArticlePlan, SourceRun
from bot.model import Article, PlannedAlert
from bot.sources.health import HealthPolicy, RunResult, assess
from bot.store import Store
from bot.stories.dedupe import place_article


def record_alerts(
    store: Store,
    found: Sequence[tuple[Article, Sequence[PlannedAlert]]],
    *,
    now: float,
    source_id: str = "wire",
    seen_keys: Sequence[str] = (),
) -> list[int]:
    """Record articles with ready-made alerts as one run of ``source_id``, each placed by its
    URL alone (the latest story of that URL, else a new one); return the new delivery ids."""
    contexts = store.story_contexts([(a.url or "", None) for a, _ in found], since=now)
    plans = []
    for number, ((article, planned), context) in enumerate(zip(found, contexts, strict=True)):
        placement = place_article(None, same_url=context.same_url, candidates=(), threshold=1.0)
        story_id = placement.story_id if placement.story_id is not None else -1 - number
        plans.append(
            ArticlePlan(article, None, placement, story_id, planned=tuple(planned), alertable=True)
        )
    health = store.source_health(source_id)
    run = SourceRun(source_id, now, health, articles=tuple(plans), seen_keys=tuple(seen_keys))
    return store.record_run(run)


def record_failures(
    store: Store, source_id: str, error: str, *, times: int, start: float, interval_s: float = 60.0
) -> None:
    """``times`` failed runs of the source, one second apart, assessed as the service does."""
    for t in range(times):
        now = start + t
        result = RunResult(now=now, error=error)
        old = store.source_health(source_id)
        health, _ = assess(old, result, HealthPolicy(interval_s), rand=0.0)
        store.record_run(SourceRun(source_id, now, health))
