"""Score the cleaner on the multilingual fixture set (bench/multilingual_pages.py), per half.

A page is right when every expectation holds: no ``drop`` snippet in the text (a leak),
every ``keep`` sentence in it, the author, the language and ``blocked`` as expected. The
held-out halves (``heldout``, and ``novel``: pages worded independently, see
bench/multilingual_novel.py) are reported in totals only (``--details`` lists the tune half's
failures), so that tuning never reads them.

    python bench/clean_multilingual.py [--details] [--half tune]

While tuning, run ``--half tune`` only: the held-out totals are read once at the start and
once at the end.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import extract

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "clean_multilingual"
DATA = ROOT / "tests" / "data" / "clean_multilingual.yaml"
# The novel-wording pages (bench/multilingual_novel.py): one held-out half of their own.
NOVEL_PAGES = ROOT / "tests" / "fixtures" / "clean_novel"
NOVEL_DATA = ROOT / "tests" / "data" / "clean_novel.yaml"
HALVES = ("tune", "heldout", "novel")


def cases(half: str | None = None, layouts: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """The expectations, one per page: the fixture set's (only ``layouts`` when given), or the
    novel pages' for 'novel'."""
    with (NOVEL_DATA if half == "novel" else DATA).open(encoding="utf-8") as fh:
        every = list(yaml.safe_load(fh))
    return [
        c
        for c in every
        if (half is None or c["half"] == half) and (layouts is None or c["layout"] in layouts)
    ]


def failures(case: dict[str, Any]) -> list[str]:
    """What is wrong with the cleaned page of ``case`` (empty when it is fully right)."""
    pages = NOVEL_PAGES if case["half"] == "novel" else PAGES
    article = extract((pages / f"{case['id']}.html").read_bytes())
    text = " ".join(article.text.split())
    wrong = [f"leak: {s[:60]}" for s in case["drop"] if " ".join(s.split()) in text]
    wrong += [f"lost: {s[:60]}" for s in case["keep"] if " ".join(s.split()) not in text]
    if article.author != case["author"]:
        wrong.append(f"author: {article.author!r} != {case['author']!r}")
    if not case["blocked"] and article.language != case["language"]:
        wrong.append(f"language: {article.language!r} != {case['language']!r}")
    if article.blocked != case["blocked"]:
        wrong.append(f"blocked: {article.blocked}")
    return wrong


@dataclass
class Score:
    """Totals over one half."""

    pages: int = 0
    right: int = 0
    leaks: int = 0
    lost: int = 0
    other: int = 0
    details: list[str] = field(default_factory=list)


def score(half: str, layouts: frozenset[str] | None = None) -> Score:
    """Run every page of one half (only ``layouts`` when given)."""
    total = Score()
    for case in cases(half, layouts):
        wrong = failures(case)
        total.pages += 1
        total.right += not wrong
        total.leaks += sum(w.startswith("leak") for w in wrong)
        total.lost += sum(w.startswith("lost") for w in wrong)
        total.other += sum(not w.startswith(("leak", "lost")) for w in wrong)
        total.details += [f"{case['id']}: {w}" for w in wrong]
    return total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list the tune half's failures")
    parser.add_argument("--half", choices=HALVES, help="score this half only")
    args = parser.parse_args(argv)
    for half in [args.half] if args.half else HALVES:
        s = score(half)
        print(
            f"{half:8} {s.right}/{s.pages} pages fully right; leaked snippets {s.leaks},"
            f" lost sentences {s.lost}, wrong author/language/blocked {s.other}"
        )
        if args.details and half == "tune":
            print("\n".join(f"  {d}" for d in s.details))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
