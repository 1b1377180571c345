"""Turn a fetched feed into its items: identity, link, title and date (pure).

RSS 0.9x/1.0/2.0 and Atom are parsed by feedparser; JSON Feed 1.0/1.1 by hand (it is JSON with
a small documented shape). An item's identity is its guid/id, else its link: new items are
found by identity, never by "newest date" or "last link seen".
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

# An entity declared in the DOCTYPE whose value refers to another entity, or an external one:
# the shape of a "billion laughs" bomb. feedparser's fallback parser takes ~10 s on one.
_NESTED_ENTITY = re.compile(
    r"<!ENTITY\s+(?:%\s*)?[^\s>]+\s+(?:SYSTEM|PUBLIC|\"[^\"]*&[^#]|'[^']*&[^#])", re.IGNORECASE
)
_LONG_ENTITY = re.compile(r"<!ENTITY\s+(?:%\s*)?[^\s>]+\s+(?:\"[^\"]{1000}|'[^']{1000})", re.I)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed (or sitemap, or section page): identity, link, title and date."""

    key: str
    link: str
    title: str
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    items: tuple[FeedItem, ...]
    problem: str | None  # set when the document is not a usable feed


def parse_feed(text: str, base_url: str, *, content_type: str = "", limit: int = 50) -> ParsedFeed:
    """Items in document order, at most ``limit``; a document that is no feed returns
    ``problem``. A valid feed with no entries is not a problem: it has 0 items."""
    if text.lstrip().startswith("{"):
        return _json_feed(text, base_url, limit)
    if _expands_entities(text):
        return ParsedFeed((), "not a feed: refused, it declares XML entities that expand others")
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    import feedparser  # on first use: a run's first requests do not wait for its import

    parsed = feedparser.parse(text.encode("utf-8"), response_headers=headers)
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            continue
        link = urljoin(base_url, link.strip())
        key = str(entry.get("id") or link).strip()
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        items.append(
            FeedItem(
                key=key,
                link=link,
                title=str(entry.get("title") or "").strip(),
                published=_struct_time(when),
            )
        )
        if len(items) >= limit:
            break
    problem = None
    if not items and not parsed.get("version"):
        bozo = parsed.get("bozo_exception")
        problem = f"not a feed: {bozo}" if bozo else "not a feed: no RSS or Atom found"
    elif not items and parsed.entries:
        problem = "feed entries have no links"
    return ParsedFeed(items=tuple(items), problem=problem)


def _struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _json_feed(text: str, base_url: str, limit: int) -> ParsedFeed:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParsedFeed((), f"not a feed: invalid JSON ({exc.msg})")
    if not isinstance(doc, dict) or "jsonfeed.org/version" not in str(doc.get("version", "")):
        return ParsedFeed((), "not a feed: JSON without a jsonfeed.org version")
    items: list[FeedItem] = []
    entries = doc.get("items") or []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        link = entry.get("url") or entry.get("external_url") or ""
        if not isinstance(link, str) or not link.strip():
            continue
        link = urljoin(base_url, link.strip())
        key = str(entry.get("id") or link).strip()
        items.append(
            FeedItem(
                key=key,
                link=link,
                title=str(entry.get("title") or "").strip(),
                published=parse_iso_date(entry.get("date_published") or entry.get("date_modified")),
            )
        )
        if len(items) >= limit:
            break
    return ParsedFeed(tuple(items), "feed items have no URLs" if entries and not items else None)


def parse_iso_date(value: object) -> datetime | None:
    """An ISO 8601 / W3C date or date-time as an aware UTC datetime; None when unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _expands_entities(text: str) -> bool:
    """Whether the document's DOCTYPE declares entities that could multiply its size."""
    doctype = text.find("<!DOCTYPE", 0, 4096)
    if doctype < 0:
        return False
    subset = text[doctype : doctype + 65536]
    return bool(_NESTED_ENTITY.search(subset) or _LONG_ENTITY.search(subset))
