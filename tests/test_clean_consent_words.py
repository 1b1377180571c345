"""Consent notices by families of words: the site's own notice as plain paragraphs goes as a
whole, the story next to it stays, and the one prefilter never hides a notice."""

from __future__ import annotations

import pytest

from bot.clean.classify import label, stems_in
from bot.clean.consent_text import is_consent_notice
from bot.clean.consent_words import NOTICE_NEEDLES, is_notice_text, notice_part_kind
from tests.clean_support import data

DETECTOR = data("clean_consent_text.yaml")
STORY = [
    "The harbour authority on Monday opened the new ferry terminal after two years of works"
    " that cost the city close to 40 million, the mayor told reporters at the quay.",
    "Ferries to the islands will now leave every half hour in summer, and the old pier will"
    " be turned into a fish market with room for thirty stalls.",
    "Local traders said the market should open before the tourist season starts in June.",
]
# A site's own notice in its own words, one sentence per block, then its policy pointer.
OWN_NOTICES = {
    "en": [
        "Our pages put a few small cookie files on your computer so we can remember settings.",
        "Reading on means you agree to that, and you may withdraw that agreement later.",
        "Our privacy statement explains how personal data is handled.",
    ],
    "de": [
        "Unsere Seiten speichern kleine Cookie-Dateien auf Ihrem Rechner, um Einstellungen zu"
        " behalten.",
        "Wer weiterliest, ist damit einverstanden; das lässt sich jederzeit widerrufen.",
        "Mehr dazu steht in unserer Datenschutzerklärung.",
    ],
    "pl": [
        "Nasze strony zapisują na komputerze małe pliki cookie, by pamiętać ustawienia.",
        "Czytając dalej, zgadzasz się na to; zgodę można wycofać w każdej chwili.",
        "Szczegóły opisuje polityka prywatności.",
    ],
}


@pytest.mark.parametrize("lang", sorted(OWN_NOTICES))
def test_own_notice_in_plain_paragraphs_goes_whole(lang: str) -> None:
    """A notice of three blocks after the story (cookies on the reader's computer, 'reading
    on means you agree', the policy pointer) is removed block by block as one notice."""
    notice = OWN_NOTICES[lang]
    labels = label([*STORY, *notice], frozenset(), None, 0)
    kinds = [v.kind if v else None for v in labels.verdicts]
    assert kinds == [None] * len(STORY) + ["consent"] * len(notice)


def test_story_after_a_closed_notice_stays_though_it_says_approved() -> None:
    """Past a notice's pointer and buttons, a story paragraph with a consent word
    ('onayladı', approved) is the story, not one more sentence of the notice."""
    notice = [
        "Sitemiz, deneyiminizi iyileştirmek için çerezler kullanır ve bunları cihazınızda saklar.",
        "Ayrıntılar için Gizlilik Politikamızı okuyun.",
        "Tümünü kabul et Tümünü reddet",
    ]
    story = [
        "Belediye meclisi salı günü limana uzanan yeni tramvay hattını oy birliğiyle onayladı.",
        "Hattın 2029 sonbaharında hizmete girmesi ve on bir durakla çalışması bekleniyor.",
    ]
    labels = label([*notice, *story, *STORY], frozenset(), None, 0)
    kinds = [v.kind if v else None for v in labels.verdicts]
    assert kinds == ["consent"] * 3 + [None] * (len(story) + len(STORY))


def test_notice_part_kinds() -> None:
    """A pointer or a button row closes a notice; a consent or browser sentence continues
    it; short prose is plain (it belongs only before the notice's end); a report is none."""
    assert notice_part_kind("Find out more in our privacy policy.") == "end"
    assert notice_part_kind("Accept all Reject all") == "end"
    assert notice_part_kind("If you read on, we take it that you agree.") == "sentence"
    assert notice_part_kind("You can block them in your browser at any time.") == "sentence"
    assert notice_part_kind(STORY[1]) == "plain"
    assert notice_part_kind(STORY[2]) is None
    assert notice_part_kind("The court said the consent banner broke the law.") is None


def test_cookie_files_on_the_computer_are_a_notice_but_cookies_in_a_recipe_are_not() -> None:
    """The reader's computer is a device where notices put cookies; a recipe's cookies and
    a computer in a story are not a notice."""
    assert is_notice_text("We place small cookie files on your computer to count visits.")
    assert is_notice_text("Ce site dépose des cookies sur votre ordinateur.")
    assert not is_notice_text("Bake the cookies for twelve minutes, then let them cool.")
    assert not is_notice_text("She wrote the cookbook on an old computer in her kitchen.")


