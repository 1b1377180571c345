"""The commands of the PostgreSQL deployment: ``newsbot worker`` and ``newsbot db copy``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

SCALE_HELP = {
    "worker": "one worker of many on PostgreSQL: source checks from the shared job queue, "
    "and the sender or command poller role when free",
    "db": "database tools: `db copy SOURCE_URL TARGET_URL` moves an installation (to PostgreSQL)",
}


def cmd_worker(args: argparse.Namespace) -> int:
    import asyncio

    from bot.config import default_config_path, load_config
    from bot.runtime.extras import needs_extra

    with needs_extra("postgres", "newsbot worker"):
        import bot.runtime.tasks  # noqa: F401  (Procrastinate and psycopg: said now, not mid-start)
        from bot.runtime.worker import run_worker

    path = Path(args.config) if args.config else default_config_path(os.environ)
    config = load_config(path)
    failures = config.topic_test_failures()
    if failures:  # as for `run` and a reload: rules whose own examples fail do not serve
        for failure in failures:
            print(f"newsbot: {failure}", file=sys.stderr)
        return 2
    asyncio.run(
        run_worker(config, path, concurrency=args.concurrency, stalled_after_s=args.stalled)
    )
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    from bot.store.copy import copy_database

    print(copy_database(args.source_url, args.target_url).summary())
    return 0


def add_scale_commands(
    command: Callable[[str], argparse.ArgumentParser],
    common_options: Callable[..., None],
) -> None:
    """Add ``worker`` and ``db copy`` through the CLI's ``command`` maker."""
    worker = command("worker")
    worker.add_argument(
        "--concurrency", type=int, default=8, metavar="N",
        help="source checks run at once in this process (default 8)",
    )  # fmt: skip
    worker.add_argument(
        "--stalled-after", dest="stalled", type=float, default=30.0, metavar="S",
        help="seconds without a worker's heartbeat before its jobs run elsewhere (default 30)",
    )  # fmt: skip
    worker.set_defaults(func=cmd_worker)
    db = command("db").add_subparsers(dest="db_command", required=True, metavar="ACTION")
    copy = db.add_parser("copy", help="copy every table into a new, empty database")
    common_options(copy, top=False)
    copy.add_argument("source_url", metavar="SOURCE_URL", help="e.g. sqlite:///data/newsbot.db")
    copy.add_argument("target_url", metavar="TARGET_URL", help="e.g. postgresql://u:p@host/db")
    copy.set_defaults(func=cmd_db_copy)
