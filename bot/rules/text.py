"""Folding and tokenizing text the same way for rule terms and for articles.

The canonical form of a text is its *token string*: the folded tokens joined by single spaces,
with one space before the first and after the last (``" zelensky trump meeting "``). Rule terms
become keys of the same shape, so one Aho–Corasick pass over an article's token string finds
every term at token boundaries.

Folding, per character, in this order:

1. NFKD compatibility decomposition (full-width ``ＴＲＵＭＰ`` → ``TRUMP``, ``ﬁ`` → ``fi``);
2. case folding (``ZELENSKY`` → ``zelensky``, ``ß`` → ``ss``, ``Σ``/``ς`` → ``σ``);
3. removal of the diacritics that writers of Latin, Greek, Cyrillic, Hebrew and Arabic script
   treat as optional (``reunión`` → ``reunion``, ``й`` → ``и``, ``ё`` → ``е``). Marks that are
   letters in their own right (Devanagari vowel signs, kana voicing marks) are kept.

Nothing is transliterated: ``Зеленський`` never equals ``Zelensky``.

Tokens are maximal runs of letters, digits and kept marks; everything else (spaces,
punctuation, the underscore, symbols) separates tokens, so ``Zelensky-Trump`` yields
``zelensky``, ``trump``. Scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar)
make one token per character, so the term ``特朗普`` is the phrase ``特 朗 普`` and matches inside
``特朗普会见泽连斯基``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate, compress, count, filterfalse
from operator import add

import numpy

_STRIPPED_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff"  # Latin, Greek, Cyrillic
    "\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"  # Hebrew points
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"  # Arabic
)
# One token per character (plus its marks): Han, kana, Thai, Lao, Myanmar, Khmer.
_SEGMENTED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003ffff"
)


def _mark_ranges() -> str:
    """A regex class body with every combining mark (category M) in the first two planes."""
    parts: list[str] = []
    start = prev = -2
    for cp in range(0x300, 0x20000):
        if unicodedata.category(chr(cp))[0] == "M":
            if cp != prev + 1:
                if start >= 0:
                    parts.append(_range(start, prev))
                start = cp
            prev = cp
    parts.append(_range(start, prev))
    return "".join(parts)


def _range(start: int, end: int) -> str:
    return (
        re.escape(chr(start)) if start == end else f"{re.escape(chr(start))}-{re.escape(chr(end))}"
    )


_MARKS = _mark_ranges()
_STRIP_RE = re.compile(f"[{_STRIPPED_MARKS}]+")
_SEPARATOR_RE = re.compile(f"[^\\w{_MARKS}]+|_+")
_SEGMENT_RE = re.compile(f"[{_SEGMENTED}][{_MARKS}]*")
# Runs of characters that no folding turns into part of a token: whitespace, ASCII punctuation.

# The fast paths below work on UTF-8 bytes, where C-level translate/replace/in are much faster
# than a regex over the whole text; they give exactly the tokens the regexes above define.
_ASCII_SEPARATORS = bytes(
    c if (0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A or c >= 0x80) else 0x20 for c in range(256)
)
# U+0300-U+037F (combining diacritics and a few archaic Greek letters) start with these bytes.
_DIACRITIC_LEADS = b"\xcc\xcd"


def _flag(leads: bytes) -> bytes:
    """A byte table mapping ``leads`` to 1 and every other byte to 0."""
    return bytes(1 if c in leads else 0 for c in range(256))


# UTF-8 lead bytes of every other stripped mark, and of every segmented script. A text that
# contains none of them skips the (slow, per-character) regexes; false alarms only cost time.
# Marks and scripts must each lie entirely behind their flagged lead bytes, so that the result
# for a character never depends on the rest of the text.
_RARE_MARK_LEADS = _flag(b"\xd2\xd6\xd7\xd8\xd9\xdb\xe1")
_SEGMENTED_LEADS = _flag(b"\xe0\xe1\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xef\xf0")

_ASCII_SEPARATORS_ANY_CASE = bytes(
    c if (c >= 0x80 or chr(c).isalnum()) else 0x20 for c in range(256)
)
# Frequent non-ASCII punctuation of news text: replaced with str.replace, far cheaper than the
# per-word separator regex that handles the rest.
_COMMON_PUNCTUATION = (
    "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2010\u2011\u2012\u2015\u2022"
    "\u00ab\u00bb\u2039\u203a\u00a1\u00bf\u00b7\u00b0\u00a7\u00a9\u00ae\u20ac\u00a3\u2032\u2033"
)

# Characters that always separate tokens, for span mapping: the above and non-ASCII spaces.
_SPAN_SEPARATORS = _COMMON_PUNCTUATION + "\u00a0\u2007\u2009\u202f\u2026"


def fold(text: str) -> str:
    """Decompose, case-fold and strip optional diacritics; lengths may change."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", text).casefold()
    data = folded.encode("utf-8", "surrogatepass")
    if b"\x01" in data.translate(_RARE_MARK_LEADS):
        data = _STRIP_RE.sub("", folded).encode("utf-8", "surrogatepass")
    # Deleting a lead byte leaves its continuation byte, which the decoder then ignores.
    return data.translate(None, _DIACRITIC_LEADS).decode("utf-8", "ignore")


