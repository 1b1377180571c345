"""What start-up loads: no python-telegram-bot without a token, no config stack in a page worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import NewsServer

SEED = FIXTURES / "pages" / "seed-inline-notice.html"


def test_run_once_without_token_never_imports_telegram(tmp_path: Path, news: NewsServer) -> None:
    """A tokenless run fetches, takes the page and prints via the console, without `telegram`."""
    news.page_file("/a.html", SEED)
    doc = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = [{"id": "a", "url": news.url("/a.html"), "kind": "page"}]
    doc["fetch"] = {"host_delay": "0s", "workers": 1}
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/n.db"}
    config = tmp_path / "newsbot.yaml"
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    probe = (
        "import sys\nfrom bot.runtime.cli import main\n"
        f"code = main(['--config', {str(config)!r}, 'run', '--once'])\n"
        "print('TELEGRAM LOADED' if 'telegram' in sys.modules else 'TELEGRAM NOT LOADED')\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "checked 1 source: 1 page," in done.stdout, done.stdout + done.stderr[-3000:]
    assert done.stdout.rstrip().endswith("TELEGRAM NOT LOADED"), done.stdout[-2000:]


def test_a_spawned_page_worker_does_not_load_the_config_stack() -> None:
    """Importing the CLI (as every spawned page worker does) loads neither config nor asyncio."""
    probe = (
        "import sys\nimport bot.runtime.cli\n"
        "print(sorted(m for m in ('asyncio', 'bot.config', 'pydantic', 'yaml', 'sqlalchemy')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
