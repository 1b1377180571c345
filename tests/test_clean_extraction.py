"""Extraction: which trafilatura result the cleaner keeps, and pages the parser would cut short."""

from __future__ import annotations

from bot import extract
from bot.clean.extraction import _doubtful, _retry_wins
from tests.clean_support import page

_ARTICLE = [
    f"Section {n} of the guide explains how the council will fund the tram line and which "
    f"streets close during the works planned for the spring of {2026 + n}."
    for n in range(8)
]


def test_article_after_a_premature_document_end_is_extracted() -> None:
    """A template that prints </body></html> before the article still yields the whole article."""
    text = extract(page("extraction/early-document-end.html")).text
    assert text.startswith("Payroll is the task owners most often say")
    assert "4. A co-employment arrangement" in text
    assert text.endswith("with the people who know them.")


def test_plain_article_result_is_trusted() -> None:
    """Paragraphs of prose covering most of the page need no second opinion."""
    assert not _doubtful("\n".join(_ARTICLE), page=220)


def test_menu_dump_short_result_and_flattened_result_are_doubted() -> None:
    """Mostly menu labels, little of the page's prose, or one flattened paragraph: ask again."""
    menu = "\n".join(["Home", "News", "Sport", "Contact us", "Jobs"] * 60 + _ARTICLE[:3])
    assert _doubtful(menu, page=400)
    assert _doubtful("\n".join(_ARTICLE), page=2000)
    assert _doubtful(" ".join(_ARTICLE * 2), page=500)


def test_retry_wins_with_sections_the_first_result_missed() -> None:
    """A recall retry that brings the missing later sections replaces the first result."""
    first = "\n".join(_ARTICLE[:4])
    retry = "\n".join(["Photo: council press office", *_ARTICLE])
    assert _retry_wins(first, retry, words=len(first.split()), page=300)


def test_retry_adding_only_captions_ahead_of_the_article_loses() -> None:
    """New text ahead of where the article starts (gallery captions, credits) does not count."""
    first = "\n".join(_ARTICLE)
    captions = [
        f"Gallery image {n}: the mayor and the tram board at the depot on Monday" for n in range(8)
    ]
    retry = "\n".join([*captions, *_ARTICLE])
    assert not _retry_wins(first, retry, words=len(first.split()), page=300)