def token_string(text: str) -> str:
    """The canonical token string of a text: ``" tok1 tok2 … "`` (``" "`` when it has none)."""
    if text.isascii():
        ascii_words = text.lower().encode("ascii").translate(_ASCII_SEPARATORS).split()
        return " " + b" ".join(ascii_words).decode("ascii") + " " if ascii_words else " "
    folded = fold(text)
    for mark in _COMMON_PUNCTUATION:
        if mark in folded:
            folded = folded.replace(mark, " ")
    data = folded.encode("utf-8").translate(_ASCII_SEPARATORS)
    if b"\x01" in data.translate(_SEGMENTED_LEADS):
        data = _SEGMENT_RE.sub(r" \g<0> ", data.decode("utf-8")).encode("utf-8")
    joined = b" ".join(data.split()).decode("utf-8")
    if not joined.replace(" ", "").isalnum():  # non-ASCII punctuation, or a kept combining mark
        words = joined.split()
        fixed = {w: _SEPARATOR_RE.sub(" ", w) for w in set(filterfalse(str.isalnum, words))}
        joined = " ".join(" ".join(map(fixed.get, words, words)).split())
    return " " + joined + " " if joined else " "


def tokens(text: str) -> list[str]:
    """The folded tokens of a text."""
    return token_string(text).split()


class Tokens:
    """A text's folded tokens, with the character span in the text each was folded from.

    ``string`` is the token string (``" tok1 tok2 … "``); ``words`` its tokens. Spans are only
    worked out on first use (most articles match no topic and never need them), from whichever
    lazy form the tokenizer left: ``layout`` (the text with separators as spaces, and its
    chunks, each one token) or ``bounds`` (a function returning the starts, the ends and the
    spaces).
    """

    __slots__ = (
        "_bounds",
        "_chunks",
        "_ends",
        "_spaced",
        "_spaces",
        "_starts",
        "_string",
        "_words",
    )

    def __init__(
        self,
        words: list[str] | None = None,
        *,
        string: str | None = None,
        layout: tuple[str, list[str]] | None = None,
        spans: tuple[list[int], list[int]] | None = None,
        bounds: Callable[[], tuple[Sequence[int], Sequence[int], Sequence[int]]] | None = None,
    ) -> None:
        self._words = words
        self._string = string
        # Lazy layout: the text with every separator turned into a space (same length as the
        # text, so offsets agree), and its chunks (the runs between spaces).
        self._spaced, self._chunks = layout if layout is not None else ("", [])
        self._bounds = bounds
        self._spaces: Sequence[int] | None = None
        self._starts: Sequence[int] | None = None
        self._ends: Sequence[int] | None = None
        if spans is not None:
            self._starts, self._ends = spans

    @property
    def words(self) -> list[str]:
        """The folded tokens."""
        if self._words is None:
            self._words = self.string.split()
        return self._words

    @property
    def string(self) -> str:
        """The token string: one space before, between and after the tokens."""
        if self._string is None:
            words = self.words
            self._string = " " + " ".join(words) + " " if words else " "
        return self._string

    @property
    def spaces(self) -> Sequence[int]:
        """Offset in ``string`` of the space before each token, and of the last space."""
        if self._spaces is None:
            self._take_bounds()
            if self._spaces is None:
                self._spaces = _offsets_of_spaces(self.string)
        return self._spaces

    @property
    def starts(self) -> Sequence[int]:
        """Start of each token's span in the text."""
        if self._starts is None:
            self._take_bounds()
            if self._starts is None:
                self._starts = _chunk_starts(self._spaced)
        return self._starts

    @property
    def ends(self) -> Sequence[int]:
        """End of each token's span in the text."""
        if self._ends is None:
            self._take_bounds()
            if self._ends is None:
                self._ends = list(map(add, self.starts, map(len, self._chunks)))
        return self._ends

    def end(self, index: int) -> int:
        """End of token ``index``'s span in the text."""
        if self._ends is None:
            self._take_bounds()
        if self._ends is not None:
            return self._ends[index]
        return self.starts[index] + len(self._chunks[index])

    def _take_bounds(self) -> None:
        """Starts, ends and spaces at once, from the tokenizer's ``bounds`` if it left them."""
        if self._bounds is not None:
            self._starts, self._ends, self._spaces = self._bounds()
            self._bounds = None

    def before(self, offset: int) -> int:
        """How many tokens start before character ``offset`` of the text."""
        if self._starts is None and self._bounds is None:
            return len(list(filter(None, self._spaced[:offset].split(" "))))
        return bisect_left(self.starts, offset)


def _offsets_of_spaces(text: str) -> list[int]:
    codes = numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
    offsets: list[int] = numpy.flatnonzero(codes == 0x20).tolist()
    return offsets


