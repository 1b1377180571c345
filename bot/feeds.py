"""Turn a fetched RSS/Atom feed into its items' identities and links (feedparser parses)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed: its identity (guid/id, else link), its link and title."""

    key: str
    link: str
    title: str


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    items: tuple[FeedItem, ...]
    problem: str | None  # set when the document is not a usable feed


def parse_feed(text: str, base_url: str, *, limit: int = 50) -> ParsedFeed:
    """Items in document order, at most ``limit``; a broken feed returns ``problem``."""
    parsed = feedparser.parse(text.encode("utf-8"), response_headers={"content-location": base_url})
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            continue
        link = urljoin(base_url, link.strip())
        key = str(entry.get("id") or link).strip()
        items.append(FeedItem(key=key, link=link, title=str(entry.get("title") or "").strip()))
        if len(items) >= limit:
            break
    problem = None
    if not items:
        bozo = parsed.get("bozo_exception")
        problem = f"not a feed: {bozo}" if bozo else "feed has no items"
    return ParsedFeed(items=tuple(items), problem=problem)
