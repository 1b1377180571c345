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
The minimum is found with numpy over all shingles at once: an approximation within a known
error bound picks each slot's few candidates, which are then computed exactly, so a slot is the
same integer as the plain formula gives (stored fingerprints stay comparable).
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass, field

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
_A = np.array([a for a, _ in _PARAMS], dtype=np.uint64)[:, None]
_A_SCALED = _A.astype(np.float64) * 2.0**-61  # exact: a power-of-two scale
# The approximation is off by at most 769 (three float64 roundings of a value below 2^61,
# plus the truncation); _SLACK added to b keeps every value that can be a minimum clear of
# the wrap-around at 0.
_SLACK = 1024
_B_SLACK = np.array([b + _SLACK for _, b in _PARAMS], dtype=np.uint64)[:, None]
_CHUNK = 1024
_SLOT_INDEX = np.arange(PERMUTATIONS)
_A_LOW = _A[:, 0] & np.uint64(0xFFFFFFFF)
_A_HIGH = _A[:, 0] >> np.uint64(32)
_B = np.array([b for _, b in _PARAMS], dtype=np.uint64)
_LOW32 = np.uint64(0xFFFFFFFF)
_LOW29 = np.uint64((1 << 29) - 1)
_BITS32 = np.uint64(32)
_BITS29 = np.uint64(29)  # shingles per block: a 128-row block stays in the CPU cache


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A MinHash signature of one text."""

    slots: tuple[int, ...]
    # The band keys, made with the signature (in the page worker, off the bot's event loop);
    # empty for a signature read back from the database, whose bands are made when asked.
    band_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def similarity(self, other: Fingerprint) -> float:
        """Estimated Jaccard similarity of the two texts' shingle sets, 0.0 to 1.0."""
        same = sum(1 for a, b in zip(self.slots, other.slots, strict=True) if a == b)
        return same / len(self.slots)

    def bands(self) -> tuple[str, ...]:
        """One key per band: ``"<band>:<hash of its rows>"``, for candidate lookup."""
        return self.band_keys or _band_keys(self.slots)

    def to_text(self) -> str:
        return ",".join(format(slot, "x") for slot in self.slots)

    @classmethod
    def from_text(cls, text: str) -> Fingerprint:
        return cls(tuple(int(part, 16) for part in text.split(",")))


class _CombiningMarks(dict[int, int | None]):
    """``str.translate`` table deleting combining marks, filled in as characters are met."""

    def __missing__(self, codepoint: int) -> int | None:
        kept = None if unicodedata.combining(chr(codepoint)) else codepoint
        self[codepoint] = kept
        return kept


_MARKS = _CombiningMarks()


def words(text: str) -> list[str]:
    """Lower-cased, accent-folded words: the tokens shingles are made of."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    if not folded.isascii():
        folded = folded.translate(_MARKS)
    return _WORD.findall(folded)


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
    """The distinct 64-bit hashes (big-endian BLAKE2b) of the text's 5-word shingles."""
    digests = []
    for i in range(len(tokens) - SHINGLE_WORDS + 1):
        hasher = _BLAKE8.copy()  # a copy is cheaper than a new hasher with its parameters
        hasher.update(" ".join(tokens[i : i + SHINGLE_WORDS]).encode())
        digests.append(hasher.digest())
    hashes: _U64 = np.unique(np.frombuffer(b"".join(digests), dtype=">u8").astype(np.uint64))
    return hashes


def _min_hashes(hashes: _U64) -> tuple[int, ...]:
    """Each slot's ``min((a·h + b) mod p)``, exactly: candidates from the approximation,
    then the exact formula on those few (and on a whole slot in the rare wrapped case)."""
    reduced = (hashes & _P64) + (hashes >> _BITS61)  # h mod p, < p + 8
    reduced = np.where(reduced >= _P64, reduced - _P64, reduced)
    floats = reduced.astype(np.float64)
    rows, cols = [], []
    for start in range(0, len(reduced), _CHUNK):
        block = _approximate_slots(reduced[start : start + _CHUNK], floats[start : start + _CHUNK])
        lowest = block.argmin(axis=1)
        bound = block[_SLOT_INDEX, lowest] + np.uint64(2 * _SLACK)
        near = block <= bound[:, None]
        if np.count_nonzero(near) == PERMUTATIONS:  # the usual case: one candidate per slot
            row, col = _SLOT_INDEX, lowest
        else:
            row, col = np.nonzero(near)
        rows.append(row)
        cols.append(col + start)
    row = np.concatenate(rows)
    exact = _exact_slots(row, reduced[np.concatenate(cols)])
    slots = np.full(PERMUTATIONS, _P64, dtype=np.uint64)
    np.minimum.at(slots, row, exact)
    result: list[int] = slots.tolist()
    for index in np.nonzero(slots >= _P64 - np.uint64(4 * _SLACK))[0].tolist():
        a, b = _PARAMS[index]  # a wrapped value posed as the minimum: do this slot plainly
        result[index] = min((a * h + b) % _PRIME for h in reduced.tolist())
    return tuple(result)


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


def _approximate_slots(hashes: _U64, floats: npt.NDArray[np.float64]) -> _U64:
    """``(a·h + b + _SLACK) mod p`` for every slot and shingle, within ±769.

    With ``a·h = q·2^61 + r`` and ``p = 2^61 - 1``, ``a·h ≡ q + r (mod p)``: ``r`` is exact
    from the wrapping 64-bit product, ``q`` comes from a float64 product.
    """
    values = _A * hashes
    values &= _P64
    values += (_A_SCALED * floats).astype(np.uint64)
    values += _B_SLACK
    carry = values >> _BITS61
    values &= _P64
    values += carry
    return values