def test_prefilter_finds_every_stem_and_every_known_notice() -> None:
    """The one-pass stem lookup finds every stem the notice rules need, in any case, and a
    stem in every notice paragraph of the detector cases, so that it never hides a notice;
    story prose holds none."""
    for stem in NOTICE_NEEDLES:
        # Upper case only where lower-casing gives the stem back (not Turkish ı).
        written = stem.upper() if stem.upper().lower() == stem else stem
        assert stem in stems_in(f"Xx {written} xx"), stem
    notices = [t for texts in DETECTOR["notice"].values() for t in texts]
    flagged = [t for t in notices if is_consent_notice(t) or is_notice_text(t)]
    assert len(flagged) >= len(notices) - 5
    assert [t for t in flagged if len(t) > 40 and stems_in(t).isdisjoint(NOTICE_NEEDLES)] == []
    assert stems_in(STORY[1]) == frozenset()


def test_short_notice_at_the_page_edge_needs_fewer_families() -> None:
    """Cookies and a policy pointer in one short paragraph make a notice as the first or
    last block of a page, where banners sit, but not in the middle of a story."""
    notice = "Мы используем файлы cookie. Подробнее читайте в политике конфиденциальности."
    assert is_notice_text(notice, edge=True)
    assert not is_notice_text(notice)
    for blocks, at in (([*STORY, notice], len(STORY)), ([STORY[0], *STORY, notice, *STORY], 4)):
        kinds = [v.kind if v else None for v in label(blocks, frozenset(), None, 0).verdicts]
        assert kinds[at] == ("consent" if at == len(blocks) - 1 else None)


# A notice whose further sentences name no consent word: who sets the files, how long they
# stay; then its pointer. Per language, the notice sentence first.
PLAIN_FOLLOW_ONS = {
    "en": [
        "This paper stores cookies on your device to keep you signed in.",
        "Some of them come from the companies that place our adverts.",
        "They stay for up to thirteen months.",
        "See our privacy policy for the full list.",
    ],
    "ru": [
        "Наша газета хранит куки на вашем устройстве, чтобы вы оставались в своём аккаунте.",
        "Часть из них ставят компании, которые размещают у нас рекламу.",
        "Они хранятся до тринадцати месяцев.",
        "Полный список приведён в нашей политике конфиденциальности.",
    ],
}


@pytest.mark.parametrize("lang", sorted(PLAIN_FOLLOW_ONS))
def test_plain_sentences_between_a_notice_and_its_pointer_go_with_it(lang: str) -> None:
    """Sentences without a consent word between a notice and its policy pointer belong to
    the notice; without the pointer after them, the same sentences are the story's."""
    notice, story = PLAIN_FOLLOW_ONS[lang], [*STORY, *MORE_STORY]
    labels = label([*story, *notice], frozenset(), None, 0)
    kinds = [v.kind if v else None for v in labels.verdicts]
    assert kinds == [None] * len(story) + ["consent"] * 4
    unclosed = label([*notice[:3], *story], frozenset(), None, 0)
    kinds = [v.kind if v else None for v in unclosed.verdicts]
    assert kinds == ["consent"] + [None] * (2 + len(story))


MORE_STORY = [
    "The new terminal has a waiting hall for four hundred passengers and a covered bike park.",
    "Its roof carries solar panels that should cover most of the building's power in summer.",
    "Work on a second berth for the larger island ferries is planned to begin next spring.",
]


FAMILIES = data("clean_consent_families.yaml")


@pytest.mark.parametrize("lang", sorted(FAMILIES["notices"]))
def test_notice_reads_by_its_families_in_every_language(lang: str) -> None:
    """A notice that names cookies, consent and pressing its button reads as a notice away
    from the page's edges, and 'you may withdraw your consent' as one of its parts."""
    case = FAMILIES["notices"][lang]
    assert is_notice_text(case["notice"]) or is_consent_notice(case["notice"])
    assert notice_part_kind(case["follow"]) in ("sentence", "end")


@pytest.mark.parametrize("text", FAMILIES["not_notices"])
def test_cookies_pressed_in_a_story_are_no_notice(text: str) -> None:
    """Baking cookies and pressing dough, or a contest's prizes, are no notice at an edge."""
    assert not is_notice_text(text, True)


def test_plain_sentences_after_a_notice_at_the_foot_go_with_it() -> None:
    """A notice that closes the page takes its plain sentences to the page's end with it;
    the story above it stays."""
    story = [*STORY, *MORE_STORY]
    notice = PLAIN_FOLLOW_ONS["en"][:3]
    labels = label(
        [*story, *notice, "© 2026 Harbour Media. All rights reserved."], frozenset(), None, 0
    )
    kinds = [v.kind if v else None for v in labels.verdicts]
    assert kinds == [None] * len(story) + ["consent"] * 3 + ["boilerplate"]
