"""Canonical URLs: tracking, fragments, AMP and mobile variants, and a page's own canonical
(data-driven cases in tests/fixtures/sources/canonical.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.sources.canonical import canonical_url, page_canonical
from bot.sources.listing import looks_like_article
from tests.conftest import FIXTURES

CASES = yaml.safe_load((FIXTURES / "sources" / "canonical.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["urls"], ids=lambda c: c["url"])
def test_canonical_url(case: dict[str, Any]) -> None:
    """Each URL variant maps to the article's one identity."""
    assert canonical_url(case["url"]) == case["canonical"]


@pytest.mark.parametrize("case", CASES["pages"], ids=lambda c: c["name"])
def test_page_canonical(case: dict[str, Any]) -> None:
    """rel=canonical, then og:url, on the same site decide the page's identity."""
    assert page_canonical(case["html"], case["url"]) == case["canonical"]


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://www.example.com/world/2025/11/20/talks-resume", True),
        ("https://www.example.com/politics/ukraine-seeks-face-to-face-meeting", True),
        ("https://www.example.com/news/world-europe-68012345", True),
        ("https://www.example.com/world/story.html", True),
        ("https://www.example.com/world/", False),
        ("https://www.example.com/tag/politics", False),
        ("https://www.example.com/author/jane-doe-smith-jones", False),
        ("https://www.example.com/privacy-policy", False),
        ("https://www.example.com/images/2025/11/photo.jpg", False),
        ("https://other.example.org/world/2025/11/20/talks-resume", False),
    ],
)
def test_article_link_heuristic(url: str, article: bool) -> None:
    """Dated, slugged or numbered same-site paths are articles; nav, tags and files are not."""
    assert looks_like_article(url, "https://www.example.com/world/") is article
