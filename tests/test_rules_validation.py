"""Config validation of aliases: and topics: — every error names its key path from the root."""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import ConfigError
from bot.rules import compile_rules

ALIASES: dict[str, Any] = {
    "zelensky": {"terms": ["zelensky", "зеленськ*"]},
    "trump": {"terms": ["trump"], "ignore": ["trump card"]},
}


def _topic(match: Any, **extra: Any) -> list[dict[str, Any]]:
    return [{"id": "t", "name": "T", "match": match, **extra}]


BAD_TOPICS: list[tuple[str, Any, tuple[str | int, ...], str]] = [
    (
        "unknown key deep in the tree",
        _topic(
            {
                "all": [
                    "@zelensky",
                    "@trump",
                    "x",
                    {"any": ["a", {"near": ["a", "b"], "within": 3, "witin": 2}]},
                ]
            }
        ),
        ("topics", 0, "match", "all", 3, "any", 1, "witin"),
        "unknown key",
    ),
    (
        "within of the wrong type",
        _topic(
            {
                "all": [
                    "@zelensky",
                    "@trump",
                    "x",
                    {"any": ["a", {"near": ["a", "b"], "within": "12"}]},
                ]
            }
        ),
        ("topics", 0, "match", "all", 3, "any", 1, "within"),
        "whole number",
    ),
    (
        "undefined alias",
        _topic({"all": ["@zelensky", "@putin"]}),
        ("topics", 0, "match", "all", 1),
        "undefined alias '@putin'",
    ),
    (
        "unknown operator",
        _topic({"every": ["a"]}),
        ("topics", 0, "match", "every"),
        "unknown key 'every'",
    ),
    (
        "two operators in one mapping",
        _topic({"all": ["a"], "any": ["b"]}),
        ("topics", 0, "match", "any"),
        "one operator",
    ),
    ("short prefix", _topic({"any": ["ab*"]}), ("topics", 0, "match", "any", 0), "too short"),
    ("star inside a term", _topic("tr*mp"), ("topics", 0, "match"), "only allowed at the end"),
    ("term without letters", _topic(["!!!"]), ("topics", 0, "match", 0), "no letters"),
    (
        "boolean term (YAML yes/no)",
        _topic({"any": ["a", True]}),
        ("topics", 0, "match", "any", 1),
        "boolean",
    ),
    ("number term", _topic({"any": [2024]}), ("topics", 0, "match", "any", 0), "quote it"),
    ("empty all", _topic({"all": []}), ("topics", 0, "match", "all"), "empty"),
    ("all takes a list", _topic({"all": "a"}), ("topics", 0, "match", "all"), "takes a list"),
    ("near needs within", _topic({"near": ["a", "b"]}), ("topics", 0, "match"), "within"),
    (
        "near needs two operands",
        _topic({"near": ["a"], "within": 2}),
        ("topics", 0, "match", "near"),
        "at least two",
    ),
    (
        "near operand mapping",
        _topic({"near": ["a", {"any": ["b"]}], "within": 2}),
        ("topics", 0, "match", "near", 1),
        "operands",
    ),
    (
        "ordered must be boolean",
        _topic({"near": ["a", "b"], "within": 2, "ordered": "yes"}),
        ("topics", 0, "match", "ordered"),
        "true or false",
    ),
    (
        "within on a count",
        _topic({"count": ["a"], "at_least": 1, "within": 2}),
        ("topics", 0, "match", "within"),
        "belongs to near",
    ),
    ("count needs at_least", _topic({"count": ["a", "b"]}), ("topics", 0, "match"), "at_least"),
    (
        "at_least zero",
        _topic({"count": ["a", "b"], "at_least": 0}),
        ("topics", 0, "match", "at_least"),
        ">= 1",
    ),
    (
        "distinct value",
        _topic({"count": ["a"], "at_least": 1, "distinct": "words"}),
        ("topics", 0, "match", "distinct"),
        "terms or mentions",
    ),
    (
        "unknown field",
        _topic({"field": "headline", "all": ["a"]}),
        ("topics", 0, "match", "field"),
        "title, lead or body",
    ),
    (
        "unknown field in a list",
        _topic({"field": ["title", "footer"], "all": ["a"]}),
        ("topics", 0, "match", "field", 1),
        "title, lead or body",
    ),
    ("match of the wrong type", _topic(None), ("topics", 0, "match"), "nothing"),
    (
        "unknown topic key",
        _topic("a", colour="red"),
        ("topics", 0, "colour"),
        "unknown key 'colour'",
    ),
    ("missing match", [{"id": "t"}], ("topics", 0), "no match"),
    ("missing id", [{"match": "a"}], ("topics", 0), "no id"),
    (
        "duplicate id",
        [{"id": "t", "match": "a"}, {"id": "t", "match": "b"}],
        ("topics", 1, "id"),
        "duplicate",
    ),
    (
        "bad language",
        _topic("a", languages=["english"]),
        ("topics", 0, "languages", 0),
        "language code",
    ),
    (
        "sources unknown key",
        _topic("a", sources={"only": ["x"]}),
        ("topics", 0, "sources", "only"),
        "unknown key",
    ),
    ("negative min_score", _topic("a", min_score=-1), ("topics", 0, "min_score"), ">= 0"),
    (
        "tests unknown key",
        _topic("a", tests={"matches": ["x"]}),
        ("topics", 0, "tests", "matches"),
        "unknown key",
    ),
    (
        "test example not text",
        _topic("a", tests={"match": [{"title": "x"}]}),
        ("topics", 0, "tests", "match", 0),
        "example text",
    ),
    (
        "exclude validated too",
        _topic("a", exclude={"any": ["@nobody"]}),
        ("topics", 0, "exclude", "any", 0),
        "undefined alias",
    ),
    ("topics not a list", {"id": "t"}, ("topics",), "must be a list"),
    ("topic not a mapping", ["zelensky"], ("topics", 0), "mapping"),
]


