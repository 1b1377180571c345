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
from collections.abc import Iterator

_STRIPPED_MARKS = (
    # Latin, Greek, Cyrillic
    "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
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
# Non-ASCII separators become spaces; segmented characters get a space on each side. ASCII
# separators are handled afterwards by a byte translation, which is much faster than a regex.
_SPLIT_RE = re.compile(f"([^\\x00-\\x7f\\w{_MARKS}]+)|([{_SEGMENTED}][{_MARKS}]*)")
_ASCII_SEPARATORS = bytes(
    c if (0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A or c >= 0x80) else 0x20 for c in range(256)
)
# Runs of characters that no folding turns into part of a token: whitespace, ASCII punctuation.
_CHUNK_RE = re.compile(r"[^\s!-/:-@\[-`{-~]+")


def fold(text: str) -> str:
    """Decompose, case-fold and strip optional diacritics; lengths may change."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", text).casefold()
    return _STRIP_RE.sub("", folded)


def token_string(text: str) -> str:
    """The canonical token string of a text: ``" tok1 tok2 … "`` (``" "`` when it has none)."""
    folded = fold(text)
    if not folded.isascii():
        folded = _SPLIT_RE.sub(r" \2 ", folded)
    words = folded.encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATORS).split()
    if not words:
        return " "
    return " " + b" ".join(words).decode("utf-8", "surrogatepass") + " "


def tokens(text: str) -> list[str]:
    """The folded tokens of a text."""
    return token_string(text).split()


def token_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) span in ``text`` of every token of ``token_string(text)``, in order.

    A token's span covers the characters it was folded from, without surrounding punctuation:
    the surface form a reader sees (``Зеленського`` in ``«Зеленського»``).
    """
    spans: list[tuple[int, int]] = []
    for chunk in _CHUNK_RE.finditer(text):
        chunk_tokens = tokens(chunk.group())
        if not chunk_tokens:
            continue
        start, end = chunk.span()
        if len(chunk_tokens) == 1:
            while start < end and not _is_word_char(text[start]):
                start += 1
            while end > start and not _is_word_char(text[end - 1]):
                end -= 1
            spans.append((start, end))
        else:
            spans.extend(_align(text, start, end, chunk_tokens))
    return spans


def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char)[0] == "M"


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
