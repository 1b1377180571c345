"""Bylines written in the text ("Por Sofía Carvajal", "By …", "Von …") become the author."""

from __future__ import annotations

import pytest

from bot import extract
from bot.clean.byline import byline_author
from tests.clean_support import cases, page

PAGES = cases("clean_bylines.yaml")
LINES = cases("clean_bylines_text.yaml")


@pytest.mark.parametrize("case", PAGES, ids=[c["language"] for c in PAGES])
def test_byline_leaves_the_text_and_becomes_the_author(case: dict[str, str]) -> None:
    """On a page with no author metadata the written byline names the author, not the body."""
    article = extract(page(case["page"]))
    assert article.author == case["author"]
    assert case["byline"] not in article.text
    assert case["author"] not in article.text
    assert any(r.kind == "byline" for r in article.removed) or case["language"] in ("en", "de")
    assert article.language == case["language"]
    assert len(article.paragraphs) == 4


@pytest.mark.parametrize("case", LINES, ids=[c["text"][:30] for c in LINES])
def test_byline_line(case: dict[str, str | None]) -> None:
    """A byline line gives its name; a sentence that merely starts with By/Por/Von/Par does not."""
    assert byline_author(str(case["text"])) == case["author"]
