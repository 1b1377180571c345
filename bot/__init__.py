"""newsbot: watches news pages and feeds and alerts Telegram subscribers on topic matches."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.model import Article

__all__ = ["__version__", "extract"]

__version__ = "0.1.0"
"""The released version; pyproject.toml's ``version`` says the same (a test checks)."""


def extract(html: str | bytes, url: str | None = None) -> Article:
    """Clean one HTML page into an ``Article``: consent notices and boilerplate stripped."""
    from bot.clean import clean_page

    return clean_page(html, url)
