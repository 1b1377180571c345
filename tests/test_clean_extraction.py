"""Extraction: which trafilatura result the cleaner keeps, and pages the parser would cut short."""

from __future__ import annotations

import pytest
import trafilatura

from bot import extract
from bot.clean.decode import decode_html
from bot.clean.extraction import ExtractOptions, _doubtful, _RawTree, _retry_wins, _run
from bot.clean.page import _parse
from tests.clean_support import PAGES, page

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


_SAME_AS_TRAFILATURA = [
    "extraction/early-document-end.html",
    "cookie-law-news.html",
    "seed-inline-notice.html",
    "walls/" + sorted(p.name for p in (PAGES / "walls").iterdir())[0],
    "short article beside long columns",  # trafilatura's recall escalation runs
]
_COLUMNS = "".join(
    f"<div class='promo'><span>Column {n}: the harbour board said on Friday that the ferry"
    " timetable for the winter will change again next month after complaints.</span></div>"
    for n in range(40)
)
_SHORT_BESIDE_COLUMNS = (
    "<html><body><article><h1>Harbour plan</h1><p>"
    + "The council met on Tuesday to discuss the harbour plan and its budget. " * 4
    + f"</p></article><aside>{_COLUMNS}</aside><section>{_COLUMNS}</section></body></html>"
)


@pytest.mark.parametrize("name", _SAME_AS_TRAFILATURA)
@pytest.mark.parametrize(
    ("fast", "recall", "precision"),
    [(True, False, False), (False, False, False), (True, True, False), (True, False, True)],
)
def test_each_pass_gives_what_trafilatura_extract_gives(
    name: str, fast: bool, recall: bool, precision: bool
) -> None:
    """Our run of trafilatura's steps on the once-prepared tree equals its extract() on it."""
    html = _SHORT_BESIDE_COLUMNS if " " in name else decode_html(page(name))
    tree, _ = _parse(html, [])
    assert tree is not None
    expected = trafilatura.extract(
        tree,
        url=None,
        fast=fast,
        favor_precision=precision,
        favor_recall=recall,
        include_comments=False,
        include_tables=True,
        output_format="txt",
    )
    options = ExtractOptions(favor_precision=precision)
    ours = _run(_RawTree.of(tree), None, options, recall=recall, fast=fast)
    assert ours == (expected or "")
    assert ours
