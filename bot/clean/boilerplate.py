"""Recognise page furniture that extraction let through: share bars, newsletter boxes, ad labels.

Three levels: whole containers cut from the parsed page before extraction (by id/class words
such as ``share``, ``newsletter``, ``related``), and single lines dropped from the extracted
text when they are nothing but a label ("Advertisement", "Share this article", "Read more"),
and the section that a heading such as "You may also like" or "About the author" opens after
the article.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

from lxml.html import HtmlElement

from bot.clean.consent_text import normalize_space
from bot.clean.prune import attached, drop

_LINE = re.compile(
    r"^(advertisement|advertising|anzeige|publicidad|publicit[ée]|pubblicit[aà]|publicidade"
    r"|advertentie|reklama|sponsored( content)?|share( this)?( article| story| post)?:?"
    r"|share on (facebook|twitter|x|linkedin|whatsapp)|(read|see) (more|also)( here)?:?"
    r"|related( articles| stories| posts)?:?|most (read|popular)|recommended( for you)?"
    r"|sign up( for (our|the) newsletter)?|subscribe( now| to our newsletter)?"
    r"|follow us( on .{1,30})?"
    r"|leer m[aá]s|lee tambi[eé]n|compartir|weiterlesen|mehr zum thema|lire aussi|lire la suite"
    r"|partager|leggi anche|condividi|leia (mais|tamb[eé]m)|compartilhe|lees ook|delen"
    r"|czytaj (te[zż]|wi[eę]cej)|udost[eę]pnij|skip to (main )?content|back to top"
    r"|click here to (subscribe|read more)|story continues below( advertisement)?"
    r"|article continues below( advertisement)?|scroll to continue( with content)?)[.!:]?$",
    re.I,
)

_CONTAINER = re.compile(
    r"(?:^|[-_ ])(share(bar|buttons?|tools|-?links)?|social-?(share|links|buttons|bar)|sharing"
    r"|newsletter(-?signup|-?box|-?form)?|related-?(posts|articles|stories|content|links)"
    r"|most-?(read|popular|viewed)|outbrain|taboola|comments(-?(section|area|list))?"
    r"|comment-?(respond|list|section)|disqus(_thread)?|ad-?(slot|container|wrapper|unit)"
    r"|paywall-?promo)(?:$|[-_ ])",
    re.I,
)
# Only block containers are cut: inline elements with such classes are syntax highlighting
# (``<span class="token comment">``) or links inside the text.
_BLOCKS_WITH_ATTRIBUTES = (
    "//*[self::div or self::section or self::aside or self::ul or self::ol or self::nav"
    " or self::footer or self::form][@id or @class]"
)
# A container holding more text than this is article-sized: cutting it is too risky.
_MAX_TEXT = 600


# A heading that opens the furniture after an article (teasers, the author box, sources, tags,
# comments): everything from it on is furniture.
_TAIL_HEADING = re.compile(
    r"^(related (content|posts?|articles?|stories|links|articles and links)"
    r"|you (may|might) also (like|enjoy)|you['’]?ll also (love|like)|read (this|these) next"
    r"|more (from|on|about) .{1,40}|more news|more stories|other posts|explore more"
    r"|recommended( reading| articles| for you)?|popular (on|in) .{1,30}|keep reading"
    r"|what to read next|read next|trending( now)?|recent posts|more like this"
    r"|share (this|the) (blog|post|article)( on)?|rate this (article|post)"
    r"|was this (article|page) helpful\??"
    # what else follows an article: the author box, its sources, tags and the comments
    r"|about (the|this) (authors?|reviewers?)|written by|article sources|footnotes|tags"
    r"|comments)[.!:]?$",
    re.I,
)
# Only in the second half of the text, and only when what follows is short next to what came
# before: an inline "Related articles" box inside the story is followed by more story.
_TAIL_MIN_BLOCKS = 2
_TAIL_SHARE = 0.3


def teaser_tail_start(blocks: list[str]) -> int:
    """Where the teaser section after the article starts in ``blocks`` (``len(blocks)`` if none)."""
    # Word counts summed once (a page of a thousand "Comments" headings costs one pass).
    words = list(accumulate((len(b.split()) for b in blocks), initial=0))
    for i in range(max(_TAIL_MIN_BLOCKS, len(blocks) // 2), len(blocks)):
        if len(blocks[i]) < 60 and _TAIL_HEADING.match(normalize_space(blocks[i])):
            before = words[i]
            after = words[-1] - words[i + 1]
            if after <= _TAIL_SHARE * before:
                return i
    return len(blocks)


# A site's copyright line ("© 2026 Site. All rights reserved.", "Copyright 2026 …") in any
# language: the sign or the word with a year, in a line too short to be prose.
_COPYRIGHT = re.compile(r"©|\(c\)\s*(?:19|20)\d\d|\bcopyright\b.{0,12}(?:19|20)\d\d", re.I)
_MAX_COPYRIGHT = 200


def is_copyright_line(line: str) -> bool:
    """Whether ``line`` is a short copyright notice."""
    return len(line) <= _MAX_COPYRIGHT and bool(_COPYRIGHT.search(line))


def is_boilerplate_line(line: str) -> bool:
    """Whether ``line`` is only a page-furniture label."""
    return bool(_LINE.match(normalize_space(line)))


@lru_cache(maxsize=1 << 16)
def is_furniture_attr(value: str) -> bool:
    """Whether an id or class attribute value names a share bar, newsletter box, ad slot…"""
    return bool(_CONTAINER.search(value))


def strip_boilerplate_containers(tree: HtmlElement) -> list[str]:
    """Cut share bars, newsletter boxes, related lists and ad slots from ``tree``; return texts."""
    found: list[HtmlElement] = []
    for el in tree.xpath(_BLOCKS_WITH_ATTRIBUTES):
        attrs = el.get("class")
        ident = el.get("id")
        if (attrs and is_furniture_attr(attrs)) or (ident and is_furniture_attr(ident)):
            found.append(el)
    removed: list[str] = []
    for el in found:
        if el.getparent() is None or not attached(el, tree):
            continue
        text = normalize_space(el.text_content())
        if len(text) > _MAX_TEXT:
            continue
        drop(el)
        if text:
            removed.append(text)
    return removed


# Blocks shorter than this ("-", "Photo", a bullet) are skipped when looking for copied runs.
_RUN_KEY_CHARS = 20
# This many consecutive blocks seen before, in the same order, are a copy of a section
# (hidden print/AMP twins, teaser carousels repeating the article); a single repeated line
# ("Warm up: 10 minutes…" in every workout) or a run of short list lines (a meal plan, a
# spec sheet repeated per product) is content.
_RUN = 6
_RUN_CHARS = 600


def repeated_runs(blocks: list[str]) -> set[int]:
    """Indices of ``blocks`` that repeat, in order, a run of blocks that came earlier."""
    keyed = [
        (i, k)
        for i, b in enumerate(blocks)
        if len(k := normalize_space(b).lower()) >= _RUN_KEY_CHARS
    ]
    seen: set[tuple[str, ...]] = set()
    copies: set[int] = set()
    for n in range(len(keyed) - _RUN + 1):
        run = tuple(k for _, k in keyed[n : n + _RUN])
        if run in seen and sum(map(len, run)) >= _RUN_CHARS:
            copies.update(i for i, _ in keyed[n : n + _RUN])
        else:
            seen.add(run)
    return copies
