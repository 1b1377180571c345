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
