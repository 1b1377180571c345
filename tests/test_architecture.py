"""The layers hold: import-linter's contracts (pyproject.toml, [tool.importlinter]) are kept.

Pure stages (sources, clean, rules, stories, delivery, and the shared model, errors and wording)
import no adapter, no vendor I/O library, no logging and no clock; the packages import each other
only downward along the data path. The second test shows the check can fail: the same contracts
on a copy of bot/ with one forbidden import added are reported broken.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the checkout (or copy) at ``where``, with its own pyproject.toml."""
    tool = shutil.which("lint-imports")
    assert tool, "import-linter is part of the test extra: pip install -e '.[test]'"
    return subprocess.run(
        [tool, "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_layer_contracts_are_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("rules/text.py", "import logging", "bot.rules.text -> logging"),
        ("clean/page.py", "import time", "bot.clean.page -> time"),
        ("stories/dedupe.py", "import bot.store", "bot.stories.dedupe -> bot.store"),
        ("sources/feeds.py", "import bot.clean", "bot.sources.feeds -> bot.clean"),
    ],
)
def test_a_forbidden_import_is_reported(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "bot" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout
