"""One pass over an article: which terms occur where, with positions computed only on demand.

Title and body are tokenized once (``bot.rules.text.tokenize``: folded tokens with the span each
came from), joined into token strings and run once through the lexicon (a hash lookup for single
words, an Aho–Corasick automaton for phrases and prefixes). That gives the set of terms present,
which is all most topics need. Positions (for fields, ``near``, ``count``, ``ignore``) are
located lazily, for the few terms that are asked for; original spans are then a list lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

import ahocorasick

from bot.rules.text import tokenize

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

    def find(self, tokens: list[str], token_string: str) -> set[int]:
        """Ids of the terms present in a text, given as its tokens and its token string."""
        present = set(map(self.words.__getitem__, self.word_set.intersection(tokens)))
        if self.automaton is not None:
            present.update(map(itemgetter(1), self.automaton.iter(token_string)))
        return present


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
    place: str
    span: tuple[int, int]


class Scan:
    """What the automaton found in one article, with lazily computed positions and spans."""

    __slots__ = (
        "_cache",
        "_lead_tokens",
        "_occurrences",
        "article",
        "lexicon",
        "present",
        "present_body",
        "present_title",
        "strings",
        "tokens",
    )

    def __init__(self, article: Article, lexicon: Lexicon) -> None:
        self.article = article
        self.lexicon = lexicon
        self.tokens = {TITLE: tokenize(article.title), BODY: tokenize(article.text)}
        title = _joined(self.tokens[TITLE].words)
        body = _joined(self.tokens[BODY].words)
        self.strings = {TITLE: title, BODY: body}
        self._lead_tokens: int | None = None
        self.present_title = lexicon.find(self.tokens[TITLE].words, title)
        self.present_body = lexicon.find(self.tokens[BODY].words, body)
        self.present = self.present_title | self.present_body
        self._occurrences: dict[str, dict[int, list[Occurrence]]] = {}
        self._cache: dict[object, Any] = {}

    @property
    def lead_tokens(self) -> int:
        """How many tokens of the body belong to the lead: those that start before it ends."""
        if self._lead_tokens is None:
            self._lead_tokens = self.tokens[BODY].before(self.article.lead_span[1])
        return self._lead_tokens

    @property
    def cache(self) -> dict[object, Any]:
        """Per-article memo for conditions (keyed by the condition object)."""
        return self._cache

    def occurrences(self, field: str, pid: int) -> list[Occurrence]:
        """Every occurrence of term ``pid`` in ``field`` (``title`` or ``body``), in order."""
        cache = self._occurrences.get(field)
        if cache is None:
            cache = self._occurrences[field] = {}
        found = cache.get(pid)
        if found is not None:
            return found
        found = cache[pid] = []
        if pid not in (self.present_title if field == TITLE else self.present_body):
            return found
        # A few str.find calls beat a second automaton pass: only asked-for terms are located.
        # A key starts at a space: the spaces before it count the tokens before it.
        text = self.strings[field]
        key = self.lexicon.keys[pid]
        size = len(key)
        whole = key[-1] == " "
        ntokens = key.count(" ") - whole
        tokens = self.tokens[field]
        starts, chunk_end = tokens.starts, tokens.end  # starts first: lead_tokens can bisect it
        lead_tokens = self.lead_tokens if field == BODY else -1
        first = counted = 0
        at = text.find(key)
        while at >= 0:
            first += text.count(" ", counted, at)
            counted = at
            end = at + size - 1 if whole else text.index(" ", at + size)
            stop = first + ntokens
            place = "lead" if stop <= lead_tokens else field
            span = (starts[first], chunk_end(stop - 1))
            found.append(
                _occurrence(Occurrence, (field, at + 1, end, pid, first, stop, place, span))
            )
            at = text.find(key, at + 1)
        return found

    def original_span(self, occurrence: Occurrence) -> tuple[int, int]:
        """Character span of an occurrence in the original title or text."""
        return occurrence.span

    def surface(self, occurrence: Occurrence) -> str:
        """The occurrence as written in the article (``Зеленського``, ``Zelensky-Trump``)."""
        start, end = occurrence.span
        if occurrence.field == TITLE:
            return self.article.title[start:end]
        return self.article.text[start:end]


# Builds an Occurrence from a ready tuple in C, skipping the Python-level ``__new__``.
_occurrence = tuple.__new__


def _joined(words: list[str]) -> str:
    """A token string from its tokens."""
    return " " + " ".join(words) + " " if words else " "
