"""Bylines written in the text ("Por Sofía Carvajal", "By …", "Von …") become the author."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from bot import extract
from bot.clean.byline import author_bio_start, byline_author, markup_credit, split_byline_author
from bot.clean.classify import label
from tests.clean_support import cases, page

PAGES = cases("clean_bylines.yaml")
LINES = cases("clean_bylines_text.yaml")
BIOS = cases("clean_author_bios.yaml")
SPLIT = cases("clean_bylines_split.yaml")
MARKUP = cases("clean_bylines_markup.yaml")


@pytest.mark.parametrize("case", PAGES, ids=[c["language"] for c in PAGES])
def test_byline_leaves_the_text_and_becomes_the_author(case: dict[str, str]) -> None:
    """On a page with no author metadata the written byline names the author, not the body."""
    article = extract(page(case["page"]))
    assert article.author == case["author"]
    assert case["byline"] not in article.text
    assert case["author"] not in article.text
    assert any(r.kind == "byline" for r in article.removed) or case["language"] in ("en", "de")
    assert article.language == case["language"]
    assert len(article.paragraphs) == 4


@pytest.mark.parametrize("case", LINES, ids=[c["text"][:30] for c in LINES])
def test_byline_line(case: dict[str, str | None]) -> None:
    """A byline line gives its name; a sentence that merely starts with By/Por/Von/Par does not."""
    assert byline_author(str(case["text"])) == case["author"]


@pytest.mark.parametrize("case", BIOS, ids=[f"{c['author']}-{c['start']}" for c in BIOS])
def test_author_bio_start(case: dict[str, Any]) -> None:
    """A closing block that opens with the author's full name starts a bio; other blocks do not."""
    assert author_bio_start(case["blocks"], case["author"]) == case["start"]


def test_author_bio_leaves_the_text() -> None:
    """The bio after an article by a known author is reported as removed, not kept as text."""
    story = "".join(
        f"<p>Paragraph {n} of the report describes the new tram line and the council's plan "
        f"for the works in the old town during {2026 + n}.</p>"
        for n in range(5)
    )
    html = (
        "<html><head><title>Tram line approved</title>"
        "<meta name='author' content='Jane McAllister'></head><body><article>"
        f"<h1>Tram line approved</h1>{story}"
        "<p>Jane McAllister is the transport correspondent and has covered the city for "
        "twenty years.</p></article></body></html>"
    )
    article = extract(html)
    assert article.author == "Jane McAllister"
    assert "transport correspondent" not in article.text
    assert "Paragraph 4 of the report" in article.text
    assert any(r.kind == "bio" for r in article.removed)


# Bylines in the label forms news sites print, per language: label, separator, name, and
# what may follow (a date, a reading time, a photo credit).
LABELLED = [
    ("Written by Maria Keller", "Maria Keller"),
    ("Reporting by Tom Hale · 4 min read", "Tom Hale"),
    ("Texto: Lucía Ferrer Gil", "Lucía Ferrer Gil"),
    ("Texto e fotos: Rui Almeida", "Rui Almeida"),
    ("Texto: Lucía Ferrer | Fotos: Pablo Soto", "Lucía Ferrer"),
    ("Haber: Zeynep Aksoy", "Zeynep Aksoy"),
    ("Muhabir: Emre Kaya / Ankara", "Emre Kaya"),
    ("Автор: Ірина Бондар", "Ірина Бондар"),
    ("Автор — Дмитрий Орлов", "Дмитрий Орлов"),
    ("Текст: Олег Марченко, 12 березня 2026", "Олег Марченко"),
    ("Tekst: Piotr Zieliński", "Piotr Zieliński"),
    ("Szöveg: Nagy Eszter", "Nagy Eszter"),
    ("Κείμενο: Νίκος Αλεξίου", "Νίκος Αλεξίου"),
    ("Von Lena Brandt | 03.12.2026, 09:15 Uhr", "Lena Brandt"),
    ("Scris de Andrei Ionescu", "Andrei Ionescu"),
    ("Teksti: Aino Virtanen", "Aino Virtanen"),
]
# Lines that open with a label word but are not bylines.
NOT_BYLINES = [
    "Metin Yıldız Kazandı",
    "Haber Merkezi",
    "Fotos: Pablo Soto",
    "Text size",
    "Texte intégral du discours",
    "By the way, the tram was late again",
]


@pytest.mark.parametrize(("text", "author"), LABELLED, ids=[t for t, _ in LABELLED])
def test_labelled_byline_gives_the_name(text: str, author: str) -> None:
    """A '<label>: <Name>' or '<label> <Name>' line, in any of the languages, names the author."""
    assert byline_author(text) == author


@pytest.mark.parametrize("text", NOT_BYLINES)
def test_label_word_alone_is_no_byline(text: str) -> None:
    """A label word that needs a colon, a photo credit alone, or a sentence is no byline."""
    assert byline_author(text) is None


