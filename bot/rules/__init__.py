"""The topic rule language: what is news, decided on an article and explained.

Public API::

    compile_rules(aliases, topics) -> RuleSet      # raw YAML data; raises ConfigError(path=...)
    RuleSet.topics / .topic(id) / .match(article, source_id=, source_host=)
    RuleSet.explain(article, ...) -> tuple[TopicExplanation, ...]   # every topic, config order
    RuleSet.check_examples() -> list[ExampleFailure]
    format_explanation(expl) -> str

Terms (folding: ``bot.rules.text``; tokenizing articles: ``bot.rules.tokenizer``)
    ``word`` a whole token; ``"two words"`` consecutive tokens; ``prefix*`` a token starting with
    ``prefix`` (3 letters at least); ``@name`` any term of an alias, after masking the alias's
    ``ignore:`` phrases (a hit overlapping an ignore phrase does not count for that alias).
    Case and optional diacritics fold on both sides; any script; no transliteration.

Conditions
    a string is one term; a list is ``any``; a mapping has one operator:
    ``all: [...]``, ``any: [...]``, ``not: cond``,
    ``near: [a, b, ...], within: N`` (one hit of each operand within N tokens in one field;
    adjacent tokens are 1 apart; ``ordered: true`` keeps the listed order; an operand is a term,
    an alias or a list of them),
    ``count: X, at_least: N`` (X a term, alias or list; counts distinct matched terms, or distinct
    positions with ``distinct: mentions``).
    Any mapping may carry ``field: title | lead | body`` (or a list): its subtree only looks at
    those fields (lead = first paragraph of the body; body includes the lead). Inner ``field:``
    replaces the outer one. Without ``field:`` conditions look at title and body.

Topic keys
    ``id``, ``name``, ``description``, ``match``, ``exclude`` (a condition: the topic does not fire
    when it holds), ``languages`` (ISO 639-1 codes; an article of unknown language passes),
    ``sources: {include: [...], exclude: [...]}`` (source ids or domains, a domain also covers
    its subdomains; not applied when the caller names no source), ``min_score``, ``tests``.

Score (``bot.rules.evidence``)
    over the distinct terms/aliases of ``match:`` outside ``not:`` ("atoms"):
    title 3 per atom in the title, lead 2 per atom first seen in the lead, body 1 per atom
    only further down, repeats 0.25 per extra mention (max 2), proximity up to 2 for the
    closest two different atoms (2 − (distance − 1)/6). ``min_score`` filters on the total.

Examples (``tests: {match: [...], no_match: [...]}``)
    each string becomes an article whose title AND body are the string (so title-scoped and
    lead-scoped rules are exercised) and whose language is unknown (one sentence is too short
    to detect reliably, so ``languages:`` never rejects an example); no source is named, so
    ``sources:`` does not apply. ``exclude`` and ``min_score`` do apply.
"""

from __future__ import annotations

from bot.rules.compile import compile_rules
from bot.rules.conditions import Outcome
from bot.rules.explain import format_explanation
from bot.rules.ruleset import ExampleFailure, RuleSet, Topic, TopicExplanation

__all__ = [
    "ExampleFailure",
    "Outcome",
    "RuleSet",
    "Topic",
    "TopicExplanation",
    "compile_rules",
    "format_explanation",
]
