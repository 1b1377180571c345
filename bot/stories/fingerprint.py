"""Near-duplicate fingerprints of article text, so one story alerts once (pure).

A MinHash signature (Broder 1997) over 5-word shingles of the cleaned body estimates the
Jaccard similarity of two texts: the share of signature slots that agree. Syndicated copies of
one agency story, or an article after small edits, share most shingles (similarity well above
0.5); a genuinely new development, or another story, shares few.

The signature is split into ``BANDS`` bands of ``ROWS`` slots; two texts whose signatures agree
on a whole band are candidates (locality-sensitive hashing), which lets the store find earlier
copies with an index lookup instead of comparing against every recent article. With 32 bands
of 4 rows a pair at similarity 0.5 is found with probability 0.87, at 0.6 with 0.99.

Each slot is the minimum of ``(a·h + b) mod p`` over the 64-bit shingle hashes ``h``, with
``(a, b)`` drawn once from a fixed seed, so signatures are stable across runs and machines.
The minimum is found with numpy over all shingles at once: ``(a·h + b) mod p`` is ``p`` times
the fractional part of ``Σ c_k·h_k + b/p``, with ``h`` cut into 21-bit pieces ``h_k`` and
``c_k = (a·2^(21k) mod p) / p``, one small float64 product for every slot and shingle. That
approximation, within a known error bound, picks each slot's few candidates, which are then
computed exactly, so a slot is the same integer as the plain formula gives (stored fingerprints
stay comparable).
"""

from __future__ import annotations

import hashlib
import operator
import random
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import numpy.typing as npt

PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
SHINGLE_WORDS = 5
MIN_WORDS = 40  # shorter texts (teasers, walls) get no fingerprint: too little to compare

