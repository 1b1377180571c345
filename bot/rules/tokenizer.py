"""Tokenizing an article: a vectorized route for most texts, ``text.tokenize_chunks`` for the rest.

Folding (``bot.rules.text.fold``) works character by character, so a table can give, for each
code point of the Basic Multilingual Plane, what it becomes in the token string: a separator,
nothing (an optional diacritic), one token character, or several (``ß`` → ``ss``). numpy then
maps a whole article through the table, collapses separator runs to single spaces and finds
each token's span without a Python loop over the tokens.

Texts holding a character the table does not settle take ``tokenize_chunks``: scripts cut one
token per character (Han, kana, Thai, …), kept combining marks (whose order NFKD may change),
characters that fold to several tokens (``½``), lone surrogates. Both routes give exactly the
tokens of ``token_string``; the test suite checks it on random mixed-script texts.

The table (64 Ki entries, built from ``fold`` itself, about 0.1 s) is built once per process, by
``prepare`` (rule compilation calls it) or on first use.
"""

from __future__ import annotations

import unicodedata
from array import array
from functools import cache

import numpy
from numpy.typing import NDArray

from bot.rules.text import _SEGMENT_RE, Tokens, fold, token_string, tokenize_chunks

# Table values below 4 are classes, a separator is a space; any other value is the code point
# of the one token character the code point folds to (letters and digits are above U+0020).
_SEPARATOR, _DROPPED, _OTHER, _EXPANDED = 0x20, 1, 2, 3
_PLANE = 0x10000
# Below this many characters (a title), numpy's fixed cost per call outweighs its speed.
_SHORT = 400


def prepare() -> None:
    """Build the fold table now (about 0.1 s) rather than while matching the first article."""
    _table()


def tokenize(text: str) -> Tokens:
    """The tokens of ``token_string(text)``, with the span in ``text`` of each."""
    if len(text) < _SHORT:
        return tokenize_chunks(text)
    return _table_tokens(text) or tokenize_chunks(text)


def _classify(char: str) -> tuple[int, str]:
    """A character's table value, and the characters it expands to for ``_EXPANDED``."""
    folded = fold(char)
    if not folded:
        return _DROPPED, ""
    joined = token_string(folded)
    if joined == " ":
        return _SEPARATOR, ""
    if joined != f" {folded} " or _SEGMENT_RE.search(folded):
        return _OTHER, ""  # several tokens, part separator, or a script cut per character
    if any(unicodedata.category(c)[0] == "M" for c in folded):
        return _OTHER, ""  # a kept mark: NFKD may reorder a run of them
    if len(folded) > 1:
        return _EXPANDED, folded
    return ord(folded), ""


@cache
def _table() -> tuple[NDArray[numpy.uint32], dict[int, str]]:
    # NUL separates the characters below, and a lone surrogate cannot be folded: a space
    # stands in for both here (surrogates are then sent to the general route).
    chars = [" " if 0xD800 <= cp < 0xE000 or not cp else chr(cp) for cp in range(_PLANE)]
    # One fold call for the whole plane: NUL is a starter that folds to itself, so no
    # character's fold leaks into its neighbour's.
    folds = fold("\0".join(chars)).split("\0")
    values = numpy.full(_PLANE, _SEPARATOR, dtype=numpy.uint32)
    expansions: dict[int, str] = {}
    segmented = _SEGMENT_RE.search
    category = unicodedata.category
    for cp, (char, folded) in enumerate(zip(chars, folds, strict=True)):
        # The common cases first, as _classify decides them; it settles the rest.
        if not folded:
            value, expansion = _DROPPED, ""
        elif folded.isalnum():
            if segmented(folded):
                value, expansion = _OTHER, ""
            elif len(folded) == 1:
                value, expansion = ord(folded), ""
            else:
                value, expansion = _EXPANDED, folded
        elif len(folded) == 1 and category(folded)[0] != "M":
            value, expansion = _SEPARATOR, ""
        else:
            value, expansion = _classify(char)
        values[cp] = value
        if expansion:
            expansions[cp] = expansion
    values[0xD800:0xE000] = _OTHER
    return values, expansions


