"""The cleaning stage: one fetched HTML page in, one ``Article`` out (``clean_page``)."""

from __future__ import annotations

from bot.clean.page import clean_page

__all__ = ["clean_page"]
