"""Pull the main text out of a parsed, pre-cleaned page with trafilatura, as a list of blocks."""

from __future__ import annotations

from contextlib import suppress
from copy import copy
from dataclasses import dataclass
from typing import Any, cast

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import core as trafilatura_core
from trafilatura.baseline import baseline, html2txt
from trafilatura.external import compare_extraction, justext_rescue
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor
from trafilatura.utils import normalize_unicode
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import (
    RAW_TREE_PRUNE_XPATH,
    REMOVE_COMMENTS_AND_LISTS_XPATH,
    REMOVE_COMMENTS_XPATH,
)

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


# trafilatura runs in three modes here. Its fast mode (own extractor only) is trusted when
# what it returns reads like an article: enough prose, a fair share of the page's prose, mostly
# sentences rather than menu labels, and paragraphs rather than one flattened container (its
# baseline fallback). Otherwise the full mode runs, which weighs readability and justext
# against the own extraction; that comparison is most of trafilatura's time and changes
# nothing on most pages.
_SHORT_WORDS = 100
_DOUBT_SHARE = 0.3
_DOUBT_LINE_SHARE = 0.5
# One line this long is a container flattened into a single paragraph, not a paragraph.
_BLOB_WORDS = 300
# A result short of the page's prose (its words outside links) may be a missed article:
# guides and list articles whose sections trafilatura takes for furniture. Menus and teaser
# lists are link text and do not count. trafilatura is asked again in recall mode, and the
# retry wins when it brings more prose from where the first result starts (new material
# ahead of the article is captions and galleries), or, for a result under half the page,
# half as much prose again wherever it is (the first result may be a side section). Prose is
# counted in distinct lines of 5+ words so that repeated captions and labels do not count.
_SHORT_SHARE = 0.65
_RETRY_GAIN = 1.3
_HALF_SHARE = 0.5
_HALF_GAIN = 1.5
# A result this long is an article already: a retry found elsewhere could only add furniture.
# (Skipping the full pass for such results too changed nothing on the tune half but lost
# 0.001 F1 on WCXB's held-out half: full mode does improve long doubtful results.)
_LONG_WORDS = 1000
_PROSE_LINE_WORDS = 5
# A flattened result is re-extracted in recall mode and replaced when the retry has structure
# and keeps most of its words.
_BLOB_RETRY_LINES = 4
_BLOB_KEEP = 0.75


# Plain strings, not smart ones: a smart string costs an element proxy per text node.
_TEXT = etree.XPath(".//text()", smart_strings=False)
_HIDDEN_OR_LINK = etree.XPath(
    ".//a//text() | .//script//text() | .//style//text() | .//noscript//text()",
    smart_strings=False,
)


def extract_blocks(
    tree: HtmlElement, url: str | None, options: ExtractOptions, *, rerun: bool = True
) -> list[str]:
    """The article's text blocks (paragraphs, headings, list items, table rows), in order.

    ``rerun=False`` (a page far larger than any real one) allows one fast pass only: each
    further pass costs as much again.
    """
    raw = _RawTree.of(tree)
    if not rerun and not options.favor_recall:
        text = _run(raw, url, options, recall=False, fast=True)
    elif options.fast or options.favor_recall:
        text = _run(raw, url, options, recall=options.favor_recall, fast=options.fast)
    else:
        text = _balanced(raw, tree, url, options)
    lines = [line.strip() for line in text.split("\n")]
    return drop_trailing_link_lines([line for line in lines if line], tree)


def _balanced(raw: _RawTree, tree: HtmlElement, url: str | None, options: ExtractOptions) -> str:
    # Recall retries are fast runs (trafilatura's own extractor, no readability/justext
    # comparison): same F1 on ScrapingHub, 0.0003 less on WCXB dev, about half the time.
    page = _page_prose(tree)
    text = _run(raw, url, options, recall=False, fast=True)
    if _doubtful(text, page):
        text = _run(raw, url, options, recall=False, fast=False)
    words = len(text.split())
    retry = None
    if words < _SHORT_WORDS or words < _SHORT_SHARE * page:
        retry = _run(raw, url, options, recall=True, fast=True)
        if _retry_wins(text, retry, words, page):
            return retry
    if _longest_line(text) > _BLOB_WORDS:
        if retry is None:
            retry = _run(raw, url, options, recall=True, fast=True)
        if retry.count("\n") >= _BLOB_RETRY_LINES and len(retry.split()) >= _BLOB_KEEP * words:
            return retry
    return text


def _doubtful(text: str, page: int) -> bool:
    """Whether a fast-mode result may have missed the article or be a menu or a flattened dump."""
    prose = _prose_words(text)
    return (
        prose < _SHORT_WORDS
        or prose < _DOUBT_SHARE * page
        or prose < _DOUBT_LINE_SHARE * len(text.split())
        or _longest_line(text) > _BLOB_WORDS
    )


def _retry_wins(text: str, retry: str, words: int, page: int) -> bool:
    before = _prose_words(text)
    if (
        words < _LONG_WORDS
        and words < _HALF_SHARE * page
        and _prose_words(retry) > _HALF_GAIN * before
    ):
        return True
    first = next(
        (s for line in text.split("\n") if len((s := line.strip()).split()) >= _PROSE_LINE_WORDS),
        None,
    )
    start = retry.find("\n" + first) if first else -1
    return _prose_words(retry[start:] if start > 0 else retry) > _RETRY_GAIN * before


