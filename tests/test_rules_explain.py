"""RuleSet.explain, format_explanation and check_examples: every decision says why."""

from __future__ import annotations

from typing import Any

from bot.model import Article
from bot.rules import compile_rules, format_explanation

ALIASES: dict[str, Any] = {
    "zelensky": {"terms": ["zelensky", "зеленськ*"]},
    "trump": {"terms": ["trump", "трамп*"], "ignore": ["trump card"]},
    "meeting": {"terms": ["meeting", "summit", "talks"]},
}
SUMMIT: dict[str, Any] = {
    "id": "summit",
    "name": "Zelensky–Trump summit",
    "match": {
        "all": [
            "@zelensky",
            "@trump",
            "@meeting",
            {
                "any": [
                    {"field": "title", "all": ["@zelensky", "@trump"]},
                    {"near": ["@zelensky", "@trump"], "within": 12},
                ]
            },
        ]
    },
    "exclude": {"any": ["the apprentice"]},
    "min_score": 5,
}


def article(title: str, text: str = "") -> Article:
    return Article(url=None, title=title, author=None, published=None, language=None, text=text)


def test_every_topic_is_explained_in_config_order() -> None:
    """explain() returns one explanation per topic, matched or not."""
    rules = compile_rules(ALIASES, [SUMMIT, {"id": "other", "match": "budget"}])
    got = rules.explain(article("Zelensky Trump summit"))
    assert [(e.topic_id, e.status) for e in got] == [("summit", "matched"), ("other", "no_match")]


def test_near_miss_names_the_failing_condition() -> None:
    """A failed topic names the innermost failing condition with its path and what was found."""
    rules = compile_rules(ALIASES, [SUMMIT])
    filler = " ".join(["word"] * 30)
    (expl,) = rules.explain(
        article("Talks in Geneva", f"Zelensky spoke. {filler} Then Trump spoke.")
    )
    assert expl.status == "no_match"
    assert expl.reason.startswith("match.all[3]: any")
    near = expl.condition.children[3].children[1]
    assert not near.passed and "closest: 33 tokens apart in body" in near.note
    assert expl.progress == 0.75
    text = format_explanation(expl)
    assert "✗ near(@zelensky, @trump) within 12" in text
    assert "[match.all[3].any[1]]" in text


def test_masked_hits_are_explained() -> None:
    """When an alias found only ignored phrases, the explanation shows what was masked."""
    rules = compile_rules(ALIASES, [SUMMIT])
    (expl,) = rules.explain(article("Trump card: Zelensky at the summit"))
    trump = expl.condition.children[1]
    assert not trump.passed
    assert "masked by ignore: Trump (title)" in trump.note


def test_scoped_atom_says_where_else_it_was_found() -> None:
    """A title-scoped condition that fails says the term occurs elsewhere."""
    rules = compile_rules(ALIASES, [{"id": "t", "match": {"field": "title", "all": ["@trump"]}}])
    (expl,) = rules.explain(article("News", "Trump spoke."))
    assert "only elsewhere: Trump (lead)" in expl.condition.children[0].note


def test_exclusion_and_low_score_are_explained() -> None:
    """Excluded and below-min_score topics say so, with the evidence and score parts."""
    rules = compile_rules(ALIASES, [SUMMIT])
    (excluded,) = rules.explain(article("Zelensky-Trump summit about The Apprentice"))
    assert excluded.status == "excluded" and "the apprentice" in excluded.reason
    strict = compile_rules(ALIASES, [{**SUMMIT, "min_score": 99}])
    (low,) = strict.explain(article("Zelensky-Trump summit"))
    assert low.status == "low_score" and "below min_score 99" in low.reason
    assert "score 11 = title 9 + lead 0 + body 0 + repeats 0 + proximity 2" in format_explanation(
        low
    )


def test_matched_explanation_text() -> None:
    """A match prints its verdict, score parts, tree, hits with terms and the marked snippet."""
    rules = compile_rules(ALIASES, [SUMMIT])
    (expl,) = rules.explain(article("Zelensky-Trump summit", "Зеленського чекають."))
    text = format_explanation(expl)
    assert text.splitlines()[0].startswith("summit (Zelensky–Trump summit): MATCH")
    assert "(min_score 5)" in text
    assert "✓ @zelensky — found: Zelensky (title), Зеленського (lead)" in text
    assert "Зеленського [зеленськ*] (lead)" in text
    assert "snippet: [Зеленського] чекають." in text
    assert expl.match is not None and expl.match.score == expl.score


def test_check_examples_reports_failures() -> None:
    """check_examples returns an ExampleFailure naming topic, text, expectation and reason."""
    topic = {
        **SUMMIT,
        "tests": {"match": ["Zelensky meets nobody"], "no_match": ["Zelensky-Trump summit"]},
    }
    failures = compile_rules(ALIASES, [topic]).check_examples()
    assert [(f.topic_id, f.text, f.expected) for f in failures] == [
        ("summit", "Zelensky meets nobody", "match"),
        ("summit", "Zelensky-Trump summit", "no_match"),
    ]
    assert "should match: 'Zelensky meets nobody'" in str(failures[0])
    assert "@trump" in str(failures[0])


def test_examples_exercise_title_rules_and_ignore_languages() -> None:
    """An example is title and body at once; a languages: filter never rejects it."""
    topic = {**SUMMIT, "languages": ["uk"], "tests": {"match": ["Zelensky-Trump summit"]}}
    assert compile_rules(ALIASES, [topic]).check_examples() == []
