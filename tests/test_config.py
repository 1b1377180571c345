"""Config loading: the shipped config is valid, and every kind of mistake is located."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import load_config, parse_config
from bot.errors import ConfigError
from tests.conftest import ROOT

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "config_errors.yaml").read_text(encoding="utf-8")
)


def test_shipped_config_loads() -> None:
    """config/newsbot.yaml is valid and has the Zelensky–Trump topic and two more."""
    config = load_config(ROOT / "config" / "newsbot.yaml", env={})
    ids = [topic.id for topic in config.rules.topics]
    assert "zelensky-trump-summit" in ids
    assert len(ids) >= 3
    assert config.database_url == "sqlite:///data/newsbot.db"
    assert config.telegram.token is None


def test_environment_overrides() -> None:
    """TELEGRAM_BOT_TOKEN and NEWSBOT_DATABASE_URL come from the environment."""
    config = load_config(
        ROOT / "config" / "newsbot.yaml",
        env={"TELEGRAM_BOT_TOKEN": "123:secret", "NEWSBOT_DATABASE_URL": "sqlite:///x.db"},
    )
    assert config.telegram.token == "123:secret"
    assert config.database_url == "sqlite:///x.db"
    assert "secret" not in repr(config.telegram)


def test_durations_are_parsed() -> None:
    """Intervals and jitter accept s/m/h/d suffixes and bare seconds."""
    config = parse_config(
        "sources:\n  - {id: a, url: 'https://e.com/', interval: 1h, jitter: 90}\n", file="x.yaml"
    )
    assert config.sources[0].interval_s == 3600.0
    assert config.sources[0].jitter_s == 90.0


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_error_is_located(case: dict[str, Any]) -> None:
    """Each kind of mistake names the file, the line and the key path."""
    with pytest.raises(ConfigError) as caught:
        parse_config(case["yaml"], file="broken.yaml", env={})
    error = caught.value
    assert error.file == "broken.yaml"
    assert error.line == case["line"], str(error)
    assert error.key_path == case["key"], str(error)
    assert case["says"] in str(error)
    assert str(error).startswith(f"broken.yaml:{case['line']}:")


@pytest.mark.parametrize("case", CASES[:4] + CASES[8:9], ids=lambda c: c["name"])
def test_check_command_exits_2_with_located_error(case: dict[str, Any], tmp_path: Path) -> None:
    """`newsbot check` prints the located error and exits 2."""
    path = tmp_path / "newsbot.yaml"
    path.write_text(case["yaml"], encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert f"{path}:{case['line']}:" in result.stderr
    assert case["says"] in result.stderr


def test_check_command_summarises_valid_config() -> None:
    """`newsbot check` on the shipped config exits 0 with counts of sources, topics, aliases."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(ROOT / "config" / "newsbot.yaml"), "check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "topics" in result.stdout and "aliases" in result.stdout and "ok" in result.stdout


def test_missing_config_file(tmp_path: Path) -> None:
    """A missing config file is a ConfigError that names the path."""
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_run_refuses_rules_whose_examples_fail(tmp_path: Path) -> None:
    """`newsbot run` exits 2 naming the topic and text when a topic's own example fails."""
    path = tmp_path / "newsbot.yaml"
    path.write_text(
        "topics:\n  - id: t\n    name: T\n    match: {all: [alpha, beta]}\n"
        "    tests: {match: ['only alpha here']}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "run", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "only alpha here" in result.stderr and "t" in result.stderr
