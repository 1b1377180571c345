"""Load and validate config/newsbot.yaml once, at the edge, into typed frozen values."""

from bot.config.load import (
    Config,
    FetchSettings,
    TelegramSettings,
    WebSettings,
    default_config_path,
    load_config,
    parse_config,
)

__all__ = [
    "Config",
    "FetchSettings",
    "TelegramSettings",
    "WebSettings",
    "default_config_path",
    "load_config",
    "parse_config",
]
