"""Every command as the README writes it, with the mistakes newcomers make: options in either
position, --version, run --once --source/--dry-run, non-HTML files, empty configs, located topic
test failures, and a bot that says what it is doing."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

import bot
from bot.store import Store
from bot.wording import a_or_an, count
from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import NewsServer
from tests.fakes.telegram_api import FakeTelegram

CONFIG = ROOT / "config" / "newsbot.yaml"
SEED = FIXTURES / "pages" / "seed-inline-notice.html"
OTHER = ROOT / "bot" / "runtime" / "demo" / "pages" / "harbour-festival.html"
COMMANDS = ["run", "demo", "check", "extract", "match", "sources"]


def newsbot(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, without a token unless ``env`` gives one."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "NEWSBOT"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
        cwd=cwd,
    )


def write_config(tmp_path: Path, **sections: Any) -> Path:
    """The shipped config with some sections replaced, the database in ``tmp_path``."""
    doc = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/newsbot.db"}
    doc["fetch"] = {**doc.get("fetch", {}), "host_delay": "0s", "timeout": "5s"}
    doc.update(sections)
    path = tmp_path / "newsbot.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def feed_config(tmp_path: Path, news: NewsServer, **extra: Any) -> Path:
    """One local feed with the seed article and an unrelated page, both dated now."""
    news.page_file("/world/zelensky-trump.html", SEED)
    news.page_file("/local/harbour.html", OTHER)
    news.rss("/feed.xml", ["/world/zelensky-trump.html", "/local/harbour.html"])
    source = {"id": "local-feed", "url": news.url("/feed.xml"), "kind": "feed", **extra}
    return write_config(tmp_path, sources=[source])


def test_config_and_verbose_are_accepted_before_and_after_the_command(tmp_path: Path) -> None:
    """`check --config X -v` works like `--config X -v check` (the README's promise)."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("sources: []\n", encoding="utf-8")
    before = newsbot("--config", str(empty), "-v", "check")
    after = newsbot("check", "--config", str(empty), "-v")
    assert before.returncode == after.returncode == 0, after.stderr
    assert before.stdout == after.stdout
    assert after.stdout.startswith(f"{empty}: ok")
    missing = newsbot("check", "--config", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_lists_the_common_options_and_says_what_it_does(command: str) -> None:
    """Each subcommand's --help has a one-line description, --config PATH and -v."""
    result = newsbot(command, "--help")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    description = lines[lines.index("") + 1]
    assert len(description) > 20 and not description.startswith(("usage", "options"))
    assert "--config PATH" in result.stdout and "-v, --verbose" in result.stdout


def test_version_is_the_package_version() -> None:
    """`newsbot --version` prints the version pyproject.toml declares."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    result = newsbot("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"newsbot {declared['version']}" == f"newsbot {bot.__version__}"


def test_empty_config_says_there_is_nothing_to_watch(tmp_path: Path) -> None:
    """An empty config file passes check, and says so: 0 sources, nothing to watch."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    result = newsbot("check", "--config", str(empty))
    assert result.returncode == 0, result.stderr
    assert "0 sources: nothing to watch" in result.stdout


def test_check_writes_counts_in_good_english(tmp_path: Path, news: NewsServer) -> None:
    """One source, one channel: "1 source", "1 channel", never "1 sources"."""
    path = feed_config(tmp_path, news)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["telegram"]["channels"] = [{"chat_id": -100, "topics": ["zelensky-trump-summit"]}]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = newsbot("check", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert ": ok — 1 source, 3 topics, " in result.stdout
    assert result.stdout.rstrip().endswith(" aliases, 1 channel")


TOPICS_WITH_A_BAD_EXAMPLE = """\
topics:
  - id: storms
    name: Storms
    match: {any: [storm, hurricane]}
  - id: summit
    name: Summit
    match: {all: [zelensky, trump]}
    tests:
      match:
        - "Zelensky meets Trump"
        - "Nothing to see here at all"
      no_match: ["Zelensky alone"]
"""


def test_failing_topic_example_is_located_by_line_and_key_path(tmp_path: Path) -> None:
    """A failing `tests:` example is reported as file:line: topics[i].tests.match[j]: … by
    check, and refuses run the same way."""
    path = tmp_path / "newsbot.yaml"
    path.write_text(TOPICS_WITH_A_BAD_EXAMPLE, encoding="utf-8")
    result = newsbot("check", "--config", str(path))
    assert result.returncode == 2
    expected = f"{path}:11: topics[1].tests.match[1]: topic summit: should match: 'Nothing to see"
    assert result.stderr.startswith(expected), result.stderr
    assert len(result.stderr.splitlines()) == 1
    run = newsbot("run", "--once", "--config", str(path))
    assert run.returncode == 2 and run.stderr.startswith(f"newsbot: {expected}")


@pytest.mark.parametrize("command", ["extract", "match"])
def test_gzip_page_is_read_transparently(tmp_path: Path, command: str) -> None:
    """extract/match on a .html.gz give the same answer as on the plain page."""
    packed = tmp_path / "seed.html.gz"
    packed.write_bytes(gzip.compress(SEED.read_bytes()))
    plain = newsbot(command, str(SEED), "--json", "--config", str(CONFIG))
    zipped = newsbot(command, str(packed), "--json", "--config", str(CONFIG))
    assert zipped.returncode == 0, zipped.stderr
    assert zipped.stdout == plain.stdout
    assert "Zelensky Seeks Trump Talks" in zipped.stdout


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "a PNG image"),
        (b"%PDF-1.7\n" + bytes(range(256)), "a PDF document"),
        (bytes(range(256)) * 8, "binary data"),
        (gzip.compress(bytes(range(256)) * 8), "binary data"),
    ],
)
@pytest.mark.parametrize("command", ["extract", "match"])
def test_binary_file_is_one_clear_error(
    tmp_path: Path, command: str, content: bytes, what: str
) -> None:
    """A file that is not HTML: one line on stderr saying so, exit 1, no library ERROR lines."""
    path = tmp_path / "file.bin"
    path.write_bytes(content)
    result = newsbot(command, str(path), "--config", str(CONFIG))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"newsbot: {path}: not an HTML page ({what}); "
                                          "give an HTML file or a URL"]  # fmt: skip


