"""Benchmark: MinHash fingerprints of real article texts, vectorised against the plain formula.

Takes the reference texts of both shared data sets (972 articles; every ``--plain-step``-th for
the plain formula, which is slow), prints CPU ms per article and per 1,000 words for
``bot.stories.fingerprint.fingerprint`` and for the plain Python-integer formula (the one
the tests pin it to), their ratio on the same texts, and whether every signature was identical.

    python bench/fingerprint.py [--plain-step 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.stories.fingerprint import fingerprint, words
from tests.test_fingerprint import plain_fingerprint, real_texts


def cpu_ms(func: object, texts: list[str]) -> tuple[float, list[object]]:
    start = time.process_time()
    out = [func(text) for text in texts]  # type: ignore[operator]
    return (time.process_time() - start) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain-step", type=int, default=5)
    args = parser.parse_args()
    texts = real_texts(step=1)
    sample = texts[:: args.plain_step]
    n_words = sum(len(words(t)) for t in texts)
    sample_words = sum(len(words(t)) for t in sample)
    fast_ms, _ = cpu_ms(fingerprint, texts)
    fast_sample_ms, fast = cpu_ms(fingerprint, sample)
    plain_ms, plain = cpu_ms(plain_fingerprint, sample)
    same = all(
        (f is None and p is None) or (f is not None and f.slots == p)  # type: ignore[attr-defined]
        for f, p in zip(fast, plain, strict=True)
    )
    print(f"{len(texts)} texts, {n_words / len(texts):.0f} words on average")
    print(
        f"vectorised: {fast_ms / len(texts):.3f} ms/article, "
        f"{fast_ms / n_words * 1000:.3f} ms per 1,000 words"
    )
    print(
        f"plain (every {args.plain_step}th text, {len(sample)}): "
        f"{plain_ms / len(sample):.3f} ms/article, "
        f"{plain_ms / sample_words * 1000:.3f} ms per 1,000 words"
    )
    print(f"ratio on the same texts: {plain_ms / fast_sample_ms:.1f}x; identical: {same}")


if __name__ == "__main__":
    main()
