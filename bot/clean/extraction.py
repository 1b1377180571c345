"""Pull the main text out of a parsed, pre-cleaned page with trafilatura, as a list of blocks."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How the cleaner runs: trafilatura's switches and which of our pre-extraction cuts apply."""

    fast: bool = False
    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    cut_consent: bool = True
    cut_furniture: bool = True


def extract_blocks(tree: HtmlElement, url: str | None, options: ExtractOptions) -> list[str]:
    """The article's text blocks (paragraphs, headings, list items, table rows), in order."""
    text = trafilatura.extract(
        tree,
        url=url,
        fast=options.fast,
        favor_precision=options.favor_precision,
        favor_recall=options.favor_recall,
        include_comments=False,
        include_tables=options.include_tables,
        output_format="txt",
    )
    if not text:
        return []
    return [line.strip() for line in text.split("\n") if line.strip()]
