"""Folding and tokenizing (bot.rules.text): same on both sides, any script, spans map back."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from bot.rules import tokenizer as tokenizer_module
from bot.rules.text import Tokens, fold, token_string, tokenize_chunks, tokens
from bot.rules.tokenizer import tokenize
from tests.clean_support import extract_eval
from tests.conftest import shared


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


@pytest.mark.parametrize("tokenizer", [tokenize, tokenize_chunks])
def test_spans_map_every_token_back_to_the_original(tokenizer: Callable[[str], Tokens]) -> None:
    """On random mixed-script texts, both tokenizer routes yield the tokens of token_string,
    each with a span of the original that folds back to it."""
    rng = random.Random(11)
    for _ in range(2000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
        found = tokenizer(text)
        assert found.words == tokens(text), text
        assert found.string == token_string(text), text
        assert len(found.starts) == len(found.ends) == len(found.words), text
        for start, end, word in zip(found.starts, found.ends, found.words, strict=True):
            assert word in tokens(text[start:end]), (text, word, text[start:end])
        assert [found.string[i] for i in found.spaces] == [" "] * (len(found.words) + 1)


# Everything here folds one character at a time: the vectorized route takes these texts.
TABLE_ALPHABET = (
    "abcxyzABCXYZ0123456789 ,.-_!?'\"()\n\t"
    "áéíóúñüçßÁÉÍÓÚÑ"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяґєії"
    "αβγδεζσςάέΣ"
    "“”‘’«»—–…•€"
    "ﬁ№\u0301\u0308\u2003\u00a0İ🇺🇦😀"
)


def test_the_vectorized_route_agrees_with_the_general_one() -> None:
    """Texts of letters, digits, punctuation, decomposed accents, ligatures and emoji go
    through the fold table, and give the same tokens and spans as the general route."""
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(TABLE_ALPHABET) for _ in range(rng.randint(1, 60)))
        fast = tokenizer_module._table_tokens(text)
        assert fast is not None, text
        slow = tokenize_chunks(text)
        assert fast.string == slow.string, text
        assert (list(fast.starts), list(fast.ends)) == (slow.starts, slow.ends), text
        assert list(fast.spaces) == [i for i, c in enumerate(fast.string) if c == " "], text


@pytest.mark.parametrize(
    "text",
    [
        "特朗普会见泽连斯基",  # one token per character
        "हिन्दी समाचार",  # kept vowel signs
        "½ cup",  # one character, two tokens
        "bad \ud800 surrogate",
    ],
)
def test_other_texts_take_the_general_route(text: str) -> None:
    """What the table cannot settle goes to tokenize_chunks, with the same result."""
    assert tokenizer_module._table_tokens(text) is None
    assert tokenize(text).string == token_string(text)


def test_fold_table_matches_fold_on_every_character() -> None:
    """The table, built in bulk, says for every code point of the first plane what folding
    that one character says (``_classify``, from ``fold`` and ``token_string``)."""
    values, expansions = tokenizer_module._table()
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        expected = tokenizer_module._classify(chr(cp))
        assert (int(values[cp]), expansions.get(cp, "")) == expected, hex(cp)


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


def test_both_routes_agree_on_real_article_text() -> None:
    """The reference article texts of both shared data sets (970 pages of 400+ characters): the
    route tokenize takes gives the tokens of token_string, and the same spans as the general
    route; nearly all of them take the vectorized route."""
    texts = []
    for name in ("article-benchmark", "wcxb-dev-articles"):
        root = shared("data", name)
        ee = extract_eval()
        texts += [page.gold for page in ee.load_pages(root, ee.detect_layout(root))]
    long_texts = [t for t in texts if len(t) >= 400]
    assert len(long_texts) > 900
    vectorized = 0
    for text in long_texts:
        found, general = tokenize(text), tokenize_chunks(text)
        assert found.string == token_string(text)
        assert (list(found.starts), list(found.ends)) == (general.starts, general.ends)
        vectorized += tokenizer_module._table_tokens(text) is not None
    assert vectorized > 0.9 * len(long_texts)
