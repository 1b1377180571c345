"""Data-driven rule cases (tests/data/rule_cases.yaml) and the shipped config's topic examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.model import Article
from bot.rules import compile_rules

ROOT = Path(__file__).resolve().parent.parent
DATA = yaml.safe_load((Path(__file__).parent / "data" / "rule_cases.yaml").read_text("utf-8"))
CASES: list[dict[str, Any]] = DATA["cases"]


def _article(case: dict[str, Any]) -> Article:
    return Article(
        url=None,
        title=case["title"],
        author=None,
        published=None,
        language=case.get("language"),
        text=case.get("text", ""),
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_rule_case(case: dict[str, Any]) -> None:
    """Each case in rule_cases.yaml is decided as expected, with the listed surfaces as hits."""
    rules = compile_rules(DATA["aliases"], [{"id": "case", **case["rule"]}])
    article = _article(case)
    matches = rules.match(article)
    (explanation,) = rules.explain(article)
    assert explanation.matched == bool(matches), "match() and explain() disagree"
    assert explanation.matched == (case["expect"] == "match"), explanation.reason
    surfaces = {h.surface for m in matches for h in m.hits}
    for surface in case.get("surfaces", []):
        assert surface in surfaces


def test_cases_cover_four_languages_at_least() -> None:
    """The data file exercises at least en, es, uk, ru (plus de, fr)."""
    languages = {c.get("language") for c in CASES}
    assert {"en", "es", "uk", "ru", "de", "fr"} <= languages


def test_shipped_config_topics_pass_their_examples() -> None:
    """Every topic in config/newsbot.yaml has tests: examples and they all pass."""
    config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text("utf-8"))
    rules = compile_rules(config.get("aliases"), config.get("topics"))
    assert rules.topics
    for topic in rules.topics:
        assert topic.examples_match and topic.examples_no_match, topic.id
    assert [str(f) for f in rules.check_examples()] == []
