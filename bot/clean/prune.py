"""Cut elements out of a parsed page in place, keeping the text that follows each one."""

from __future__ import annotations

from lxml.html import HtmlElement


def attached(el: HtmlElement, root: HtmlElement) -> bool:
    """Whether ``el`` is still inside ``root`` (an ancestor of it may have been cut already)."""
    top = el
    for ancestor in el.iterancestors():
        top = ancestor
    return top is root


def drop(el: HtmlElement) -> None:
    """Remove ``el`` and its subtree; its tail text stays with the parent."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# Elements no extractor reads: scripts (JSON-LD excepted: trafilatura's baseline and forum
# detection read it), styles and inline SVG drawings. Every trafilatura run copies the page
# (three times) and walks it; cutting these first spares each run that share of the tree.
_INERT_TAGS = ("script", "style", "svg")
_JSON_LD = "application/ld+json"


def strip_inert(tree: HtmlElement) -> None:
    """Remove scripts, styles and SVG drawings from ``tree`` in place (tails kept)."""
    # A C-level walk that yields only these tags; collected first, cut after.
    found = [el for el in tree.iter(*_INERT_TAGS) if el.get("type") != _JSON_LD]
    for el in found:
        drop(el)
