"""newsbot's web app: /healthz, /metrics and the maintainer workbench (an adapter at the edge)."""

from bot.web.context import BotHooks, WebContext

__all__ = ["BotHooks", "WebContext"]
