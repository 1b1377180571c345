"""The workbench in a real browser: headless Chromium (Debian's) drives every page of the web app
served by uvicorn beside the real bot: Inspect, Rules (validate, test, backtest, save), Sources,
Deliveries, and a hostile page that must stay text."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import parse_config
from bot.errors import ConfigError
from bot.model import Alert, Article, PlannedAlert
from tests.conftest import FIXTURES
from tests.fakes.news_server import NewsServer
from tests.run_support import record_alerts
from tests.web_support import ServedBot, chromium, write_config

SEED = FIXTURES / "pages" / "seed-inline-notice.html"
CONSENT = "Nuestro sitio web utiliza cookies"
SCREENSHOTS = os.environ.get("NEWSBOT_SCREENSHOTS")  # a folder: save each page's picture there
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole module."""
    with chromium() as context:
        context.set_default_timeout(TIMEOUT_MS)
        yield context


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab; a JavaScript dialog (alert(), confirm()) opened by any page fails the test."""
    tab = browser.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    tab.close()
    assert not dialogs, f"a page ran script: {dialogs}"


@pytest.fixture
def bot(tmp_path: Path, news: NewsServer) -> Iterator[ServedBot]:
    """The bot and its web app; its one source (a page with a cookie notice) checked once."""
    url = news.page_file("/world/zelensky.html", SEED)
    with ServedBot(write_config(tmp_path, url)) as served:
        served.check_sources()
        yield served


def shot(page: Any, name: str) -> None:
    """Save a screenshot of the page for the README when NEWSBOT_SCREENSHOTS names a folder."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_inspect_a_saved_article_shows_the_consent_notice_removed(
    bot: ServedBot, page: Any
) -> None:
    """A stored article opens from Inspect's list: its cookie notice is shown in place, marked
    removed (consent), the topic's verdict is MATCH with its tree, and the hits are marked."""
    page.goto(f"{bot.base}/inspect")
    page.get_by_role("link", name="Zelensky Seeks Trump Talks").click()
    consent = page.locator(".removed.kind-consent")
    assert CONSENT in consent.first.inner_text()
    assert "removed · consent" in consent.first.inner_text().lower()  # shown in capitals
    blocks = page.locator("#text > .removed, #text > p.kept")
    assert "kind-consent" in (blocks.first.get_attribute("class") or "")  # before the article
    verdict = page.locator('.verdict[data-topic="zelensky-trump"]')
    assert verdict.locator(".badge").inner_text() == "MATCH"
    assert "all" in verdict.locator(".tree").inner_text()
    marked = {m.lower() for m in page.locator("#text mark").all_inner_texts()}
    assert {"zelensky", "trump"} <= marked
    shot(page, "inspect")


def test_inspect_a_url_fetched_as_the_bot_fetches(
    bot: ServedBot, page: Any, news: NewsServer
) -> None:
    """A URL typed in Inspect is fetched, cleaned and explained; removed pieces sit where the
    page had them (the notice first) and the byline is marked removed too."""
    url = news.page_file("/world/again.html", SEED)
    page.goto(f"{bot.base}/inspect")
    page.locator('input[name="url"]').fill(url)
    page.get_by_role("button", name="Inspect").click()
    page.locator("#text").wait_for()
    kinds = page.locator("#text > .removed").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert "consent" in kinds and "byline" in kinds
    first = page.locator("#text > *").first
    assert first.get_attribute("data-kind") == "consent"
    assert page.locator("#title").inner_text() == "Zelensky Seeks Trump Talks"


HOSTILE = """<!doctype html><html><head><title>Evil &lt;script&gt;</title>
<link rel="canonical" href="javascript:window.__pwned=2">
<meta property="og:title" content="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"></head><body>
<article><h1>"><script>window.__pwned=1;alert('title')</script> Zelensky and Trump</h1>
<p>Zelensky met Trump. <a href="javascript:alert('link')">javascript link</a> and
<img src=x onerror="alert('img')"> &lt;script&gt;alert('text')&lt;/script&gt; and
&quot; onmouseover=&quot;alert('attr')&quot; x=&quot; said the officials in a long statement on
Monday about the coming summit between the two presidents in Washington next month.</p>
<p>The second paragraph is long enough to be kept by the cleaner as part of the article text,
with <b onclick="alert('b')">bold</b> words that must stay plain text in the workbench.</p>
</article></body></html>"""


def test_a_hostile_page_stays_text(bot: ServedBot, page: Any, news: NewsServer) -> None:
    """Script tags, attribute injection and javascript: links in a page are shown as text:
    nothing runs, no element or link comes from the page."""
    url = news.page("/evil.html", HOSTILE)
    page.goto(f"{bot.base}/inspect?url={url}")
    page.locator("#text").wait_for()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#text img, #text script, #text b, #title script").count() == 0
    hrefs = page.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h and not h.startswith(("/", "http://", "https://"))]
    text = page.locator("#text").inner_text()
    assert "<script>alert('text')</script>" in text
    assert "onmouseover=\"alert('attr')\"" in text