@pytest.mark.parametrize(
    ("topics", "path", "message"), [c[1:] for c in BAD_TOPICS], ids=[c[0] for c in BAD_TOPICS]
)
def test_topic_errors_carry_the_key_path(
    topics: Any, path: tuple[str | int, ...], message: str
) -> None:
    """Each invalid topic raises ConfigError whose path points at the offending key."""
    with pytest.raises(ConfigError) as caught:
        compile_rules(ALIASES, topics)
    assert caught.value.path == path
    assert message in caught.value.message


BAD_ALIASES: list[tuple[str, Any, tuple[str | int, ...], str]] = [
    (
        "short prefix in ignore",
        {"trump": {"terms": ["trump"], "ignore": ["tr*"]}},
        ("aliases", "trump", "ignore", 0),
        "too short",
    ),
    ("empty terms", {"trump": {"terms": []}}, ("aliases", "trump", "terms"), "empty"),
    ("missing terms", {"trump": {"ignore": ["x"]}}, ("aliases", "trump"), "no terms"),
    (
        "unknown alias key",
        {"trump": {"terms": ["trump"], "ignores": ["x"]}},
        ("aliases", "trump", "ignores"),
        "unknown key",
    ),
    (
        "alias referring to alias",
        {"a": {"terms": ["@b"]}},
        ("aliases", "a", "terms", 0),
        "another alias",
    ),
    ("bad alias name", {"a b": ["x"]}, ("aliases", "a b"), "alias name"),
    ("alias of wrong type", {"a": "x"}, ("aliases", "a"), "mapping"),
    ("aliases not a mapping", ["a"], ("aliases",), "mapping"),
    ("term of wrong type", {"a": {"terms": ["x", ["y"]]}}, ("aliases", "a", "terms", 1), "a list"),
]


@pytest.mark.parametrize(
    ("aliases", "path", "message"), [c[1:] for c in BAD_ALIASES], ids=[c[0] for c in BAD_ALIASES]
)
def test_alias_errors_carry_the_key_path(
    aliases: Any, path: tuple[str | int, ...], message: str
) -> None:
    """Each invalid alias raises ConfigError whose path points at the offending key."""
    with pytest.raises(ConfigError) as caught:
        compile_rules(aliases, [])
    assert caught.value.path == path
    assert message in caught.value.message


def test_error_text_reads_like_yaml() -> None:
    """str(ConfigError) shows the key path the way a maintainer reads the YAML."""
    with pytest.raises(ConfigError) as caught:
        compile_rules(ALIASES, _topic({"all": ["a", {"near": ["a", "b"], "within": 0}]}))
    assert "topics[0].match.all[1].within:" in str(caught.value)


def test_first_error_in_document_order_is_raised() -> None:
    """With several problems, the one that comes first in the document is reported."""
    with pytest.raises(ConfigError) as caught:
        compile_rules(
            ALIASES,
            [{"id": "a", "match": "ok"}, {"id": "b", "match": "x*"}, {"id": "c", "match": 3}],
        )
    assert caught.value.path == ("topics", 1, "match")


def test_empty_sections_compile_to_an_empty_rule_set() -> None:
    """Missing aliases: and topics: sections are fine: nothing ever matches."""
    rules = compile_rules(None, None)
    assert rules.topics == ()
    assert rules.check_examples() == []


def test_shorthand_forms_are_accepted() -> None:
    """An alias may be a bare list; languages and sources entries may be single strings."""
    rules = compile_rules(
        {"trump": ["trump", "трамп*"]},
        _topic("@trump", languages="en", sources={"exclude": "satire.example"}),
    )
    topic = rules.topic("t")
    assert topic is not None and topic.languages == frozenset({"en"})
    assert topic.sources_exclude == ("satire.example",)
