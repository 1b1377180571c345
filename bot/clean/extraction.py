"""Pull the main text out of a parsed, pre-cleaned page with trafilatura, as a list of blocks."""

from __future__ import annotations

import trafilatura
from lxml.html import HtmlElement


def extract_blocks(tree: HtmlElement, url: str | None) -> list[str]:
    """The article's text blocks (paragraphs, headings, list items, table rows), in order."""
    text = trafilatura.extract(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        output_format="txt",
    )
    if not text:
        return []
    return [line.strip() for line in text.split("\n") if line.strip()]
