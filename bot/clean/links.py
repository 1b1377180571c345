"""Find the run of link lines that ends an extracted text: related stories, "more from", tags.

trafilatura's plain-text output forgets which words were links (and asking it to keep links
changes what it extracts), so a line's link share is measured against the page's own link
texts: a line that is mostly the text of one link is a link.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from bot.clean.consent_text import normalize_space

# A line this much of which is one link's text is navigation.
_LINK_SHARE = 0.6
# Link texts shorter than this ("1", "Next", "»") say nothing about a line.
_MIN_LINK_CHARS = 12
_BULLET = re.compile(r"^[-•*·|]\s*")


def link_texts(tree: HtmlElement) -> set[str]:
    """The normalised text of every link on the page that is long enough to tell."""
    texts = set()
    for a in tree.iter("a"):
        text = normalize_space(a.text_content())
        if len(text) >= _MIN_LINK_CHARS:
            texts.add(text)
    return texts


def _is_link_line(line: str, links: set[str]) -> bool:
    text = normalize_space(_BULLET.sub("", line))
    if not text:
        return False
    if text in links:
        return True
    floor = _LINK_SHARE * len(text)
    return any(len(link) >= floor and link in text for link in links)


def drop_trailing_link_lines(lines: list[str], tree: HtmlElement) -> list[str]:
    """``lines`` without the run of lines that are mostly one link's text at their end."""
    if len(lines) < 2:
        return lines
    links = link_texts(tree)
    cut = len(lines)
    while cut > 1 and _is_link_line(lines[cut - 1], links):
        cut -= 1
    return lines[:cut]
