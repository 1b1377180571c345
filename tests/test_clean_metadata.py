"""Title, author, date and language come from the page's markup and the article's own text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot import extract
from bot.clean.metadata import parse_date
from tests.clean_support import page


def test_json_ld_graph_gives_headline_authors_and_date() -> None:
    """JSON-LD inside @graph: the NewsArticle's authors (all of them) and datePublished."""
    article = extract(page("metadata/jsonld-graph.html"))
    assert article.title == (
        "Night train service between the capital and the coast to resume in spring"
    )
    assert article.author == "Daniel Okafor, Lucy Grant"
    assert article.published == datetime(2025, 3, 14, 6, 30, tzinfo=UTC)


def test_meta_tags_give_author_date_and_title_without_site_name() -> None:
    """<meta name=author> (not a profile URL), article:published_time, og:title less site name."""
    article = extract(page("metadata/meta-tags.html"))
    assert article.title == "Library reopens"
    assert article.author == "Hannah Webb"
    assert article.published == datetime(2025, 5, 10, 8, 0, tzinfo=timezone(timedelta(hours=2)))


def test_time_element_is_the_last_resort_for_the_date() -> None:
    """With no JSON-LD or meta date, <time datetime> dates it; with no og:title, <h1> titles it."""
    article = extract(page("metadata/time-element.html"))
    assert article.published == datetime(2025, 7, 24)
    assert article.title == (
        "Firefighters contain wildfire that forced evacuation of hillside villages"
    )
    assert article.author is None


def test_declared_charset_is_honoured() -> None:
    """Bytes in ISO-8859-1 with a <meta http-equiv> charset decode to the right umlauts."""
    article = extract(page("metadata/latin1.html"))
    assert "Überarbeitungen" in article.text
    assert article.title == "Stadtrat beschließt neue Radwege entlang des Flusses"
    assert article.language == "de"


def test_language_is_the_articles_not_the_sites() -> None:
    """An English story on a lang="es" site is English; a near-empty page falls back to lang."""
    assert extract(page("seed-inline-notice.html")).language == "en"
    assert extract(page("walls/consent-wall.html")).language == "de"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-08-18", datetime(2025, 8, 18)),
        ("2025-08-18T09:42:00Z", datetime(2025, 8, 18, 9, 42, tzinfo=UTC)),
        (
            "2025-08-18T09:42:00+0200",
            datetime(2025, 8, 18, 9, 42, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            "2025-08-18T09:42:00.123+02:00",
            datetime(2025, 8, 18, 9, 42, 0, 123000, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2025-08-18 garbage", datetime(2025, 8, 18)),
        ("18 agosto, 2025", None),
        ("", None),
    ],
)
def test_parse_date(value: str, expected: datetime | None) -> None:
    """ISO 8601 dates and datetimes parse; anything else is None rather than an error."""
    assert parse_date(value) == expected
