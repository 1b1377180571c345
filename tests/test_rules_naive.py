"""RuleSet.match decides exactly as a naive per-topic ``re.search`` evaluation (bench/match.py).

The corpus is the benchmark's own generator, smaller: Zipf-distributed words with accented
Latin, Cyrillic and curly quotes, topics of words, prefixes and phrases in case and accent
variants under all/any. Topic terms are drawn from frequent words so that most articles
match several topics and most candidate topics fail on their last term.
"""

from __future__ import annotations

import random

from bench.match import articles, naive_rule, topics, vocabulary
from bot.rules import compile_rules
from bot.rules.text import fold


def test_match_equals_naive_evaluation_on_generated_corpus() -> None:
    """Every generated article gets exactly the topics that the naive regex evaluation finds."""
    rng = random.Random(14)
    vocab = vocabulary(rng, 10_000)
    phrases = [
        f"{vocab[rng.randrange(200, 5000)]} {vocab[rng.randrange(200, 5000)]}" for _ in range(300)
    ]
    raw = topics(rng, vocab, phrases, 300, min_rank=60)
    docs = articles(rng, vocab, phrases, 16)
    rules = compile_rules({}, raw)
    naive = [(t["id"], naive_rule(t["match"])) for t in raw]
    total = 0
    for doc in docs:
        title, body = fold(doc.title), fold(doc.text)
        expected = {topic_id for topic_id, rule in naive if rule(title, body)}
        found = [m.topic_id for m in rules.match(doc)]
        assert len(found) == len(set(found)), "a topic matched twice"
        assert set(found) == expected, (doc.url, set(found) ^ expected)
        total += len(expected)
    # Enough matches (and near misses) that a wrong prefix, phrase or accent rule shows.
    assert total >= 5 * len(docs)
