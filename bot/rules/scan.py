"""One pass over an article: which terms occur where, with positions computed only on demand.

Title and body are tokenized once (``bot.rules.tokenizer.tokenize``: the token string, and the
span each token came from) and each token string goes once through the lexicon's Aho–Corasick
automaton, which holds every term key (words, phrases, prefixes). That gives the set of terms
present, which is all most topics need, and the end of every hit. Positions (for fields,
``near``, ``count``, ``ignore``, evidence) are worked out lazily, for the terms asked for.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick

from bot.rules.tokenizer import tokenize

if TYPE_CHECKING:
    from bot.model import Article, Field

TITLE, BODY = "title", "body"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Every distinct term key of a rule set, indexed by term id (``pid``), in one Aho–Corasick
    automaton (``None`` when there are no terms) whose value for each key is its ``pid``.

    ``size`` is each key's length and ``span`` the number of tokens it covers.
    """

    keys: tuple[str, ...]
    size: tuple[int, ...]
    span: tuple[int, ...]
    automaton: Any

    @staticmethod
    def build(keys: list[str]) -> Lexicon:
        automaton = ahocorasick.Automaton()
        for pid, key in enumerate(keys):
            automaton.add_word(key, pid)
        if len(automaton):
            automaton.make_automaton()
        else:
            automaton = None
        size = tuple(map(len, keys))
        span = tuple(key.count(" ") - (key[-1] == " ") for key in keys)
        return Lexicon(tuple(keys), size, span, automaton)

    def find(self, token_string: str) -> list[tuple[int, int]]:
        """``(end, pid)`` of every occurrence of every term in a token string, by ``end`` (the
        offset of its last character)."""
        if self.automaton is None:
            return []
        return list(self.automaton.iter(token_string))


class Occurrence(NamedTuple):
    """A term found in a field: ``start``/``end`` delimit its tokens in the field's token string.

    ``first``/``stop`` are the token indices ``[first, stop)``; ``place`` is ``title``, ``lead``
    (first paragraph of the body) or ``body``; ``span`` is the character span in the original
    title or text.
    """

    field: str
    start: int
    end: int
    pid: int
    first: int
    stop: int
    place: Field
    span: tuple[int, int]


class Scan:
    """What the automaton found in one article, with lazily computed positions and spans."""

    __slots__ = (
        "_fields",
        "_hits",
        "_lead_tokens",
        "_occurrences",
        "article",
        "cache",
        "lexicon",
        "present",
        "present_body",
        "present_title",
        "tokens",
    )

    def __init__(self, article: Article, lexicon: Lexicon) -> None:
        self.article = article
        self.lexicon = lexicon
        self.tokens = {TITLE: tokenize(article.title), BODY: tokenize(article.text)}
        self._lead_tokens: int | None = None
        self._hits = {field: lexicon.find(tokens.string) for field, tokens in self.tokens.items()}
        self.present_title = set(map(_PID, self._hits[TITLE]))
        self.present_body = set(map(_PID, self._hits[BODY]))
        self.present = self.present_title | self.present_body
        self._fields: dict[str, _Field] = {}
        self._occurrences: dict[str, dict[int, list[Occurrence]]] = {TITLE: {}, BODY: {}}
        # Per-article memo for conditions (keyed by the condition object).
        self.cache: dict[object, Any] = {}

    @property
    def lead_tokens(self) -> int:
        """How many tokens of the body belong to the lead: those that start before it ends."""
        if self._lead_tokens is None:
            self._lead_tokens = self.tokens[BODY].before(self.article.lead_span[1])
        return self._lead_tokens

    def occurrences(self, field: str, pid: int) -> list[Occurrence]:
        """Every occurrence of term ``pid`` in ``field`` (``title`` or ``body``), in order."""
        cache = self._occurrences[field]
        found = cache.get(pid)
        if found is not None:
            return found
        found = cache[pid] = []
        if pid not in (self.present_title if field == TITLE else self.present_body):
            return found
        context = self._fields.get(field)
        if context is None:
            context = self._fields[field] = self._field(field)
        hits, spaces, starts, ends, lead_tokens = context
        lexicon = self.lexicon
        size, ntokens = lexicon.size[pid], lexicon.span[pid]
        lo = bisect_left(hits, pid, key=_PID)
        for last, _ in hits[lo : bisect_right(hits, pid, lo, key=_PID)]:
            at = last - size + 1  # the space before the key: the first token's index is its own
            first = bisect_left(spaces, at)
            stop = first + ntokens
            place = "lead" if stop <= lead_tokens else field
            span = (starts[first], ends[stop - 1])
            occurrence = (field, at + 1, spaces[stop], pid, first, stop, place, span)
            found.append(_occurrence(Occurrence, occurrence))
        return found

    def _field(self, field: str) -> _Field:
        """What ``occurrences`` needs of a field, worked out on its first call for the field."""
        tokens = self.tokens[field]
        return _Field(
            # The automaton's hits, sorted by term (a stable sort: each term's stay in text order).
            sorted(self._hits[field], key=_PID),
            tokens.spaces,
            tokens.starts,
            tokens.ends,
            self.lead_tokens if field == BODY else -1,
        )

    def original_span(self, occurrence: Occurrence) -> tuple[int, int]:
        """Character span of an occurrence in the original title or text."""
        return occurrence.span

    def surface(self, occurrence: Occurrence) -> str:
        """The occurrence as written in the article (``Зеленського``, ``Zelensky-Trump``)."""
        start, end = occurrence.span
        if occurrence.field == TITLE:
            return self.article.title[start:end]
        return self.article.text[start:end]


class _Field(NamedTuple):
    """A field's hits by term, token offsets (see ``Tokens``) and lead length (-1 for the title)."""

    hits: list[tuple[int, int]]
    spaces: Sequence[int]
    starts: Sequence[int]
    ends: Sequence[int]
    lead_tokens: int


_PID = itemgetter(1)
# Builds an Occurrence from a ready tuple in C, skipping the Python-level ``__new__``.
_occurrence = tuple.__new__
