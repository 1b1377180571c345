"""Structure signals that hold in every language: layout tables and sign-up forms.

- **Layout tables.** Old sites lay out whole pages in ``<table><tr><td>``: extraction then
  reads each row as one line (article, share bar, notice and newsletter box run together).
  A table whose cells hold the page's headline, a form, a field or another table is a
  layout: its rows and cells become plain containers, segmented like any other. Content
  tables (data, or paragraphs and lists in cells) are left alone.
- **Sign-up boxes.** A form with an e-mail field is a newsletter or account box in any
  language; the form goes with the smallest container around it that holds only a short
  pitch (not an article).
"""

from __future__ import annotations

import re
from typing import cast

from lxml import etree
from lxml.html import HtmlElement

from bot.clean.consent_text import normalize_space, word_count
from bot.clean.prune import attached, drop

# What only a page's layout puts in a cell: the headline, a form, a field, another table.
# (Paragraphs and lists in cells are also how content tables are written: not a signal.)
_BLOCK = ".//h1 or form or input or table"
_LAYOUT_CELLS = etree.XPath(f"//td[{_BLOCK}] | //th[{_BLOCK}]")
_TABLE_PARTS = frozenset({"thead", "tbody", "tfoot"})
_EMAIL_FORMS = etree.XPath(
    '//input[@type="email" or contains(translate(@name, "EMAIL", "email"), "mail")'
    ' or contains(translate(@id, "EMAIL", "email"), "mail")]/ancestor::form[1]'
)
_SUBMIT = etree.XPath('.//button | .//input[@type="submit" or @type="button" or @type="image"]')
# A sign-up pitch is a sentence or two; a container with more words is part of the page,
# unless its id or class names it a sign-up widget: then it also holds the widget's other
# states ("Thanks for signing up!", "There was an error processing your subscription").
_MAX_PITCH = 60
_MAX_WIDGET = 150
_WIDGET = re.compile(r"newsletter|sign-?up|subscri", re.I)
_NEVER = frozenset({"html", "body", "main", "article"})


def unwrap_layout_tables(tree: HtmlElement) -> int:
    """Turn layout tables' rows and cells into ``div``s in place; how many tables changed."""
    tables: dict[HtmlElement, None] = {}
    for cell in cast(list[HtmlElement], _LAYOUT_CELLS(tree)):
        table = next(cell.iterancestors("table"), None)
        if table is not None:
            tables[table] = None
    for table in tables:
        for row in _rows(table):
            for cell in row:
                if cell.tag in ("td", "th"):
                    cell.tag = "div"
            row.tag = "div"
        for part in table:
            if part.tag in _TABLE_PARTS:
                part.tag = "div"
        table.tag = "div"
    return len(tables)


def _rows(table: HtmlElement) -> list[HtmlElement]:
    rows = [el for el in table if el.tag == "tr"]
    for part in table:
        if part.tag in _TABLE_PARTS:
            rows += [el for el in part if el.tag == "tr"]
    return rows


def _is_widget(el: HtmlElement) -> bool:
    return bool(_WIDGET.search(f"{el.get('id', '')} {el.get('class', '')}"))


def strip_signup_forms(tree: HtmlElement) -> list[str]:
    """Cut forms with an e-mail field and a submit button, with their short pitch; texts."""
    removed: list[str] = []
    for form in cast(list[HtmlElement], _EMAIL_FORMS(tree)):
        if not attached(form, tree) or not _SUBMIT(form):
            continue
        box = form
        for ancestor in form.iterancestors():
            if ancestor.tag in _NEVER:
                break
            words = word_count(ancestor.text_content())
            if words > _MAX_PITCH and not (words <= _MAX_WIDGET and _is_widget(ancestor)):
                break
            box = ancestor
        text = normalize_space(box.text_content())
        drop(box)
        if text:
            removed.append(text)
    return removed
