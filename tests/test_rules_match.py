"""RuleSet.match: the Match it fills (hits, surfaces, fields, snippet, score) and topic filters."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model import Article
from bot.rules import compile_rules

ALIASES: dict[str, Any] = {
    "zelensky": {"terms": ["zelensky", "zelenski", "зеленськ*"]},
    "trump": {"terms": ["trump", "трамп*"], "ignore": ["trump card"]},
    "meeting": {"terms": ["meeting", "summit", "talks", "cumbre", "reunión", "зустріч*"]},
}
SUMMIT: dict[str, Any] = {
    "id": "summit",
    "name": "Zelensky–Trump summit",
    "match": {"all": ["@zelensky", "@trump", "@meeting"]},
}


def article(title: str, text: str = "", **kw: Any) -> Article:
    return Article(url=None, title=title, author=None, published=None,
                   language=kw.pop("language", None), text=text, **kw)  # fmt: skip


def test_match_fills_hits_with_surfaces_fields_and_counts() -> None:
    """Hits carry the rule term, the surface as written, the field (title/lead/body) and a count."""
    rules = compile_rules(ALIASES, [SUMMIT])
    text = (
        "Зеленського чекають у Вашингтоні на зустріч.\n\n"
        "Trump said the reunión, the summit, will happen. Trump again."
    )
    (match,) = rules.match(article("Zelensky wants talks", text))
    hits = {(h.term, h.surface, h.field): h.count for h in match.hits}
    assert hits[("zelensky", "Zelensky", "title")] == 1
    assert hits[("talks", "talks", "title")] == 1
    assert hits[("зеленськ*", "Зеленського", "lead")] == 1
    assert hits[("зустріч*", "зустріч", "lead")] == 1
    assert hits[("trump", "Trump", "body")] == 2
    assert hits[("reunión", "reunión", "body")] == 1
    assert match.topic_id == "summit" and match.topic_name == "Zelensky–Trump summit"
    assert "Zelensky (title)" in match.reason


def test_snippet_marks_point_at_hits() -> None:
    """The snippet is plain text from the body around the evidence; marks delimit hit surfaces."""
    rules = compile_rules(ALIASES, [SUMMIT])
    filler = "Lorem ipsum dolor sit amet. " * 20
    text = filler + "Zelensky and Trump agreed on a summit in Geneva next month. " + filler
    (match,) = rules.match(article("Diplomacy", text))
    assert len(match.snippet) <= 210
    marked = {match.snippet[a:b] for a, b in match.marks}
    assert {"Zelensky", "Trump", "summit"} <= marked
    assert match.snippet.startswith("…") and match.snippet.endswith("…")
    assert "[Zelensky] and [Trump]" in match.marked_snippet()


def test_snippet_falls_back_to_title() -> None:
    """With evidence only in the title, the snippet is the title with its marks."""
    rules = compile_rules(ALIASES, [SUMMIT])
    (match,) = rules.match(article("Zelensky-Trump summit", "Nothing related here."))
    assert match.snippet == "Zelensky-Trump summit"
    assert [match.snippet[a:b] for a, b in match.marks] == ["Zelensky", "Trump", "summit"]


def test_score_parts() -> None:
    """Score = title 3/atom + lead 2 + body 1 + repeats 0.25/extra mention + proximity ≤ 2."""
    rules = compile_rules(ALIASES, [SUMMIT])
    (match,) = rules.match(
        article("Zelensky-Trump summit", "Zelensky arrives.\n\nThe talks start.")
    )
    parts = dict(match.score_parts)
    assert parts == {"title": 9.0, "lead": 0.0, "body": 0.0, "repeats": 0.5, "proximity": 2.0}
    assert match.score == 11.5
    assert match.to_json()["why"]["score_parts"] == parts


def test_title_evidence_scores_higher_than_body() -> None:
    """The same words score more in the title than deep in the body."""
    rules = compile_rules(ALIASES, [SUMMIT])
    (in_title,) = rules.match(article("Zelensky Trump summit"))
    (in_body,) = rules.match(article("News", "First paragraph.\n\nZelensky Trump summit"))
    assert in_title.score > in_body.score


def test_min_score_filters() -> None:
    """A topic with min_score above the evidence does not match."""
    rules = compile_rules(ALIASES, [{**SUMMIT, "min_score": 20}])
    assert rules.match(article("Zelensky Trump summit")) == ()


def test_blocked_article_never_matches() -> None:
    """A consent or subscription wall matches no topic."""
    rules = compile_rules(ALIASES, [SUMMIT])
    assert rules.match(article("Zelensky Trump summit", blocked=True)) == ()


def test_language_filter() -> None:
    """languages: rejects other languages, accepts region subtags and unknown languages."""
    rules = compile_rules(ALIASES, [{**SUMMIT, "languages": ["en", "uk"]}])
    assert rules.match(article("Zelensky Trump summit", language="en-GB"))
    assert rules.match(article("Zelensky Trump summit", language=None))
    assert not rules.match(article("Zelensky Trump summit", language="de"))


@pytest.mark.parametrize(
    ("sources", "source_id", "host", "fires"),
    [
        ({"exclude": ["satire"]}, "satire", None, False),
        ({"exclude": ["satire.example"]}, "x", "www.satire.example", False),
        ({"exclude": ["satire.example"]}, "x", "news.example", True),
        ({"include": ["kyiv-post"]}, "kyiv-post", None, True),
        ({"include": ["kyiv-post"]}, "other", "other.example", False),
        ({"include": ["kyiv-post"]}, None, None, True),
    ],
)
def test_source_filter(
    sources: dict[str, Any], source_id: str | None, host: str | None, fires: bool
) -> None:
    """sources: include/exclude by id or domain (with subdomains); no source named: no filter."""
    rules = compile_rules(ALIASES, [{**SUMMIT, "sources": sources}])
    got = rules.match(article("Zelensky Trump summit"), source_id=source_id, source_host=host)
    assert bool(got) == fires


def test_results_are_ordered_by_score() -> None:
    """Several matching topics come back best score first."""
    topics = [
        {"id": "weak", "match": {"field": "body", "any": ["summit"]}},
        {"id": "strong", "match": {"all": ["@zelensky", "@trump"]}},
    ]
    rules = compile_rules(ALIASES, topics)
    got = rules.match(article("Zelensky and Trump", "A summit."))
    assert [m.topic_id for m in got] == ["strong", "weak"]


def test_topic_lookup() -> None:
    """RuleSet.topic finds a topic by id, or returns None."""
    rules = compile_rules(ALIASES, [SUMMIT])
    topic = rules.topic("summit")
    assert topic is not None and topic.name == "Zelensky–Trump summit"
    assert rules.topic("nope") is None


def test_not_only_topic_is_evaluated_without_any_term_present() -> None:
    """A topic that can hold with no term present (pure not) is still evaluated."""
    rules = compile_rules({}, [{"id": "quiet", "match": {"not": "war"}}])
    assert rules.match(article("Gardening tips"))
    assert not rules.match(article("War news"))


def test_ignore_masks_only_overlapping_hits() -> None:
    """The alias ignore phrase hides the Trump in 'Trump card' but not another Trump."""
    rules = compile_rules(ALIASES, [{"id": "t", "match": "@trump"}])
    assert not rules.match(article("Playing the trump card"))
    (match,) = rules.match(article("Trump card played by Trump"))
    assert [(h.surface, h.count) for h in match.hits] == [("Trump", 1)]


def test_details_in_json_why() -> None:
    """Match.details lists what each condition atom found, merged into the JSON 'why'."""
    rules = compile_rules(ALIASES, [SUMMIT])
    (match,) = rules.match(article("Zelensky Trump summit"))
    why = match.to_json()["why"]
    assert why["found"] == {"@zelensky": ["title"], "@trump": ["title"], "@meeting": ["title"]}
    assert why["closest"] == {"tokens": 1, "field": "title"}
