"""Fetching against servers that misbehave on purpose (tests/fakes/hostile_http.py): one deadline
per request, every vendor exception translated into ours, Retry-After read as RFC 9110 says,
and an unreachable robots.txt reported as what really happened."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Config, FetchSettings, parse_config
from bot.delivery.plan import SourceRun
from bot.errors import FetchError, FetchRejected
from bot.fetch.client import Fetcher
from bot.fetch.politeness import parse_retry_after
from bot.runtime.runner import run_once
from bot.runtime.service import Deps, check_source
from bot.runtime.sources_cli import format_table, source_rows
from bot.sources.health import SourceHealth
from bot.store import Store
from bot.telegram.admin import explain_url
from tests.conftest import FIXTURES
from tests.fakes import hostile_http as hostile
from tests.fakes.hostile_http import HostileServer
from tests.fakes.news_server import NewsServer

TIMEOUT = 1.0
MARGIN = 1.5  # event-loop and thread scheduling on a busy 2-core machine
SETTINGS = FetchSettings(
    user_agent="newsbot-test/1",
    timeout_s=TIMEOUT,
    max_bytes=50_000,
    max_redirects=3,
    max_feed_items=10,
    host_delay_s=0.0,
    backoff_max_s=3600.0,
)
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
ROBOTS_OK = hostile.answer(b"User-agent: *\nAllow: /\n", content_type="text/plain")


@pytest.fixture
def bad() -> Iterator[HostileServer]:
    with HostileServer(max_s=15.0) as server:
        server.route("/robots.txt", ROBOTS_OK)
        yield server


async def timed_fetch(url: str, **kwargs: Any) -> tuple[BaseException | None, float]:
    """Fetch ``url``; the exception it raised (None on success) and the seconds it took."""
    fetcher = Fetcher(SETTINGS)
    started = time.monotonic()
    try:
        await fetcher.get(url, **kwargs)
        error: BaseException | None = None
    except Exception as exc:
        error = exc
    finally:
        await fetcher.aclose()
    return error, time.monotonic() - started


def config_for(tmp_path: Path, sources: list[dict[str, Any]]) -> Config:
    doc = yaml.safe_load((FIXTURES / "sources" / "newsbot.yaml").read_text(encoding="utf-8"))
    doc["sources"] = sources
    doc["fetch"]["timeout"] = f"{TIMEOUT}s"
    doc["storage"] = {"url": f"sqlite:///{tmp_path}/n.db"}
    return parse_config(yaml.safe_dump(doc), file="faults.yaml", env={})


# -- row 5: one deadline per request -------------------------------------------------------


@pytest.mark.parametrize(
    "behaviour",
    [
        hostile.trickle_body(every_s=0.1),
        hostile.slow_headers(every_s=0.1),
        hostile.endless_chunked(),
    ],
    ids=["trickled-body", "slow-headers", "endless-chunked"],
)
async def test_slow_server_is_cut_at_the_deadline(bad: HostileServer, behaviour: Any) -> None:
    """A server that keeps sending, but too slowly, is cut at `timeout` (each read alone would
    never time out), and the error says so."""
    url = bad.route("/slow", behaviour)
    error, took = await timed_fetch(url)
    assert isinstance(error, FetchError) and "timed out" in error.reason, error
    assert TIMEOUT * 0.9 <= took < TIMEOUT + MARGIN


async def test_trickled_robots_txt_counts_against_the_same_deadline(bad: HostileServer) -> None:
    """robots.txt is part of the request: a trickled one ends the fetch at the deadline, reported
    as an unreachable robots.txt, and the page is never requested."""
    bad.route("/robots.txt", hostile.trickle_body(every_s=0.1))
    url = bad.route("/page", hostile.answer(b"<p>fine</p>"))
    error, took = await timed_fetch(url)
    assert isinstance(error, FetchError) and not isinstance(error, FetchRejected)
    assert "robots.txt unreachable: timed out" in error.reason
    assert took < TIMEOUT + MARGIN
    assert bad.hits("/page") == 0


async def test_redirect_hops_share_one_deadline(bad: HostileServer) -> None:
    """Redirect hops do not each get a fresh timeout: a chain ending in a slow body is cut at
    one deadline for the whole request."""
    bad.route("/slow", hostile.trickle_body(every_s=0.1))
    bad.route("/hop2", hostile.redirect(bad.url("/slow")))
    url = bad.route("/hop1", hostile.redirect(bad.url("/hop2")))
    error, took = await timed_fetch(url)
    assert isinstance(error, FetchError) and "timed out" in error.reason
    assert took < TIMEOUT + MARGIN
    assert bad.hits("/slow") == 1


async def test_run_once_exits_and_records_the_timeout(bad: HostileServer, tmp_path: Path) -> None:
    """`run --once` over a trickling source ends within the deadline and the source's health
    names the timeout."""
    url = bad.route("/slow", hostile.trickle_body(every_s=0.1))
    config = config_for(tmp_path, [{"id": "slow", "url": url, "kind": "page"}])
    started = time.monotonic()
    reports, _ = await run_once(config, out=io.StringIO())
    assert time.monotonic() - started < TIMEOUT + MARGIN + 1.0  # plus opening the database
    assert "timed out" in reports[0].errors[0]
    store = Store(config.database_url)
    try:
        health = store.source_health("slow")
    finally:
        store.close()
    assert health.consecutive_failures == 1 and "timed out" in (health.last_error or "")


async def test_admin_test_command_returns_at_the_deadline(bad: HostileServer) -> None:
    """/test <url> on a trickling page answers within the deadline with the reason."""
    url = bad.route("/slow", hostile.slow_headers(every_s=0.1))
    fetcher = Fetcher(SETTINGS)
    started = time.monotonic()
    try:
        text = await explain_url(url, fetcher, config_for(Path("/tmp"), []).rules)
    finally:
        await fetcher.aclose()
    assert time.monotonic() - started < TIMEOUT + MARGIN
    assert text.startswith("Could not fetch the page: timed out")


# -- row 6: every vendor exception is ours -------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        (hostile.redirect("data:text/html,<p>hi</p>"), "redirected to an invalid or unsupported"),
        (hostile.redirect("javascript:alert(1)"), "redirected to an invalid or unsupported"),
        (hostile.redirect("ftp://127.0.0.1/file"), "unsupported URL scheme 'ftp'"),
        (hostile.redirect("http://[::1"), "HTTP protocol error"),
        (hostile.short_body(), "HTTP protocol error"),
        (hostile.raw(b"SSH-2.0-OpenSSH_9.6\r\n"), "HTTP protocol error"),
        (hostile.raw(b"HTTP/1.1 999999999999 Huh\r\n\r\n"), "HTTP protocol error"),
        (
            hostile.answer(b"\x1f\x8b\x08\x00garbage", headers={"Content-Encoding": "gzip"}),
            "broken compressed body: it ends before any content",
        ),
        (
            hostile.answer(GZIP_HEADER + b"\xff\xffgarbage", headers={"Content-Encoding": "gzip"}),
            "broken compressed body: Error -3",
        ),
        (
            hostile.answer(b"\x0b\x02\x80garbage", headers={"Content-Encoding": "br"}),
            "unsupported content encoding",
        ),
        (
            hostile.answer(b"", status="429 Too Many", headers={"Retry-After": "²"}),
            "HTTP 429",
        ),
    ],
    ids=[
        "redirect-data",
        "redirect-javascript",
        "redirect-ftp",
        "bad-location",
        "short-body",
        "not-http",
        "bad-status",
        "truncated-gzip",
        "bad-gzip",
        "brotli",
        "retry-after-superscript",
    ],
)
async def test_vendor_faults_become_fetch_errors(
    bad: HostileServer, tmp_path: Path, behaviour: Any, expected: str
) -> None:
    """Each fault is a FetchError with a reason a maintainer can read, and a source run on it
    ends with a health record, never as an unexpected error."""
    url = bad.route("/x", behaviour)
    error, _ = await timed_fetch(url)
    assert isinstance(error, FetchError), repr(error)
    assert expected in error.reason
    config = config_for(tmp_path, [{"id": "bad", "url": url, "kind": "page"}])
    store = Store(config.database_url)
    fetcher = Fetcher(config.fetch)
    try:
        report = await check_source(config.sources[0], config, Deps(store=store, fetcher=fetcher))
        health = store.source_health("bad")
    finally:
        await fetcher.aclose()
        store.close()
    assert expected in report.errors[0]
    assert health.consecutive_failures == 1 and expected in (health.last_error or "")


async def test_redirect_loop_across_hosts_is_capped(bad: HostileServer) -> None:
    """Two hosts redirecting to each other forever end as "too many redirects"."""
    with HostileServer() as other:
        other.route("/robots.txt", ROBOTS_OK)
        other.route("/b", hostile.redirect(bad.url("/a")))
        url = bad.route("/a", hostile.redirect(other.url("/b")))
        error, _ = await timed_fetch(url)
    assert isinstance(error, FetchError) and "too many redirects (more than 3)" in error.reason


# -- row 7: Retry-After ---------------------------------------------------------------------

NOW = 1_760_000_000.0  # 2025-10-09 08:53:20 UTC


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("999999", 3600.0),  # capped at backoff_max
        ("9" * 5000, 3600.0),  # more digits than Python's int() accepts
        ("Thu, 09 Oct 2025 08:55:20 GMT", 120.0),  # IMF-fixdate
        ("Thursday, 09-Oct-25 08:55:20 GMT", 120.0),  # obsolete RFC 850 form
        ("Thu Oct  9 08:55:20 2025", 120.0),  # asctime, no zone: GMT by definition
        ("Wed, 01 Jan 2025 00:00:00 GMT", 0.0),  # in the past
        ("Fri, 31 Dec 9999 23:59:59 GMT", 3600.0),
        ("1e20", None),
        ("-5", None),
        ("²", None),
        ("١٢٠", None),  # Arabic-Indic digits are not DIGIT
        ("12.5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_follows_rfc_9110(header: str | None, seconds: float | None) -> None:
    """Delta-seconds (ASCII digits) or an HTTP-date, capped at backoff_max; the rest ignored."""
    assert parse_retry_after(header, now=NOW, cap_s=3600.0) == seconds


async def test_huge_retry_after_is_capped_and_sources_still_lists(
    bad: HostileServer, tmp_path: Path
) -> None:
    """A 503 asking for 999999 s rests the source at most backoff_max; `newsbot sources`
    prints even a health row with an absurd next check left by an older version."""
    url = bad.route("/x", hostile.answer(b"", status="503 Busy", headers={"Retry-After": "999999"}))
    error, _ = await timed_fetch(url)
    assert isinstance(error, FetchError) and error.retry_after == SETTINGS.backoff_max_s
    config = config_for(tmp_path, [{"id": "busy", "url": url, "kind": "page"}])
    store = Store(config.database_url)
    try:
        absurd = replace(SourceHealth("busy"), next_check_at=1e20, last_run_at=NOW)
        store.record_run(SourceRun("busy", NOW, absurd))
        table = format_table(source_rows(config, store, NOW))
    finally:
        store.close()
    assert "busy" in table


# -- robots.txt and connection failures ----------------------------------------------------


async def test_refused_connection_is_not_called_a_robots_disallow() -> None:
    """Nothing listening: the page and its robots.txt are reported as a refused connection, a
    passing error (retried), never as "disallowed by robots.txt"."""
    with NewsServer() as gone:
        url = gone.url("/story")
    error, _ = await timed_fetch(url)
    assert isinstance(error, FetchError) and not isinstance(error, FetchRejected)
    assert error.reason == "robots.txt unreachable: connection refused; retrying in 10 min"
    error, _ = await timed_fetch(url, ignore_robots=True)
    assert isinstance(error, FetchError) and error.reason == "connection refused"
