"""Structure signals that hold in any language: layout tables, sign-up forms, © lines, notices."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement, document_fromstring

from bot.clean.boilerplate import is_copyright_line
from bot.clean.byline import byline_author
from bot.clean.consent_words import is_notice_part, is_notice_text
from bot.clean.structure import strip_signup_forms, unwrap_layout_tables

PROSE = "The council met on Tuesday to discuss the harbour plan and its budget. " * 6


def _tree(body: str) -> HtmlElement:
    return document_fromstring(f"<html><body>{body}</body></html>")


def test_layout_table_becomes_containers_and_data_table_stays() -> None:
    """A table holding the headline is unwrapped into divs; a table of figures is untouched."""
    tree = _tree(
        f"<table><tr><td><h1>Headline</h1><p>{PROSE}</p></td><td>side</td></tr></table>"
        "<table><tr><th>Year</th><th>Votes</th></tr><tr><td>2026</td><td>41</td></tr></table>"
    )
    assert unwrap_layout_tables(tree) == 1
    assert [t.tag for t in tree.iter("table")] == ["table"]
    assert tree.find(".//h1").getparent().tag == "div"


def test_signup_form_goes_with_its_pitch_but_not_with_the_article() -> None:
    """The e-mail form and its one-line pitch are cut; the article around it stays."""
    tree = _tree(
        f"<article><p>{PROSE}</p><div><p>Get our briefing every morning.</p><form>"
        '<input type="email" name="email"><button>Go</button></form></div></article>'
    )
    removed = strip_signup_forms(tree)
    assert removed == ["Get our briefing every morning.Go"]
    assert PROSE.strip() in tree.text_content()
    assert tree.find(".//form") is None


def test_signup_widget_goes_with_its_other_states_but_a_plain_container_does_not() -> None:
    """A box named newsletter goes whole (its thank-you and error states too); an unnamed
    container of as many words keeps them."""
    states = (
        "<div><h3>Pick Six Newsletter</h3><h4>Get the day's big stories and fun stuff you love"
        " like mock drafts, picks and power rankings.</h4><form><input type=text name=emailAddress>"
        "<input type=submit value='Sign Up'></form><p>I agree that the site can send me the"
        " newsletter.</p></div><div>Please check the opt-in box to acknowledge that you would"
        " like to subscribe.</div><div><h3>Thanks for signing up!</h3><h4>Keep an eye on your"
        " inbox for the latest sports news.</h4></div><div><h3>Sorry!</h3><h4>There was an error"
        " processing your subscription, please try again in a few minutes or write to our help"
        " desk, who will gladly look into your account and sign you up by hand.</h4></div>"
    )
    named = _tree(f'<article><p>{PROSE}</p><div class="Newsletter">{states}</div></article>')
    strip_signup_forms(named)
    assert "Thanks for signing up" not in named.text_content()
    assert PROSE.strip() in named.text_content()
    plain = _tree(f'<article><p>{PROSE}</p><div class="box">{states}</div></article>')
    strip_signup_forms(plain)
    assert "Thanks for signing up" in plain.text_content()
    assert plain.find(".//form") is None


def test_search_form_is_not_a_signup_box() -> None:
    """A form without an e-mail field stays."""
    tree = _tree('<form><input type="search" name="q"><button>Search</button></form>')
    assert strip_signup_forms(tree) == []


@pytest.mark.parametrize(
    "line",
    ["© 2026 Harbour Daily Ltd. All rights reserved.", "Copyright 2019 News Now.", "©港口日报"],
)
def test_copyright_lines_are_recognised(line: str) -> None:
    """Short © and Copyright-year lines are boilerplate."""
    assert is_copyright_line(line)


def test_prose_mentioning_copyright_is_not_a_copyright_line() -> None:
    """A long paragraph about copyright law is article text."""
    assert not is_copyright_line("The court ruled on copyright in 2024. " * 8)


@pytest.mark.parametrize(
    "text",
    [
        "Ми та наші партнери використовуємо файли cookie, щоб зберігати інформацію на вашому"
        " пристрої.",
        "Klikając Akceptuję, wyrażasz zgodę; zgodę możesz w każdej chwili wycofać w ustawieniach.",
        "En cliquant sur Accepter, vous consentez ; vous pouvez retirer votre consentement à tout"
        " moment.",
        "当サイトはお使いの端末に情報を保存するためにCookieを使用しています。",
    ],
)
def test_notices_in_other_languages_are_recognised(text: str) -> None:
    """Two consent-word families in a short paragraph make a notice, in any script."""
    assert is_notice_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "Users must be able to withdraw consent at any time, as easily as they gave it.",
        "Rejecting cookies must take no more clicks than accepting them.",
        "The regulator said the cookie banner stored data on the user's device unlawfully.",
    ],
)
def test_prose_about_consent_is_not_a_notice(text: str) -> None:
    """One family, or the words of a report, do not make a notice."""
    assert not is_notice_text(text)


def test_policy_pointer_and_buttons_belong_to_a_notice() -> None:
    """Next to a notice, its privacy-policy pointer and its buttons go with it."""
    assert is_notice_part("Докладніше читайте в нашій Політиці конфіденційності.")
    assert is_notice_part("Tümünü kabul et Tümünü reddet")
    assert not is_notice_part(PROSE)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Автор: Олена Коваль", "Олена Коваль"),
        ("Yazar: Elif Yılmaz", "Elif Yılmaz"),
        ("Af Mette Kristensen", "Mette Kristensen"),
        ("作者：王晓明", "王晓明"),
        ("بقلم: ليلى حسن", "ليلى حسن"),
        ("김민수 기자", "김민수"),
    ],
)
def test_bylines_in_other_scripts_give_the_author(line: str, name: str) -> None:
    """Byline leads in Cyrillic, Turkish, Danish, Chinese, Arabic and Korean."""
    assert byline_author(line) == name
