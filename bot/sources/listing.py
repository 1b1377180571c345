"""Find the article links on a section or front page (pure).

With a CSS ``selector`` from the config, the links it selects (an ``<a>``, or the ``<a>``
elements inside what it selects). Without one, a heuristic: same-site links whose path looks
like an article — a date in the path, a long numeric id, a slug of four or more words, or an
``.html`` page below a section — and not navigation, tags, authors, feeds, logins or files.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from bot.sources.canonical import canonical_url, same_site
from bot.sources.feeds import FeedItem

_DATE_PATH = re.compile(r"/(19|20)\d\d[/-](0?[1-9]|1[0-2])([/-]|$)")
_NUMERIC_ID = re.compile(r"(^|[/_.-])\d{5,}([/_.-]|$)")
_SLUG_WORDS = re.compile(r"[a-z0-9\u00c0-\u024f\u0400-\u04ff]+", re.IGNORECASE)
_NOT_ARTICLE = re.compile(
    r"/(tags?|topics?|category|categories|section|author|authors|people|search|login|signin|"
    r"sign-in|register|subscribe|subscription|newsletter|account|contact|about|about-us|"
    r"privacy|privacy-policy|terms|cookies?|impressum|feeds?|rss|video-?s?|live-?tv|weather|"
    r"horoscopes?|games|puzzles|jobs|shop|page)(/|$)",
    re.IGNORECASE,
)
_FILE = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|mp3|mp4|zip|xml|rss|json|css|js)$", re.I)


def discover_links(html: str, base_url: str, *, selector: str | None = None) -> tuple[str, ...]:
    """Article URLs linked from the page, canonical, in page order, without duplicates."""
    if not html.strip():
        return ()
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ()
    base = _base_href(tree, base_url)
    if selector:
        anchors = []
        for element in tree.cssselect(selector):
            if element.tag == "a":
                anchors.append(element)
            else:
                anchors.extend(element.iter("a"))
    else:
        anchors = list(tree.iter("a"))
    found: dict[str, None] = {}
    for anchor in anchors:
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(base, href)
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        if selector is None and not looks_like_article(url, base_url):
            continue
        found[canonical_url(url)] = None
    return tuple(found)


def looks_like_article(url: str, site_url: str) -> bool:
    """Whether a link from ``site_url``'s page is probably an article on the same site."""
    if not same_site(url, site_url):
        return False
    path = urlsplit(url).path
    if not path or path == "/" or _FILE.search(path) or _NOT_ARTICLE.search(path):
        return False
    if canonical_url(url) == canonical_url(site_url):
        return False
    if _DATE_PATH.search(path) or _NUMERIC_ID.search(path):
        return True
    last = [part for part in path.split("/") if part]
    if not last:
        return False
    slug = re.sub(r"\.(s?html?|php|aspx?)$", "", last[-1], flags=re.I)
    if len(_SLUG_WORDS.findall(slug.replace("_", "-"))) >= 4 and "-" in slug:
        return True
    return path.lower().endswith((".html", ".htm")) and len(last) >= 2


def as_items(urls: tuple[str, ...]) -> tuple[FeedItem, ...]:
    """Discovered links as items whose identity is their canonical URL."""
    return tuple(FeedItem(key=url, link=url, title="") for url in urls)


def _base_href(tree: lxml.html.HtmlElement, page_url: str) -> str:
    for base in tree.iter("base"):
        href = base.get("href")
        if href:
            return urljoin(page_url, str(href).strip())
    return page_url
