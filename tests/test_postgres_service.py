"""The service-level store behaviours written for SQLite, run again on a real PostgreSQL: the
same test functions, with the ``store`` fixture giving a PostgreSQL store (feed baselines,
backfill, item identity, listings, sitemaps, story dedupe across sites and edits, the outbox
after a sender's bug)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store import Store
from tests.postgres import pg_server, pg_url
from tests.test_deliver import test_unexpected_sender_error_leaves_nothing_sending
from tests.test_sources_kinds import (
    news,
    test_backfill_fetches_only_recent_items,
    test_first_run_records_without_fetching_items,
    test_ignore_robots_source_fetches_disallowed_feed,
    test_listing_source_fetches_new_articles,
    test_new_item_found_by_identity_not_date,
    test_sitemap_index_source_reads_children,
)
from tests.test_story_dedupe import (
    test_light_edit_does_not_alert_and_new_development_does,
    test_same_agency_story_on_three_sites_alerts_once,
    test_watched_page_edits_and_developments,
)

__all__ = [  # collected here, so they run with this module's `store`
    "news",
    "pg_server",
    "pg_url",
    "test_backfill_fetches_only_recent_items",
    "test_first_run_records_without_fetching_items",
    "test_ignore_robots_source_fetches_disallowed_feed",
    "test_light_edit_does_not_alert_and_new_development_does",
    "test_listing_source_fetches_new_articles",
    "test_new_item_found_by_identity_not_date",
    "test_same_agency_story_on_three_sites_alerts_once",
    "test_sitemap_index_source_reads_children",
    "test_unexpected_sender_error_leaves_nothing_sending",
    "test_watched_page_edits_and_developments",
]


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    """A newsbot store on a fresh PostgreSQL database."""
    db = Store(pg_url)
    yield db
    db.close()
