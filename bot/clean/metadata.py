"""Read an article's title, author, publication date and declared language from page markup.

Sources in order of trust: JSON-LD (``NewsArticle`` and kin), ``<meta>`` tags (Open Graph,
``article:*``, Dublin Core, Parse.ly, Sailthru), then the page itself (``<h1>``, ``<title>``,
``<time>``). Nothing here reads the body text; bylines written in the text are ``byline.py``'s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, cast

from lxml.html import HtmlElement

from bot.clean.byline import byline_author, is_person_name, markup_credit
from bot.clean.consent_text import normalize_space


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What the markup says about the article; ``headline`` is the visible ``<h1>``."""

    title: str
    headline: str
    author: str | None
    published: datetime | None
    declared_language: str | None


_ARTICLE_TYPES = re.compile(r"article|posting|report|blog|webpage|newsarticle", re.I)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—·•»:-]\s+")
_URLISH = re.compile(r"^(https?:)?//|^www\.|\.(com|org|net)\b", re.I)
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "published_time",
)
# The matching attributes' parents: about half the time of testing every element's attributes.
_BYLINE_XPATH = (
    '(//@class[contains(., "byline") or contains(., "author")] | //@rel[. = "author"]'
    ' | //@itemprop[. = "author"])/parent::*[not(self::meta or self::link or self::body)]'
)
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
_TITLE_META = ("og:title", "twitter:title", "dc.title", "parsely-title", "sailthru.title")


def read_page_meta(tree: HtmlElement) -> PageMeta:
    """Everything the page's markup tells about its article."""
    meta = _meta_tags(tree)
    ld = list(_json_ld_objects(tree))
    article = next((o for o in ld if _ARTICLE_TYPES.search(_type_of(o))), ld[0] if ld else {})

    headline = _first_text(tree, "h1")
    ld_title = _as_text(article.get("headline")) or _as_text(article.get("name"))
    title = (
        next((meta[k] for k in _TITLE_META if meta.get(k)), "")
        or ld_title
        or headline
        or _strip_site_name(_first_text(tree, "title"))
    )

    title = _drop_site_name(title, meta.get("og:site_name", ""))

    author = (
        _dom_byline(tree)
        or _ld_author(article.get("author"))
        or next(
            (meta[k] for k in _AUTHOR_META if meta.get(k) and not _URLISH.search(meta[k])), None
        )
        or markup_credit(tree)
    )

    published = parse_date(_as_text(article.get("datePublished")))
    for key in _DATE_META:
        if published is None and meta.get(key):
            published = parse_date(meta[key])
    if published is None:
        stamps = (el.get("datetime") for el in _document(tree).iter("time"))
        for value in islice((v for v in stamps if v is not None), 3):
            published = parse_date(value)
            if published is not None:
                break

    declared = tree.get("lang") or meta.get("og:locale") or meta.get("content-language")
    return PageMeta(
        title=normalize_space(title),
        headline=headline,
        author=normalize_space(author) if author else None,
        published=published,
        declared_language=declared.replace("_", "-") if declared else None,
    )


def parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime (``2025-08-18``, ``…T10:30:00Z``), or None."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        match = re.match(r"\d{4}-\d{2}-\d{2}", text)
        if match:
            try:
                return datetime.fromisoformat(match.group(0))
            except ValueError:
                return None
    return None


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower(), content.strip())
    return out


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in _document(tree).iter("script"):
        if script.get("type") != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"])


def _type_of(obj: dict[str, Any]) -> str:
    kind = obj.get("@type", "")
    return " ".join(map(str, kind)) if isinstance(kind, list) else str(kind)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return normalize_space(value)
    if isinstance(value, list) and value and isinstance(value[0], str):
        return normalize_space(value[0])
    return ""


def _ld_author(value: Any) -> str | None:
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            name = item
        elif isinstance(item, dict):
            name = _as_text(item.get("name"))
        else:
            continue
        name = normalize_space(name)
        if name and not _URLISH.search(name) and name not in names:
            names.append(name)
    return ", ".join(names) if names else None


def _document(tree: HtmlElement) -> HtmlElement:
    """The page's root element (``tree`` may be a fragment's element): what ``//`` searches."""
    return cast(HtmlElement, tree.getroottree().getroot())


def _first_text(tree: HtmlElement, tag: str) -> str:
    # A C-level walk that stops at the first match, not an XPath over the whole page.
    for el in _document(tree).iter(tag):
        return normalize_space(el.text_content())
    return ""


def _strip_site_name(title: str) -> str:
    parts = _TITLE_SEPARATORS.split(title)
    return max(parts, key=len) if len(parts) > 1 else title


def _drop_site_name(title: str, site: str) -> str:
    """Drop the site name from a title ("Story | Site" → "Story") when the page names its site."""
    if not site:
        return title
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1 and normalize_space(parts[-1]).lower() == normalize_space(site).lower():
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    if len(parts) > 1 and normalize_space(parts[0]).lower() == normalize_space(site).lower():
        return parts[-1] if len(parts) == 2 else " - ".join(parts[1:])
    return title


def _dom_byline(tree: HtmlElement) -> str | None:
    """The author named by a visible byline element (``class="byline"``, ``rel="author"``)."""
    for el in tree.xpath(_BYLINE_XPATH)[:6]:
        text = normalize_space(el.text_content())
        if not text or len(text) > 120:
            continue
        name = byline_author(text)
        if name:
            return name
        if is_person_name(text):
            return text
    return None
