"""Bylines written in the text ("Por Sofía Carvajal", "By …", "Von …") become the author."""

from __future__ import annotations

from typing import Any

import pytest

from bot import extract
from bot.clean.byline import author_bio_start, byline_author
from tests.clean_support import cases, page

PAGES = cases("clean_bylines.yaml")
LINES = cases("clean_bylines_text.yaml")
BIOS = cases("clean_author_bios.yaml")


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


@pytest.mark.parametrize("case", BIOS, ids=[f"{c['author']}-{c['start']}" for c in BIOS])
def test_author_bio_start(case: dict[str, Any]) -> None:
    """A closing block that opens with the author's full name starts a bio; other blocks do not."""
    assert author_bio_start(case["blocks"], case["author"]) == case["start"]


def test_author_bio_leaves_the_text() -> None:
    """The bio after an article by a known author is reported as removed, not kept as text."""
    story = "".join(
        f"<p>Paragraph {n} of the report describes the new tram line and the council's plan "
        f"for the works in the old town during {2026 + n}.</p>"
        for n in range(5)
    )
    html = (
        "<html><head><title>Tram line approved</title>"
        "<meta name='author' content='Jane McAllister'></head><body><article>"
        f"<h1>Tram line approved</h1>{story}"
        "<p>Jane McAllister is the transport correspondent and has covered the city for "
        "twenty years.</p></article></body></html>"
    )
    article = extract(html)
    assert article.author == "Jane McAllister"
    assert "transport correspondent" not in article.text
    assert "Paragraph 4 of the report" in article.text
    assert any(r.kind == "bio" for r in article.removed)
