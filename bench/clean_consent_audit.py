"""Check consent-container removals against gold text: which id/class rules cut article words.

For every page of the shared sets, cut the consent containers the way ``clean_page`` does and
count how many words of each removed text also appear in the page's reference text. A rule that
removes reference text is a candidate for the exclusion list in ``bot/clean/consent_dom.py``.

    python bench/clean_consent_audit.py [--limit N]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter

from trafilatura.utils import load_html

from bench.clean_shared import SETS, load_set
from bot.clean.consent_dom import strip_consent_containers

WORD = re.compile(r"\w+")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    for name in SETS:
        pages = load_set(name, args.limit)
        hit_pages = 0
        for page in pages:
            tree = load_html(page.html)
            if tree is None:
                continue
            removed = strip_consent_containers(tree)
            if not removed:
                continue
            hit_pages += 1
            gold = Counter(WORD.findall(page.gold or ""))
            for text in removed:
                words = WORD.findall(text)
                in_gold = sum(1 for w in words if gold[w] > 0)
                if len(words) >= 8 and in_gold / len(words) > 0.6:
                    print(f"{name} {page.id[:10]} cut {len(words)} words, {in_gold} in gold:")
                    print(f"    {text[:90]!r}")
        print(f"{name}: consent containers cut on {hit_pages}/{len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
