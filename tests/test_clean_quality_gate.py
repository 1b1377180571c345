"""Quality gate: newsbot's cleaned text scored on both shared data sets, whole, against floors.

The metric is ../shared/tools/extract_eval.py's (ScrapingHub 4-shingle F1 on the reference
text, consent-phrase leaks by its detector). Floors are pinned a little under the numbers
measured with ``python bench/extract.py`` (see the report in git history); raise them when
cleaning improves, never lower them to let a change through.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot import extract
from tests.clean_support import extract_eval
from tests.conftest import shared

# F1 floor per data set, about 0.001 under what was measured on 2026-12-03 after issue 18's
# rules (multilingual notice families, whole notices, sign-up forms, © lines, layout tables,
# fast recall retries): bench/extract.py prints newsbot 0.968 / 0.943 (ScrapingHub 0.96815
# to five places), trafilatura 2.3.1 extract alone 0.960 / 0.933 in the same run.
FLOORS = {"article-benchmark": 0.967, "wcxb-dev-articles": 0.942}
_PRIVACY = re.compile(r"cookie|consent|datenschutz|einwillig|privacy|rgpd|gdpr", re.I)

pytestmark = pytest.mark.slow


def _pages(name: str) -> list[Any]:
    root = shared("data", name)
    ee = extract_eval()
    return list(ee.load_pages(Path(root), ee.detect_layout(Path(root))))


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_cleaned_text_scores_above_floor_and_leaks_no_consent_text(name: str) -> None:
    """Whole set: F1 at or above its floor, no page leaking a consent phrase, no privacy snippet."""
    ee = extract_eval()
    counts = []
    leaks: list[str] = []
    privacy_found: list[str] = []
    for page in _pages(name):
        text = extract(page.html, page.url or None).text
        counts.append(ee.overlap_counts(ee.tokens(page.gold), ee.tokens(text), 4))
        gold_phrases = ee.cookie_matches(page.gold)
        leaked = [p for i, p in ee.cookie_matches(text).items() if i not in gold_phrases]
        if leaked:
            leaks.append(f"{page.id}: {leaked}")
        flat = ee._ws(text)
        privacy_found += [
            f"{page.id}: {s[:60]}"
            for s in page.without
            if _PRIVACY.search(s) and flat and ee._ws(s) in flat
        ]
    f1 = ee.aggregate(counts)["f1"]
    assert f1 >= FLOORS[name], f"{name}: F1 {f1:.4f} below floor {FLOORS[name]}"
    assert not leaks, leaks
    assert not privacy_found, privacy_found
