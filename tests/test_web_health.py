"""/healthz, /metrics, the `web:` config key, `newsbot web`, and the web app's access rules,
against the real web app served by uvicorn on 127.0.0.1 beside the real bot."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import parse_config
from bot.errors import ConfigError
from bot.runtime.sources_cli import source_rows
from bot.web.context import WebContext
from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import NewsServer
from tests.web_support import ServedBot, write_config

SEED = FIXTURES / "pages" / "seed-inline-notice.html"
TOKEN = "correct-horse-battery-staple-42"


@pytest.fixture
def served(tmp_path: Path, news: NewsServer) -> Iterator[ServedBot]:
    """The bot with its web app, one source (a page with a cookie notice) checked once."""
    url = news.page_file("/world/zelensky.html", SEED)
    with ServedBot(write_config(tmp_path, url)) as bot:
        bot.check_sources()
        yield bot


def test_healthz_ok_then_503_when_the_database_goes_away(served: ServedBot) -> None:
    """/healthz answers 200 while the database answers, 503 naming it once its file is gone."""
    assert httpx.get(f"{served.base}/healthz").status_code == 200
    db = Path(served.runtime.store.db.path or "")
    db.rename(db.with_suffix(".moved"))
    answer = httpx.get(f"{served.base}/healthz")
    assert answer.status_code == 503
    assert "database:" in answer.text and "is gone" in answer.text


def test_healthz_503_when_the_delivery_loop_stalls(served: ServedBot) -> None:
    """A delivery loop silent for longer than ten of its periods (a minute at least) is a 503."""
    served.runtime.last_delivery_at = time.time() - 3600
    answer = httpx.get(f"{served.base}/healthz")
    assert answer.status_code == 503
    assert "delivery loop: last ran" in answer.text


def _families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return out


def _value(
    families: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str
) -> float:
    return sum(v for got, v in families.get(name, []) if labels.items() <= got.items())


def test_metrics_parse_and_count_what_the_bot_did(served: ServedBot) -> None:
    """/metrics is the standard exposition (prometheus-client's parser reads it) and counts the
    run: a fetch, a page cleaned, its consent notice removed, the match, the source's condition."""
    answer = httpx.get(f"{served.base}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    families = _families(answer.text)
    assert _value(families, "newsbot_fetches_total", outcome="ok", status="2xx") >= 1
    assert _value(families, "newsbot_fetch_duration_seconds_count") >= 1
    assert _value(families, "newsbot_fetch_response_bytes_sum") >= SEED.stat().st_size
    assert _value(families, "newsbot_pages_cleaned_total") >= 1
    assert _value(families, "newsbot_removed_pieces_total", kind="consent") >= 1
    assert _value(families, "newsbot_matches_total", topic="zelensky-trump") >= 1
    assert _value(families, "newsbot_clean_match_duration_seconds_count") >= 1
    assert _value(families, "newsbot_sources", condition="ok") == 1
    assert _value(families, "newsbot_outbox_deliveries", state="failed") == 0
    for name in families:  # units and _total suffixes, as Prometheus names go
        assert re.fullmatch(r"newsbot_[a-z_]+|python_[a-z_]+|process_[a-z_]+", name), name


def test_config_reloads_are_counted_by_outcome(served: ServedBot) -> None:
    """A reload of a broken file is counted as refused, a good one as ok."""
    before = _families(httpx.get(f"{served.base}/metrics").text)
    path = served.config_path
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "\nbogus: 1\n", encoding="utf-8")
    served.run(served.runtime.reload())
    path.write_text(good, encoding="utf-8")
    served.run(served.runtime.reload())
    after = _families(httpx.get(f"{served.base}/metrics").text)
    for outcome in ("refused", "ok"):
        name = "newsbot_config_reloads_total"
        assert _value(after, name, outcome=outcome) == _value(before, name, outcome=outcome) + 1


def test_off_loopback_listen_needs_a_token() -> None:
    """web.listen off loopback without a token is a located config error; with one it loads."""
    text = "web:\n  listen: 0.0.0.0:8080\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, file="n.yaml", env={})
    assert "n.yaml:2: web.listen:" in str(caught.value)
    assert "web.token" in str(caught.value)
    loaded = parse_config(text, file="n.yaml", env={"NEWSBOT_WEB_TOKEN": TOKEN})
    assert loaded.web.token == TOKEN and loaded.web.listen == "0.0.0.0:8080"
    assert parse_config("web: {listen: '127.0.0.1:8080'}", file="n.yaml", env={}).web.token is None
    with pytest.raises(ConfigError, match="NEWSBOT_WEB_LISTEN: 'nowhere' is not host:port"):
        parse_config("sources: []", file="n.yaml", env={"NEWSBOT_WEB_LISTEN": "nowhere"})
    moved = parse_config("sources: []", file="n.yaml", env={"NEWSBOT_WEB_LISTEN": "[::1]:9100"})
    assert moved.web.listen == "[::1]:9100"  # loopback: no token needed


def test_newsbot_web_refuses_a_public_address_without_token(tmp_path: Path) -> None:
    """`newsbot web --listen 0.0.0.0:…` without a token exits 2 in one line, serving nothing."""
    config = write_config(tmp_path, "http://127.0.0.1:9/")
    env = {k: v for k, v in os.environ.items() if k != "NEWSBOT_WEB_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "web", "--config", str(config), "--listen", "0.0.0.0:18999"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "not a loopback address" in done.stderr and "Traceback" not in done.stderr


def _wait_for(url: str, proc: subprocess.Popen[str], timeout: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}"
            )
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)  # polling a server that is starting, with a deadline
    raise AssertionError(f"{url} did not answer within {timeout}s")