@cache
def _astral(cp: int) -> tuple[int, str]:
    return _classify(chr(cp))


def _table_tokens(text: str) -> Tokens | None:
    """Tokens through the fold table, or ``None`` when the text needs ``tokenize_chunks``."""
    if not text:
        return _no_tokens()
    codes = numpy.array([text]).view(numpy.uint32)  # UCS-4, as the str holds it
    if codes.size != len(text):  # pragma: no cover - numpy keeps every code point
        return None
    table, expansions = _table()
    if int(codes.max()) >= _PLANE:
        values, expansions = _with_astral(codes, table, expansions)
    else:
        values = table.take(codes)
    origin = None
    special = values < 4
    if special.any():
        if (values[special] == _OTHER).any():
            return None
        values, origin = _resolve(codes, values, expansions)
        if not values.size:  # nothing but diacritics
            return _no_tokens()
    # Keep every token character and the first separator after each token: with a space in
    # front, and one at the end when the text ends inside a token, that is the token string.
    word = values != _SEPARATOR
    keep = word.copy()
    keep[1:] |= word[:-1]
    body = values[keep].tobytes().decode("utf-32-le")
    string = " " + body + " " if word[-1] else " " + body

    def bounds() -> tuple[array[int], array[int], array[int]]:
        # Where a run of token characters begins or ends, alternately (one pass over the text).
        padded = numpy.zeros(word.size + 2, dtype=bool)
        padded[1:-1] = word
        edges = numpy.flatnonzero(padded[1:] != padded[:-1])
        starts, ends = edges[0::2], edges[1::2]
        # The space before token k in the token string: k spaces and the tokens before it.
        spaces = numpy.zeros(starts.size + 1, dtype=numpy.int64)
        numpy.cumsum(ends - starts + 1, out=spaces[1:])
        if origin is not None:  # back from resolved positions to the text's
            starts, ends = origin[starts], origin[ends - 1] + 1
        return _ints(starts), _ints(ends), _ints(spaces)

    return Tokens(string=string, bounds=bounds)


def _no_tokens() -> Tokens:
    return Tokens([], string=" ", spans=([], []))


def _ints(values: NDArray[numpy.int64]) -> array[int]:
    """A compact int sequence that indexes and bisects like a list, without a Python int per
    element (most of them are never read)."""
    return array("q", values.astype(numpy.int64, copy=False).tobytes())


def _with_astral(
    codes: NDArray[numpy.uint32], table: NDArray[numpy.uint32], expansions: dict[int, str]
) -> tuple[NDArray[numpy.uint32], dict[int, str]]:
    """Table values for a text with characters beyond the first plane (emoji, mostly)."""
    astral = codes >= _PLANE
    values = table.take(numpy.where(astral, 0, codes))
    extra = dict(expansions)
    for cp in numpy.unique(codes[astral]).tolist():
        value, expansion = _astral(cp)
        values[codes == cp] = value
        if expansion:
            extra[cp] = expansion
    return values, extra


def _resolve(
    codes: NDArray[numpy.uint32], values: NDArray[numpy.uint32], expansions: dict[int, str]
) -> tuple[NDArray[numpy.uint32], NDArray[numpy.intp]]:
    """Drop optional diacritics and expand multi-character folds; also return, for each
    resulting position, the text offset it came from."""
    lengths = numpy.ones(values.size, dtype=numpy.intp)
    lengths[values == _DROPPED] = 0
    grown = numpy.flatnonzero(values == _EXPANDED)
    pieces = [expansions[cp] for cp in codes[grown].tolist()]
    lengths[grown] = [len(piece) for piece in pieces]
    origin = numpy.repeat(numpy.arange(values.size), lengths)
    resolved = numpy.repeat(values, lengths)
    if pieces:
        offsets = numpy.cumsum(lengths) - lengths
        for at, piece in zip(offsets[grown].tolist(), pieces, strict=True):
            resolved[at : at + len(piece)] = list(map(ord, piece))
    return resolved, origin
