"""`newsbot demo`: offline, no token, prints the alerts a subscriber would see and a summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_demo_prints_alerts_and_summary(tmp_path: Path) -> None:
    """The demo alerts the seed article on the summit topic, shows the Spanish cookie notice it
    removed from it (kind, language, text) and skips the consent wall; run from any directory,
    it finds the checkout's example config by itself."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    for name in ("NEWSBOT_DATABASE_URL", "NEWSBOT_CONFIG"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Zelensky–Trump summit" in out
    assert "Zelensky Seeks Trump Talks" in out
    assert "EU fines over cookie consent" in out
    alerts, removed = out.split("Removed before matching", 1)
    assert "Zelensky Seeks Trump Talks" in alerts
    assert "Nuestro sitio web" not in alerts, "the Spanish cookie notice never reaches an alert"
    notice = next(line for line in removed.splitlines() if "Nuestro sitio web" in line)
    assert notice.startswith("  Zelensky Seeks Trump Talks: consent notice in es, ")
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("demo: 5 pages checked, 1 consent wall skipped, ")
    assert " 0 errors" in summary
    assert not (tmp_path / "data").exists(), "the demo uses a throwaway database"
