"""One story, one alert: place a fetched article among the stories already seen (pure).

Articles are compared by their near-duplicate fingerprints (``bot.stories.fingerprint``). The
same URL with a similar text is an *edit*; another URL with a similar text (syndicated agency copy,
another outlet, an AMP variant we could not map) is a *copy* and is "also reported by"; a
substantially different text at a known URL is a *development* and a new story. Without a
fingerprint (a short text) the URL alone decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.stories.fingerprint import Fingerprint

Relation = Literal["new", "same", "edit", "copy", "development"]


@dataclass(frozen=True, slots=True)
class StoryRef:
    """An article already stored: its story, URL, source and fingerprint."""

    story_id: int
    url: str
    source_id: str
    fingerprint: Fingerprint | None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an article belongs: an existing story (``story_id``) or a new one (None)."""

    relation: Relation
    story_id: int | None = None
    similarity: float = 0.0
    of: StoryRef | None = None


def place_article(
    fingerprint: Fingerprint | None,
    *,
    same_url: StoryRef | None,
    candidates: Sequence[StoryRef],
    threshold: float,
) -> Placement:
    """Decide whether the article continues a known story or starts a new one."""
    if same_url is not None:
        if fingerprint is None or same_url.fingerprint is None:
            return Placement("same", same_url.story_id, 1.0, same_url)
        similarity = fingerprint.similarity(same_url.fingerprint)
        if similarity >= threshold:
            return Placement("edit", same_url.story_id, similarity, same_url)
    best = _closest(fingerprint, candidates, exclude=same_url)
    if best is not None and best[0] >= threshold:
        return Placement("copy", best[1].story_id, best[0], best[1])
    return Placement("development" if same_url is not None else "new")


def _closest(
    fingerprint: Fingerprint | None, candidates: Sequence[StoryRef], *, exclude: StoryRef | None
) -> tuple[float, StoryRef] | None:
    if fingerprint is None:
        return None
    scored = [
        (fingerprint.similarity(c.fingerprint), c)
        for c in candidates
        if c.fingerprint is not None and (exclude is None or c.story_id != exclude.story_id)
    ]
    return max(scored, key=lambda pair: pair[0], default=None)
