"""Filters on extracted lines: copied runs, the link list and the teaser section that end a text."""

from __future__ import annotations

from lxml.html import fromstring

from bot import extract
from bot.clean.boilerplate import repeated_runs, teaser_tail_start
from bot.clean.links import drop_trailing_link_lines

_SECTION = [
    f"Paragraph {n} of the council story tells what the committee decided about the new tram "
    f"line and why the vote was delayed again until the spring session of {2020 + n}."
    for n in range(6)
]


def test_copied_section_is_dropped_but_first_copy_stays() -> None:
    """Six long paragraphs repeated in order (a hidden print twin) are kept only once."""
    blocks = ["Headline intro line that is long enough", *_SECTION, "Comments", *_SECTION]
    copies = repeated_runs(blocks)
    assert copies == set(range(len(_SECTION) + 2, len(blocks)))


def test_repeated_short_lines_are_content() -> None:
    """A line repeated in every workout, or a short meal plan repeated daily, is not a copy."""
    day = ["Breakfast: oats with one cup of berries", "Lunch: chicken salad and rice bowl"] * 3
    workouts = ["Warm up: 10 minutes easy jogging in zone 2", "6 x 400 m at 5 km pace"] * 4
    assert repeated_runs(day * 3) == set()
    assert repeated_runs(workouts) == set()


def test_trailing_link_list_is_cut() -> None:
    """Lines at the end that are the page's link texts (related stories) are cut; prose stays."""
    tree = fromstring(
        "<html><body><p>The council voted on Tuesday to build the tram line.</p>"
        "<ul><li><a href='/a'>Mayor defends the budget in a heated debate</a></li>"
        "<li><a href='/b'>Five things to know about the new bus network</a></li></ul>"
        "</body></html>"
    )
    lines = [
        "The council voted on Tuesday to build the tram line.",
        "- Mayor defends the budget in a heated debate",
        "- Five things to know about the new bus network",
    ]
    assert drop_trailing_link_lines(lines, tree) == lines[:1]


def test_prose_with_a_link_inside_is_kept() -> None:
    """A last paragraph that only contains a link among its words is prose, not a list."""
    tree = fromstring(
        "<html><body><p>Read the <a href='/r'>full report</a> here.</p></body></html>"
    )
    lines = ["First paragraph of the story.", "Read the full report on the council site today."]
    assert drop_trailing_link_lines(lines, tree) == lines


def test_hidden_twin_of_the_article_appears_once() -> None:
    """A page carrying its article twice (visible and an AMP/print copy) yields it once."""
    body = "".join(f"<p>{p}</p>" for p in _SECTION)
    html = (
        "<html><head><title>Tram vote delayed</title></head><body><article>"
        f"<h1>Tram vote delayed</h1>{body}<div class='print-copy'>{body}</div>"
        "</article></body></html>"
    )
    text = extract(html).text
    assert text.count(_SECTION[0]) == 1
    assert _SECTION[-1] in text


def test_teaser_section_after_the_article_is_cut() -> None:
    """A "You may also like" heading after the story starts the teasers: cut from there on."""
    teasers = ["Five tram lines that changed their cities", "How the bus network was redrawn"]
    blocks = [*_SECTION, "You may also like:", *teasers]
    assert teaser_tail_start(blocks) == len(_SECTION)
    assert teaser_tail_start([*_SECTION, "More from City Desk", *teasers]) == len(_SECTION)
    bio = "Jane McAllister covers transport and city hall for the paper."
    assert teaser_tail_start([*_SECTION, "About the author", bio]) == len(_SECTION)
    assert teaser_tail_start([*_SECTION, "Comments", "Great piece, thanks!"]) == len(_SECTION)


def test_related_box_inside_the_story_is_not_a_tail() -> None:
    """An inline "Related articles" label followed by more of the story cuts nothing."""
    blocks = [*_SECTION[:4], "Related articles", *_SECTION[4:], *_SECTION[:3]]
    assert teaser_tail_start(blocks) == len(blocks)
    assert teaser_tail_start(["Related articles", *_SECTION]) == len(_SECTION) + 1
