"""The seed article (issue 2): an English story on a Spanish site, with its cookie notice."""

from __future__ import annotations

import pytest

from bot import extract
from tests.clean_support import page

URL = "https://noticiasdelmundo.example/internacional/zelensky-trump/"
SEEDS = ["seed-consent-container.html", "seed-inline-notice.html"]
NOTICE_WORDS = (
    "cookies",
    "Política de Privacidad",
    "Está de acuerdo",
    "personalizar su experiencia",
)
HEADLINE = "Ukraine seeks Zelensky-Trump meeting as White House says further peace talks needed"


@pytest.mark.parametrize("name", SEEDS)
def test_seed_text_has_no_trace_of_the_cookie_notice(name: str) -> None:
    """Neither the notice nor its button text survives, in a CMP container or as a plain <p>."""
    article = extract(page(name), URL)
    for words in NOTICE_WORDS:
        assert words not in article.text
    assert any(r.kind == "consent" and "utiliza cookies" in r.text for r in article.removed)


@pytest.mark.parametrize("name", SEEDS)
def test_seed_metadata(name: str) -> None:
    """Title from the page, author from the written byline, English detected on a lang="es" site."""
    article = extract(page(name), URL)
    assert article.title == "Zelensky Seeks Trump Talks"
    assert article.author == "Sofía Carvajal"
    assert article.language == "en"
    assert article.published is not None and article.published.isoformat().startswith("2025-08-18")
    assert article.url == URL
    assert not article.blocked


@pytest.mark.parametrize("name", SEEDS)
def test_seed_body_is_the_story_only(name: str) -> None:
    """Body starts at the lead, ends at the last paragraph; no headline, byline, nav or footer."""
    article = extract(page(name), URL)
    assert article.lead.startswith("KYIV, Ukraine — Ukraine is pressing for a face-to-face meeting")
    assert article.paragraphs[-1].endswith("further peace talks were needed first.")
    assert "Talks in Istanbul and Riyadh" in article.paragraphs
    for junk in ("Sofía Carvajal", HEADLINE, "Portada", "Noticias relacionadas", "Aviso legal"):
        assert junk not in article.text
    assert 350 <= len(article.text.split()) <= 500


def test_both_seed_forms_give_the_same_article() -> None:
    """Where the notice sits in the markup changes nothing in the cleaned article."""
    container, inline = (extract(page(name), URL) for name in SEEDS)
    assert container.text == inline.text
    assert (container.title, container.author, container.language) == (
        inline.title,
        inline.author,
        inline.language,
    )
