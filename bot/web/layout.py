"""How the Inspect page lays out a cleaned article: kept paragraphs and removed pieces in page
order, each removed piece labelled by kind, and rule hits marked in the kept text. Pure.

The cleaner reports what it removed as (kind, text) without positions, so each piece and each
kept paragraph is placed where its text first occurs in the page's own visible text. A piece not
found there (a stored article has no page any more) goes before the text when it is page furniture
that precedes an article (consent, wall, title, byline) and after it otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.model import Article, Hit

_BEFORE_KINDS = frozenset({"consent", "wall", "title", "byline", "limit"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text, marked as a rule hit or not."""

    text: str
    hit: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of the page: ``kind`` is None for kept text, else why it was removed."""

    kind: str | None
    segments: tuple[Segment, ...]


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def lay_out(
    article: Article, hits: Iterable[Hit] = (), page_text: str | None = None
) -> list[Block]:
    """The article's kept paragraphs and removed pieces in page order, hits marked."""
    marker = hit_pattern(hits)
    page = _squash(page_text) if page_text else ""
    placed: list[tuple[float, int, Block]] = []
    order, previous = 0, -1.0
    for paragraph in article.paragraphs:  # kept text stays in its own order
        order += 1
        found = float(page.find(_squash(paragraph)[:200])) if page else -1.0
        previous = found if found > previous else previous + 0.001
        placed.append((previous, order, Block(None, mark(paragraph, marker))))
    for piece in article.removed:
        order += 1
        found = float(page.find(_squash(piece.text)[:200])) if page and piece.text.strip() else -1
        if found < 0:
            found = -1e12 + order if piece.kind in _BEFORE_KINDS else 1e12 + order
        placed.append((found, order, Block(piece.kind, (Segment(piece.text),))))
    placed.sort(key=lambda p: (p[0], p[1]))
    return [block for _, _, block in placed]


def hit_pattern(hits: Iterable[Hit]) -> re.Pattern[str] | None:
    """One regex for every hit's surface form as a whole word, case-insensitive."""
    surfaces = sorted({h.surface for h in hits if h.surface.strip()}, key=len, reverse=True)
    if not surfaces:
        return None
    alternatives = "|".join(re.escape(s) for s in surfaces)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def mark(text: str, marker: re.Pattern[str] | None) -> tuple[Segment, ...]:
    """``text`` split into segments, the hits of ``marker`` marked."""
    if marker is None:
        return (Segment(text),)
    out, pos = [], 0
    for found in marker.finditer(text):
        if found.start() > pos:
            out.append(Segment(text[pos : found.start()]))
        out.append(Segment(found.group(0), hit=True))
        pos = found.end()
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return tuple(out)


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) link, else None: no ``javascript:`` or ``data:`` links."""
    if url and re.match(r"^https?://", url.strip(), re.IGNORECASE):
        return url.strip()
    return None