def test_labelled_byline_on_a_page_becomes_the_author() -> None:
    """A 'Haber: Name' line under the headline leaves the text and becomes the author."""
    story = "".join(
        f"<p>Belediye meclisi {n}. oturumda yeni tramvay hattının güzergahını ve çarşı "
        f"bölgesindeki çalışmaların takvimini {2026 + n} yılı için onayladı.</p>"
        for n in range(4)
    )
    html = (
        "<html lang='tr'><head><title>Tramvay hattı onaylandı</title></head><body><article>"
        f"<h1>Tramvay hattı onaylandı</h1><p>Haber: Zeynep Aksoy</p>{story}"
        "</article></body></html>"
    )
    article = extract(html)
    assert article.author == "Zeynep Aksoy"
    assert "Zeynep Aksoy" not in article.text
    assert "3. oturumda" in article.text
    assert any(r.kind == "byline" for r in article.removed)


@pytest.mark.parametrize("case", SPLIT, ids=[f"{c['label']}|{c['name'][:20]}" for c in SPLIT])
def test_byline_in_two_blocks(case: dict[str, str | None]) -> None:
    """A label alone and a name after it make a byline; a label that needs a colon, a
    heading or a sentence after a label do not."""
    assert split_byline_author(str(case["label"]), str(case["name"])) == case["author"]


STORY = [
    f"Paragraph {n} of the story: the council debated the tram line budget for hours and"
    " then voted, with the opposition asking for buses instead of rails."
    for n in range(6)
]


@pytest.mark.parametrize("at_top", [True, False], ids=["top", "foot"])
def test_byline_in_two_blocks_leaves_the_text_and_names_the_author(at_top: bool) -> None:
    """'By' and 'Jane Doe' as two blocks under the headline or after the story are both
    removed as the byline, and Jane Doe is the author."""
    credit = ["By", "Jane Doe"]
    blocks = ["Tram line approved", *credit, *STORY] if at_top else [*STORY, *credit]
    labels = label(blocks, frozenset({"tram line approved"}), None, 0)
    kinds = {b: v.kind for b, v in zip(blocks, labels.verdicts, strict=True) if v is not None}
    assert labels.author == "Jane Doe"
    assert kinds["By"] == kinds["Jane Doe"] == "byline"
    assert not any(b in kinds for b in STORY)


def test_label_and_name_in_the_middle_of_the_story_stay() -> None:
    """A label and a name far from both ends of the story are not taken for its byline."""
    blocks = [*STORY[:5], "By", "Jane Doe", *STORY[:5]]
    labels = label(blocks, frozenset(), None, 0)
    assert labels.author is None
    assert labels.verdicts[5] is None and labels.verdicts[6] is None


def test_byline_label_whose_name_was_lost_goes_alone() -> None:
    """A lone 'Автор:' under the headline with no name after it (its link dropped) is
    removed as the byline's remnant; the story stays and no author is made up."""
    blocks = ["Автор:", *STORY]
    labels = label(blocks, frozenset(), None, 0)
    assert labels.verdicts[0] is not None and labels.verdicts[0].kind == "byline"
    assert labels.author is None
    assert all(v is None for v in labels.verdicts[1:])


@pytest.mark.parametrize("case", MARKUP, ids=[c["html"][:40] for c in MARKUP])
def test_credit_in_the_markup(case: dict[str, str | None]) -> None:
    """A label alone in its element and the name in the next text of the markup make a
    credit; a menu's, a form's or a sentence's last word, or prose after a label, do not."""
    tree = lxml.html.fromstring(f"<html><body>{case['html']}<p>Story text.</p></body></html>")
    assert markup_credit(tree) == case["author"]


def test_credit_whose_name_is_a_link_names_the_author_and_leaves_the_text() -> None:
    """'Por' above a linked name at the foot of a story, both of which extraction may drop:
    the name is the author and is not left in the text."""
    story = "".join(f"<p>{s}</p>" for s in STORY)
    html = (
        "<html lang='en'><head><title>Tram line approved</title></head><body><article>"
        f"<h1>Tram line approved</h1>{story}<div><span>By</span><br />"
        '<a href="/authors/7">Jane Doe</a></div></article></body></html>'
    )
    article = extract(html)
    assert article.author == "Jane Doe"
    assert "Jane Doe" not in article.text
    assert STORY[-1] in article.text


def test_the_authors_name_alone_at_an_end_is_the_byline() -> None:
    """A block that is only the page's author's name, after the story, is the byline; the
    same name in the middle of the story stays."""
    blocks = [*STORY, "Jane Doe"]
    labels = label(blocks, frozenset(), "Jane Doe", 0)
    assert labels.verdicts[-1] is not None and labels.verdicts[-1].kind == "byline"
    middle = [*STORY[:5], "Jane Doe", *STORY[:5]]
    assert label(middle, frozenset(), "Jane Doe", 0).verdicts[5] is None
