"""One pass over an article: which terms occur where, with positions computed only on demand.

An article is turned into two token strings (title, body) and run once through an Aho–Corasick
automaton holding the keys of every term of every topic. That gives the set of terms present,
which is all most topics need. Positions (for fields, ``near``, ``count``, ``ignore``),
token indices and the original spans of hits are computed lazily, for the few topics that ask.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, count
from operator import add
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick

from bot.rules.text import token_spans, token_string

if TYPE_CHECKING:
    from bot.model import Article

TITLE, BODY = "title", "body"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Every distinct term key of a rule set, indexed by term id (``pid``), and the automaton."""

    keys: tuple[str, ...]
    automaton: Any

    @staticmethod
    def build(keys: list[str]) -> Lexicon:
        automaton = ahocorasick.Automaton()
        for pid, key in enumerate(keys):
            automaton.add_word(key, pid)
        if keys:
            automaton.make_automaton()
        return Lexicon(keys=tuple(keys), automaton=automaton)


class Occurrence(NamedTuple):
    """A term found in a field: ``start``/``end`` delimit its tokens in the field's token string."""

    field: str
    start: int
    end: int
    pid: int


class Scan:
    """What the automaton found in one article, with lazily computed positions and spans."""

    __slots__ = (
        "_cache",
        "_occurrences",
        "_spans",
        "_starts",
        "article",
        "lead_end",
        "lexicon",
        "present",
        "present_body",
        "present_title",
        "strings",
    )

    def __init__(self, article: Article, lexicon: Lexicon) -> None:
        self.article = article
        self.lexicon = lexicon
        title = token_string(article.title)
        body = token_string(article.text)
        self.strings = {TITLE: title, BODY: body}
        # Lead tokens are the first tokens of the body; their keys start before this offset.
        self.lead_end = len(token_string(article.lead)) - 1
        if lexicon.keys:
            iterate = lexicon.automaton.iter
            self.present_title: set[int] = {pid for _, pid in iterate(title)}
            self.present_body: set[int] = {pid for _, pid in iterate(body)}
        else:
            self.present_title, self.present_body = set(), set()
        self.present = self.present_title | self.present_body
        self._occurrences: dict[tuple[str, int], list[Occurrence]] = {}
        self._starts: dict[str, list[int]] = {}
        self._spans: dict[str, list[tuple[int, int]]] = {}
        self._cache: dict[object, Any] = {}

    @property
    def cache(self) -> dict[object, Any]:
        """Per-article memo for conditions (keyed by the condition object)."""
        return self._cache

    def occurrences(self, field: str, pid: int) -> list[Occurrence]:
        """Every occurrence of term ``pid`` in ``field`` (``title`` or ``body``), in order."""
        cached = self._occurrences.get((field, pid))
        if cached is not None:
            return cached
        found: list[Occurrence] = []
        present = self.present_title if field == TITLE else self.present_body
        if pid in present:
            # A few str.find calls beat a second automaton pass: only asked-for terms are located.
            text = self.strings[field]
            key = self.lexicon.keys[pid]
            whole = key[-1] == " "
            at = text.find(key)
            while at >= 0:
                end = at + len(key) - 1 if whole else text.index(" ", at + len(key))
                found.append(Occurrence(field, at + 1, end, pid))
                at = text.find(key, at + 1)
        self._occurrences[(field, pid)] = found
        return found

    def in_lead(self, occurrence: Occurrence) -> bool:
        """Whether a body occurrence lies in the first paragraph."""
        return occurrence.field == BODY and occurrence.end <= self.lead_end

    def token_range(self, occurrence: Occurrence) -> tuple[int, int]:
        """Token indices ``[first, last + 1)`` of an occurrence within its field."""
        starts = self._starts.get(occurrence.field)
        if starts is None:
            words = self.strings[occurrence.field].split()
            offsets = accumulate(map(len, words), initial=0)
            starts = self._starts[occurrence.field] = list(map(add, offsets, count(1)))[:-1]
        return bisect_left(starts, occurrence.start), bisect_left(starts, occurrence.end)

    def original_span(self, occurrence: Occurrence) -> tuple[int, int] | None:
        """Character span of an occurrence in the original title or text, if it can be mapped."""
        spans = self._spans.get(occurrence.field)
        if spans is None:
            original = self.article.title if occurrence.field == TITLE else self.article.text
            ntokens = len(self.strings[occurrence.field].split())
            spans = token_spans(original)
            if len(spans) != ntokens:
                spans = token_spans(original, careful=True)
            if len(spans) != ntokens:
                spans = []  # folding and span mapping disagree: surfaces fall back to tokens
            self._spans[occurrence.field] = spans
        if not spans:
            return None
        first, stop = self.token_range(occurrence)
        return spans[first][0], spans[stop - 1][1]

    def surface(self, occurrence: Occurrence) -> str:
        """The occurrence as written in the article (``Зеленського``, ``Zelensky-Trump``)."""
        span = self.original_span(occurrence)
        if span is None:
            return self.strings[occurrence.field][occurrence.start : occurrence.end]
        original = self.article.title if occurrence.field == TITLE else self.article.text
        return original[span[0] : span[1]]
