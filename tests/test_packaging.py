"""Packaging and deployment files say what the README promises."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml

from tests.conftest import ROOT


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_service_matches_the_deployment_story() -> None:
    """newsbot service: config read-only, DB on a named volume, token from .env, restarts."""
    service = compose()["services"]["newsbot"]
    assert service["restart"] == "unless-stopped"
    assert "./config:/app/config:ro" in service["volumes"]
    named = [v.split(":")[0] for v in service["volumes"] if not v.startswith((".", "/"))]
    assert named and all(name in compose()["volumes"] for name in named)
    env_files = [e["path"] if isinstance(e, dict) else e for e in service["env_file"]]
    assert ".env" in env_files
    assert "TELEGRAM_BOT_TOKEN" in service["environment"]
    assert (ROOT / "Dockerfile").is_file() and service["build"] == "."


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run installs the test extra and runs the exact test command the README gives."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:25])
    found = re.search(r"pip install -e '\.\[test\]' && (.+?)\s+#", first_screen)
    assert found, "the README's first screen gives the test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install" in ci and ".[test]" in ci
    assert found.group(1).strip() in ci
    assert "newsbot demo" in first_screen


def test_console_script_and_dependencies() -> None:
    """The distribution is `newsbot` with the `newsbot` script and PTB 22 with its extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "newsbot"
    assert project["scripts"]["newsbot"] == "bot.runtime.cli:main"
    deps = " ".join(project["dependencies"])
    assert "python-telegram-bot[job-queue,rate-limiter]>=22,<23" in deps
    assert "apscheduler>=3.10,<3.12" in deps
