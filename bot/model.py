"""The values that flow through the pipeline: frozen, slotted dataclasses and nothing else.

sources → fetch → clean (``Article``) → match (``Match``) → dedupe → ``Alert`` → ``Delivery``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

REASON_WORDS = 6
"""How many matched words the one-line reason of an alert names."""

SourceKind = Literal["page", "feed", "listing", "sitemap"]
Field = Literal["title", "lead", "body"]


@dataclass(frozen=True, slots=True)
class Source:
    """One place newsbot watches, as configured.

    ``backfill_s``: on the first run, alert items published within this window (0: none).
    ``selector``: CSS selector of article links on a ``listing`` page (else a heuristic).
    ``expect_new_s``: report the source when it finds nothing new for longer than this.
    """

    id: str
    url: str
    kind: SourceKind
    interval_s: float
    jitter_s: float = 0.0
    backfill_s: float = 0.0
    selector: str | None = None
    ignore_robots: bool = False
    expect_new_s: float | None = None


@dataclass(frozen=True, slots=True)
class Validators:
    """What we remember of a URL's last answer to make the next request conditional."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Removed:
    """A piece of the page the cleaner stripped, and why (``consent``, ``boilerplate``…)."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """The cleaned article: what topics are matched against and alerts are made of.

    ``text`` holds the body paragraphs separated by blank lines; headline, byline and date are
    not part of it. ``blocked`` is true when the page is only a consent or subscription wall.
    """

    url: str | None
    title: str
    author: str | None
    published: datetime | None
    language: str | None
    text: str
    blocked: bool = False
    removed: tuple[Removed, ...] = ()

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in (s.strip() for s in self.text.split("\n\n")) if p)

    @property
    def lead(self) -> str:
        """The first paragraph of the body."""
        start, end = self.lead_span
        return self.text[start:end]

    @property
    def lead_span(self) -> tuple[int, int]:
        """Where the lead (the first paragraph that is not only whitespace, stripped) is in
        ``text``; ``(0, 0)`` when there is none. Finds it without splitting the whole text."""
        text, start = self.text, 0
        while start < len(text):
            cut = text.find("\n\n", start)
            stop = len(text) if cut < 0 else cut
            paragraph = text[start:stop]
            if paragraph.strip():
                first = start + len(paragraph) - len(paragraph.lstrip())
                return first, start + len(paragraph.rstrip())
            start = stop + 2
        return 0, 0

    def to_json(self, *, with_removed: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "text": self.text,
            "blocked": self.blocked,
        }
        if with_removed:
            out["removed"] = [{"kind": r.kind, "text": r.text} for r in self.removed]
        return out


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule term found in the article: term, surface form as written, field, count."""

    term: str
    surface: str
    field: Field
    count: int


@dataclass(frozen=True, slots=True)
class Match:
    """A topic that fired on an article, with the evidence.

    ``snippet`` is plain text from the article; ``marks`` are (start, end) character spans of
    hits inside it, so each renderer (console, JSON, Telegram HTML) marks them its own way.
    """

    topic_id: str
    topic_name: str
    score: float
    hits: tuple[Hit, ...]
    snippet: str = ""
    marks: tuple[tuple[int, int], ...] = ()
    score_parts: tuple[tuple[str, float], ...] = ()
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def reason(self) -> str:
        """One line a subscriber reads: the matched words as written in the article.

        Each word once (case-insensitively), marked "(title)" when it is in the headline, at
        most ``REASON_WORDS`` of them.
        """
        words: dict[str, tuple[str, bool]] = {}
        for hit in self.hits:
            key = hit.surface.casefold()
            surface, in_title = words.get(key, (hit.surface, False))
            words[key] = (surface, in_title or hit.field == "title")
        labels = [f"{s} (title)" if t else s for s, t in words.values()]
        if not labels:
            return "matched"
        more = len(labels) - REASON_WORDS
        shown = ", ".join(labels[:REASON_WORDS])
        return f"matched {shown}" + (f" and {more} more" if more > 0 else "")

    def marked_snippet(self, before: str = "[", after: str = "]") -> str:
        out, pos = [], 0
        for start, end in sorted(self.marks):
            if start < pos:
                continue
            out += [self.snippet[pos:start], before, self.snippet[start:end], after]
            pos = end
        out.append(self.snippet[pos:])
        return "".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic_id,
            "name": self.topic_name,
            "score": self.score,
            "why": {
                "reason": self.reason,
                "hits": [
                    {"term": h.term, "surface": h.surface, "field": h.field, "count": h.count}
                    for h in self.hits
                ],
                "score_parts": dict(self.score_parts),
                **self.details,
            },
            "snippet": self.marked_snippet("**", "**"),
        }


@dataclass(frozen=True, slots=True)
class Alert:
    """A story worth telling subscribers of one topic: what the renderer needs, nothing more."""

    topic_id: str
    topic_name: str
    url: str
    title: str
    source_id: str
    published: datetime | None
    reason: str
    snippet: str
    marks: tuple[tuple[int, int], ...] = ()


DeliveryState = Literal["pending", "sending", "sent", "failed"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One (alert, chat) pair in the outbox."""

    id: int
    alert_id: int
    chat_id: int
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    alert: Alert


@dataclass(frozen=True, slots=True)
class PlannedAlert:
    """An alert the pipeline decided to create, with the chats it must reach."""

    alert: Alert
    score: float
    recipients: tuple[int, ...]


CONSOLE_CHAT_ID = 0
"""The pseudo-chat that stands for the console when no Telegram token is set."""
