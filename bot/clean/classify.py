"""Label each extracted block: article text, or what it is (consent, byline, wall…) and why.

Classifiers are small functions ``(block, context) -> Removed | None``, composed the way
structlog composes processors: a pass runs its list in order on each block still unclaimed,
and the first that returns a ``Removed`` decides the block; a block no classifier claims is
article text. Passes follow one another because some decisions rest on earlier ones: a
notice's neighbours go with it, the headline is the first block left, a byline sits at the
ends of what is left, the bio follows the byline's author, and a page with almost nothing
left is a wall. Before each pass its ``prepare`` step adds to the (frozen) context what the
passes so far decided; the classifiers themselves only read.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import ahocorasick

from bot.clean.boilerplate import (
    is_boilerplate_line,
    is_copyright_line,
    repeated_runs,
    teaser_tail_start,
)
from bot.clean.byline import (
    author_bio_start,
    byline_author,
    is_byline_label,
    split_byline_author,
)
from bot.clean.consent_text import (
    MAX_NOTICE,
    is_consent_button,
    is_consent_notice,
    normalize_space,
)
from bot.clean.consent_words import NOTICE_NEEDLES, is_notice_text, notice_part_kind
from bot.clean.walls import PROMPT_STEMS, is_subscription_notice, is_wall
from bot.model import Removed


@dataclass(frozen=True, slots=True)
class Block:
    """One extracted block: its place among the page's blocks, its text, its text with
    whitespace collapsed, and the notice and prompt stems it holds (computed once, read by
    most classifiers)."""

    index: int
    text: str
    flat: str
    stems: frozenset[str]


def _automaton(words: Iterable[str]) -> Any:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


# One pass of one automaton over a block finds every stem the consent-notice and
# subscription-prompt rules need; most blocks hold none, and those rules then do not run.
_STEMS = _automaton({*NOTICE_NEEDLES, *PROMPT_STEMS})
_PROMPT_STEMS = frozenset(PROMPT_STEMS)


def stems_in(text: str) -> frozenset[str]:
    """The notice and prompt stems (lower case) that ``text`` holds, in one pass."""
    return frozenset(stem for _, stem in _STEMS.iter(text.lower()))


@dataclass(frozen=True, slots=True)
class Context:
    """What classifiers know besides the block: the page, and what earlier passes decided."""

    blocks: tuple[Block, ...]
    titles: frozenset[str]
    meta_author: str | None
    dom_consent: int
    copies: frozenset[int] = frozenset()
    tail: int = 0
    notices: frozenset[int] = frozenset()
    verdicts: tuple[Removed | None, ...] = ()
    kept: tuple[int, ...] = ()
    author: str | None = None
    credit: frozenset[int] = frozenset()
    bio: int | None = None
    walled: bool = False

    def kept_position(self, block: Block) -> int:
        """Where ``block`` (still unclaimed) stands among the unclaimed blocks."""
        return bisect_left(self.kept, block.index)


Classifier = Callable[[Block, Context], Removed | None]


@dataclass(frozen=True, slots=True)
class Pass:
    """Classifiers run together, after ``prepare`` adds the facts they need to the context."""

    prepare: Callable[[Context], Context]
    classifiers: tuple[Classifier, ...]


@dataclass(frozen=True, slots=True)
class Labels:
    """The outcome: a verdict per block (None for article text) and the byline's author."""

    verdicts: tuple[Removed | None, ...]
    author: str | None
    blocked: bool


def label(
    texts: Sequence[str],
    titles: frozenset[str],
    meta_author: str | None,
    dom_consent: int,
    passes: Sequence[Pass] | None = None,
) -> Labels:
    """Run ``passes`` (default ``PASSES``) over the blocks ``texts`` of one page."""
    flats = [normalize_space(t) for t in texts]
    blocks = tuple(
        Block(i, t, f, stems_in(f)) for i, (t, f) in enumerate(zip(texts, flats, strict=True))
    )
    context = Context(blocks, titles, meta_author, dom_consent)
    verdicts: tuple[Removed | None, ...] = (None,) * len(blocks)
    for step in PASSES if passes is None else passes:
        kept = tuple(i for i, v in enumerate(verdicts) if v is None)
        context = step.prepare(replace(context, verdicts=verdicts, kept=kept))
        decided = list(verdicts)
        for i in kept:
            decided[i] = _first(step.classifiers, blocks[i], context)
        verdicts = tuple(decided)
    return Labels(verdicts, context.author, context.walled)


