"""Pull the main text out of a parsed, pre-cleaned page with trafilatura, as a list of blocks."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement

from bot.clean.links import drop_trailing_link_lines


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How the cleaner runs: trafilatura's switches and which of our pre-extraction cuts apply."""

    fast: bool = False
    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    cut_consent: bool = True
    cut_furniture: bool = False


# A result this short, or under half the page's prose (its words outside links), may be a
# missed article (guides and list articles whose sections trafilatura takes for furniture);
# menus and teaser lists are link text and do not count. trafilatura is asked again in
# recall mode, and the retry wins when it brings half as much prose again. Prose is counted
# in distinct lines of 5+ words so that repeated gallery captions and labels do not count.
_SHORT_WORDS = 100
# A result this long is an article already: a retry could only add furniture.
_LONG_WORDS = 1000
_SHORT_SHARE = 0.5
_PROSE_LINE_WORDS = 5
_RETRY_GAIN = 1.5


def extract_blocks(tree: HtmlElement, url: str | None, options: ExtractOptions) -> list[str]:
    """The article's text blocks (paragraphs, headings, list items, table rows), in order."""
    text = _run(tree, url, options, recall=options.favor_recall)
    words = len(text.split())
    if not options.favor_recall and (
        words < _SHORT_WORDS or (words < _LONG_WORDS and words < _SHORT_SHARE * _page_prose(tree))
    ):
        retry = _run(tree, url, options, recall=True)
        if _prose_words(retry) > _RETRY_GAIN * _prose_words(text):
            text = retry
    lines = [line.strip() for line in text.split("\n")]
    return drop_trailing_link_lines([line for line in lines if line], tree)


def _run(tree: HtmlElement, url: str | None, options: ExtractOptions, *, recall: bool) -> str:
    text = trafilatura.extract(
        tree,
        url=url,
        fast=options.fast,
        favor_precision=options.favor_precision and not recall,
        favor_recall=recall,
        include_comments=False,
        include_tables=options.include_tables,
        output_format="txt",
    )
    return text or ""


def _prose_words(text: str) -> int:
    """Words in the distinct lines of ``text`` that are sentences, not captions or labels."""
    lines = {line.strip() for line in text.split("\n")}
    return sum(n for line in lines if (n := len(line.split())) >= _PROSE_LINE_WORDS)


def _page_prose(tree: HtmlElement) -> int:
    """Words of the page's visible text that are not link text (menus, teasers, footers)."""
    # All body text at C speed, then what scripts, styles and links held taken off again:
    # much cheaper than an XPath asking every text node about its ancestors.
    body = tree.find("body")
    if body is None:
        return 0
    words = len(" ".join(body.itertext()).split())
    for el in body.iter("script", "style", "noscript", "a"):
        words -= len(" ".join(el.itertext()).split())
    return words
