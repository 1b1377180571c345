"""Which discovered items a run fetches, and which articles may alert (pure).

The first run of a new source records what exists without alerting, unless the source has a
``backfill`` window: then items published within it are fetched and may alert. An item whose
date is unknown before fetching is fetched during a backfill and judged by its article's date.
Later runs fetch every new item, at most ``limit`` per run; the rest wait for the next run.

The baseline is taken by the first *successful* run, but what existed is what existed when the
source was first *tried* (``tried_at``): when earlier attempts failed (the site was down, the
feed was empty or broken), items published after that first attempt, and at most
``CATCH_UP_S`` ago, are new and alert like items found by any later run.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.sources.feeds import FeedItem
from bot.wording import count

CATCH_UP_S = 7 * 86400.0  # a source broken for months does not flood alerts on its first success


@dataclass(frozen=True, slots=True)
class Selection:
    """New items to fetch now, and new items to record as seen without fetching."""

    fetch: tuple[FeedItem, ...]
    record_only: tuple[FeedItem, ...]


def within_backfill(published: datetime | None, *, backfill_s: float, now: float) -> bool:
    return published is not None and backfill_s > 0 and now - published.timestamp() <= backfill_s


def after_first_try(published: datetime | None, *, tried_at: float | None, now: float) -> bool:
    """Published after the source's first (failed) attempt, within ``CATCH_UP_S``."""
    if published is None or tried_at is None:
        return False
    return published.timestamp() > max(tried_at, now - CATCH_UP_S)


def select_items(
    items: Sequence[FeedItem],
    unseen: Collection[str],
    *,
    first_run: bool,
    backfill_s: float,
    now: float,
    limit: int,
    tried_at: float | None = None,
) -> Selection:
    """Split the new items of one run into those to fetch and those only to record.

    ``tried_at``: when the source was first tried, if that was before this run."""
    new = [item for item in dict((i.key, i) for i in items).values() if item.key in unseen]
    if not first_run:
        return Selection(tuple(new[:limit]), ())
    judge_undated = backfill_s > 0 or tried_at is not None  # by the article's own date
    fetch = [
        item
        for item in new
        if (item.published is None and judge_undated)
        or within_backfill(item.published, backfill_s=backfill_s, now=now)
        or after_first_try(item.published, tried_at=tried_at, now=now)
    ][:limit]
    chosen = {item.key for item in fetch}
    return Selection(tuple(fetch), tuple(item for item in new if item.key not in chosen))


def may_alert(
    item: FeedItem | None,
    article_published: datetime | None,
    *,
    first_run: bool,
    backfill_s: float,
    now: float,
    tried_at: float | None = None,
) -> bool:
    """Whether an article found by this run may alert: always after the first run; on the
    first run only when published (item date, else article date) within the backfill or
    after the source's first, failed, attempt."""
    if not first_run:
        return True
    published = (item.published if item else None) or article_published
    return within_backfill(published, backfill_s=backfill_s, now=now) or after_first_try(
        published, tried_at=tried_at, now=now
    )


def first_run_note(kind: str, *, recorded_only: int, pages: int, backfill_s: float) -> str:
    """What a source's first (baseline) run did, so "0 new alerts" is not a mystery."""
    if kind == "page":
        return (
            "first run: the page's current text was recorded without alerting "
            f"({'backfill: alerts it when recently published; ' if backfill_s else ''}"
            "a new story on it alerts from the next run)"
        )
    if backfill_s:
        return (
            f"first run: {count(pages, 'item')} within `backfill:` fetched and matched; "
            f"{count(recorded_only, 'older item')} recorded without alerting"
        )
    return (
        f"first run: {count(recorded_only, 'existing item')} recorded without alerting; "
        "new items alert from the next run (set `backfill:` on the source to alert recent ones now)"
    )