def test_newsbot_run_serves_the_web_app_when_web_listen_is_set(
    tmp_path: Path, news: NewsServer
) -> None:
    """`newsbot run` with web.listen serves /healthz (200) and the pages, and stops on SIGTERM."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = news.page_file("/a.html", SEED)
    config = write_config(tmp_path, url, web=f"web:\n  listen: 127.0.0.1:{port}\n")
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/healthz", proc)
        assert health.status_code == 200, health.text
        assert httpx.get(f"http://127.0.0.1:{port}/sources").status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"web app on http://127.0.0.1:{port}" in err


@pytest.fixture
def guarded(tmp_path: Path, news: NewsServer) -> Iterator[ServedBot]:
    """The bot with its web app protected by an access token."""
    url = news.page_file("/a.html", SEED)
    config = write_config(tmp_path, url, web=f"web:\n  token: {TOKEN}\n")
    with ServedBot(config) as bot:
        yield bot


def test_token_guards_every_page_and_never_appears_in_one(guarded: ServedBot) -> None:
    """With a token: pages send you to /login, /metrics wants it (Bearer); signing in sets a
    session cookie that is not the token; no page or header ever shows the token."""
    base = guarded.base
    with httpx.Client(base_url=base) as anonymous:
        assert anonymous.get("/sources").headers["location"] == "/login"
        assert anonymous.get("/metrics").status_code == 401
        assert anonymous.get("/healthz").status_code == 200
        assert (
            anonymous.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code
            == 200
        )
    with httpx.Client(base_url=base) as browser:
        login = browser.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
        assert csrf is not None
        wrong = browser.post("/login", data={"token": "nope", "csrf": csrf.group(1)})
        assert wrong.status_code == 401
        signed = browser.post("/login", data={"token": TOKEN, "csrf": csrf.group(1)})
        assert signed.status_code == 303
        cookie = browser.cookies.get("newsbot_session")
        assert cookie and TOKEN not in cookie
        for page in ("/sources", "/inspect", "/rules", "/deliveries"):
            answer = browser.get(page)
            assert answer.status_code == 200, page
            assert TOKEN not in answer.text and TOKEN not in str(answer.headers), page


def test_state_changes_need_post_with_csrf_and_same_origin(served: ServedBot) -> None:
    """A POST without the page's CSRF token, or from another origin, is refused (403); a GET
    cannot change anything (405)."""
    with httpx.Client(base_url=served.base) as client:
        page = client.get("/deliveries").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page) or re.search(
            r'name="csrf" value="([^"]+)"', client.get("/rules").text
        )
        assert csrf is not None
        assert client.post("/deliveries/1/retry", data={}).status_code == 403
        assert client.post("/deliveries/1/retry", data={"csrf": "forged"}).status_code == 403
        evil = {"Origin": "http://evil.example"}
        assert (
            client.post("/rules/save", data={"csrf": csrf.group(1)}, headers=evil).status_code
            == 403
        )
        assert client.get("/deliveries/1/retry").status_code == 405
        assert client.post("/deliveries/1/retry", data={"csrf": csrf.group(1)}).status_code == 303


def test_a_foreign_host_header_is_refused(served: ServedBot) -> None:
    """A request naming another host (DNS rebinding) is refused."""
    answer = httpx.get(f"{served.base}/sources", headers={"Host": "evil.example"})
    assert answer.status_code == 400


def test_a_taken_port_is_a_config_error_not_an_exit(tmp_path: Path) -> None:
    """web.listen on a port already in use is a one-line ConfigError naming it (uvicorn on its
    own would exit the whole process)."""
    import socket

    from bot.config import load_config
    from bot.web.serve import WebServer

    config = load_config(write_config(tmp_path, "http://127.0.0.1:9/"), env={})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ctx = WebContext(config=lambda: config, config_path=None, store=None,  # type: ignore[arg-type]
                         fetcher=None, source_rows=source_rows)  # type: ignore[arg-type]  # fmt: skip
        with pytest.raises(ConfigError) as caught:
            WebServer(ctx, f"127.0.0.1:{port}")
    assert f"web.listen: cannot listen on 127.0.0.1:{port}: Address already in use" in str(
        caught.value
    )


def test_metrics_of_several_processes_are_aggregated(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, /metrics of `newsbot web` sums what every process
    counted (two other processes each count a config reload here)."""
    import socket

    folder = tmp_path / "prom"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    count = "from bot import metrics; metrics.RELOADS.labels('ok').inc()"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, cwd=ROOT, timeout=60)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write_config(tmp_path, "http://127.0.0.1:9/")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "web",
            "--config",
            str(config),
            "--listen",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", proc)
        families = _families(httpx.get(f"http://127.0.0.1:{port}/metrics").text)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert _value(families, "newsbot_config_reloads_total", outcome="ok") == 2
    assert _value(families, "newsbot_sources", condition="new") == 1
