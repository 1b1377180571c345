"""The workbench's store: recent articles' cleaned text kept for the configured window and
pruned after it, per-day item counts, and the retry of a failed delivery."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config, parse_config
from bot.delivery.plan import SourceRun
from bot.model import Article, Removed
from bot.runtime.web_run import FileConfig
from bot.store import Store
from bot.store.workbench import (
    DAY_S,
    items_by_day,
    keep_article_text,
    kept_article,
    kept_articles,
)


def _article(title: str) -> Article:
    return Article(
        f"https://news.example/{title}",
        title,
        "Ana",
        None,
        "en",
        f"Text of {title}.",
        removed=(Removed("consent", "We use cookies"),),
    )


def test_kept_text_round_trips_and_is_pruned_after_the_window(store: Store) -> None:
    """A kept article comes back as it was cleaned (removed pieces, matched topics); texts older
    than the window are deleted when the next one is kept."""
    week = parse_config("sources: []", file="n.yaml", env={}).web.keep_text_s
    assert week == 7 * DAY_S  # the default window
    keep_article_text(
        store.db,
        source_id="wire",
        article=_article("old"),
        matched=["b", "a"],
        now=0.0,
        keep_s=week,
    )
    old = kept_articles(store.db, since=0.0)
    assert [k.article for k in old] == [_article("old")]
    assert old[0].matched == ("a", "b") and old[0].source_id == "wire"
    keep_article_text(
        store.db, source_id="wire", article=_article("day6"), matched=[], now=6 * DAY_S, keep_s=week
    )
    assert kept_article(store.db, old[0].id) is not None  # 6 days old: still inside the window
    keep_article_text(
        store.db, source_id="wire", article=_article("new"), matched=[], now=8 * DAY_S, keep_s=week
    )
    assert kept_article(store.db, old[0].id) is None
    assert [k.article.title for k in kept_articles(store.db, since=0.0)] == ["new", "day6"]


def test_keep_text_window_is_configurable() -> None:
    """`web.keep_text` takes a duration."""
    config = parse_config("web: {keep_text: 36h}", file="n.yaml", env={})
    assert config.web.keep_text_s == 36 * 3600


def test_items_by_day_counts_new_items_per_day(store: Store) -> None:
    """New items of a source land in the day they were first seen, oldest day first."""
    now = 10 * DAY_S
    for source_id, keys, at in (
        ("wire", ["a", "b"], now - 0.5 * DAY_S),
        ("wire", ["c"], now - 6.5 * DAY_S),
        ("other", ["d"], now - 0.5 * DAY_S),
    ):
        health = store.source_health(source_id)
        store.record_run(SourceRun(source_id, at, health, seen_keys=tuple(keys)))
    assert items_by_day(store.db, "wire", now=now) == [1, 0, 0, 0, 0, 0, 2]


def test_newsbot_web_alone_follows_the_config_file(tmp_path: Path) -> None:
    """`newsbot web` on its own shows the config as the file now is; a broken edit keeps the
    last good one."""
    path = tmp_path / "newsbot.yaml"
    path.write_text("sources: []\n", encoding="utf-8")
    current = FileConfig(load_config(path, env={}), path)
    assert current().sources == ()
    path.write_text("sources:\n  - {id: a, url: 'https://a.example/'}\n", encoding="utf-8")
    assert [s.id for s in current().sources] == ["a"]
    path.write_text("sources: [\n", encoding="utf-8")
    assert [s.id for s in current().sources] == ["a"]