def _longest_line(text: str) -> int:
    return max((len(line.split()) for line in text.split("\n")), default=0)


@dataclass(slots=True)
class _RawTree:
    """The page as every trafilatura pass starts from it, prepared once for all passes.

    ``trafilatura.extract`` copies the tree it is given, then prunes the copy with two
    page-wide XPath lists (appended articles, comment sections) before anything depends on its
    options: about a sixth of a fast pass, paid again by each pass. Here the copy is pruned
    once, and each pass runs trafilatura's own steps on it (``_sequence``), as its
    ``trafilatura_sequence`` does with comments off. ``page_text`` (its measure of the page
    for the recall escalation) is computed once, when a pass first needs it.
    """

    tree: HtmlElement
    forum: bool
    page_text: int | None = None

    @classmethod
    def of(cls, tree: HtmlElement) -> _RawTree:
        raw = copy(tree)
        forum = trafilatura_core._forum_thread_page(raw)
        raw = prune_unwanted_nodes(raw, RAW_TREE_PRUNE_XPATH)
        if not forum:  # a forum's comments are its posts: pruned only in precision mode
            raw = prune_unwanted_nodes(raw, REMOVE_COMMENTS_AND_LISTS_XPATH)
        return cls(raw, forum)

    def page_chars(self) -> int:
        if self.page_text is None:
            self.page_text = len(html2txt(self.tree))
        return self.page_text


def _run(
    raw: _RawTree, url: str | None, options: ExtractOptions, *, recall: bool, fast: bool
) -> str:
    """What ``trafilatura.extract(tree, ...)`` returns as text with these switches."""
    settings = Extractor(
        output_format="txt",
        fast=fast,
        precision=options.favor_precision and not recall,
        recall=recall,
        comments=False,
        tables=options.include_tables,
        url=url,
    )
    try:
        body, text = _sequence(raw, settings, url)
    except (TypeError, ValueError):  # as trafilatura's bare_extraction: no text
        return ""
    if len(text) < settings.min_output_size:
        return ""
    return normalize_unicode(xmltotxt(body, settings.formatting).strip())


def _sequence(raw: _RawTree, settings: Extractor, url: str | None) -> tuple[Any, str]:
    """trafilatura 2.3's ``trafilatura_sequence`` (comments off) on the prepared tree."""
    tree = raw.tree
    if raw.forum and settings.focus == "precision":
        tree = prune_unwanted_nodes(copy(tree), REMOVE_COMMENTS_AND_LISTS_XPATH)
    cleaned = tree_cleaning(copy(tree), settings)
    backup = None if settings.fast else copy(cleaned)  # only the comparison reads it
    cleaned = convert_tags(cleaned, settings, url)
    if settings.focus == "precision" and not raw.forum:
        cleaned = prune_unwanted_nodes(cleaned, REMOVE_COMMENTS_XPATH)
    body, text = extract_content(cleaned, settings)
    if backup is not None:
        body, text = compare_extraction(backup, copy(tree), body, text, settings)
    if len(text) < settings.min_extracted_size and settings.focus != "precision":
        rescue, rescue_text, rescue_len = baseline(tree)
        if rescue_len > len(text):
            body, text = rescue, rescue_text
    if (
        settings.focus == "balanced"
        and 0 < len(text) < trafilatura_core.ESCALATION_MAX_LENGTH
        and len(text) < trafilatura_core.ESCALATION_PAGE_SHARE * raw.page_chars()
    ):
        body, text = _escalate(tree, settings, url, body, text)
    return body, text


def _escalate(
    tree: HtmlElement, settings: Extractor, url: str | None, body: Any, text: str
) -> tuple[Any, str]:
    """trafilatura's recall escalation: a recall pass, and justext beside it in full mode."""
    recall = copy(settings)
    recall.focus = "recall"
    # Either candidate failing leaves the other (trafilatura catches every exception here).
    r_body, r_text = None, ""
    with suppress(Exception):
        r_body, r_text = trafilatura_core._recall_retry(tree, recall, url)
    j_body, j_text = None, ""
    if not settings.fast:
        with suppress(Exception):
            j_body, j_text = justext_rescue(copy(tree), settings)
    if len(j_text) > len(r_text) and len(j_text) > (
        trafilatura_core.ESCALATION_JUSTEXT_RATIO * len(text)
    ):
        return j_body, j_text
    if len(r_text) >= settings.min_extracted_size and len(r_text) > (
        trafilatura_core.ESCALATION_ACCEPT_RATIO * len(text)
    ):
        return r_body, r_text
    return body, text


def _prose_words(text: str) -> int:
    """Words in the distinct lines of ``text`` that are sentences, not captions or labels."""
    lines = {line.strip() for line in text.split("\n")}
    return sum(n for line in lines if (n := len(line.split())) >= _PROSE_LINE_WORDS)


def _page_prose(tree: HtmlElement) -> int:
    """Words of the page's visible text that are not link text (menus, teasers, footers)."""
    # All body text nodes, then those inside scripts, styles and links taken off again: two
    # compiled XPath queries, no Python walk over the page's elements.
    body = tree.find("body")
    if body is None:
        return 0
    text = cast(list[str], _TEXT(body))
    hidden = cast(list[str], _HIDDEN_OR_LINK(body))
    return len(" ".join(text).split()) - len(" ".join(hidden).split())