_PRIME = (1 << 61) - 1
_rng = random.Random(20240601)
_PARAMS = tuple((_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(PERMUTATIONS))
_WORD = re.compile(r"\w+", re.UNICODE)
_BLAKE8 = hashlib.blake2b(digest_size=8)

_U64 = npt.NDArray[np.uint64]
_P64 = np.uint64(_PRIME)
_BITS61 = np.uint64(61)
_SLOT_INDEX = np.arange(PERMUTATIONS)
# The approximation: column k of _COEFFICIENTS is c_k = (a·2^(21k) mod p) / p, the last column
# b/p + _SHIFT. Each product c_k·h_k (h_k < 2^21) and the sum (< 2^23) are off by less than
# 2^-28 in all (float64 roundings), so _ERROR bounds it; the shift keeps every value clear of
# the wrap-around at 0 (a slot whose least approximation is within reach of 0 or 1 is done
# exactly over all shingles, which happens about once in a hundred texts).
_PIECE_BITS = 21
_PIECES = 3  # 3 × 21 bits cover h < 2^61
_ERROR = 2.0**-27
_SHIFT = 2.0**-25
_COEFFICIENTS = np.array(
    [
        [((a << (_PIECE_BITS * k)) % _PRIME) / _PRIME for k in range(_PIECES)]
        + [b / _PRIME + _SHIFT]
        for a, b in _PARAMS
    ]
)
_PIECE_MASK = np.uint64((1 << _PIECE_BITS) - 1)
_A_LOW = np.array([a & 0xFFFFFFFF for a, _ in _PARAMS], dtype=np.uint64)
_A_HIGH = np.array([a >> 32 for a, _ in _PARAMS], dtype=np.uint64)
_B = np.array([b for _, b in _PARAMS], dtype=np.uint64)
_LOW32 = np.uint64(0xFFFFFFFF)
_LOW29 = np.uint64((1 << 29) - 1)
_BITS32 = np.uint64(32)
_BITS29 = np.uint64(29)
_SPACE = ord(" ")
_TEXT_FORMAT = ",".join(["%x"] * PERMUTATIONS)
_SCRATCH_FLOATS = 1 << 14  # 128 KiB: malloc's threshold for mapping memory of its own


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A MinHash signature of one text."""

    slots: tuple[int, ...]
    # The band keys, made with the signature (in the page worker, off the bot's event loop);
    # empty for a signature read back from the database, whose bands are made when asked.
    band_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def similarity(self, other: Fingerprint) -> float:
        """Estimated Jaccard similarity of the two texts' shingle sets, 0.0 to 1.0."""
        if len(self.slots) != len(other.slots):
            raise ValueError("fingerprints of different lengths")
        same: int = sum(map(operator.eq, self.slots, other.slots))
        return same / len(self.slots)

    def bands(self) -> tuple[str, ...]:
        """One key per band: ``"<band>:<hash of its rows>"``, for candidate lookup."""
        return self.band_keys or _band_keys(self.slots)

    def to_text(self) -> str:
        """The slots in hex, comma-separated: how the store keeps a signature."""
        if len(self.slots) == PERMUTATIONS:
            return _TEXT_FORMAT % self.slots  # one formatting call for the whole signature
        return ",".join(format(slot, "x") for slot in self.slots)

    @classmethod
    def from_text(cls, text: str) -> Fingerprint:
        return cls(tuple(map(int, text.split(","), repeat(16))))


def words(text: str) -> list[str]:
    """Lower-cased, accent-folded words: the tokens shingles are made of."""
    return _WORD.findall(_fold(text))


def _fold(text: str) -> str:
    """The text case-folded and decomposed (NFKD), without its combining marks."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    if folded.isascii():
        return folded
    # Every combining mark is at U+0300 or above; a text has only a few distinct ones, each
    # removed with one str.replace (a translate table looked up every character).
    for mark in set("".join(_FROM_U0300.findall(folded))):
        if unicodedata.combining(mark):
            folded = folded.replace(mark, "")
    return folded


_FROM_U0300 = re.compile("[\u0300-\U0010ffff]+")


def fingerprint(text: str) -> Fingerprint | None:
    """The text's signature, or None when it has fewer than ``MIN_WORDS`` words."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    slots = _min_hashes(_shingle_hashes(tokens))
    return Fingerprint(slots, _band_keys(slots))


def _band_keys(slots: tuple[int, ...]) -> tuple[str, ...]:
    keys = []
    for band in range(BANDS):
        rows = slots[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(repr(rows).encode(), digest_size=8).hexdigest()
        keys.append(f"{band}:{digest}")
    return tuple(keys)


def _shingle_hashes(tokens: list[str]) -> _U64:
    """The 64-bit hashes (big-endian BLAKE2b) of the text's 5-word shingles, repeats kept
    (a repeated hash cannot change a minimum)."""
    text = " ".join(tokens).encode()
    # A shingle is the bytes from one word's start to the end of the fifth word from it (words
    # hold no space: \w never matches one, nor does any byte of a multi-byte UTF-8 character).
    spaces = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == _SPACE).tolist()
    starts = [0, *(space + 1 for space in spaces)]
    ends = [*spaces, len(text)][SHINGLE_WORDS - 1 :]
    digests = []
    for start, end in zip(starts, ends, strict=False):
        hasher = _BLAKE8.copy()  # a copy is cheaper than a new hasher with its parameters
        hasher.update(text[start:end])
        digests.append(hasher.digest())
    hashes: _U64 = np.frombuffer(b"".join(digests), dtype=">u8").astype(np.uint64)
    return hashes


def _min_hashes(hashes: _U64) -> tuple[int, ...]:
    """Each slot's ``min((a·h + b) mod p)``, exactly: candidates from the approximation,
    then the exact formula on those few (and on a whole slot when the approximation is
    within reach of its wrap-around)."""
    reduced = (hashes & _P64) + (hashes >> _BITS61)  # h mod p, < p + 8
    reduced = np.where(reduced >= _P64, reduced - _P64, reduced)
    approximate = _approximate_slots(reduced)
    lowest = approximate.argmin(axis=1)
    least = approximate[_SLOT_INDEX, lowest]
    near = approximate <= (least + 2 * _ERROR)[:, None]
    if np.count_nonzero(near) == PERMUTATIONS:  # the usual case: one candidate per slot
        # (a repeated shingle's hash adds candidates: it takes the general path, same result)
        row, col = _SLOT_INDEX, lowest
    else:
        row, col = np.nonzero(near)
    unsure = (least < _SHIFT + 3 * _ERROR) | (least > 1 - 4 * _ERROR)
    if unsure.any():  # a wrapped value may pose as the least: take the whole slot
        whole = np.nonzero(unsure)[0]
        row = np.concatenate((row, np.repeat(whole, len(reduced))))
        col = np.concatenate((col, np.tile(np.arange(len(reduced)), len(whole))))
    exact = _exact_slots(row, reduced[col])
    slots = np.full(PERMUTATIONS, _P64, dtype=np.uint64)
    np.minimum.at(slots, row, exact)
    result: list[int] = slots.tolist()
    return tuple(result)


def _approximate_slots(hashes: _U64) -> npt.NDArray[np.float64]:
    """``(a·h + b) / p + _SHIFT (mod 1)`` for every slot and hash (< p), within ±_ERROR."""
    pieces = np.empty((_PIECES + 1, len(hashes)))
    for k in range(_PIECES):
        pieces[k] = (hashes >> np.uint64(_PIECE_BITS * k)) & _PIECE_MASK
    pieces[_PIECES] = 1.0
    # einsum, not matmul: BLAS would spread this over threads that spin for more CPU time.
    values: npt.NDArray[np.float64] = np.einsum("sk,kh->sh", _COEFFICIENTS, pieces)
    # The fractional part, a few rows at a time: a second array as large as ``values`` would
    # have malloc hand megabytes back to the system and fault them in again on every text
    # (~400 page faults, most of this function's CPU time).
    rows = max(1, _SCRATCH_FLOATS // len(hashes))
    whole = np.empty((rows, len(hashes)))
    for start in range(0, PERMUTATIONS, rows):
        block = values[start : start + rows]
        floor = np.floor(block, out=whole[: len(block)])
        block -= floor
    return values


def _exact_slots(rows: npt.NDArray[np.intp], hashes: _U64) -> _U64:
    """``(a·h + b) mod p`` for slot ``rows[i]`` and hash ``hashes[i]`` (< p), in 64-bit parts."""
    a_low, a_high = _A_LOW[rows], _A_HIGH[rows]
    h_low, h_high = hashes & _LOW32, hashes >> _BITS32
    low = a_low * h_low  # < 2^64
    middle = a_low * h_high + a_high * h_low  # < 2^62, weighs 2^32
    high = a_high * h_high  # < 2^58, weighs 2^64 ≡ 8
    total = (low & _P64) + (low >> _BITS61)
    total += (middle >> _BITS29) + ((middle & _LOW29) << _BITS32)  # 2^61 ≡ 1
    total += high << np.uint64(3)
    total += _B[rows]
    for _ in range(2):
        total = (total & _P64) + (total >> _BITS61)
    exact: _U64 = np.where(total >= _P64, total - _P64, total)
    return exact
