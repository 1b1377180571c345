"""What one run of a source amounts to, as its health sees it (pure).

A run *failed* only when it had errors and nothing to show: no page fetched and no item recorded
(an item page that failed while others were read is an error of the report, not of the source).
Walled pages count against the source when the source is one page, or when every page the run
fetched was a consent or subscription wall (a feed whose one new item is walled is not blocked
for that). An item whose page is gone (HTTP 404 or 410) or refused by policy (too large, not
HTML, robots.txt) is recorded as seen: asking again will not get a better answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.sources.health import RunResult

GONE = (404, 410)


def run_result(
    *,
    now: float,
    kind: str,
    errors: Sequence[str],
    pages: int,
    blocked: int,
    new_items: int,
    fetched: int,
    seen: int,
) -> RunResult:
    """The health verdict of a run that read its source: ``fetched`` pages, ``seen`` item keys
    recorded, ``pages`` of them digested into articles of which ``blocked`` were walls."""
    failed = bool(errors) and not fetched and not seen
    blocked_only = pages > 0 and blocked == pages
    return RunResult(
        now=now,
        error="; ".join(errors) if failed else None,
        new_items=new_items,
        pages=pages,
        blocked=blocked if blocked_only or kind == "page" else 0,
    )


def gives_up(status: int | None, *, rejected: bool) -> bool:
    """Whether a failed item is recorded as seen: gone for good, or refused by policy."""
    return rejected or status in GONE
