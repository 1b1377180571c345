"""Bound what cleaning one page may cost, whatever the page: every stage after parsing is paid
per element, so the markup handed to the parser is bounded first, in linear time.

Two limits, each reported in the article when it applies (a ``Removed`` of kind ``limit``):

- **Tags.** Real news pages hold under 10,000 tags (9,770 at most over the 974 pages of the
  two shared data sets); extraction costs about 70 µs per paragraph, so a page of 625,000
  ``<p>x</p>`` would take minutes and a gigabyte. Markup past the ``MAX_TAGS``-th tag is not
  parsed; the text after it is dropped, and the article says so.
- **Text.** What the parser built is read up to ``MAX_TEXT`` characters of text (a single text
  node of megabytes included); the rest of the page is cut, and the article says so.
- **Depth.** libxml2 stops parsing at 256 nested elements and drops the rest of the page
  silently (100,000 nested ``<div>``s come out empty), and extraction pays every element's
  depth. A page deeper than libxml2 allows, or whose depths sum past ``MAX_NESTING``, is
  parsed again with the elements past ``MAX_DEPTH`` levels unwrapped, before the tag limit
  applies: their text stays, only the nesting goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import cast

from lxml import etree
from lxml.html import HtmlElement

# Twice the largest real page's tag count ('<' characters, end tags included).
MAX_TAGS = 20_000
# Above this many tags only one extraction pass runs (real pages stay under it).
RERUN_TAGS = 12_000
# Text characters read from the parsed page: 2.5 times the most of any real page (196,472).
MAX_TEXT = 500_000
# Attributes kept on one element: twice the most on any real one (64). Past it, only those
# that cleaning reads stay.
MAX_ATTRIBUTES = 128
_READ_ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "role",
        "aria-label",
        "aria-hidden",
        "hidden",
        "style",
        "href",
        "rel",
        "itemprop",
        "itemtype",
        "lang",
        "type",
        "name",
        "property",
        "content",
        "datetime",
    ]
)
# Extraction checks every element's ancestors: the sum of all elements' depths is its cost.
# Two and a half times the most of any real page (79,590; their deepest element is at 56).
MAX_NESTING = 200_000
# A page that nests too deep (libxml2 stops at 256 levels and drops the rest) is read again
# with the elements past this depth unwrapped: twice a typical page's depth.
MAX_DEPTH = 48
# Tags read when unwrapping: the depth pass is a Python loop step per tag.
MAX_FLATTEN_TAGS = 10 * MAX_TAGS
# C-level XPath counts: elements with too many attributes; any element deeper than a real
# page's deepest (56 over the shared data sets); all elements; those past _SHALLOW levels.
_REAL_DEPTH = 64
_SHALLOW = 32
# Markup this long per tag on average may hold elements with hundreds of attributes.
_CROWDED_CHARS_PER_TAG = 250
_CROWDED = etree.XPath(f"//*[count(@*) > {MAX_ATTRIBUTES}]")
_DEEPER_THAN_REAL = etree.XPath("boolean(/*" + "/*" * _REAL_DEPTH + ")")
_COUNT_ELEMENTS = etree.XPath("count(//*)")
_COUNT_DEEP = etree.XPath("count(/*" + "/*" * _SHALLOW + "/descendant-or-self::*)")
_TAG = re.compile(r"(<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*>)")
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "basefont",
        "bgsound",
        "frame",
        "keygen",
    ]
)


@dataclass(frozen=True, slots=True)
class Bounded:
    """The markup to parse, how many tags the page had, and why anything was cut."""

    html: str
    tags: int
    limit: str | None


def bound_tags(html: str) -> Bounded:
    """``html`` cut before its ``MAX_TAGS``-th tag when it has more; the reason when cut."""
    tags = html.count("<")
    if tags <= MAX_TAGS:
        return Bounded(html, tags, None)
    cut = next(islice(re.finditer("<", html), MAX_TAGS, None)).start()
    reason = (
        f"page too large to clean whole: {tags:,} tags, only the first {MAX_TAGS:,}"
        f" ({cut:,} of {len(html):,} characters) were read"
    )
    return Bounded(html[:cut], MAX_TAGS, reason)


def flatten_depth(html: str) -> tuple[str, str]:
    """``html`` without the start and end tags of elements nested deeper than ``MAX_DEPTH``
    (their text and shallower tags stay), and the reason to report. One linear pass over the
    first ``MAX_FLATTEN_TAGS`` tags; end tags left over past them are ignored by the parser."""
    # [text, tag, "/" or "", name, text, tag, …]: split in C, one plain loop over the tags.
    parts = _TAG.split(html, maxsplit=MAX_FLATTEN_TAGS)
    tags = parts[1::4]
    depth = count = 0
    unwrapped: dict[str, int] = {}
    for i, (slash, name) in enumerate(zip(parts[2::4], parts[3::4], strict=True)):
        if name in _VOID or name.lower() in _VOID or tags[i][-2] == "/":
            continue
        if slash:  # an end tag
            if unwrapped.get(name):
                unwrapped[name] -= 1
                tags[i] = " "
            elif depth:
                depth -= 1
        elif depth >= MAX_DEPTH:
            unwrapped[name] = unwrapped.get(name, 0) + 1
            count += 1
            tags[i] = " "
        else:
            depth += 1
    out = [""] * (2 * len(tags) + 1)
    out[0::2] = parts[0::4]
    out[1::2] = tags
    flat = "".join(out)
    return flat, f"markup nested deeper than {MAX_DEPTH} levels: {count:,} elements unwrapped"


@dataclass(frozen=True, slots=True)
class TreeBounds:
    """What the walk over a parsed page found: why text was cut, and whether it nests deep."""

    limit: str | None
    deep: bool


def bound_tree(root: HtmlElement, chars: int, tags: int, *, flattened: bool) -> TreeBounds:
    """Thin out elements with more than ``MAX_ATTRIBUTES`` attributes; cut ``root`` after its
    first ``MAX_TEXT`` characters of text. Past ``MAX_NESTING`` (the sum of the elements'
    depths, which extraction pays), a page not yet ``flattened`` is reported ``deep`` (to be
    flattened and parsed again); a flattened one is cut there. ``chars`` and ``tags`` measure
    the markup: with C-level counts they decide whether the Python walk is needed at all."""
    if chars > _CROWDED_CHARS_PER_TAG * max(tags, 1):  # long tags: maybe crowded ones
        for el in cast(list[HtmlElement], _CROWDED(root)):
            for key in [k for k in el.attrib if k not in _READ_ATTRIBUTES]:
                del el.attrib[key]
    if flattened or chars > MAX_TEXT:
        return _walk(root, flattened=flattened)
    deep = cast(float, _COUNT_DEEP(root))
    if deep and _DEEPER_THAN_REAL(root):
        return TreeBounds(None, deep=True)
    # Every element is at most _SHALLOW deep, or at most twice that when counted in `deep`;
    # the parser makes at most two elements per tag written.
    if _SHALLOW * (2 * tags + deep) <= MAX_NESTING:
        return TreeBounds(None, deep=False)
    if _SHALLOW * (cast(float, _COUNT_ELEMENTS(root)) + deep) <= MAX_NESTING:
        return TreeBounds(None, deep=False)
    return _walk(root, flattened=flattened)


def _walk(root: HtmlElement, *, flattened: bool) -> TreeBounds:
    budget = MAX_TEXT
    depth = nesting = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(el.tag, str):  # a comment or processing instruction
            continue
        if event == "end":
            depth -= 1
            budget -= len(el.tail or "")
            if budget < 0:
                el.tail = (el.tail or "")[:budget]
                _cut_after(el)
                return TreeBounds(_TEXT_REASON, deep=False)
            continue
        depth += 1
        nesting += depth
        if nesting > MAX_NESTING:
            if not flattened:
                return TreeBounds(None, deep=True)
            _cut_after(el)
            el.getparent().remove(el)
            return TreeBounds(_NESTING_REASON, deep=False)
        if el.tag not in ("script", "style"):
            budget -= len(el.text or "")
            if budget < 0:
                el.text = (el.text or "")[:budget]
                for child in list(el):
                    el.remove(child)
                _cut_after(el)
                return TreeBounds(_TEXT_REASON, deep=False)
    return TreeBounds(None, deep=False)


_TEXT_REASON = (
    f"page text too long to clean whole: only its first {MAX_TEXT:,} characters were read"
)
_NESTING_REASON = (
    "page nests too many elements too deep to clean whole: the elements past a total depth"
    f" of {MAX_NESTING:,} were not read"
)


def _cut_after(el: HtmlElement) -> None:
    """Remove everything that follows ``el`` in document order (its descendants stay)."""
    node: HtmlElement | None = el
    while node is not None:
        following = node.getnext()
        while following is not None:
            after = following.getnext()
            node.getparent().remove(following)
            following = after
        node = node.getparent()