def _first(classifiers: tuple[Classifier, ...], block: Block, context: Context) -> Removed | None:
    for classify in classifiers:
        verdict = classify(block, context)
        if verdict is not None:
            return verdict
    return None


# Pass 1: each block on its own (and the page's copied runs and teaser tail).


def _page_facts(context: Context) -> Context:
    texts = [b.text for b in context.blocks]
    return replace(context, copies=frozenset(repeated_runs(texts)), tail=teaser_tail_start(texts))


def teaser_tail(block: Block, context: Context) -> Removed | None:
    """The teaser section after the article ("You may also like…") and all that follows."""
    return Removed("boilerplate", block.text) if block.index >= context.tail else None


def repeat(block: Block, context: Context) -> Removed | None:
    """A block of a run of blocks that copies an earlier run (print/AMP twins, carousels)."""
    return Removed("repeat", block.text) if block.index in context.copies else None


# Machine values that leak from hidden markup: a bare ISO 8601 timestamp.
_BARE_VALUE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?\S*\s*$")


def machine_value(block: Block, context: Context) -> Removed | None:
    """A bare timestamp or a site's copyright line."""
    if _BARE_VALUE.match(block.text) or is_copyright_line(block.text):
        return Removed("boilerplate", block.text)
    return None


# The first and last blocks of a page, where banners sit: there fewer words make a notice.
_EDGE = 2


def consent_notice(block: Block, context: Context) -> Removed | None:
    """A cookie or consent notice, by its phrasing or by its families of consent words (only
    when the block holds a stem some notice needs)."""
    if is_consent_button(block.flat):
        return Removed("consent", block.text)
    if len(block.flat) > MAX_NOTICE or block.stems.isdisjoint(NOTICE_NEEDLES):
        return None
    edge = block.index < _EDGE or block.index >= len(context.blocks) - _EDGE
    if is_consent_notice(block.text) or is_notice_text(block.flat, edge):
        return Removed("consent", block.text)
    return None


def subscription_prompt(block: Block, context: Context) -> Removed | None:
    """A prompt to subscribe or log in to read on (only when the block holds one of its
    stems)."""
    if block.stems.isdisjoint(_PROMPT_STEMS) or not is_subscription_notice(block.text):
        return None
    return Removed("wall", block.text)


# Longer than any page-furniture label ("Story continues below advertisement" is 35).
_MAX_FURNITURE = 100


def furniture_line(block: Block, context: Context) -> Removed | None:
    """A page-furniture label ("Advertisement", "Share this article", "Read more")."""
    if len(block.flat) > _MAX_FURNITURE or not is_boilerplate_line(block.flat):
        return None
    return Removed("boilerplate", block.text)


# Pass 2: a notice is removed as a whole. The blocks next to one that belong to it (its
# policy pointer, its buttons) go with it, through any of its parts in between.
_NOTICE_AFTER = 3
_NOTICE_BEFORE = 2


def _as_is(context: Context) -> Context:
    return context


def _notices(context: Context) -> Context:
    found = (i for i, v in enumerate(context.verdicts) if v is not None and v.kind == "consent")
    return replace(context, notices=frozenset(found))


def notice_part(block: Block, context: Context) -> Removed | None:
    """A notice's policy pointer, button row or further sentences next to a notice the
    first pass found. Its sentences come before what closes it: past its pointer or its
    buttons, only another pointer or button row still belongs to it; a sentence without
    its words belongs to it only between the notice and its pointer."""
    verdicts, i = context.verdicts, block.index
    if context.notices.isdisjoint(range(i - _NOTICE_AFTER, i + _NOTICE_BEFORE + 1)):
        return None
    for step, reach in ((-1, _NOTICE_AFTER), (1, _NOTICE_BEFORE)):
        # The nearest block the first pass claimed, within reach: a notice, or the chain's end.
        j = next(
            (
                j
                for j in range(i + step, i + step * (reach + 1), step)
                if 0 <= j < len(verdicts) and verdicts[j] is not None
            ),
            i,
        )
        verdict = verdicts[j]
        if verdict is None or verdict.kind != "consent":
            continue
        kinds = [notice_part_kind(context.blocks[k].flat) for k in range(j - step, i - step, -step)]
        if None in kinds or (step == 1 and "plain" in kinds):
            continue
        # From the notice outward: once it is closed, no further sentence of it. A plain
        # sentence belongs to it only when its end follows (the pointer closes the notice).
        closed = kinds.index("end") if "end" in kinds else len(kinds)
        if "plain" in kinds[:closed] and closed == len(kinds) and not _closes(context, i, j):
            continue
        if "sentence" not in kinds[closed:] and "plain" not in kinds[closed:]:
            return Removed("consent", block.text)
    return None