def _chunk_starts(spaced: str) -> list[int]:
    """Offsets where a run of non-spaces starts, computed with numpy (a Python loop over 800
    tokens costs more than the whole automaton pass over the article)."""
    if not spaced:
        return []
    try:
        codes = numpy.frombuffer(spaced.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
    except UnicodeEncodeError:  # pragma: no cover - only lone surrogates outside utf-32's range
        parts = spaced.split(" ")
        return list(compress(map(add, accumulate(map(len, parts), initial=0), count()), parts))
    space = codes == 0x20
    begins = ~space
    begins[1:] &= space[:-1]
    starts: list[int] = numpy.flatnonzero(begins).tolist()
    return starts


def _space_separators(text: str) -> str:
    """``text`` with the separator punctuation of ``_SPAN_SEPARATORS`` replaced by spaces.

    Each is one character, so offsets are unchanged; a one-character ``in`` is memchr-fast.
    """
    for mark in _SPAN_SEPARATORS:
        if mark in text:
            text = text.replace(mark, " ")
    return text


def tokenize_chunks(text: str) -> Tokens:
    """The tokens of ``token_string(text)`` and their spans, from one pass over ``text``.

    Works for any text (``bot.rules.tokenizer.tokenize`` takes a faster route for most).

    Chunks between ASCII separators and common punctuation fold independently (folding is per
    character and separators never join tokens), so each distinct non-ASCII chunk is folded
    once, all of them in one ``fold`` call; ASCII chunks only need lowering. A chunk that does
    not fold to a single token is tokenized on its own and aligned character by character.
    """
    spaced = _space_separators(text)
    data = spaced.encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATORS_ANY_CASE).lower()
    decoded = data.decode("utf-8", "surrogatepass")
    chunks = list(filter(None, decoded.split(" ")))
    if data.isascii():
        return Tokens(chunks, layout=(decoded, chunks))
    odd = list(set(filterfalse(str.isascii, chunks)))
    joined = "\n".join(odd)
    folded = fold(joined)
    segmented = _SEGMENT_RE.search(folded) is not None
    folded_words = folded.split("\n")
    simple: dict[str, str]
    if (
        not segmented
        and all(folded_words)
        and joined.replace("\n", "").isalnum()
        and folded.replace("\n", "").isalnum()
    ):
        simple = dict(zip(odd, folded_words, strict=True))
    else:
        simple = {}
        for chunk, word in zip(odd, folded_words, strict=True):
            if word.isalnum() and chunk.isalnum() and not (segmented and _SEGMENT_RE.search(word)):
                simple[chunk] = word
    if len(simple) == len(odd):
        return Tokens(list(map(simple.get, chunks, chunks)), layout=(decoded, chunks))
    return _aligned_tokens(text, decoded, chunks, simple)


def _aligned_tokens(text: str, decoded: str, chunks: list[str], simple: dict[str, str]) -> Tokens:
    """Tokens with explicit spans, when some chunk (not in ``simple``) is not one token."""
    starts = _chunk_starts(decoded)
    ends = list(map(add, starts, map(len, chunks)))
    words: list[str] = []
    word_starts: list[int] = []
    word_ends: list[int] = []
    for chunk, start, end in zip(chunks, starts, ends, strict=True):
        whole = chunk if chunk.isascii() else simple.get(chunk)
        if whole is not None:
            words.append(whole)
            word_starts.append(start)
            word_ends.append(end)
            continue
        chunk_tokens = tokens(text[start:end])
        if len(chunk_tokens) == 1:
            while start < end and not _is_word_char(text[start]):
                start += 1
            while end > start and not _is_word_char(text[end - 1]):
                end -= 1
            spans = [(start, end)]
        else:
            spans = list(_align(text, start, end, chunk_tokens))
        for word, (first, last) in zip(chunk_tokens, spans, strict=True):
            words.append(word)
            word_starts.append(first)
            word_ends.append(last)
    return Tokens(words, spans=(word_starts, word_ends))


def _is_word_char(char: str) -> bool:
    """Whether a character folds to something that is part of a token (``№`` → ``no``)."""
    return char.isalnum() or token_string(char) != " "


def _align(text: str, start: int, end: int, chunk_tokens: list[str]) -> Iterator[tuple[int, int]]:
    """Spans of several tokens folded from one chunk, by walking its characters one by one."""
    stream: list[tuple[str, int]] = []
    for index in range(start, end):
        stream.extend((char, index) for char in fold(text[index]))
    pos = 0
    for token in chunk_tokens:
        first = last = -1
        for char in token:
            while pos < len(stream) and stream[pos][0] != char:
                pos += 1
            if pos == len(stream):
                yield (start, end)  # cannot align (mark reordering): fall back to the chunk
                break
            if first < 0:
                first = stream[pos][1]
            last = stream[pos][1]
            pos += 1
        else:
            yield (first, last + 1)
