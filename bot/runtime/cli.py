"""The ``newsbot`` command line: run, demo, check, extract, match, sources, web."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.errors import ConfigError, FetchError, NewsbotError, StorageError, TokenRejected
from bot.redact import redact
from bot.runtime.logs import setup_logging
from bot.runtime.scale_cli import SCALE_HELP, add_scale_commands
from bot.wording import count

if TYPE_CHECKING:
    from bot.config import Config, FetchSettings

# asyncio and bot.config (pydantic, YAML) are imported by the commands that use them: a page
# worker, spawned from the ``newsbot`` script, imports this module again and needs neither.

log = logging.getLogger("newsbot")


def _token() -> str | None:
    return os.environ.get("TELEGRAM_BOT_TOKEN") or None


def _fail(message: str, code: int) -> int:
    """One line on stderr, the token redacted; the exit code."""
    print(redact(f"newsbot: {message}", _token()), file=sys.stderr)
    return code


def _config(args: argparse.Namespace) -> Config:
    from bot.config import default_config_path, load_config

    path = Path(args.config) if args.config else default_config_path(os.environ)
    return load_config(path)


def cmd_check(args: argparse.Namespace) -> int:
    config = _config(args)
    failures = config.topic_test_failures()
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        return 2
    print(
        f"{config.file}: ok — {count(len(config.sources), 'source')}, "
        f"{count(len(config.rules.topics), 'topic')}, "
        f"{count(config.aliases_count, 'alias', 'aliases')}, "
        f"{count(len(config.telegram.channels), 'channel')}"
    )
    if not config.sources:
        print("0 sources: nothing to watch (add some under `sources:`; see the README)")
    return 0


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Automatic garbage collection off while ``run`` loads its config and modules: they live
    as long as the process, and passes over them cost ~50 ms CPU before the first request and
    freed almost nothing. The runtime then settles the heap (one collection, ``gc.freeze``)."""
    paused = gc.isenabled()  # else the caller manages collection itself
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def cmd_run(args: argparse.Namespace) -> int:
    with _collection_paused():
        config = _config(args)
        failures = config.topic_test_failures()
        if failures:
            # The same rule as for a reload: rules whose own examples fail are not put in service.
            for failure in failures:
                print(f"newsbot: {failure}", file=sys.stderr)
            return 2
        if args.source:
            source = config.source(args.source)
            if source is None:
                known = ", ".join(s.id for s in config.sources) or "none"
                print(
                    f"newsbot: unknown source {args.source!r} in {config.file}; "
                    f"configured: {known}",
                    file=sys.stderr,
                )
                return 2
            config = replace(config, sources=(source,))
        # After the config: a config error is reported without loading the runtime first.
        from bot.runtime.runner import run_forever
    if args.dry_run:
        return _dry_run(config)
    if args.once:
        return _run_once(config)
    import asyncio

    from bot.config import default_config_path

    path = Path(args.config) if args.config else default_config_path(os.environ)
    asyncio.run(run_forever(config, path))
    return 0


def _run_once(config: Config) -> int:
    import asyncio

    from bot.runtime.runner import baseline_note, run_once

    reports, delivered = asyncio.run(run_once(config))
    errors = sum(len(r.errors) for r in reports)
    print(
        f"checked {count(len(reports), 'source')}: {count(sum(r.pages for r in reports), 'page')}, "
        f"{count(sum(r.alerts for r in reports), 'new alert')}, {count(errors, 'error')}; "
        f"delivered {delivered.sent}, retrying {delivered.retried}, failed {delivered.failed}"
    )
    for source, report in zip(config.sources, reports, strict=True):
        if report.first_run:
            print(f"{source.id}: {baseline_note(source, report)}")
    return 0


