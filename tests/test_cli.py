"""`newsbot extract` and `newsbot match` on the seed article, as a maintainer runs them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.fakes.news_server import NewsServer

SEEDS = ["seed-consent-container.html", "seed-inline-notice.html"]
CONFIG = str(ROOT / "config" / "newsbot.yaml")


def newsbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", CONFIG, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_extract_json_on_the_seed(seed: str) -> None:
    """extract --json: every field present, no trace of the notice, author and language right."""
    result = newsbot("extract", str(FIXTURES / "pages" / seed), "--json")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert set(article) == {
        "url",
        "title",
        "author",
        "published",
        "language",
        "text",
        "blocked",
        "removed",
    }
    assert article["title"] == "Zelensky Seeks Trump Talks"
    assert article["author"] == "Sofía Carvajal"
    assert article["language"] == "en"
    assert article["blocked"] is False
    for trace in ("Nuestro sitio web", "cookies", "Política de Privacidad", "Sofía Carvajal"):
        assert trace not in article["text"]
    kinds = {item["kind"] for item in article["removed"]}
    assert {"consent", "byline"} <= kinds


@pytest.mark.parametrize("seed", SEEDS)
def test_match_json_fires_the_summit_topic(seed: str) -> None:
    """match --json: the Zelensky–Trump summit topic fires with its evidence."""
    result = newsbot("match", str(FIXTURES / "pages" / seed), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert "removed" not in payload["article"]
    assert payload["article"]["title"] == "Zelensky Seeks Trump Talks"
    topics = {m["topic"]: m for m in payload["matches"]}
    summit = topics["zelensky-trump-summit"]
    assert summit["name"] == "Zelensky–Trump summit"
    assert summit["score"] > 0
    surfaces = {hit["surface"] for hit in summit["why"]["hits"]}
    assert {"Zelensky", "Trump"} <= surfaces
    assert "**" in summit["snippet"]


def test_match_human_output_with_explain() -> None:
    """match --explain prints the match and a line for every topic, matched or not."""
    result = newsbot("match", str(FIXTURES / "pages" / SEEDS[1]), "--explain")
    assert result.returncode == 0, result.stderr
    assert "Zelensky–Trump summit" in result.stdout
    assert "ai-regulation" in result.stdout or "AI regulation" in result.stdout


def test_extract_fetches_a_url(news: NewsServer) -> None:
    """extract accepts a URL and reports it in the JSON."""
    url = news.page_file("/world/seed.html", FIXTURES / "pages" / SEEDS[0])
    result = newsbot("extract", url, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Zelensky Seeks Trump Talks"


def test_unreachable_page_is_a_clear_error() -> None:
    """A page that cannot be read exits 1 with a message naming it, not a traceback."""
    result = newsbot("extract", "/no/such/page.html")
    assert result.returncode == 1
    assert "/no/such/page.html" in result.stderr
    assert "Traceback" not in result.stderr


def test_network_guard_refuses_non_loopback() -> None:
    """The autouse guard fails a connection to an address outside 127.0.0.0/8."""
    with socket.socket() as sock, pytest.raises(AssertionError, match="outside loopback"):
        sock.connect(("192.0.2.1", 80))
