"""The block classifiers of ``bot.clean.classify``: how they compose and what each pass sees."""

from __future__ import annotations

from bot.clean.classify import PASSES, Block, Context, Pass, label
from bot.model import Removed

ARTICLE = (
    "The city council approved the new budget on Tuesday after a long debate about"
    " schools, roads and the harbour, with the mayor promising further talks next spring."
    " Opposition members said the plan cut too deeply into youth services, while the finance"
    " committee argued that the harbour works could not wait another year without raising costs."
)
NOTICE = (
    "We use cookies to improve your experience on our website. By clicking Accept you"
    " consent to the use of cookies."
)
POLICY = "Read our privacy policy."


def _kinds(texts: list[str]) -> list[str | None]:
    labels = label(texts, frozenset(), None, 0)
    return [v.kind if v else None for v in labels.verdicts]


def test_notice_takes_its_policy_pointer_but_not_the_article_after_it() -> None:
    """A notice's policy line goes with it; article prose next to it stays."""
    kinds = _kinds([ARTICLE, NOTICE, POLICY, ARTICLE + " More."])
    assert kinds == [None, "consent", "consent", None]


def test_policy_pointer_far_from_any_notice_stays() -> None:
    """A policy line with article prose between it and the notice is not part of the notice."""
    kinds = _kinds([NOTICE, ARTICLE, POLICY, ARTICLE + " More."])
    assert kinds == ["consent", None, None, None]


def test_byline_found_at_the_top_gives_the_author() -> None:
    """A byline among the first blocks is removed and names the author."""
    labels = label(["By Jane Doe", ARTICLE, ARTICLE + " Again."], frozenset(), None, 0)
    assert [v.kind if v else None for v in labels.verdicts] == ["byline", None, None]
    assert labels.author == "Jane Doe"


def test_headline_only_while_nothing_is_kept_before_it() -> None:
    """The title is cut as the first block left, not when it recurs inside the text."""
    title = "Council approves budget"
    labels = label(
        [title, ARTICLE, title, ARTICLE + " Again."], frozenset({title.lower()}), None, 0
    )
    assert [v.kind if v else None for v in labels.verdicts] == ["title", None, None, None]


def test_first_classifier_to_claim_a_block_decides() -> None:
    """Classifiers run in order, as processors do; the first verdict wins, later ones never run."""
    seen: list[str] = []

    def first(block: Block, context: Context) -> Removed | None:
        seen.append("first")
        return Removed("first", block.text) if "x" in block.text else None

    def second(block: Block, context: Context) -> Removed | None:
        seen.append("second")
        return Removed("second", block.text)

    labels = label(["x", "y"], frozenset(), None, 0, passes=[Pass(lambda c: c, (first, second))])
    assert [v.kind if v else None for v in labels.verdicts] == ["first", "second"]
    assert seen == ["first", "first", "second"]


def test_page_of_only_a_notice_is_a_wall() -> None:
    """With a notice cut and almost no prose left, the last pass marks the page blocked."""
    labels = label(["Short line.", NOTICE], frozenset(), None, 0)
    assert labels.blocked
    assert [v.kind if v else None for v in labels.verdicts] == ["wall", "consent"]
    assert len(PASSES) == 6
