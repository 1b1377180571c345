"""Bounded cost for any page: hostile pages are cleaned in bounded work and say what was cut.

The pages come from ``bench/adversarial.py`` (which measures them at the 5 MB fetch cap in
subprocesses). Time is measured as this process's CPU time, with a generous bound, so that a
loaded machine does not fail the test; the work bounds are asserted on what was read.
"""

from __future__ import annotations

import time

import pytest

from bench.adversarial import CAP, PAGES, nested_divs, tiny_paragraphs
from bot import extract
from bot.clean.bounds import MAX_DEPTH, MAX_TAGS, MAX_TEXT, bound_tags, flatten_depth

SENTENCE = "The council met on Tuesday to discuss the harbour plan and its budget for next year."
# Three times the 2 s goal that bench/adversarial.py measures at the cap, for slow machines.
CPU_SECONDS = 6.0


@pytest.mark.parametrize("name", sorted(PAGES))
def test_hostile_page_at_a_fifth_of_the_cap_is_cleaned_in_bounded_cpu_time(name: str) -> None:
    """Every adversarial page at 1 MB: cleaned within the CPU bound, never an exception."""
    html = PAGES[name](CAP // 5)
    start = time.process_time()
    article = extract(html)
    assert time.process_time() - start < CPU_SECONDS
    # Table cells come out with " | " separators the page's text did not have.
    assert len(article.text) <= 1.1 * MAX_TEXT


def test_work_stops_growing_at_the_tag_limit() -> None:
    """<p>x</p> pages of 1 MB and of 5 MB give the same text: past the limit nothing is read."""
    small, large = extract(tiny_paragraphs(CAP // 5)), extract(tiny_paragraphs(CAP))
    assert small.text == large.text
    assert 0 < len(large.paragraphs) <= MAX_TAGS // 2
    reasons = [r.text for r in large.removed if r.kind == "limit"]
    assert reasons and "tags" in reasons[0]


def test_under_the_limits_nothing_is_cut_or_reported() -> None:
    """An ordinary page has no ``limit`` entry and keeps all its text."""
    html = "<html><body><article>" + f"<p>{SENTENCE}</p>" * 40 + "</article></body></html>"
    article = extract(html)
    assert not [r for r in article.removed if r.kind == "limit"]
    assert bound_tags(html).limit is None


def test_hundred_thousand_nested_divs_keep_their_text_and_say_so() -> None:
    """The issue-13 page: libxml2 would drop it silently; it is unwrapped and its text kept."""
    article = extract(nested_divs(CAP))
    assert SENTENCE in article.text
    assert any(r.kind == "limit" and "nested deeper" in r.text for r in article.removed)


def test_deep_tables_keep_their_cells() -> None:
    """Tables nested 2,000 deep: the cells' sentences survive the unwrapping."""
    article = extract(PAGES["deep-tables"](CAP // 5))
    assert SENTENCE in article.text


def test_flattening_keeps_text_and_shallow_markup() -> None:
    """Unwrapping removes only the tags past the depth limit; void and self-closed tags stay."""
    shallow = "<html><body><div><p>a<br/>b</p><img src=x></div></body></html>"
    assert flatten_depth(shallow)[0] == shallow
    deep = "<div>" * (MAX_DEPTH + 10) + "core" + "</div>" * (MAX_DEPTH + 10)
    flat, reason = flatten_depth(deep)
    assert flat.count("<div>") == MAX_DEPTH == flat.count("</div>")
    assert "core" in flat and "10 elements" in reason


def test_huge_text_node_is_cut_to_the_text_limit_with_a_reason() -> None:
    """5 MB in one text node: the article holds at most the text limit, and says why."""
    article = extract(PAGES["huge-text-node"](CAP))
    assert article.text.startswith(SENTENCE)
    assert len(article.text) <= MAX_TEXT
    assert any(r.kind == "limit" and "characters" in r.text for r in article.removed)
