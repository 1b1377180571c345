"""Benchmark: topic matching with bot.rules against a naive per-topic ``re.search`` evaluation.

Generates (deterministically) 5,000 topics of 2–4 terms — words, prefixes and phrases, with
case and accent variants — and 2,000 articles of ~740 words (a title and 10 paragraphs of 5
sentences of 8–20 words) drawn from a Zipf vocabulary (weight 1/rank over 30,000 words) that
includes accented Latin and Cyrillic words and curly quotes; 30% of sentences carry one of 300
two-word phrases. Topic terms are drawn log-uniformly from rank ``--min-rank`` on, so the
match density is set there: it is printed (distinct rule terms present and matches per
article) so that the speed is read against it. Prints, in one run: articles/s for newsbot
(CPU time, median of ``--passes`` passes, each shown) and for the naive evaluator (on a
subset: it is slow), their ratio, whether both found exactly the same matches on that subset,
and the time to load (YAML) and compile the topics.

    python bench/match.py [--topics 5000] [--articles 2000] [--naive-articles 60] [--passes 3]
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.model import Article
from bot.rules import compile_rules
from bot.rules.text import fold
from bot.rules.tokenizer import prepare
from bot.runtime import heap

LATIN = ["ka", "lo", "mi", "ne", "ra", "to", "su", "ve", "di", "po", "an", "el", "ri", "sta", "tre"]
ACCENTED = ["á", "é", "ó", "ñ", "ü", "ç"]
CYRILLIC = ["ка", "ло", "ми", "не", "ра", "то", "су", "ве", "ді", "по", "ан", "ель", "рі", "ст"]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < size:
        kind = rng.random()
        parts = CYRILLIC if kind < 0.05 else LATIN
        word = "".join(rng.choice(parts) for _ in range(rng.randint(1, 4)))
        if parts is LATIN and 0.05 <= kind < 0.13:
            i = rng.randrange(len(word))
            word = word[:i] + rng.choice(ACCENTED) + word[i + 1 :]
        if fold(word) not in seen and len(word) >= 2:
            seen.add(fold(word))
            words.append(word)
    return words


def sentence(
    rng: random.Random, draw: Callable[[int], list[str]], phrases: list[str], n: int
) -> str:
    words = draw(n)
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words) + 1), rng.choice(phrases))
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"“{words[i]}”"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ",", ";", "!"])


def articles(rng: random.Random, vocab: list[str], phrases: list[str], count: int) -> list[Article]:
    cum = list(itertools.accumulate(1 / (r + 1) for r in range(len(vocab))))

    def draw(n: int) -> list[str]:
        return rng.choices(vocab, cum_weights=cum, k=n)

    out = []
    for i in range(count):
        title = sentence(rng, draw, phrases, rng.randint(6, 12)).rstrip(".,;!")
        paragraphs = []
        for _ in range(10):
            paragraphs.append(
                " ".join(sentence(rng, draw, phrases, rng.randint(8, 20)) for _ in range(5))
            )
        out.append(
            Article(f"https://example.org/{i}", title, None, None, "en", "\n\n".join(paragraphs))
        )
    return out


def variant(rng: random.Random, word: str) -> str:
    roll = rng.random()
    if roll < 0.15:
        return word.upper()
    if roll < 0.25:
        return fold(word)  # accents dropped: must still match the accented article text
    return word


def term(rng: random.Random, vocab: list[str], phrases: list[str], min_rank: int) -> str:
    roll = rng.random()
    if roll < 0.1:
        return variant(rng, rng.choice(phrases))
    rank = int(math.exp(rng.uniform(math.log(min_rank), math.log(len(vocab) - 1))))
    word = variant(rng, vocab[rank])
    if roll < 0.25 and len(word) >= 7:
        return word[: len(word) - 2] + "*"
    return word


def topics(
    rng: random.Random, vocab: list[str], phrases: list[str], count: int, min_rank: int
) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        terms = [term(rng, vocab, phrases, min_rank) for _ in range(rng.randint(2, 4))]
        if len(terms) == 2:
            match: Any = {"all": terms}
        elif len(terms) == 3:
            match = (
                {"all": [terms[0], {"any": terms[1:]}]} if rng.random() < 0.5 else {"all": terms}
            )
        else:
            a, b, c, d = terms
            match = (
                {"all": [{"any": [a, b]}, {"any": [c, d]}]}
                if rng.random() < 0.5
                else {"any": [{"all": [a, b]}, {"all": [c, d]}]}
            )
        out.append({"id": f"t{i}", "name": f"Topic {i}", "match": match})
    return out


# --- the naive anchor: one regex per term, every topic evaluated on every article -------------


def naive_term(text: str) -> re.Pattern[str]:
    prefix = text.endswith("*")
    words = re.findall(r"\w+", fold(text.rstrip("*")))
    body = r"\W+".join(map(re.escape, words))
    return re.compile(r"(?<!\w)" + body + ("" if prefix else r"(?!\w)"))


def naive_rule(node: Any) -> Callable[[str, str], bool]:
    if isinstance(node, str):
        pattern = naive_term(node)
        return lambda title, body: bool(pattern.search(title) or pattern.search(body))
    if "all" in node:
        kids = [naive_rule(k) for k in node["all"]]
        return lambda title, body: all(k(title, body) for k in kids)
    kids = [naive_rule(k) for k in node["any"]]
    return lambda title, body: any(k(title, body) for k in kids)


def calibration() -> float:
    """This machine's speed right now: CPU seconds for a plain 10M-iteration Python loop (about
    0.35 s on an idle development VM; a shared machine under load can take twice that)."""
    t0 = time.process_time()
    counter = 0
    for i in range(10_000_000):
        counter += i
    return time.process_time() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topics", type=int, default=5000)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--naive-articles", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the articles")
    parser.add_argument(
        "--min-rank",
        type=int,
        default=1500,
        help="most frequent vocabulary rank a topic term may have; lower = broader topics, more"
        " matches per article (400 gives ~23 per article, a stress case)",
    )
    args = parser.parse_args()

    rng = random.Random(args.seed)
    vocab = vocabulary(rng, 30_000)
    phrases = [
        f"{vocab[rng.randrange(200, 5000)]} {vocab[rng.randrange(200, 5000)]}" for _ in range(300)
    ]
    raw_topics = topics(rng, vocab, phrases, args.topics, args.min_rank)
    docs = articles(rng, vocab, phrases, args.articles)
    text = yaml.safe_dump({"aliases": {}, "topics": raw_topics}, allow_unicode=True)
    words = sum(len(a.text.split()) + len(a.title.split()) for a in docs) / len(docs)
    print(f"{args.topics} topics, {args.articles} articles of {words:.0f} words on average")
    print(f"calibration: 10M-iteration Python loop in {calibration():.2f} s CPU")

    t0 = time.process_time()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader)
    t1 = time.process_time()
    rules = compile_rules(data["aliases"], data["topics"])
    t2 = time.process_time()
    print(f"load (YAML, {loader.__name__}): {t1 - t0:.3f} s   compile: {t2 - t1:.3f} s")
    prepare()  # the tokenizer's table, built as a page worker starts (not in the timed passes)
    del data, text
    # As the running bot does after every (re)load (see bot/runtime/heap.py); the generated articles
    # are long-lived inputs here, so they are settled too.
    heap.settle()

    # CPU time of this process: "articles/s on one core", robust to other load on the machine;
    # the median of several passes over the same articles, robust to the noise that remains.
    rates, cpu, ours_sets, total = [], [], [], 0
    for run in range(args.passes):
        wall, start = time.perf_counter(), time.process_time()
        # Like the bot, keep only what is needed from each result (the bot stores matches and
        # lets them go): holding all 15,000 Match objects would make every GC pass walk them.
        found, sets = 0, []
        for i, article in enumerate(docs):
            matches = rules.match(article)
            found += len(matches)
            if i < args.naive_articles:
                sets.append({m.topic_id for m in matches})
        elapsed = time.process_time() - start
        wall = time.perf_counter() - wall
        rates.append(args.articles / elapsed)
        cpu.append(elapsed)
        now = calibration()
        print(f"  pass {run + 1}: {rates[-1]:,.0f} articles/s  ({elapsed:.2f} s CPU, "
              f"{wall:.2f} s wall, {found} matches; calibration now {now:.2f} s)")  # fmt: skip
        if run == 0:
            ours_sets, total = sets, found
        elif (found, sets) != (total, ours_sets):
            raise SystemExit("passes disagree: matching is not deterministic")
    ours = statistics.median(rates)
    print(f"newsbot: {ours:,.0f} articles/s  (median of {args.passes} passes, slowest "
          f"{min(rates):,.0f}; {statistics.median(cpu):.2f} s CPU per pass, median; {total} "
          f"matches, {total / len(docs):.1f} per article)")  # fmt: skip

    present = sum(len(rules.scan(a).present) for a in docs[:200]) / min(200, len(docs))
    terms = len(rules.lexicon.keys)
    print(f"density: {present:.0f} distinct rule terms present per article (of {terms}), "
          f"{total / len(docs):.1f} matches per article")  # fmt: skip

    naive = [(t["id"], naive_rule(t["match"])) for t in raw_topics]
    subset = docs[: args.naive_articles]
    start = time.process_time()
    naive_found = []
    for a in subset:
        title, body = fold(a.title), fold(a.text)
        naive_found.append({tid for tid, rule in naive if rule(title, body)})
    naive_elapsed = time.process_time() - start
    theirs = len(subset) / naive_elapsed
    timing = f"{naive_elapsed:.2f} s on {len(subset)} articles"
    print(f"naive re.search: {theirs:,.1f} articles/s  ({timing})")
    print(f"ratio: newsbot is {ours / theirs:,.0f}× faster")

    diffs = [i for i, (a, b) in enumerate(zip(ours_sets, naive_found, strict=True)) if a != b]
    compared = sum(len(s) for s in naive_found)
    verdict = "identical" if not diffs else f"DIFFERENT on {len(diffs)} articles, e.g. #{diffs[0]}"
    print(f"matches compared on {len(subset)} articles: {compared} naive vs "
          f"{sum(len(s) for s in ours_sets)} newsbot — {verdict}")  # fmt: skip
    if diffs:
        i = diffs[0]
        print("  only newsbot:", sorted(ours_sets[i] - naive_found[i])[:10])
        print("  only naive:  ", sorted(naive_found[i] - ours_sets[i])[:10])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
