"""The cleaning stage: one fetched HTML page in, one ``Article`` out (``clean_page``).

``clean_page`` is loaded on first use (PEP 562): the fetcher imports ``bot.clean.decode`` to
read a body's text, and that must not load the whole cleaner (trafilatura, lxml, py3langid,
numpy) into a run whose pages all answer 304.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.clean.page import clean_page

__all__ = ["clean_page"]


def __getattr__(name: str) -> Any:
    if name == "clean_page":
        from bot.clean.page import clean_page

        return clean_page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
