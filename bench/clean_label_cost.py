"""CPU cost of ``classify.label`` alone, on blocks captured once from the shared sets.

``capture`` runs the cleaner over the shared pages and saves the arguments each page's
``label`` call got (its blocks, titles, meta author, DOM consent count) to a pickle; ``time``
runs the ``label`` of the tree it is started from over those same arguments and prints CPU
ms per page. For an A/B, start ``time`` from two checkouts on one pickle, alternating:

    python bench/clean_label_cost.py capture /tmp/blocks.pickle
    for i in 1 2 3; do (cd A && python bench/clean_label_cost.py time /tmp/blocks.pickle)
                       (cd B && python bench/clean_label_cost.py time /tmp/blocks.pickle); done
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clean_shared import SETS, load_set


def capture(out: Path) -> None:
    """Clean every shared page, recording the arguments of each ``label`` call."""
    import bot.clean.page as page_module
    from bot.clean.page import clean_page

    calls: dict[str, list[tuple[Any, ...]]] = {name: [] for name in SETS}
    real = page_module.label
    for name in SETS:

        def record(*args: Any, _calls: list[tuple[Any, ...]] = calls[name]) -> Any:
            _calls.append(args)
            return real(*args)

        page_module.label = record  # type: ignore[assignment]
        for p in load_set(name):
            clean_page(p.html, p.url)
    page_module.label = real
    out.write_bytes(pickle.dumps(calls))
    print(f"captured {', '.join(f'{n}: {len(c)} pages' for n, c in calls.items())} to {out}")


def run(blocks: Path, rounds: int) -> None:
    """Best-of-``rounds`` CPU ms per page of ``label`` over the captured arguments."""
    from bot.clean import consent_words
    from bot.clean.classify import label

    # Memoised rules would be timed warm after the first round: every round starts cold.
    clear = getattr(consent_words.is_notice_text, "cache_clear", lambda: None)
    calls: dict[str, list[tuple[Any, ...]]] = pickle.loads(blocks.read_bytes())
    for name, args in calls.items():
        best = float("inf")
        for _ in range(rounds):
            clear()
            start = time.process_time()
            for a in args:
                label(*a)
            best = min(best, time.process_time() - start)
        print(f"{name:20} {1000 * best / len(args):.3f} ms/page (best of {rounds})")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("capture", "time"))
    parser.add_argument("pickle", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if args.command == "capture":
        capture(args.pickle)
    else:
        run(args.pickle, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