def _dry_run(config: Config) -> int:
    import asyncio

    from bot.delivery.render import render_console
    from bot.model import CONSOLE_CHAT_ID
    from bot.runtime.runner import baseline_note, dry_run_once

    reports = asyncio.run(dry_run_once(config))
    for report in reports:
        for planned in report.planned:
            chats = ["the console" if c == CONSOLE_CHAT_ID else str(c) for c in planned.recipients]
            print(render_console(planned.alert))
            print(f"  would go to: {', '.join(chats) or 'nobody (no subscriber yet)'}\n")
    alerts = sum(len(r.planned) for r in reports)
    errors = [f"{r.source_id}: {e}" for r in reports for e in r.errors]
    print(
        f"dry run: checked {count(len(reports), 'source')}: "
        f"{count(sum(r.pages for r in reports), 'page')}, {count(alerts, 'alert')} would be sent, "
        f"{count(len(errors), 'error')}; nothing was sent or recorded"
    )
    for error in errors:
        print(f"  error: {error}")
    for source, report in zip(config.sources, reports, strict=True):
        if report.first_run:
            print(f"{source.id}: {baseline_note(source, report)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.runtime.demo import run_demo

    return run_demo(args.config)


def _is_url(page: str) -> bool:
    return page.startswith(("http://", "https://"))


async def _read_page(page: str, settings: FetchSettings | None) -> tuple[str, str | None]:
    """HTML and URL of PAGE: a local file, or a URL fetched with the normal fetcher."""
    if _is_url(page):
        from bot.fetch.client import Fetcher

        fetcher = Fetcher(settings or _default_fetch_settings())
        try:
            fetched = await fetcher.get(page)
        finally:
            await fetcher.aclose()
        return fetched.text, fetched.url
    from bot.clean.decode import decode_html
    from bot.fetch.local_page import html_bytes

    try:
        body = Path(page).read_bytes()
    except OSError as exc:
        raise FetchError(page, f"cannot read file: {exc.strerror or exc}") from exc
    return decode_html(html_bytes(page, body)), None


def _default_fetch_settings() -> FetchSettings:
    from bot.config import FetchSettings
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
    import asyncio

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
        f"Removed:   {count(len(article.removed), 'piece')} "
        f"({', '.join(sorted({r.kind for r in article.removed})) or 'none'})"
    )
    print()
    print(article.text)
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    import asyncio

    from bot import extract
    from bot.rules import format_explanation
    from bot.sources.canonical import host_of

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
    from bot.runtime.sources_cli import show_sources

    print(show_sources(_config(args), as_json=args.json))
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    from bot.runtime.extras import needs_extra

    with needs_extra("web", "newsbot web"):
        from bot.runtime.web_run import serve_web_command
    serve_web_command(_config(args), args.config, args.listen)
    return 0


def _common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """--config and -v, accepted before and after the command (the later one wins)."""
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="config file (default: $NEWSBOT_CONFIG or config/newsbot.yaml)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="debug logging",
    )


COMMAND_HELP = {
    "run": "run the bot: check every source on its schedule, answer commands, deliver alerts",
    "demo": "offline demo: one full cycle over bundled pages, alerts printed",
    "check": "validate the config and run the topics' tests",
    "extract": "show the cleaned article of PAGE",
    "match": "show which topics match PAGE, and why",
    "sources": "list every source with its health",
    **SCALE_HELP,
    "web": "serve the web workbench, /healthz and /metrics alone (read-only: no bot runs)",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Watch news pages and feeds; alert Telegram subscribers on topic matches.",
    )
    _common_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=COMMAND_HELP[name], description=COMMAND_HELP[name])
        _common_options(sub, top=False)
        return sub

    run = command("run")
    run.add_argument(
        "--once", action="store_true", help="run every source once, deliver what is due, and exit"
    )
    run.add_argument("--source", metavar="ID", help="with --once: run only the source with this id")
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="with --once: fetch, clean, match and print what would alert; send and record nothing",
    )
    run.set_defaults(func=cmd_run)
    command("demo").set_defaults(func=cmd_demo)
    command("check").set_defaults(func=cmd_check)
    sources = command("sources")
    sources.add_argument("--json", action="store_true", help="print one JSON object")
    sources.set_defaults(func=cmd_sources)
    web = command("web")
    web.add_argument(
        "--listen", metavar="HOST:PORT", help="address (default: web.listen, else 127.0.0.1:8080)"
    )
    web.set_defaults(func=cmd_web)

    add_scale_commands(command, _common_options)

    for name, func in (("extract", cmd_extract), ("match", cmd_match)):
        sub = command(name)
        sub.add_argument("page", metavar="PAGE", help="a URL or a local HTML file (.gz is read)")
        sub.add_argument("--json", action="store_true", help="print one JSON object")
        if name == "match":
            sub.add_argument(
                "--explain", action="store_true", help="also explain every topic that did not match"
            )
        sub.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run" and (args.source or args.dry_run) and not args.once:
        parser.error("run: --source and --dry-run go with --once (newsbot run --once …)")
    setup_logging(args.verbose, _token())
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
