"""The vectorised MinHash gives the very signatures of the plain formula, so fingerprints stored
by earlier versions stay comparable. Real article texts of both shared data sets."""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata

import numpy as np

from bot.stories.fingerprint import (
    _PARAMS,
    _PRIME,
    _WORD,
    MIN_WORDS,
    SHINGLE_WORDS,
    Fingerprint,
    _min_hashes,
    fingerprint,
    words,
)
from tests.conftest import shared


def plain_words(text: str) -> list[str]:
    """The word folding as first written: NFKD, then every combining mark dropped."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(folded)


def plain_fingerprint(text: str) -> tuple[int, ...] | None:
    """The signature as first written: Python integers, one slot at a time."""
    tokens = plain_words(text)
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
    return tuple(min((a * h + b) % _PRIME for h in hashes) for a, b in _PARAMS)


def real_texts(step: int) -> list[str]:
    """Every ``step``-th reference text of the two shared data sets."""
    bench = json.loads(shared("data", "article-benchmark", "ground-truth.json").read_text())
    texts = [entry["articleBody"] for entry in bench.values()][::step]
    for path in sorted(shared("data", "wcxb-dev-articles", "ground-truth").glob("*.json"))[::step]:
        texts.append(json.loads(path.read_text())["ground_truth"].get("main_content") or "")
    return texts


def test_signature_is_the_plain_formulas_on_real_texts() -> None:
    """On every 25th reference text of both shared sets, the signature equals the plain
    formula's (skipped, naming the folder, without ../shared)."""
    texts = real_texts(step=25)
    assert len(texts) > 30
    for text in texts:
        assert_same_as_plain(text)


def assert_same_as_plain(text: str) -> None:
    """Each slot, each band key and the stored text equal those of the plain formula."""
    expected = plain_fingerprint(text)
    got = fingerprint(text)
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert got.slots == expected
    assert all(type(slot) is int for slot in got.slots)
    assert got.bands() == Fingerprint(expected).bands()
    assert Fingerprint.from_text(got.to_text()) == got


def test_folding_matches_the_plain_folding_in_many_scripts() -> None:
    """Accents, ligatures and other scripts fold to the same words as before."""
    text = (
        "Zelenski pide una reunión con Trump; Ŝtato, naïve café, ﬁnal — Зеленський і Трамп "
        "обговорили зустріч; Ελλάδα; 東京で会談; Đà Nẵng; İstanbul ǅ 한국어"
    )
    assert words(text) == plain_words(text)


def test_short_text_has_no_fingerprint() -> None:
    """Fewer than MIN_WORDS words: no signature (too little to compare)."""
    assert fingerprint(" ".join(["word"] * (MIN_WORDS - 1))) is None


def test_repeated_shingles_and_tiny_vocabulary() -> None:
    """Texts made of a few repeated shingles (one distinct hash, or two) still match."""
    for text in (" ".join(["same"] * 60), " ".join(["a b"] * 40), "x " * 39 + "y"):
        assert fingerprint(text) == (
            Fingerprint(slots) if (slots := plain_fingerprint(text)) else None
        )


def _hash_giving(slot: int, value: int) -> int:
    """The hash h < p whose slot ``slot`` is ``value``: (a·h + b) mod p = value."""
    a, b = _PARAMS[slot]
    return (value - b) * pow(a, -1, _PRIME) % _PRIME


def test_slots_at_the_ends_of_the_range_and_ties_are_exact() -> None:
    """Hashes whose slot value is 0, 1, p-1 or p-2 (where the approximation wraps around) and
    hashes one apart in a slot (two candidates) give the plain formula's minimum."""
    rng = random.Random(14)
    cases = [
        [_hash_giving(0, _PRIME - 1)],  # alone: the least is the largest value
        [_hash_giving(1, 0), _hash_giving(1, _PRIME - 1)],
        [_hash_giving(2, 1), _hash_giving(2, 2), _hash_giving(3, _PRIME - 2)],
        [_hash_giving(slot, rng.randrange(_PRIME)) for slot in range(5)],
        [_hash_giving(4, 10**12), _hash_giving(4, 10**12 + 1), _hash_giving(5, 10**12 + 7)],
    ]
    for extra in cases:
        hashes = extra + [rng.getrandbits(64) for _ in range(rng.choice((0, 3, 300)))]
        reduced = [h % _PRIME for h in hashes]
        expected = tuple(min((a * h + b) % _PRIME for h in reduced) for a, b in _PARAMS)
        assert _min_hashes(np.array(hashes, dtype=np.uint64)) == expected