def test_run_once_source_runs_only_that_source(tmp_path: Path, news: NewsServer) -> None:
    """`run --once --source ID` checks that one source; an unknown id is exit 2, naming the ids."""
    news.rss("/other.xml", [])
    path = feed_config(tmp_path, news)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["sources"].append({"id": "other", "url": news.url("/other.xml"), "kind": "feed"})
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = newsbot("run", "--once", "--source", "other", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("checked 1 source: ")
    assert (news.hits("/other.xml"), news.hits("/feed.xml")) == (1, 0)
    unknown = newsbot("run", "--once", "--source", "nope", "--config", str(path))
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        f"newsbot: unknown source 'nope' in {path}; configured: local-feed, other"
    )
    assert newsbot("run", "--source", "other", "--config", str(path)).returncode == 2


def db_state(path: Path) -> tuple[str, list[Path]]:
    """The database file's hash and the files beside it."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(path.parent.glob("newsbot.db*"))


def test_dry_run_prints_what_would_alert_and_changes_nothing(
    tmp_path: Path, news: NewsServer
) -> None:
    """`run --once --dry-run` fetches, cleans and matches, prints the alert and its recipients,
    sends nothing (the fake Bot API hears nothing) and leaves the database byte for byte; a real
    run afterwards still alerts, so nothing was recorded."""
    path = feed_config(tmp_path, news, backfill="24h")
    db = tmp_path / "newsbot.db"
    store = Store(f"sqlite:///{db}")
    store.upsert_subscriber(111, user_id=111, chat_type="private", now=1.0)
    store.subscribe(111, "zelensky-trump-summit", now=1.0)
    store.close()
    before = db_state(db)
    with FakeTelegram() as fake:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["telegram"]["api_base_url"] = fake.url
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        env = {"TELEGRAM_BOT_TOKEN": fake.token}
        dry = newsbot("run", "--once", "--dry-run", "--config", str(path), env=env)
        assert dry.returncode == 0, dry.stderr
        assert fake.requests == []
    assert db_state(db) == before
    assert news.hits("/world/zelensky-trump.html") == 1
    assert "[Zelensky–Trump summit] Zelensky Seeks Trump Talks" in dry.stdout
    assert "would go to: 111" in dry.stdout
    assert "Harbour" not in dry.stdout
    assert "dry run: checked 1 source: 2 pages, 1 alert would be sent, 0 errors; nothing was sent" \
        in dry.stdout  # fmt: skip
    assert "dry run: alerts are printed, nothing is sent or recorded" in dry.stderr
    real = newsbot("run", "--once", "--config", str(path))
    assert real.returncode == 0, real.stderr
    assert "1 new alert," in real.stdout


def test_dry_run_without_a_database_creates_none(tmp_path: Path, news: NewsServer) -> None:
    """A dry run before the first real run leaves no database (nor its folder) behind."""
    path = feed_config(tmp_path, news, backfill="24h")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/db/newsbot.db"}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = newsbot("run", "--once", "--dry-run", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert "would go to: the console" in result.stdout
    assert not (tmp_path / "db").exists()


@pytest.mark.parametrize(("token", "where"), [
    (None, "no TELEGRAM_BOT_TOKEN (unset or empty): alerts are printed on the console"),
    ("", "no TELEGRAM_BOT_TOKEN (unset or empty): alerts are printed on the console"),
    ("   ", "no TELEGRAM_BOT_TOKEN (unset or empty): alerts are printed on the console"),
])  # fmt: skip
def test_run_once_says_where_alerts_go_what_it_loaded_and_where_the_database_is(
    tmp_path: Path, news: NewsServer, token: str | None, where: str
) -> None:
    """At start: console or Telegram (an empty token, as docker compose passes without .env,
    is no token), the counts loaded and the database; then the first run is explained."""
    path = feed_config(tmp_path, news)
    env = {} if token is None else {"TELEGRAM_BOT_TOKEN": token}
    result = newsbot("run", "--once", "--config", str(path), env=env)
    assert result.returncode == 0, result.stderr
    assert where in result.stderr
    assert (
        f"loaded 1 source and 3 topics from {path}; database: sqlite:///{tmp_path}/newsbot.db"
        in result.stderr
    )
    assert "0 new alerts" in result.stdout
    assert (
        "local-feed: first run: 2 existing items recorded without alerting; new items alert "
        "from the next run (set `backfill:` on the source to alert recent ones now)"
    ) in result.stdout
    again = newsbot("run", "--once", "--config", str(path), env=env)
    assert "first run" not in again.stdout + again.stderr


def test_run_once_with_a_token_says_alerts_go_to_telegram(tmp_path: Path, news: NewsServer) -> None:
    """With a token, the start message says alerts go to Telegram (the token never shown)."""
    path = feed_config(tmp_path, news)
    with FakeTelegram() as fake:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["telegram"]["api_base_url"] = fake.url
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        result = newsbot("run", "--once", "--config", str(path),
                         env={"TELEGRAM_BOT_TOKEN": fake.token})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "alerts go to Telegram" in result.stderr
    assert fake.token not in result.stderr + result.stdout


def test_shipped_config_comments_name_the_four_source_kinds() -> None:
    """config/newsbot.yaml's comments describe page, feed, listing and sitemap sources."""
    comments = " ".join(
        line for line in CONFIG.read_text(encoding="utf-8").splitlines() if line.lstrip()[:1] == "#"
    )
    for kind in ("page", "feed", "listing", "sitemap"):
        assert re.search(rf"\b{kind}\b", comments), kind
    assert "Four kinds" in comments


def test_counts_and_articles_are_written_in_good_english() -> None:
    """1 alert, 2 alerts, 0 aliases, 1 consent wall; an edit, a copy."""
    assert [count(n, "alert") for n in (0, 1, 2)] == ["0 alerts", "1 alert", "2 alerts"]
    assert count(1, "alias", "aliases") == "1 alias" and count(3, "alias", "aliases") == "3 aliases"
    assert count(1, "consent wall") == "1 consent wall"
    assert [a_or_an(w) for w in ("edit", "copy", "update")] == ["an edit", "a copy", "an update"]