def test_rules_edit_backtest_save_and_the_bot_rules_change(bot: ServedBot, page: Any) -> None:
    """Editing a rule re-checks it as you type: a located error, then the backtest showing the
    stored article that matched before and would not now; saving writes the file (backup
    kept) and reloads the running bot, whose rules change."""
    page.goto(f"{bot.base}/rules")
    summary = page.locator("#backtest-summary")
    assert "1 would match now" in " ".join(summary.inner_text().split())
    editor = page.locator("#config-text")
    original = editor.input_value()
    page.locator('button.jump[data-topic="zelensky-trump"]').click()
    selected = editor.evaluate("t => t.value.slice(t.selectionStart, t.selectionEnd)")
    assert selected == "- id: zelensky-trump"

    broken = original.replace("all: [zelensky, trump]", "all: [zelensky, trump]\n    bogus: 1")
    editor.fill(broken)
    page.locator("ul.errors").wait_for()
    line = broken.splitlines().index("    bogus: 1") + 1
    shown = page.locator("ul.errors").inner_text()
    assert f"newsbot.yaml:{line}: topics[0].bogus: unknown key" in shown
    with pytest.raises(ConfigError) as check:  # what `newsbot check` says of that file
        parse_config(broken, file=str(bot.config_path))
    assert shown == str(check.value)

    edited = original.replace("all: [zelensky, trump]", "all: [zelensky, trump, putin]").replace(
        '["Zelensky meets Trump"]', '["Zelensky meets Trump and Putin"]'
    )
    editor.fill(edited)
    page.wait_for_function(
        "() => (document.querySelector('#backtest-summary') || {}).innerText"
        "?.includes('1 matched before and would not now')"
    )
    assert page.locator("#changes .lost").inner_text() == "zelensky-trump"
    shot(page, "rules")

    topic = bot.runtime.config.rules.topic("zelensky-trump")
    page.locator("#save").click()
    page.locator("#saved").wait_for()
    assert page.locator("#saved").inner_text().startswith("saved; config reloaded")
    assert bot.runtime.config.rules.topic("zelensky-trump") != topic
    stored = Article(None, "Zelensky meets Trump", None, None, None, "Zelensky meets Trump")
    assert bot.runtime.config.rules.match(stored) == ()
    assert "putin" in bot.config_path.read_text(encoding="utf-8")
    backup = bot.config_path.with_name("newsbot.yaml.bak")
    assert backup.read_text(encoding="utf-8") == original


def test_rules_save_refuses_a_config_whose_tests_fail(bot: ServedBot, page: Any) -> None:
    """A config whose topic tests fail is refused on save: the file and the bot's rules stay."""
    page.goto(f"{bot.base}/rules")
    before = bot.config_path.read_text(encoding="utf-8")
    rules = bot.runtime.config.rules
    editor = page.locator("#config-text")
    editor.fill(editor.input_value().replace("all: [zelensky, trump]", "all: [zelensky, putin]"))
    page.locator("ul.errors").wait_for()
    assert "should match" in page.locator("ul.errors").inner_text()
    page.locator("#save").click()
    page.locator("#saved").wait_for()
    assert page.locator("#saved").inner_text().startswith("refused")
    assert bot.config_path.read_text(encoding="utf-8") == before
    assert bot.runtime.config.rules is rules


def _failed_delivery(bot: ServedBot) -> int:
    """One alert to chat 4242 whose delivery failed (the chat blocked the bot)."""
    store = bot.runtime.store
    url, title = "https://news.example/a", "A <b>title</b>"
    alert = Alert("zelensky-trump", "Zelensky and Trump", url, title, "local-news", None,
                  "matched Zelensky", "Zelensky met Trump")  # fmt: skip
    article = Article(url, title, None, None, "en", "text")
    ids = record_alerts(
        store, [(article, [PlannedAlert(alert, 5.0, (4242,))])], now=time.time(),
        source_id="local-news",
    )  # fmt: skip
    store.mark_failed(ids[0], error="Forbidden: bot was blocked by the user")
    return ids[0]


def test_sources_and_deliveries_pages_and_a_retry(bot: ServedBot, page: Any) -> None:
    """Sources shows the source's condition, last success and its items-per-day chart;
    Deliveries shows the outbox by state and a failed delivery with its reason; Retry (a POST
    with the page's CSRF token) puts it back in the outbox."""
    page.goto(f"{bot.base}/sources")
    row = page.locator("tbody tr").first
    assert "local-news" in row.inner_text() and row.locator(".cond-ok").count() == 1
    assert row.locator("svg.spark rect").count() == 7
    shot(page, "sources")

    delivery_id = _failed_delivery(bot)
    page.goto(f"{bot.base}/deliveries")
    assert page.locator("#count-failed").inner_text() == "1"
    failed = page.locator("#failed tbody tr").first
    assert "bot was blocked by the user" in failed.inner_text()
    assert "A <b>title</b>" in failed.inner_text()  # page text is text
    shot(page, "deliveries")
    failed.get_by_role("button", name="Retry").click()
    page.locator("#retried").wait_for()
    assert page.locator("#count-pending").inner_text() == "1"
    assert page.locator("#count-failed").inner_text() == "0"
    assert bot.runtime.store.delivery_counts().get("pending") == 1
    assert f"#{delivery_id}" in page.locator("#retried").inner_text()
