"""Consent notices: each platform's container, in-content notices in eight languages, both ways."""

from __future__ import annotations

import re

import pytest
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from bot import extract
from bot.clean.consent_dom import strip_consent_containers
from bot.clean.consent_text import is_consent_notice, normalize_space
from bot.clean.consent_words import is_notice_text
from tests.clean_support import cases, data, page

PLATFORMS = cases("clean_platforms.yaml")
DETECTOR = data("clean_consent_text.yaml")
LANGUAGES = ["en", "es", "de", "fr", "it", "pt", "nl", "pl"]


def _detector_cases(direction: str) -> list[tuple[str, str]]:
    return [(lang, text) for lang, texts in DETECTOR[direction].items() for text in texts]


def _tree(name: str) -> HtmlElement:
    tree = load_html(page(name).decode("utf-8"))
    assert isinstance(tree, HtmlElement)
    return tree


def _visible(tree: HtmlElement) -> str:
    return normalize_space(" ".join(tree.xpath("//body//text()[not(ancestor::script)]")))


@pytest.mark.parametrize("case", PLATFORMS, ids=[c["platform"] for c in PLATFORMS])
def test_platform_notice_is_gone_and_article_intact(case: dict[str, str]) -> None:
    """Each consent platform's notice leaves no text; the story, first to last word, stays."""
    article = extract(page(case["page"]))
    assert case["notice"] not in article.text
    assert not re.search(r"cookie|consent", article.text, re.I)
    assert article.text.startswith(case["first"])
    assert article.text.endswith(case["last"])
    assert article.author == case["author"]
    assert not article.blocked


@pytest.mark.parametrize("case", PLATFORMS, ids=[c["platform"] for c in PLATFORMS])
def test_platform_container_is_cut_from_the_dom(case: dict[str, str]) -> None:
    """The DOM layer alone removes each platform's container, before any text heuristics."""
    tree = _tree(case["page"])
    assert case["notice"] in _visible(tree)
    removed = strip_consent_containers(tree)
    assert case["notice"] not in _visible(tree)
    assert any(case["notice"] in text for text in removed)
    assert case["first"] in _visible(tree)


@pytest.mark.parametrize(("lang", "text"), _detector_cases("notice"))
def test_notice_paragraph_is_detected(lang: str, text: str) -> None:
    """A site's own cookie notice, or its button, written as a plain paragraph is a notice."""
    assert is_consent_notice(text), lang


@pytest.mark.parametrize(("lang", "text"), _detector_cases("article"))
def test_article_paragraph_about_cookies_is_kept(lang: str, text: str) -> None:
    """A news paragraph that reports on cookies, consent or privacy is not a notice."""
    assert not is_consent_notice(text), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_inline_notice_in_article_container_is_removed(lang: str) -> None:
    """A notice sitting as a <p> inside the article goes; every story paragraph stays."""
    name = f"inline/{lang}.html"
    tree = _tree(name)
    story = [normalize_space(p.text_content()) for p in tree.xpath("//article//p")]
    notice, button = story[0:2] if lang not in ("en", "de", "it", "nl") else story[1:3]
    article = extract(page(name))
    assert notice not in article.text
    assert button not in article.paragraphs
    assert [p for p in story if p not in (notice, button)] == list(article.paragraphs)
    assert any(r.kind == "consent" and r.text == notice for r in article.removed)
    assert article.language == lang


def test_news_story_about_a_cookie_fine_survives_intact() -> None:
    """A story about an EU fine over cookie banners keeps every paragraph and list item."""
    name = "cookie-law-news.html"
    tree = _tree(name)
    body = [
        normalize_space(el.text_content())
        for el in tree.xpath('//div[@class="article__body"]/*[not(self::ul)] | //ul/li[not(a)]')
    ]
    assert len(body) == 14
    article = extract(page(name))
    text = normalize_space(article.text)
    for block in body:
        assert block in text
    assert "We use cookies to give you the best experience" not in article.text
    assert article.author == "Camille Laurent"
    assert not article.blocked


# Paragraphs of IAB TCF consent notices, in the standard texts CMPs show (own wording
# around them), and sentences of stories that use the same words.
TCF_NOTICES = [
    "We care about your privacy",
    "We and our partners store and/or access information on a device, such as unique IDs, "
    "to process personal data.",
    "Personalised ads and content, ad and content measurement, audience insights and product "
    "development.",
    "With your permission we and our vendors may use precise geolocation data.",
    "You can object to processing based on legitimate interest at any time.",
    "Continue without agreeing →",
    "Nous et nos partenaires stockons et/ou accédons à des informations sur un appareil.",
    "Almacenar o acceder a información en un dispositivo. Anuncios y contenido personalizados.",
    "Wir und unsere Partner verarbeiten genaue Standortdaten.",
    "Мы и наши партнеры используем точные данные геолокации.",
    "Biz ve iş ortaklarımız bir cihazda bilgi depolama ve/veya bilgiye erişme işlemleri yaparız.",
]
TCF_STORIES = [
    'Pre-ticked boxes and "legitimate interest" toggles are not valid consent.',
    "The company argued it had a legitimate interest in the data, the court said.",
    "Суд защитил законные интересы граждан, заявил адвокат.",
    "Die Stadt hat ein berechtigtes Interesse an der neuen Brücke.",
    "We and our neighbours planted the trees along the river last spring.",
]


@pytest.mark.parametrize("text", TCF_NOTICES)
def test_tcf_wording_is_a_notice(text: str) -> None:
    """A paragraph in the TCF's standard wording, in any language, reads as a notice."""
    assert is_notice_text(normalize_space(text))


@pytest.mark.parametrize("text", TCF_STORIES)
def test_tcf_words_in_a_story_are_kept(text: str) -> None:
    """A story's sentence that names a legal basis or 'we and our …' is not a notice."""
    assert not is_notice_text(normalize_space(text))


def test_plain_tcf_notice_goes_whole_with_its_policy_line() -> None:
    """A TCF notice in plain paragraphs inside the article goes whole, policy line included."""
    notice = [
        "We care about your privacy",
        "We and our partners store and/or access information on a device, such as unique IDs "
        "in cookies, to process personal data. You may accept or manage your choices below.",
        "Personalised ads and content, ad and content measurement, audience insights and "
        "product development.",
        "Read more in our privacy policy.",
    ]
    story = [
        f"The council approved {n} new bus routes on Tuesday, linking the harbour with the "
        f"northern suburbs from the spring of {2026 + n}."
        for n in range(4)
    ]
    paragraphs = "".join(f"<p>{p}</p>" for p in notice + story)
    html = (
        "<html lang='en'><head><title>Bus routes approved</title></head><body><article>"
        f"<h1>Bus routes approved</h1>{paragraphs}</article></body></html>"
    )
    article = extract(html)
    assert list(article.paragraphs) == story
    assert sum(r.kind == "consent" for r in article.removed) == len(notice)
