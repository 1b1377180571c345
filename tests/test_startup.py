"""What start-up loads: no python-telegram-bot without a token, no config stack in a page worker,
and nothing heavy that a tokenless ``run --once`` does not need before its first request."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import yaml

from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import NewsServer

SEED = FIXTURES / "pages" / "seed-inline-notice.html"


def test_run_once_without_token_never_imports_telegram(tmp_path: Path, news: NewsServer) -> None:
    """A tokenless run fetches, takes the page and prints via the console, without `telegram`."""
    doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    probe = (
        "import sys\nfrom bot.runtime.cli import main\ncode = main(sys.argv[1:])\n"
        "print('TELEGRAM LOADED' if 'telegram' in sys.modules else 'TELEGRAM NOT LOADED')\n"
        "sys.exit(code)\n"
    )
    stdout = _run_once_without_token(tmp_path, news, doc, [probe])
    assert stdout.rstrip().endswith("TELEGRAM NOT LOADED"), stdout[-2000:]


def _run_once_without_token(
    tmp_path: Path, news: NewsServer, doc: dict[str, Any], probe: list[str]
) -> str:
    """``python -c probe... --config CFG run --once`` with no token, CFG being ``doc`` with one
    local page source; the run must succeed and take that page. Its standard output."""
    news.page_file("/a.html", SEED)
    doc["sources"] = [{"id": "a", "url": news.url("/a.html"), "kind": "page"}]
    doc["fetch"] = {"host_delay": "0s", "workers": 1}
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/n.db"}
    config = tmp_path / "newsbot.yaml"
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-c", *probe, "--config", str(config), "run", "--once"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "checked 1 source: 1 page," in done.stdout, done.stdout + done.stderr[-3000:]
    return done.stdout


def test_a_spawned_page_worker_does_not_load_the_config_stack() -> None:
    """Importing the CLI (as every spawned page worker does) loads neither config nor asyncio."""
    modules = ("asyncio", "bot.config", "pydantic", "yaml", "sqlalchemy")
    loaded = _loaded_after("import bot.runtime.cli", modules)
    assert loaded == [], loaded


def test_reading_a_body_as_text_does_not_load_the_cleaner() -> None:
    """The fetcher's text decoding imports ``bot.clean.decode`` only, not the whole cleaner."""
    imports = "from bot.fetch.client import Fetched\nimport bot.clean.decode"
    loaded = _loaded_after(imports, ("bot.clean.page", "trafilatura", "py3langid", "numpy"))
    assert loaded == [], loaded


def _loaded_after(imports: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has loaded after running ``imports``."""
    probe = f"import sys\n{imports}\nprint(sorted(m for m in {modules!r} if m in sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return cast(list[str], ast.literal_eval(done.stdout.strip()))


# Loaded by a tokenless `run --once` only after its first request, if at all: the cleaning stack
# (in the page workers), feedparser (feeds only), the PostgreSQL dialect (a SQLite store), the
# scheduler (`run` without --once) and python-telegram-bot (a token). Together ~0.5 s of CPU
# that the first request used to wait for (bench/startup.py).
NOT_BEFORE_FIRST_REQUEST = (
    "bot.clean",
    "trafilatura",
    "py3langid",
    "feedparser",
    "sqlalchemy.dialects.postgresql",
    "apscheduler",
    "telegram",
)
# Runs the CLI after installing an audit hook that writes the names of the loaded modules to
# argv[1] at the process's first connection to 127.0.0.1:argv[2] (the news server).
FIRST_REQUEST_PROBE = """
import json, sys
from bot.runtime.cli import main

out, port = sys.argv[1], int(sys.argv[2])

def hook(event, args):
    if event == "socket.connect" and args[1][:2] == ("127.0.0.1", port) and not seen:
        seen.append(sorted(sys.modules))
        with open(out, "w", encoding="utf-8") as file:
            json.dump(seen[0], file)

seen = []
sys.addaudithook(hook)
sys.exit(main(sys.argv[3:]))
"""


def test_run_once_sends_its_first_request_before_loading_what_it_does_not_need(
    tmp_path: Path, news: NewsServer
) -> None:
    """At a tokenless run --once's first request, no cleaning stack, feedparser, PostgreSQL
    dialect, scheduler or Telegram library is loaded yet; the run then takes the page."""
    loaded = tmp_path / "loaded.json"
    port = str(urlsplit(news.url("/")).port)
    _run_once_without_token(tmp_path, news, {}, [FIRST_REQUEST_PROBE, str(loaded), port])
    modules = set(json.loads(loaded.read_text(encoding="utf-8")))
    assert "httpx" in modules and "bot.store" in modules  # the probe saw the real first request
    early = [m for m in NOT_BEFORE_FIRST_REQUEST if m in modules]
    assert early == [], f"loaded before the first request: {early}"
