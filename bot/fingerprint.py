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
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass

PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
SHINGLE_WORDS = 5
MIN_WORDS = 40  # shorter texts (teasers, walls) get no fingerprint: too little to compare

_PRIME = (1 << 61) - 1
_MASK = (1 << 64) - 1
_rng = random.Random(20240601)
_PARAMS = tuple((_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(PERMUTATIONS))
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A MinHash signature of one text."""

    slots: tuple[int, ...]

    def similarity(self, other: Fingerprint) -> float:
        """Estimated Jaccard similarity of the two texts' shingle sets, 0.0 to 1.0."""
        same = sum(1 for a, b in zip(self.slots, other.slots, strict=True) if a == b)
        return same / len(self.slots)

    def bands(self) -> tuple[str, ...]:
        """One key per band: ``"<band>:<hash of its rows>"``, for candidate lookup."""
        keys = []
        for band in range(BANDS):
            rows = self.slots[band * ROWS : (band + 1) * ROWS]
            digest = hashlib.blake2b(repr(rows).encode(), digest_size=8).hexdigest()
            keys.append(f"{band}:{digest}")
        return tuple(keys)

    def to_text(self) -> str:
        return ",".join(format(slot, "x") for slot in self.slots)

    @classmethod
    def from_text(cls, text: str) -> Fingerprint:
        return cls(tuple(int(part, 16) for part in text.split(",")))


def words(text: str) -> list[str]:
    """Lower-cased, accent-folded words: the tokens shingles are made of."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(folded)


def fingerprint(text: str) -> Fingerprint | None:
    """The text's signature, or None when it has fewer than ``MIN_WORDS`` words."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    hashes = {
        int.from_bytes(
            hashlib.blake2b(
                " ".join(tokens[i : i + SHINGLE_WORDS]).encode(), digest_size=8
            ).digest(),
            "big",
        )
        for i in range(len(tokens) - SHINGLE_WORDS + 1)
    }
    return Fingerprint(
        tuple(min(((a * h + b) % _PRIME) & _MASK for h in hashes) for a, b in _PARAMS)
    )
