"""Take the README's screenshots of the web workbench (docs/screenshots/*.png).

The real bot with the shipped topics watches the demo's bundled pages on a local news server
(a feed, a consent-walled page, a broken page), runs each source once, and headless Chromium
photographs Sources, Inspect, Rules (with an edit being backtested) and Deliveries:

    python docs/screenshots.py            # needs /usr/bin/chromium and playwright
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.news_server import Entry, NewsServer  # noqa: E402
from tests.web_support import ServedBot, chromium  # noqa: E402

PAGES = ROOT / "bot" / "runtime" / "demo" / "pages"
OUT = ROOT / "docs" / "screenshots"


def _config(folder: Path, news: NewsServer) -> Path:
    now = datetime.now(UTC)
    names = ["zelensky-seeks-trump-talks", "eu-cookie-fine", "ai-act-vote", "harbour-festival"]
    entries = []
    for age, name in enumerate(names):
        link = news.page_file(f"/news/{name}.html", PAGES / f"{name}.html")
        entries.append(Entry(link.removeprefix(news.base), name, now - timedelta(hours=age)))
    config = yaml.safe_load((ROOT / "config" / "newsbot.yaml").read_text(encoding="utf-8"))
    config["sources"] = [
        {"id": "world-feed", "url": news.feed("/world/rss.xml", entries), "kind": "feed",
         "backfill": "1d"},
        {"id": "cookie-walled", "url": news.page_file("/walled.html", PAGES / "consent-wall.html"),
         "kind": "page"},
        {"id": "broken-site", "url": news.page("/down.html", "maintenance", status=503),
         "kind": "page"},
    ]  # fmt: skip
    config["fetch"] = {"workers": 1, "host_delay": "0s"}
    config["storage"] = {"url": f"sqlite:///{folder}/newsbot.db"}
    path = folder / "newsbot.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _outbox(bot: ServedBot) -> None:
    """Give the Deliveries page something to show: of the queued alerts one failed, one sent."""
    store = bot.runtime.store
    claimed = store.claim_due(time.time() + 1, 10)
    if claimed:
        store.mark_failed(claimed[0].id, error="Forbidden: bot was blocked by the user")
    if len(claimed) > 1:
        store.mark_sent_many([claimed[1].id], message_id=7, now=time.time())
    store.release_many(d.id for d in claimed[2:])


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.TemporaryDirectory()
    with (
        tmp,
        NewsServer() as news,
        ServedBot(_config(Path(tmp.name), news)) as bot,
        chromium() as browser,
    ):
        bot.check_sources()
        _outbox(bot)
        page = browser.new_page()
        page.goto(f"{bot.base}/sources")
        page.screenshot(path=str(OUT / "sources.png"))
        page.goto(f"{bot.base}/inspect")
        page.get_by_role("link", name="Zelensky Seeks Trump Talks").first.click()
        page.screenshot(path=str(OUT / "inspect.png"), full_page=True)
        page.goto(f"{bot.base}/rules")
        editor = page.locator("#config-text")
        lines = editor.input_value().splitlines()
        at = next(i for i, line in enumerate(lines) if line.strip() == "- the apprentice")
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines.insert(at + 1, f"{indent}- face-to-face")  # vetoes one stored story
        editor.fill("\n".join(lines) + "\n")
        page.wait_for_function("() => document.querySelector('#changes')")
        page.locator('button.jump[data-topic="zelensky-trump-summit"]').click()
        page.screenshot(path=str(OUT / "rules.png"))
        page.goto(f"{bot.base}/deliveries")
        page.screenshot(path=str(OUT / "deliveries.png"))
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
