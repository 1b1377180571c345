"""Folding and tokenizing (bot.rules.text): same on both sides, any script, spans map back."""

from __future__ import annotations

import random

import pytest

from bot.rules.text import fold, token_string, tokenize, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ukraine seeks Zelensky-Trump meeting",
            ["ukraine", "seeks", "zelensky", "trump", "meeting"],
        ),
        ("“Zelenski” pide — una reunión", ["zelenski", "pide", "una", "reunion"]),
        (
            "Зеленський хоче зустрітися з Трампом",
            ["зеленськии", "хоче", "зустрітися", "з", "трампом"],
        ),
        ("ΣΥΝΟΔΟΣ κορυφής", ["συνοδοσ", "κορυφησ"]),
        ("特朗普会见泽连斯基", list("特朗普会见泽连斯基")),
        ("ＴＲＵＭＰ Straße snake_case", ["trump", "strasse", "snake", "case"]),
        ("हिन्दी समाचार", ["हिन्दी", "समाचार"]),
        ("Trump's «Зеленського»…", ["trump", "s", "зеленського"]),
        ("", []),
        ("— ! ?", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    """Tokens fold case and optional accents, split on punctuation, cut CJK per character."""
    assert tokens(text) == expected


def test_folding_is_symmetric() -> None:
    """Accented and unaccented, upper and lower case fold to the same string."""
    assert fold("REUNIÓN") == fold("reunion") == "reunion"
    assert fold("Zelenskyy") == fold("ZELENSKYY")
    assert fold("Ёлка") == fold("елка")


def test_no_transliteration() -> None:
    """Cyrillic stays Cyrillic: Зеленський never folds to a Latin spelling."""
    assert token_string("Зеленський") != token_string("Zelenskyi")


ALPHABET = (
    "abcxyzABCXYZ0123456789 ,.-_!?'\"()\n\t"
    "áéíóúñüçßÁÉÍÓÚÑ"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяґєії"
    "АБВЁЇҐ"
    "αβγδεζσςάέΣ"
    "特朗普会见"
    "“”‘’«»—–…•€"
    "ﬁ½№\u0301\u093f\u2003\u00a0İ"
)


def test_spans_map_every_token_back_to_the_original() -> None:
    """On random mixed-script texts, tokenize yields the tokens of token_string, each with a
    span of the original that folds back to it."""
    rng = random.Random(11)
    for _ in range(2000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
        found = tokenize(text)
        assert found.words == tokens(text), text
        assert len(found.starts) == len(found.ends) == len(found.words), text
        for start, end, word in zip(found.starts, found.ends, found.words, strict=True):
            assert word in tokens(text[start:end]), (text, word, text[start:end])


def test_spans_leave_out_surrounding_punctuation() -> None:
    """A token's span is its surface as a reader sees it, without quotes or ellipsis."""
    text = "Trump's «Зеленського»… ＴＲＵＭＰ 特朗普"
    found = tokenize(text)
    surfaces = [text[a:b] for a, b in zip(found.starts, found.ends, strict=True)]
    assert surfaces == ["Trump", "s", "Зеленського", "ＴＲＵＭＰ", "特", "朗", "普"]


def test_token_string_shape() -> None:
    """The token string has one space around every token, so keys match at token boundaries."""
    assert token_string("A  b,c") == " a b c "
    assert token_string("...") == " "
