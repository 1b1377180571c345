"""Pages that are only a consent or subscription wall are marked blocked, with no article text."""

from __future__ import annotations

import pytest

from bot import extract
from tests.clean_support import page

WALLS = {
    "walls/consent-wall.html": "consent",
    "walls/consent-wall-en.html": "consent",
    "walls/subscription-wall.html": "wall",
    "walls/subscription-wall-es.html": "wall",
}


@pytest.mark.parametrize("name", sorted(WALLS))
def test_wall_page_is_blocked_with_empty_text(name: str) -> None:
    """A wall is blocked, has no body text, and what it said is recorded in ``removed``."""
    article = extract(page(name))
    assert article.blocked
    assert article.text == ""
    assert any(r.kind == WALLS[name] for r in article.removed)


def test_subscription_wall_keeps_title_and_date() -> None:
    """A blocked page still tells which story it walls off, and when it was published."""
    article = extract(page("walls/subscription-wall.html"))
    assert article.title == "Inside the race to build Europe's biggest battery factory"
    assert article.published is not None and article.published.year == 2025


@pytest.mark.parametrize("name", ["seed-consent-container.html", "cookie-law-news.html"])
def test_article_with_a_notice_is_not_a_wall(name: str) -> None:
    """A full article that also carries a consent notice is not blocked."""
    assert not extract(page(name)).blocked
