"""The ``newsbot`` command line: run, demo, check, extract, match."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Config, FetchSettings, default_config_path, load_config
from bot.errors import ConfigError, FetchError, NewsbotError, StorageError, TokenRejected
from bot.redact import redact

log = logging.getLogger("newsbot")


class _RedactingFormatter(logging.Formatter):
    """Keep the bot token out of every log line and traceback, whoever logs it (httpx logs
    request URLs, python-telegram-bot puts the token into some of its error messages)."""

    def __init__(self, fmt: str, token: str | None) -> None:
        super().__init__(fmt)
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.token)


def _token() -> str | None:
    return os.environ.get("TELEGRAM_BOT_TOKEN") or None


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", _token())
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # trafilatura warns about every page it cannot use; newsbot reports those itself.
    for chatty in ("trafilatura", "htmldate", "courlan", "justext"):
        logging.getLogger(chatty).setLevel(logging.ERROR)


def _fail(message: str, code: int) -> int:
    """One line on stderr, the token redacted; the exit code."""
    print(redact(f"newsbot: {message}", _token()), file=sys.stderr)
    return code


def _config(args: argparse.Namespace) -> Config:
    path = Path(args.config) if args.config else default_config_path(os.environ)
    return load_config(path)


def cmd_check(args: argparse.Namespace) -> int:
    config = _config(args)
    failures = config.rules.check_examples()
    for failure in failures:
        print(f"{config.file}: {failure}", file=sys.stderr)
    if failures:
        return 2
    print(
        f"{config.file}: ok — {len(config.sources)} sources, {len(config.rules.topics)} topics, "
        f"{config.aliases_count} aliases, {len(config.telegram.channels)} channels"
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import run_forever, run_once

    config = _config(args)
    failures = config.rules.check_examples()
    if failures:
        # The same rule as for a reload: rules whose own examples fail are not put in service.
        for failure in failures:
            print(f"newsbot: {config.file}: {failure}", file=sys.stderr)
        return 2
    if args.once:
        reports, delivered = asyncio.run(run_once(config))
        errors = sum(len(r.errors) for r in reports)
        print(
            f"checked {len(reports)} sources: {sum(r.pages for r in reports)} pages, "
            f"{sum(r.alerts for r in reports)} new alerts, {errors} errors; "
            f"delivered {delivered.sent}, retrying {delivered.retried}, "
            f"failed {delivered.failed}"
        )
        return 0
    path = Path(args.config) if args.config else default_config_path(os.environ)
    asyncio.run(run_forever(config, path))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return run_demo(args.config)


def _is_url(page: str) -> bool:
    return page.startswith(("http://", "https://"))


async def _read_page(page: str, settings: FetchSettings | None) -> tuple[str, str | None]:
    """HTML and URL of PAGE: a local file, or a URL fetched with the normal fetcher."""
    if _is_url(page):
        from bot.fetch import Fetcher

        fetcher = Fetcher(settings or _default_fetch_settings())
        try:
            fetched = await fetcher.get(page)
        finally:
            await fetcher.aclose()
        return fetched.text, fetched.url
    from bot.charset import decode_body

    try:
        return decode_body(Path(page).read_bytes()), None
    except OSError as exc:
        raise FetchError(page, f"cannot read file: {exc.strerror or exc}") from exc


def _default_fetch_settings() -> FetchSettings:
    from bot.config.schema import FetchSpec

    spec = FetchSpec()
    return FetchSettings(
        spec.user_agent, spec.timeout, spec.max_bytes, spec.max_redirects, spec.max_feed_items
    )


def _fetch_settings(args: argparse.Namespace) -> FetchSettings | None:
    """The configured fetch settings when PAGE is a URL and the config loads; else defaults."""
    if not _is_url(args.page):
        return None
    try:
        return _config(args).fetch
    except ConfigError:
        return None


def cmd_extract(args: argparse.Namespace) -> int:
    from bot import extract

    html, url = asyncio.run(_read_page(args.page, _fetch_settings(args)))
    article = extract(html, url)
    if args.json:
        print(json.dumps(article.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"Title:     {article.title}")
    print(f"Author:    {article.author or '-'}")
    print(f"Published: {article.published.isoformat() if article.published else '-'}")
    print(f"Language:  {article.language or '-'}")
    if article.blocked:
        print("Blocked:   yes — the page is only a consent or subscription wall")
    print(
        f"Removed:   {len(article.removed)} pieces "
        f"({', '.join(sorted({r.kind for r in article.removed})) or 'none'})"
    )
    print()
    print(article.text)
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    from bot import extract
    from bot.canonical import host_of
    from bot.rules import format_explanation

    config = _config(args)
    html, url = asyncio.run(_read_page(args.page, config.fetch))
    article = extract(html, url)
    host = host_of(article.url) if article.url else None
    matches = config.rules.match(article, source_host=host)
    if args.json:
        payload = {
            "article": article.to_json(with_removed=False),
            "matches": [m.to_json() for m in matches],
        }
        if args.explain:
            payload["explanations"] = [
                format_explanation(e) for e in config.rules.explain(article, source_host=host)
            ]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(f"{article.title} ({article.language or '?'})")
    if article.blocked:
        print("The page is only a consent or subscription wall: no topic is matched against it.")
    if not matches:
        print("No topic matches.")
    for match in matches:
        print(f"\n✔ {match.topic_name} [{match.topic_id}] score {match.score:g}")
        print(f"  {match.reason}")
        if match.snippet:
            print(f"  “{match.marked_snippet()}”")
    if args.explain:
        print("\nEvery topic:")
        for explanation in config.rules.explain(article, source_host=host):
            print(format_explanation(explanation))
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from bot.sources_cli import show_sources

    print(show_sources(_config(args), as_json=args.json))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Watch news pages and feeds; alert Telegram subscribers on topic matches.",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $NEWSBOT_CONFIG or config/newsbot.yaml)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot on the configured schedule")
    run.add_argument(
        "--once", action="store_true", help="run every source once, deliver what is due, and exit"
    )
    run.set_defaults(func=cmd_run)

    demo = commands.add_parser("demo", help="offline demo: one full cycle over bundled pages")
    demo.set_defaults(func=cmd_demo)

    check = commands.add_parser("check", help="validate the config and run the topics' tests")
    check.set_defaults(func=cmd_check)

    sources = commands.add_parser("sources", help="list every source with its health")
    sources.add_argument("--json", action="store_true", help="print one JSON object")
    sources.set_defaults(func=cmd_sources)

    for name, func, text in (
        ("extract", cmd_extract, "show the cleaned article of PAGE"),
        ("match", cmd_match, "show which topics match PAGE, and why"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("page", metavar="PAGE", help="a URL or a local HTML file")
        sub.add_argument("--json", action="store_true", help="print one JSON object")
        if name == "match":
            sub.add_argument(
                "--explain", action="store_true", help="also explain every topic that did not match"
            )
        sub.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        code: int = args.func(args)
        return code
    except ConfigError as exc:
        return _fail(f"config error: {exc}", 2)
    except FetchError as exc:
        return _fail(f"cannot fetch {exc}", 1)
    except StorageError as exc:
        return _fail(f"storage error: {exc}", 2)
    except TokenRejected as exc:
        return _fail(f"Telegram rejected the bot token ({exc.reason}): check TELEGRAM_BOT_TOKEN", 2)
    except NewsbotError as exc:
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug: the traceback is logged, with the token redacted
        log.exception("unexpected error")
        return 1
