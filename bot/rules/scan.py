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
    """Every distinct term key of a rule set, indexed by term id (``pid``).

    Single whole words are looked up by hashing the article's distinct tokens; phrases and
    prefixes go through an Aho–Corasick automaton (``None`` when there are none).
    """

    keys: tuple[str, ...]
    words: dict[str, int]
    word_set: frozenset[str]
    automaton: Any

    @staticmethod
    def build(keys: list[str]) -> Lexicon:
        words: dict[str, int] = {}
        automaton = ahocorasick.Automaton()
        for pid, key in enumerate(keys):
            word = key[1:-1]
            if key[-1] == " " and " " not in word:
                words[word] = pid
            else:
                automaton.add_word(key, pid)
        if len(automaton):
            automaton.make_automaton()
        else:
            automaton = None
        return Lexicon(tuple(keys), words, frozenset(words), automaton)

    def find(self, token_string: str) -> set[int]:
        """Ids of the terms present in a token string."""
        words = self.words
        present = {words[w] for w in self.word_set.intersection(token_string.split())}
        if self.automaton is not None:
            present.update(pid for _, pid in self.automaton.iter(token_string))
        return present


class Occurrence(NamedTuple):
    """A term found in a field: ``start``/``end`` delimit its tokens in the field's token string.

    ``first``/``stop`` are the token indices ``[first, stop)``; ``place`` is ``title``, ``lead``
    (first paragraph of the body) or ``body``.
    """

    field: str
    start: int
    end: int
    pid: int
    first: int
    stop: int
    place: str


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
        self.present_title = lexicon.find(title)
        self.present_body = lexicon.find(body)
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
            starts = self._token_starts(field)
            lead_end = self.lead_end if field == BODY else -1
            at = text.find(key)
            while at >= 0:
                end = at + len(key) - 1 if whole else text.index(" ", at + len(key))
                first = bisect_left(starts, at + 1)
                place = field if end > lead_end else "lead"
                stop = bisect_left(starts, end, first)
                found.append(Occurrence(field, at + 1, end, pid, first, stop, place))
                at = text.find(key, at + 1)
        self._occurrences[(field, pid)] = found
        return found

    def _token_starts(self, field: str) -> list[int]:
        """Offsets of every token in a field's token string (for token indices by bisection)."""
        starts = self._starts.get(field)
        if starts is None:
            words = self.strings[field].split()
            offsets = accumulate(map(len, words), initial=0)
            starts = self._starts[field] = list(map(add, offsets, count(1)))[:-1]
        return starts

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
        return spans[occurrence.first][0], spans[occurrence.stop - 1][1]

    def surface(self, occurrence: Occurrence) -> str:
        """The occurrence as written in the article (``Зеленського``, ``Zelensky-Trump``)."""
        span = self.original_span(occurrence)
        if span is None:
            return self.strings[occurrence.field][occurrence.start : occurrence.end]
        original = self.article.title if occurrence.field == TITLE else self.article.text
        return original[span[0] : span[1]]
