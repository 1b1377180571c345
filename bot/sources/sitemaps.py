"""Read a sitemap (including Google News sitemaps) or a sitemap index into items (pure).

An article's date is its ``news:publication_date``, else its ``lastmod``. An index lists child
sitemaps; the caller fetches the most recently modified ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from bot.sources.feeds import FeedItem, parse_iso_date

_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap: article items, or (for an index) child sitemaps as items."""

    items: tuple[FeedItem, ...]
    children: tuple[FeedItem, ...]
    problem: str | None = None


def parse_sitemap(body: bytes) -> Sitemap:
    """Items of a ``<urlset>`` or children of a ``<sitemapindex>``, in document order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        return Sitemap((), (), f"not a sitemap: {exc}")
    if root is None:
        return Sitemap((), (), "not a sitemap: empty document")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        return Sitemap((), (), f"not a sitemap: root element <{kind}>")
    entries: list[FeedItem] = []
    for node in root:
        if not isinstance(node.tag, str):
            continue
        loc = _child_text(node, "loc")
        if not loc:
            continue
        published = _date(node)
        title = ""
        for news in node.iter(f"{_NEWS}title"):
            title = (news.text or "").strip()
        entries.append(FeedItem(key=loc, link=loc, title=title, published=published))
    if kind == "sitemapindex":
        return Sitemap((), tuple(entries), None if entries else "sitemap index lists nothing")
    return Sitemap(tuple(entries), (), None)


def newest_first(items: tuple[FeedItem, ...], limit: int) -> tuple[FeedItem, ...]:
    """At most ``limit`` items, most recent first; undated ones keep document order at the end."""
    dated = sorted((i for i in items if i.published), key=_when, reverse=True)
    undated = [i for i in items if not i.published]
    return tuple([*dated, *undated][:limit])


def _when(item: FeedItem) -> datetime:
    assert item.published is not None
    return item.published


def _child_text(node: etree._Element, name: str) -> str:
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip()
    return ""


def _date(node: etree._Element) -> datetime | None:
    for news in node.iter(f"{_NEWS}publication_date"):
        found = parse_iso_date(news.text)
        if found:
            return found
    return parse_iso_date(_child_text(node, "lastmod"))