def _closes(context: Context, i: int, notice: int) -> bool:
    """Whether the notice before block ``i`` ends after ``i`` (its pointer or buttons, or
    the end of the page's text), within reach of the notice and with only its sentences in
    between."""
    reach = min(notice + _NOTICE_AFTER + 1, len(context.blocks))
    for k in range(i + 1, reach):
        verdict = context.verdicts[k]
        if verdict is not None:  # another notice closes it, and so does the page's end
            return verdict.kind == "consent" or None not in context.verdicts[k:]
        kind = notice_part_kind(context.blocks[k].flat)
        if kind != "sentence" and kind != "plain":
            return kind == "end"
    return reach == len(context.blocks)


# Pass 3: the headline repeated at the top of the text.


def headline(block: Block, context: Context) -> Removed | None:
    """The page's title or headline as the first block left (or a run of such blocks)."""
    if block.flat.lower() not in context.titles:
        return None
    before = context.kept[: context.kept_position(block)]
    if all(context.blocks[k].flat.lower() in context.titles for k in before):
        return Removed("title", block.text)
    return None


# Pass 4: bylines sit at the top or the bottom of what is left.
_BYLINE_REACH = 4


def _credit(context: Context) -> Context:
    """A byline printed as two blocks, its label alone ("By", "Автор:") and then the name,
    among the first or last blocks left: both blocks, and the author they name. A label
    alone there whose name did not come through (a link the extraction dropped) goes too."""
    kept, blocks = context.kept, context.blocks
    labels = []
    for p in range(len(kept)):
        if _BYLINE_REACH <= p < len(kept) - _BYLINE_REACH or not is_byline_label(
            blocks[kept[p]].flat
        ):
            continue
        name = blocks[kept[p + 1]].flat if p + 1 < len(kept) else ""
        author = split_byline_author(blocks[kept[p]].flat, name) if name else None
        if author:
            return replace(context, credit=frozenset(kept[p : p + 2]), author=author)
        labels.append(kept[p])
    return replace(context, credit=frozenset(labels))


def byline(block: Block, context: Context) -> Removed | None:
    """A byline ("By Jane Doe", "Автор: …", its label and name as two blocks, or the name
    the markup credits alone) among the first or last blocks left."""
    if block.index in context.credit:
        return Removed("byline", block.text)
    position = context.kept_position(block)
    if _BYLINE_REACH <= position < len(context.kept) - _BYLINE_REACH:
        return None
    # The page's author's name alone: a credit whose label the extraction dropped.
    if block.flat == context.meta_author or byline_author(block.text):
        return Removed("byline", block.text)
    return None


# Pass 5: the author's bio that closes the article.


def _bio_start(context: Context) -> Context:
    bylines = [v.text for v in context.verdicts if v is not None and v.kind == "byline"]
    author = (byline_author(bylines[-1]) if bylines else None) or context.author
    kept = [context.blocks[i].text for i in context.kept]
    start = author_bio_start(kept, author or context.meta_author)
    return replace(context, author=author, bio=None if start is None else context.kept[start])


def bio(block: Block, context: Context) -> Removed | None:
    """The closing blocks that open with the author's full name ("Jane Doe is…")."""
    if context.bio is not None and block.index >= context.bio:
        return Removed("bio", block.text)
    return None


# Pass 6: a page whose article is (almost) nothing once notices and prompts are gone.


def _walled(context: Context) -> Context:
    kinds = [v.kind for v in context.verdicts if v is not None]
    consent = context.dom_consent + kinds.count("consent")
    kept = [context.blocks[i].text for i in context.kept]
    return replace(context, walled=is_wall(kept, consent, kinds.count("wall")))


def wall(block: Block, context: Context) -> Removed | None:
    """What is left of a page that is only a consent or subscription wall."""
    return Removed("wall", block.text) if context.walled else None


PASSES: tuple[Pass, ...] = (
    Pass(
        _page_facts,
        (teaser_tail, repeat, machine_value, consent_notice, subscription_prompt, furniture_line),
    ),
    Pass(_notices, (notice_part,)),
    Pass(_as_is, (headline,)),
    Pass(_credit, (byline,)),
    Pass(_bio_start, (bio,)),
    Pass(_walled, (wall,)),
)
